/**
 * Visit photos go up before the visits that name them: the server refuses a visit naming a
 * photo it does not hold. Each upload carries the id the phone made (the visit's
 * `attachment_ids`), so sending it again after a lost answer or a killed app is harmless: the
 * server answers the same file under the same id with what it stored the first time (201).
 */
import type { Table } from 'dexie'
import type { BaoxueDB, QueuedPhoto, QueuedRecord, SyncFailure } from '../db'
import { apiUrl } from '../api/http'
import { readProblem } from '../api/problem'
import { UNSENT_STATES } from './queue'

export const ATTACHMENTS_URL = apiUrl('post', '/attachments')
const DEFAULT_TIMEOUT_MS = 60_000

/** A photo row as kept here: the blob dropped once the server has it, a refusal noted. */
export type PhotoRow = Omit<QueuedPhoto, 'blob'> & {
  blob?: Blob
  /** The server refused the photo for good (too large, not a picture, id taken). */
  refusedAt?: number
  error?: string
  status?: number
}

export interface PhotoUploadOptions {
  fetch?: typeof globalThis.fetch
  token: string
  url?: string
  timeoutMs?: number
}

export interface PhotoReport {
  uploaded: number
  refused: number
  /** No usable answer: nothing more was tried, and no visit may go this time. */
  stopped?: SyncFailure['kind']
  message?: string
}

export function photoTable(target: BaoxueDB): Table<PhotoRow, string> {
  return target.photos as unknown as Table<PhotoRow, string>
}

/** Photos still to upload whose visits still have to go, oldest visit first. */
async function due(target: BaoxueDB): Promise<PhotoRow[]> {
  const photos = await photoTable(target)
    .filter((p) => !p.uploadedAt && !p.refusedAt && !!p.blob)
    .toArray()
  if (!photos.length) return []
  const visits = await target.visitOutbox.bulkGet([...new Set(photos.map((p) => p.visitId))])
  const order = new Map<string, number>()
  for (const v of visits) {
    if (v && UNSENT_STATES.includes(v.state)) order.set(v.id, v.createdAt)
  }
  return photos.filter((p) => order.has(p.visitId)).sort((a, b) => order.get(a.visitId)! - order.get(b.visitId)!)
}

type Answer =
  { kind: 'done' } | { kind: 'refused'; status: number; message: string } | { kind: 'failed'; failure: SyncFailure }

async function upload(photo: PhotoRow, options: PhotoUploadOptions): Promise<Answer> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const form = new FormData()
  form.append('id', photo.id)
  form.append('file', photo.blob as Blob, 'photo.jpg')
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  const failed = (kind: SyncFailure['kind'], message: string, status?: number): Answer => ({
    kind: 'failed',
    failure: { kind, message, status, at: Date.now() },
  })
  try {
    let res: Response
    try {
      res = await doFetch(options.url ?? ATTACHMENTS_URL, {
        method: 'POST',
        headers: { Accept: 'application/json', Authorization: `Bearer ${options.token}` },
        body: form,
        signal: abort.signal,
      })
    } catch (err) {
      return failed('network', err instanceof Error ? err.message : String(err))
    }
    if (res.ok) return { kind: 'done' }
    const { message } = await readProblem(res)
    if (res.status === 401) return failed('auth', message, 401)
    if (res.status >= 500 || res.status === 408 || res.status === 429) return failed('server', message, res.status)
    // 409 (the id taken by another user or file), 413, 415, 422: the same photo will never be taken.
    return { kind: 'refused', status: res.status, message }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A photo the server will not take: its visit goes without it, if the visit has not been sent
 * yet (a visit sent once keeps its content, or the server would call the resend a conflict).
 */
async function refuse(target: BaoxueDB, photo: PhotoRow, status: number, message: string) {
  await target.transaction('rw', [target.photos, target.visitOutbox], async () => {
    await photoTable(target).update(photo.id, { refusedAt: Date.now(), status, error: message })
    const visit = await target.visitOutbox.get(photo.visitId)
    if (!visit || visit.kind !== 'visit' || visit.attempts > 0) return
    const { attachment_ids: ids, ...rest } = visit.payload
    const left = (ids ?? []).filter((id) => id !== photo.id)
    const payload = left.length ? { ...rest, attachment_ids: left } : rest
    await target.visitOutbox.update(visit.id, { payload } as Partial<QueuedRecord>)
  })
}

/** Upload what is due, one photo at a time (a weak link carries one at a time anyway). */
export async function uploadPhotos(target: BaoxueDB, options: PhotoUploadOptions): Promise<PhotoReport> {
  const report: PhotoReport = { uploaded: 0, refused: 0 }
  for (const photo of await due(target)) {
    const answer = await upload(photo, options)
    if (answer.kind === 'failed') {
      report.stopped = answer.failure.kind
      report.message = answer.failure.message
      break
    }
    if (answer.kind === 'refused') {
      await refuse(target, photo, answer.status, answer.message)
      report.refused += 1
      continue
    }
    // Setting a field to undefined makes Dexie delete it: the blob's space is freed.
    await photoTable(target).update(photo.id, { uploadedAt: Date.now(), blob: undefined })
    report.uploaded += 1
  }
  return report
}
