/** The visit outbox's sender: see sender.ts for when it sends. */
import { db as defaultDb, type BaoxueDB } from '../db'
import { waitingCount } from './queue'
import { syncNow, type SyncReport } from './sync'
import { ACCESS_TOKEN_KEY, backoffDelay, startSender, type Sender } from './sender'

export interface AutoSyncOptions {
  db?: BaoxueDB
  fetch?: typeof globalThis.fetch
  /** Defaults to the token LoginView stores in db.meta. */
  getToken?: () => Promise<string | null | undefined> | string | null | undefined
  /** Every finished sync; `stopped: 'auth'` means: ask the user to log in again. */
  onReport?: (report: SyncReport) => void
  /** Where `online` and `visibilitychange` come from (window in the app). */
  events?: EventTarget
  baseDelayMs?: number
  maxDelayMs?: number
}

export type AutoSync = Sender<SyncReport>

export { ACCESS_TOKEN_KEY, backoffDelay }

export function startAutoSync(options: AutoSyncOptions = {}): AutoSync {
  const target = options.db ?? defaultDb
  const getToken =
    options.getToken ??
    (async () => {
      const entry = await target.meta.get(ACCESS_TOKEN_KEY)
      return typeof entry?.value === 'string' ? entry.value : null
    })
  return startSender({
    db: target,
    send: async () => syncNow({ db: target, fetch: options.fetch, token: await getToken() }),
    // Retry on no usable answer, or items left unanswered; never on 401 (records wait too,
    // but only a new login can help, and it kicks).
    retry: (report) =>
      report.stopped === 'network' ||
      report.stopped === 'server' ||
      (report.stopped === undefined && report.requeued > 0),
    stoppedEarly: (report) => report.stopped !== undefined,
    unsent: () => waitingCount(target),
    onReport: options.onReport,
    events: options.events,
    baseDelayMs: options.baseDelayMs,
    maxDelayMs: options.maxDelayMs,
  })
}
