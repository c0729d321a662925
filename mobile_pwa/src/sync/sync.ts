/**
 * Sending the visit outbox: POST /api/v1/visits/batch, and each item's answer written back.
 *
 * Safe to repeat at any point: every item carries the phone's UUID and the server answers
 * `duplicate` for one it already holds, so a record is sent again whenever we cannot be sure
 * the server has it (no answer, 5xx, app killed mid-request). A record leaves the queue only
 * on an answer for that very item.
 */
import { db as defaultDb, type BaoxueDB, type QueuedRecord, type SyncFailure } from '../db'
import { UNSENT_STATES } from './queue'
import { uploadPhotos } from './photos'
import { apiUrl } from '../api/http'
import { readProblem } from '../api/problem'
import type { BatchResult, ItemError, ItemOutcome, VisitBatch } from './types'

export const BATCH_URL = apiUrl('post', '/visits/batch')
/** The limit (the server takes up to 500): a batch a weak 2G link still gets through. */
export const MAX_VISITS_PER_BATCH = 200
/** The server's MAX_FOUND: households, and children, found in the field per batch. */
export const MAX_FOUND_PER_BATCH = 200
const DEFAULT_TIMEOUT_MS = 60_000

export interface SyncOptions {
  /** Injected so tests (and a future auth wrapper) can supply their own. */
  fetch?: typeof globalThis.fetch
  /** Bearer token; without one nothing is sent and the report asks for a login. */
  token: string | null | undefined
  db?: BaoxueDB
  url?: string
  maxVisits?: number
  maxFound?: number
  /** A request unanswered this long counts as a network failure (the records wait again). */
  timeoutMs?: number
}

export interface SyncReport {
  /** Batches the server answered item by item. */
  batches: number
  /** Records that got an answer: synced (created or duplicate), conflict, error (invalid or
   *  the whole batch refused). */
  synced: number
  conflict: number
  error: number
  /** Records put back to wait for the next sync. */
  requeued: number
  /** Why the sync stopped before sending everything: network, server or auth (log in again). */
  stopped?: SyncFailure['kind']
  /** The last failure's words, for a toast. */
  message?: string
}

type Kind = QueuedRecord['kind']
const LIST: Record<Kind, keyof VisitBatch> = {
  household: 'households',
  child: 'children',
  visit: 'visits',
}

/**
 * Cut the queue (already in creation order) into batches the server accepts. Greedy, in order:
 * a household or child always travels in the same batch as, or an earlier one than, any visit
 * made after it, and the server handles a batch's households and children before its visits.
 */
export function splitBatches(
  records: readonly QueuedRecord[],
  maxVisits = MAX_VISITS_PER_BATCH,
  maxFound = MAX_FOUND_PER_BATCH,
): QueuedRecord[][] {
  const limit: Record<Kind, number> = { visit: maxVisits, household: maxFound, child: maxFound }
  const batches: QueuedRecord[][] = []
  let current: QueuedRecord[] = []
  let counts: Record<Kind, number> = { visit: 0, household: 0, child: 0 }
  for (const record of records) {
    if (counts[record.kind] >= limit[record.kind]) {
      batches.push(current)
      current = []
      counts = { visit: 0, household: 0, child: 0 }
    }
    current.push(record)
    counts[record.kind] += 1
  }
  if (current.length) batches.push(current)
  return batches
}

/** The request body, and for each list the records in the order the server will index them. */
function toBody(batch: readonly QueuedRecord[]): { body: VisitBatch; byList: Record<Kind, QueuedRecord[]> } {
  const body: VisitBatch = { households: [], children: [], visits: [] }
  const byList: Record<Kind, QueuedRecord[]> = { household: [], child: [], visit: [] }
  for (const record of batch) {
    byList[record.kind].push(record)
    switch (record.kind) {
      case 'household':
        body.households.push(record.payload)
        break
      case 'child':
        body.children.push(record.payload)
        break
      case 'visit':
        body.visits.push(record.payload)
        break
    }
  }
  return { body, byList }
}

// Only one sync per database in this page; a second call joins the running one.
const running = new WeakMap<BaoxueDB, Promise<SyncReport>>()

export function syncNow(options: SyncOptions): Promise<SyncReport> {
  const target = options.db ?? defaultDb
  const current = running.get(target)
  if (current) return current
  const run = withCrossTabLock(target, () => sync(target, options)).finally(() => {
    running.delete(target)
  })
  running.set(target, run)
  return run
}

