/**
 * The request outbox: case writes made on the phone (a report, a persuasion attempt, a
 * follow-up visit, a message read) kept in db.outbox and replayed one by one, in the order
 * they were made. Each goes with its uuid as Idempotency-Key, so it is sent again whenever we
 * cannot be sure the server has it (no answer, 5xx, app killed mid-request): a repeat gets the
 * first answer and records nothing twice. An item leaves the outbox only on a 2xx answer; a
 * refusal (4xx) stays, in `error`, with the server's words, for a person.
 */
import { db as defaultDb, newUuid, type BaoxueDB, type OutboxItem } from '../db'
import { LoginNeeded, SessionEnded, apiResponse, readProblem } from '../api/client'
import type { PersuasionAttemptOut, CaseOut, FollowUpOut, NotificationOut } from '../api/types'
import { startSender, type Sender } from './sender'

export type RequestWrite = Pick<OutboxItem, 'method' | 'path' | 'body'> &
  Partial<Pick<OutboxItem, 'uuid' | 'caseId' | 'childName'>>

/** Queue a write; the caller may give the uuid (POST /cases sends it as the case's id too). */
export function queueRequest(write: RequestWrite, target: BaoxueDB = defaultDb): Promise<OutboxItem> {
  return target.transaction('rw', target.outbox, async () => {
    // Strictly after the newest item even if the phone's clock went back: creation order is
    // the replay order, and an attempt must not overtake the report of its case.
    let newest = 0
    await target.outbox.each((i) => {
      newest = Math.max(newest, i.createdAt)
    })
    const createdAt = Math.max(Date.now(), newest + 1)
    const item: OutboxItem = { ...write, uuid: write.uuid ?? newUuid(), state: 'waiting', createdAt, attempts: 0 }
    await target.outbox.add(item)
    return item
  })
}

export type RequestKind = 'report' | 'attempt' | 'followUp' | 'read' | 'other'

/** What a queued write is, read off its path (the outbox list and the cache use it). */
export function requestKind(item: Pick<OutboxItem, 'method' | 'path'>): RequestKind {
  if (item.method !== 'POST') return 'other'
  if (item.path === '/cases') return 'report'
  if (/^\/cases\/[^/]+\/attempts$/.test(item.path)) return 'attempt'
  if (/^\/cases\/[^/]+\/follow-ups\/\d+$/.test(item.path)) return 'followUp'
  if (/^\/notifications\/[^/]+\/read$/.test(item.path)) return 'read'
  return 'other'
}

const byCreation = (a: OutboxItem, b: OutboxItem) => a.createdAt - b.createdAt

/** Items not yet on the server, in replay order. */
export async function listRequests(target: BaoxueDB = defaultDb): Promise<OutboxItem[]> {
  return (await target.outbox.toArray()).sort(byCreation)
}

/** Refused items (error) back to waiting (the user says: send again). */
export function requeueRequests(uuids: readonly string[], target: BaoxueDB = defaultDb): Promise<number> {
  return target.outbox
    .where('uuid')
    .anyOf(uuids)
    .and((i) => i.state === 'error')
    .modify((i) => {
      i.state = 'waiting'
      i.updatedAt = Date.now()
      delete i.lastError
      delete i.status
      delete i.errors
    })
}

/** Drop a refused item for good (a person decided, e.g. the child has a case already). */
export function discardRequest(uuid: string, target: BaoxueDB = defaultDb): Promise<number> {
  return target.outbox
    .where('uuid')
    .equals(uuid)
    .and((i) => i.state === 'error')
    .delete()
}

export interface ReplayReport {
  /** Taken by the server (and left the outbox): the visit sync's word for it too. */
  synced: number
  /** Refused (4xx): left in error for a person. */
  error: number
  /** Put back to waiting because the replay stopped. */
  requeued: number
  /** Left waiting behind a refused item of the same case. */
  held: number
  /** Why the replay stopped early: no answer, 5xx, a login is needed, the account ended. */
  stopped?: 'network' | 'server' | 'auth' | 'ended'
  message?: string
  /** Cases written to: their cache is refreshed after. */
  caseIds: string[]
}

export interface ReplayOptions {
  db?: BaoxueDB
  /** A request unanswered this long counts as no answer (the item waits again). */
  timeoutMs?: number
  /** Called with the cases written to, e.g. to refresh their cache (errors ignored). */
  afterSent?: (caseIds: string[]) => Promise<unknown> | unknown
}

// One replay per database in this page; a second call joins the running one.
const running = new WeakMap<BaoxueDB, Promise<ReplayReport>>()

export function replayRequests(options: ReplayOptions = {}): Promise<ReplayReport> {
  const target = options.db ?? defaultDb
  const current = running.get(target)
  if (current) return current
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  // Two tabs would both claim the same items; where Web Locks is missing sending twice is
  // harmless (Idempotency-Key), so we go on.
  const job = () => replay(target, options)
  const run = (
    locks?.request ? (locks.request(`baoxue-requests:${target.name}`, job) as unknown as Promise<ReplayReport>) : job()
  ).finally(() => running.delete(target))
  running.set(target, run)
  return run
}

