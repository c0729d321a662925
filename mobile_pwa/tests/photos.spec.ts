// @vitest-environment node
// Node's own Blob and FormData: happy-dom's Blob does not survive fake-indexeddb's structured clone.
import { describe, expect, it, vi } from 'vitest'
import { BaoxueDB, newUuid, type QueuedVisit } from '../src/db'
import { freshDb } from './freshDb'
import { queueVisit, syncNow, type BatchResult, type VisitBatch } from '../src/sync'
import { ATTACHMENTS_URL, photoTable } from '../src/sync/photos'
import { MAX_BYTES, fitWithin, shrinkUntilSmall } from '../src/photos'

let db: BaoxueDB

freshDb('photos', async (fresh) => {
  db = fresh
})

const TOKEN = 'tok-1'
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4])

/** A visit with one photo, both stored as VisitView stores them. */
async function visitWithPhoto(): Promise<{ visit: QueuedVisit; photoId: string }> {
  const photoId = newUuid()
  const visitId = newUuid()
  await db.photos.add({ id: photoId, visitId, blob: new Blob([JPEG], { type: 'image/jpeg' }) })
  const visit = await queueVisit(
    {
      id: visitId,
      household_id: newUuid(),
      visited_at: '2026-03-02T09:30:00+08:00',
      outcome: 'nobody_home',
      attachment_ids: [photoId],
    },
    db,
  )
  return { visit, photoId }
}

type PhotoAnswer = (id: string, seen: number) => Response | Promise<Response>

/**
 * A fake API: /attachments keeps the ids it has stored (the same file again is answered 201,
 * replayed, as the server does), /visits/batch answers every item `created`. `calls` is the
 * order the requests came in.
 */
function fakeApi(photoAnswer?: PhotoAnswer) {
  const stored = new Map<string, number>()
  const calls: string[] = []
  const forms: FormData[] = []
  const bodies: VisitBatch[] = []
  const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    if (String(url) === ATTACHMENTS_URL) {
      const form = init!.body as FormData
      const id = String(form.get('id'))
      calls.push(`photo ${id}`)
      forms.push(form)
      if (photoAnswer) return photoAnswer(id, stored.get(id) ?? 0)
      stored.set(id, (stored.get(id) ?? 0) + 1)
      return Response.json({ id }, { status: 201 })
    }
    const body = JSON.parse(String(init?.body)) as VisitBatch
    calls.push('batch')
    bodies.push(body)
    const result: BatchResult = {
      received_at: '2026-03-02T10:00:00+08:00',
      households: [],
      children: [],
      visits: body.visits.map((v, index) => ({ index, id: v.id, result: 'created' })),
    }
    return Response.json(result)
  })
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls, forms, bodies, stored }
}

const photo = (id: string) => photoTable(db).get(id)