/** True while a sync of this database runs in this page. */
export function isSyncing(target: BaoxueDB = defaultDb): boolean {
  return running.has(target)
}

/**
 * Two tabs of the app would otherwise both claim the same records. Sending twice is harmless
 * (duplicate), so where the Web Locks API is missing (old WebViews, tests) we just go on.
 */
function withCrossTabLock<T>(target: BaoxueDB, job: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (!locks?.request) return job()
  return locks.request(`baoxue-sync:${target.name}`, job) as Promise<T>
}

async function sync(target: BaoxueDB, options: SyncOptions): Promise<SyncReport> {
  const report: SyncReport = { batches: 0, synced: 0, conflict: 0, error: 0, requeued: 0 }
  if (!options.token) {
    report.stopped = 'auth'
    return report
  }
  // Photos first: the server refuses a visit naming a photo it does not hold. Without an
  // answer for one, nothing is claimed and every record waits for the next sync.
  const photos = await uploadPhotos(target, {
    fetch: options.fetch,
    token: options.token,
    timeoutMs: options.timeoutMs,
  })
  if (photos.stopped) {
    report.stopped = photos.stopped
    report.message = photos.message
    return report
  }
  const claimed = await claim(target)
  if (!claimed.length) return report
  const batches = splitBatches(
    claimed,
    options.maxVisits ?? MAX_VISITS_PER_BATCH,
    options.maxFound ?? MAX_FOUND_PER_BATCH,
  )
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i]!
    const sent = await post(batch, options)
    if (sent.kind === 'answered') {
      report.batches += 1
      const tally = await applyOutcomes(target, batch, sent.result)
      report.synced += tally.synced
      report.conflict += tally.conflict
      report.error += tally.error
      report.requeued += tally.requeued
    } else if (sent.kind === 'rejected') {
      // The envelope itself was refused (422, 403, 413…): sending it again as it is would be
      // refused again, so the records wait for a person; the other batches go on.
      await update(
        target,
        batch.map((r) => ({
          id: r.id,
          changes: { state: 'error', lastError: sent.failure, errors: sent.errors },
        })),
      )
      report.error += batch.length
      report.message = sent.failure.message
    } else {
      // No usable answer: this batch and every later one wait again, nothing lost.
      const rest = batches.slice(i).flat()
      await release(target, rest, sent.failure)
      report.requeued += rest.length
      report.stopped = sent.failure.kind
      report.message = sent.failure.message
      break
    }
  }
  return report
}

/**
 * Take what waits, and what an app killed mid-request left `sending`, in one transaction:
 * mark it all `sending` and count the attempt. Ordered by creation (see splitBatches).
 */
async function claim(target: BaoxueDB): Promise<QueuedRecord[]> {
  return target.transaction('rw', target.visitOutbox, async () => {
    const records = await target.visitOutbox.where('state').anyOf(UNSENT_STATES).sortBy('createdAt')
    const now = Date.now()
    const claimed = records.map((r): QueuedRecord => ({
      ...r,
      state: 'sending',
      attempts: r.attempts + 1,
      updatedAt: now,
    }))
    await target.visitOutbox.bulkPut(claimed)
    return claimed
  })
}

type Sent =
  | { kind: 'answered'; result: BatchResult }
  | { kind: 'rejected'; failure: SyncFailure; errors: ItemError[] }
  | { kind: 'failed'; failure: SyncFailure }

async function post(batch: readonly QueuedRecord[], options: SyncOptions): Promise<Sent> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const { body } = toBody(batch)
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  const failed = (kind: SyncFailure['kind'], message: string, status?: number): Sent => ({
    kind: 'failed',
    failure: { kind, message, status, at: Date.now() },
  })
  try {
    let res: Response
    try {
      res = await doFetch(options.url ?? BATCH_URL, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          Authorization: `Bearer ${options.token}`,
        },
        body: JSON.stringify(body),
        signal: abort.signal,
      })
    } catch (err) {
      return failed('network', err instanceof Error ? err.message : String(err))
    }
    if (res.status === 401) {
      const problem = await readProblem(res)
      return failed('auth', problem.message, 401)
    }
    // Overloaded, timed out at a proxy, or broken: the server may or may not have stored
    // the batch; sending it again later is safe either way.
    if (res.status >= 500 || res.status === 408 || res.status === 429) {
      const problem = await readProblem(res)
      return failed('server', problem.message, res.status)
    }
    if (!res.ok) {
      const problem = await readProblem(res)
      return {
        kind: 'rejected',
        errors: problem.errors,
        failure: {
          kind: 'rejected',
          status: res.status,
          message: problem.message,
          at: Date.now(),
        },
      }
    }
    let parsed: unknown
    try {
      parsed = await res.json()
    } catch (err) {
      // A 2xx we cannot read (a captive portal's page, a cut-off body): treat as unanswered.
      return failed('server', err instanceof Error ? err.message : String(err), res.status)
    }
    if (!isBatchResult(parsed)) return failed('server', 'unexpected answer', res.status)
    return { kind: 'answered', result: parsed }
  } finally {
    clearTimeout(timer)
  }
}

