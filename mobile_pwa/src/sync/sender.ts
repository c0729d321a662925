/**
 * When an outbox is sent: at start, when the phone comes back online, when the app comes back
 * to the foreground, when something new is queued, when a login stores a new token, when the
 * caller asks (kick), and after a failure with a growing delay so a dead network or a
 * struggling server is not hammered. The visit outbox and the request outbox both go this way.
 */
import { liveQuery } from 'dexie'
import type { BaoxueDB } from '../db'
import { ACCESS_TOKEN_KEY } from '../session'

export { ACCESS_TOKEN_KEY }

/** The delay before retry number `failures` (1-based): doubling, capped, with ±20% jitter so
 *  a village's phones coming back together do not all call at the same instant. */
export function backoffDelay(failures: number, base: number, max: number, random = Math.random) {
  const plain = Math.min(max, base * 2 ** Math.max(0, failures - 1))
  return Math.round(plain * (0.8 + 0.4 * random()))
}

export interface Sender<R> {
  /** Send now (joins a running send, which then goes round once more); resolves with its
   *  report, or null when offline or stopped. */
  kick(): Promise<R | null>
  stop(): void
  /** Failures in a row: the backoff's exponent. */
  readonly failures: number
}

export interface SenderOptions<R> {
  db: BaoxueDB
  send: () => Promise<R>
  /** No usable answer (network, server, items left unanswered): try again after a delay. */
  retry: (report: R) => boolean
  /** The send ended early (whatever the cause): do not go round again for what was queued. */
  stoppedEarly: (report: R) => boolean
  /** What waits to be sent; only a rise starts a send (a send's own updates never raise it). */
  unsent: () => Promise<number>
  onReport?: (report: R) => void
  /** Where `online` and `visibilitychange` come from (window in the app). */
  events?: EventTarget
  baseDelayMs?: number
  maxDelayMs?: number
}

export function startSender<R>(options: SenderOptions<R>): Sender<R> {
  const events = options.events ?? (typeof window === 'undefined' ? undefined : window)
  const base = options.baseDelayMs ?? 5_000
  const max = options.maxDelayMs ?? 5 * 60_000
  let failures = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  let busy: Promise<R | null> | null = null
  let again = false

  async function run(): Promise<R> {
    let report: R
    do {
      again = false
      report = await options.send()
    } while (again && !options.stoppedEarly(report) && !stopped)
    if (options.retry(report)) {
      failures += 1
      clearTimeout(timer)
      if (!stopped) timer = setTimeout(() => void kick(), backoffDelay(failures, base, max))
    } else {
      // Done, or a login is needed: no timer; logging in kicks again.
      failures = 0
    }
    options.onReport?.(report)
    return report
  }

  function kick(): Promise<R | null> {
    // navigator.onLine === false is reliable (true is not): wait for the `online` event.
    if (stopped || globalThis.navigator?.onLine === false) return Promise.resolve(null)
    if (busy) {
      again = true
      return busy
    }
    clearTimeout(timer)
    busy = run().finally(() => {
      busy = null
    })
    return busy
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

  // Dexie's live queries see writes from any module or tab. The start's send is made by the
  // first count, not beside it: a send of its own at start could finish before that first
  // count came, which then sent again (twice with a token just refused, say).
  let lastCount: number | undefined
  const queued = liveQuery(options.unsent).subscribe({
    next: (count) => {
      if (lastCount === undefined || count > lastCount) void kick()
      lastCount = count
    },
    error: () => {
      if (lastCount === undefined) void kick()
    },
  })
  let lastToken: unknown
  const login = liveQuery(() => options.db.meta.get(ACCESS_TOKEN_KEY)).subscribe({
    next: (entry) => {
      const token = entry?.value
      if (lastToken !== undefined && token && token !== lastToken) {
        failures = 0
        void kick()
      }
      lastToken = token ?? null
    },
  })

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