describe('photos in the sync', () => {
  it('uploads the photo once, with its id, before the batch naming it', async () => {
    const { visit, photoId } = await visitWithPhoto()
    const api = fakeApi()

    const report = await syncNow({ fetch: api.fetch, token: TOKEN, db })

    expect(api.calls).toEqual([`photo ${photoId}`, 'batch'])
    const file = api.forms[0]!.get('file') as File
    expect(file.name).toBe('photo.jpg')
    expect(file.size).toBe(JPEG.length)
    expect(api.bodies[0]!.visits[0]).toMatchObject({ id: visit.id, attachment_ids: [photoId] })
    expect(report).toMatchObject({ batches: 1, synced: 1 })
    const row = await photo(photoId)
    expect(row?.uploadedAt).toBeTypeOf('number')
    expect(row?.blob).toBeUndefined() // the phone's space is freed

    await syncNow({ fetch: api.fetch, token: TOKEN, db })
    expect(api.calls).toHaveLength(2)
  })

  it('on a network failure sends nothing: the visit and its photo wait', async () => {
    const { visit, photoId } = await visitWithPhoto()
    const other = await queueVisit(
      { household_id: newUuid(), visited_at: '2026-03-02T10:00:00+08:00', outcome: 'met' },
      db,
    )
    const api = fakeApi(() => {
      throw new TypeError('Failed to fetch')
    })

    const report = await syncNow({ fetch: api.fetch, token: TOKEN, db })

    expect(report).toMatchObject({ stopped: 'network', batches: 0 })
    expect(api.calls).toEqual([`photo ${photoId}`])
    for (const id of [visit.id, other.id]) {
      expect(await db.visitOutbox.get(id)).toMatchObject({ state: 'waiting', attempts: 0 })
    }
    const row = await photo(photoId)
    expect(row?.uploadedAt).toBeUndefined()
    expect(row?.blob).toBeDefined()
  })

  it('after a kill between upload and batch, the upload is answered as existing and the batch goes', async () => {
    const { visit, photoId } = await visitWithPhoto()
    // First run: the server stores the photo, but the answer never reaches the phone.
    const lost = fakeApi((id, seen) => {
      if (seen === 0) {
        lost.stored.set(id, 1)
        throw new TypeError('connection reset')
      }
      return Response.json({ id }, { status: 201, headers: { 'Idempotent-Replayed': 'true' } })
    })
    expect(await syncNow({ fetch: lost.fetch, token: TOKEN, db })).toMatchObject({ stopped: 'network' })
    expect(lost.calls).toEqual([`photo ${photoId}`])

    const report = await syncNow({ fetch: lost.fetch, token: TOKEN, db })

    expect(lost.calls).toEqual([`photo ${photoId}`, `photo ${photoId}`, 'batch'])
    expect(lost.stored.get(photoId)).toBe(1) // stored once
    expect(report).toMatchObject({ batches: 1, synced: 1 })
    expect(await db.visitOutbox.get(visit.id)).toMatchObject({ state: 'synced' })
  })

  it('after a kill once the upload was recorded, only the batch goes', async () => {
    const { visit, photoId } = await visitWithPhoto()
    // As a killed app leaves it: the photo marked uploaded, the visit not yet sent.
    await photoTable(db).update(photoId, { uploadedAt: Date.now(), blob: undefined })
    const api = fakeApi()
    await syncNow({ fetch: api.fetch, token: TOKEN, db })
    expect(api.calls).toEqual(['batch'])
    expect(api.bodies[0]!.visits[0]).toMatchObject({ id: visit.id, attachment_ids: [photoId] })
  })

  it('a photo the server refuses is left out, noted, and the visit still goes', async () => {
    const { visit, photoId } = await visitWithPhoto()
    const api = fakeApi(() =>
      Response.json({ status: 413, detail: '文件超过10MB (the file is larger than 10 MB)' }, { status: 413 }),
    )

    const report = await syncNow({ fetch: api.fetch, token: TOKEN, db })

    expect(api.calls).toEqual([`photo ${photoId}`, 'batch'])
    expect(api.bodies[0]!.visits[0]!.attachment_ids).toBeUndefined()
    expect(report).toMatchObject({ synced: 1 })
    expect(await photo(photoId)).toMatchObject({ status: 413, error: '文件超过10MB (the file is larger than 10 MB)' })
    expect(((await db.visitOutbox.get(visit.id)) as QueuedVisit).payload.attachment_ids).toBeUndefined()
  })

  it('stops for a login when the upload gets a 401, and on a 5xx: nothing sent', async () => {
    await visitWithPhoto()
    for (const [status, stopped] of [
      [401, 'auth'],
      [503, 'server'],
    ] as const) {
      const api = fakeApi(() => Response.json({ status }, { status }))
      expect(await syncNow({ fetch: api.fetch, token: TOKEN, db })).toMatchObject({ stopped })
      expect(api.calls.filter((c) => c === 'batch')).toHaveLength(0)
    }
  })

  it('does not upload the photo of a visit already settled', async () => {
    const { visit } = await visitWithPhoto()
    await db.visitOutbox.update(visit.id, { state: 'synced' })
    const api = fakeApi()
    await syncNow({ fetch: api.fetch, token: TOKEN, db })
    expect(api.calls).toEqual([])
  })
})

describe('compression', () => {
  it('fits the long side within 1280 px and never enlarges', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1280, height: 960 })
    expect(fitWithin(3000, 4000)).toEqual({ width: 960, height: 1280 })
    expect(fitWithin(800, 600)).toEqual({ width: 800, height: 600 })
  })

  it('lowers the quality, then the size, until the JPEG is within 300 KB', async () => {
    const tried: [number, number][] = []
    // A made-up encoder: bytes grow with the area and the quality.
    const encode = async (scale: number, quality: number) => {
      tried.push([Number(scale.toFixed(3)), quality])
      return new Blob([new Uint8Array(Math.round(900 * 1024 * scale * scale * quality))])
    }
    const blob = await shrinkUntilSmall(encode)
    expect(blob.size).toBeLessThanOrEqual(MAX_BYTES)
    expect(tried[0]).toEqual([1, 0.7])
    expect(tried.at(-1)![0]).toBeLessThan(1)
    // Small enough at once: one encoding.
    tried.length = 0
    await shrinkUntilSmall(async () => new Blob([new Uint8Array(1000)]))
    expect(tried).toHaveLength(0)
  })
})