async function replay(target: BaoxueDB, options: ReplayOptions): Promise<ReplayReport> {
  const report: ReplayReport = { synced: 0, error: 0, requeued: 0, held: 0, caseIds: [] }
  const claimed = await claim(target)
  // A case's writes go in order: behind a refused one, the rest of that case waits for a person.
  const blocked = new Set<string>()
  await target.outbox
    .where('state')
    .equals('error')
    .each((i) => i.caseId && blocked.add(i.caseId))
  for (let n = 0; n < claimed.length; n++) {
    const item = claimed[n]!
    if (item.caseId && blocked.has(item.caseId)) {
      await target.outbox.update(item.uuid, { state: 'waiting' })
      report.held += 1
      continue
    }
    await target.outbox.update(item.uuid, { attempts: item.attempts + 1, updatedAt: Date.now() })
    const sent = await send(item, options.timeoutMs ?? 60_000)
    if (sent.kind === 'done') {
      await settle(target, item, sent.answer)
      report.synced += 1
      if (item.caseId && !report.caseIds.includes(item.caseId)) report.caseIds.push(item.caseId)
    } else if (sent.kind === 'refused' && requestKind(item) === 'read') {
      // A message the server no longer has (or not for me): nothing for a person to do.
      await target.outbox.delete(item.uuid)
    } else if (sent.kind === 'refused') {
      await target.outbox.update(item.uuid, { state: 'error', ...sent.why, updatedAt: Date.now() })
      report.error += 1
      if (item.caseId) blocked.add(item.caseId)
    } else {
      // No usable answer: this item and every later one wait again, nothing lost.
      const rest = claimed.slice(n).map((i) => i.uuid)
      await target.outbox.where('uuid').anyOf(rest).modify({ state: 'waiting' })
      report.requeued += rest.length
      report.stopped = sent.stopped
      report.message = sent.message
      break
    }
  }
  if (report.caseIds.length && options.afterSent) {
    try {
      await options.afterSent(report.caseIds)
    } catch {
      // the cache stays as the answers left it; the next refresh brings the rest
    }
  }
  return report
}

/** Waiting items and those an app killed mid-request left `sending`, in one transaction. */
function claim(target: BaoxueDB): Promise<OutboxItem[]> {
  return target.transaction('rw', target.outbox, async () => {
    const items = (await target.outbox.where('state').anyOf('waiting', 'sending').toArray()).sort(byCreation)
    const claimed = items.map((i): OutboxItem => ({ ...i, state: 'sending' }))
    await target.outbox.bulkPut(claimed)
    return claimed
  })
}

type Sent =
  | { kind: 'done'; answer: unknown }
  | { kind: 'refused'; why: Pick<OutboxItem, 'lastError' | 'status' | 'errors'> }
  | { kind: 'stop'; stopped: NonNullable<ReplayReport['stopped']>; message: string }

async function send(item: OutboxItem, timeoutMs: number): Promise<Sent> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), timeoutMs)
  try {
    const res = await apiResponse(item.path, {
      method: item.method,
      body: item.body,
      idempotencyKey: item.uuid,
      signal: abort.signal,
    })
    if (res.ok) {
      if (res.status === 204) return { kind: 'done', answer: undefined }
      // A 2xx we cannot read may be a captive portal's page, not the API: send again later.
      const answer: unknown = await res.json().catch(() => null)
      if (answer === null || typeof answer !== 'object')
        return { kind: 'stop', stopped: 'server', message: 'unreadable answer' }
      return { kind: 'done', answer }
    }
    const problem = await readProblem(res)
    // Overloaded, timed out at a proxy, or broken: the server may or may not hold it.
    if (res.status >= 500 || res.status === 408 || res.status === 429) {
      return { kind: 'stop', stopped: 'server', message: problem.message }
    }
    return { kind: 'refused', why: { lastError: problem.message, status: res.status, errors: problem.errors } }
  } catch (err) {
    if (err instanceof SessionEnded) return { kind: 'stop', stopped: 'ended', message: err.message }
    if (err instanceof LoginNeeded) return { kind: 'stop', stopped: 'auth', message: err.message }
    return { kind: 'stop', stopped: 'network', message: err instanceof Error ? err.message : String(err) }
  } finally {
    clearTimeout(timer)
  }
}

/** The item leaves the outbox, and its answer goes into the cache in the same transaction,
 *  so the screens never show the write neither queued nor recorded. */
async function settle(target: BaoxueDB, item: OutboxItem, answer: unknown): Promise<void> {
  const now = Date.now()
  await target.transaction('rw', [target.outbox, target.cases, target.notifications], async () => {
    await target.outbox.delete(item.uuid)
    if (!answer) return
    const kind = requestKind(item)
    if (kind === 'report') {
      await target.cases.put({ ...(answer as CaseOut), cachedAt: now })
    } else if (kind === 'read') {
      await target.notifications.put(answer as NotificationOut)
    } else if ((kind === 'attempt' || kind === 'followUp') && item.caseId) {
      const held = await target.cases.get(item.caseId)
      if (!held) return
      if (kind === 'attempt') {
        const made = answer as PersuasionAttemptOut
        held.attempts = [...(held.attempts ?? []).filter((a) => a.id !== made.id), made]
      } else {
        const made = answer as FollowUpOut
        held.followUps = (held.followUps ?? []).map((f) => (f.number === made.number ? made : f))
      }
      await target.cases.put(held)
    }
  })
}

export type RequestSync = Sender<ReplayReport>

export interface RequestSyncOptions extends ReplayOptions {
  events?: EventTarget
  baseDelayMs?: number
  maxDelayMs?: number
  onReport?: (report: ReplayReport) => void
}

/** When to replay: as the visit outbox (sender.ts). */
export function startRequestSync(options: RequestSyncOptions = {}): RequestSync {
  const target = options.db ?? defaultDb
  return startSender({
    db: target,
    send: () => replayRequests(options),
    // A needed login kicks again when it is done.
    retry: (report) => report.stopped === 'network' || report.stopped === 'server',
    stoppedEarly: (report) => report.stopped !== undefined,
    // A replay's own updates never raise this count (waiting ↔ sending, deletes).
    unsent: () => target.outbox.where('state').anyOf('waiting', 'sending').count(),
    onReport: options.onReport,
    events: options.events,
    baseDelayMs: options.baseDelayMs,
    maxDelayMs: options.maxDelayMs,
  })
}
