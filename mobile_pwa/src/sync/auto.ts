/**
 * When to sync: at start, when the phone comes back online, when the app comes back to the
 * foreground, when something new is queued, when a login stores a new token, when the caller
 * asks (kick), and after a failure with a growing delay so a dead network or a struggling
 * server is not hammered.
 */
import { liveQuery } from 'dexie'
import { db as defaultDb, type BaoxueDB } from '../db'
import { waitingCount } from './queue'
import { syncNow, type SyncReport } from './sync'

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

export interface AutoSync {
  /** Sync now (joins a running sync); resolves with its report, or null when offline. */
  kick(): Promise<SyncReport | null>
  stop(): void
  /** Failures in a row: the backoff's exponent. */
  readonly failures: number
}

export const ACCESS_TOKEN_KEY = 'accessToken'

/** The delay before retry number `failures` (1-based): doubling, capped, with ±20% jitter so
 *  a village's phones coming back together do not all call at the same instant. */
export function backoffDelay(failures: number, base: number, max: number, random = Math.random) {
  const plain = Math.min(max, base * 2 ** Math.max(0, failures - 1))
  return Math.round(plain * (0.8 + 0.4 * random()))
}

export function startAutoSync(options: AutoSyncOptions = {}): AutoSync {
  const target = options.db ?? defaultDb
  const events = options.events ?? (typeof window === 'undefined' ? undefined : window)
  const base = options.baseDelayMs ?? 5_000
  const max = options.maxDelayMs ?? 5 * 60_000
  const getToken =
    options.getToken ??
    (async () => {
      const entry = await target.meta.get(ACCESS_TOKEN_KEY)
      return typeof entry?.value === 'string' ? entry.value : null
    })
  let failures = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  function schedule() {
    clearTimeout(timer)
    timer = setTimeout(() => void kick(), backoffDelay(failures, base, max))
  }

  async function kick(): Promise<SyncReport | null> {
    if (stopped) return null
    clearTimeout(timer)
    timer = undefined
    // navigator.onLine === false is reliable (true is not): wait for the `online` event.
    if (globalThis.navigator?.onLine === false) return null
    const report = await syncNow({ db: target, fetch: options.fetch, token: await getToken() })
    if (stopped) return report
    // Retry on no usable answer, or items left unanswered; never on 401 (records wait too,
    // but only a new login can help, and it kicks).
    const retry =
      report.stopped === 'network' ||
      report.stopped === 'server' ||
      (report.stopped === undefined && report.requeued > 0)
    if (retry) {
      failures += 1
      schedule()
    } else {
      // Done, or a login is needed: no timer; logging in kicks again.
      failures = 0
    }
    options.onReport?.(report)
    return report
  }

  const onOnline = () => {
    failures = 0
    void kick()
  }
  const onVisible = () => {
    if (globalThis.document?.visibilityState === 'visible') void kick()
  }
  events?.addEventListener('online', onOnline)
  events?.addEventListener('visibilitychange', onVisible)

  // Dexie's live queries see writes from any module or tab. A sync's own updates never raise
  // the unsent count (waiting ↔ sending), so only new or requeued records start one here.
  let lastCount: number | undefined
  const queued = liveQuery(() => waitingCount(target)).subscribe({
    next: (count) => {
      if (lastCount !== undefined && count > lastCount) void kick()
      lastCount = count
    },
  })
  let lastToken: unknown
  const login = liveQuery(() => target.meta.get(ACCESS_TOKEN_KEY)).subscribe({
    next: (entry) => {
      const token = entry?.value
      if (lastToken !== undefined && token && token !== lastToken) {
        failures = 0
        void kick()
      }
      lastToken = token ?? null
    },
  })
  void kick()

  return {
    kick,
    stop() {
      stopped = true
      clearTimeout(timer)
      queued.unsubscribe()
      login.unsubscribe()
      events?.removeEventListener('online', onOnline)
      events?.removeEventListener('visibilitychange', onVisible)
    },
    get failures() {
      return failures
    },
  }
}