function isBatchResult(value: unknown): value is BatchResult {
  if (!value || typeof value !== 'object') return false
  const v = value as Record<string, unknown>
  return ['households', 'children', 'visits'].every((list) => Array.isArray(v[list]))
}

interface Tally {
  synced: number
  conflict: number
  error: number
  requeued: number
}

type Change = { id: string; changes: Partial<Omit<QueuedRecord, 'id' | 'kind' | 'payload'>> }

async function applyOutcomes(target: BaoxueDB, batch: readonly QueuedRecord[], result: BatchResult): Promise<Tally> {
  const tally: Tally = { synced: 0, conflict: 0, error: 0, requeued: 0 }
  const { byList } = toBody(batch)
  const now = Date.now()
  const changes: Change[] = []
  for (const kind of ['household', 'child', 'visit'] as const) {
    const records = byList[kind]
    const outcomes = new Map<number, ItemOutcome>()
    for (const outcome of result[LIST[kind]]) outcomes.set(outcome.index, outcome)
    records.forEach((record, index) => {
      const outcome = outcomes.get(index)
      // An answer must be for this record: index in its list and, when given, the same id.
      if (!outcome || (outcome.id && outcome.id.toLowerCase() !== record.id.toLowerCase())) {
        changes.push({
          id: record.id,
          changes: {
            state: 'waiting',
            lastError: { kind: 'unanswered', message: 'no answer for this item', at: now },
          },
        })
        tally.requeued += 1
        return
      }
      changes.push({ id: record.id, changes: outcomeChanges(record, outcome, now) })
      const state = changes[changes.length - 1]!.changes.state
      if (state === 'synced') tally.synced += 1
      else if (state === 'conflict') tally.conflict += 1
      else tally.error += 1
    })
  }
  await update(target, changes)
  return tally
}

function outcomeChanges(record: QueuedRecord, outcome: ItemOutcome, now: number): Change['changes'] {
  // A resend after a lost answer comes back `duplicate` without the cases the first send
  // opened: keep the ids we already know.
  const caseIds = [...new Set([...(record.caseIds ?? []), ...(outcome.case_ids ?? [])])]
  const cleared = {
    result: outcome.result,
    lastError: undefined,
    caseIds: caseIds.length ? caseIds : undefined,
  }
  switch (outcome.result) {
    case 'created':
    case 'duplicate':
      return {
        ...cleared,
        state: 'synced',
        syncedAt: now,
        detail: undefined,
        errors: undefined,
        serverState: undefined,
      }
    case 'conflict':
      // Either the id holds other content (nothing stored), or the visit is stored but an
      // observation older than the child's last recorded change did not overwrite it: the
      // server's state is kept here for the cadre to compare.
      return {
        ...cleared,
        state: 'conflict',
        detail: outcome.detail ?? undefined,
        serverState: outcome.server_state ?? [],
        errors: undefined,
      }
    case 'invalid':
    default:
      return {
        ...cleared,
        state: 'error',
        detail: outcome.detail ?? undefined,
        errors: outcome.errors ?? [],
      }
  }
}

function release(target: BaoxueDB, records: readonly QueuedRecord[], failure: SyncFailure) {
  return update(
    target,
    records.map((r) => ({ id: r.id, changes: { state: 'waiting', lastError: failure } })),
  )
}

/** One transaction; a record deleted meanwhile stays deleted (update() skips missing keys). */
async function update(target: BaoxueDB, changes: readonly Change[]): Promise<void> {
  const now = Date.now()
  await target.transaction('rw', target.visitOutbox, async () => {
    for (const { id, changes: c } of changes) {
      await target.visitOutbox.update(id, { ...c, updatedAt: now })
    }
  })
}
