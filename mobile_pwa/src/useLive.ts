import { getCurrentScope, onScopeDispose, shallowRef, watch, type ShallowRef, type WatchSource } from 'vue'
import { liveQuery, type Subscription } from 'dexie'

/**
 * A Dexie query kept current in a ref (writes from any module or tab re-run it), e.g. a case
 * turning up in the cache once its queued write is answered. With `source`, the query is
 * subscribed again when it changes (a route param).
 */
export function useLive<T>(query: () => Promise<T>, initial: T, source?: WatchSource): ShallowRef<T> {
  const value = shallowRef(initial)
  let subscription: Subscription | undefined
  const subscribe = () => {
    subscription?.unsubscribe()
    subscription = liveQuery(query).subscribe({
      next: (v) => {
        value.value = v
      },
      // Keep what was shown rather than an empty list that would say "nothing here".
      error: (err: unknown) => console.error('live query', err),
    })
  }
  if (source) watch(source, subscribe, { immediate: true })
  else subscribe()
  if (getCurrentScope()) onScopeDispose(() => subscription?.unsubscribe())
  return value
}

/** navigator.onLine as a ref: false is reliable, true only means "maybe". */
export function useOnline(): ShallowRef<boolean> {
  const online = shallowRef(globalThis.navigator?.onLine !== false)
  const update = () => {
    online.value = globalThis.navigator?.onLine !== false
  }
  globalThis.addEventListener?.('online', update)
  globalThis.addEventListener?.('offline', update)
  if (getCurrentScope()) {
    onScopeDispose(() => {
      globalThis.removeEventListener?.('online', update)
      globalThis.removeEventListener?.('offline', update)
    })
  }
  return online
}

/** Date.now() ticking each minute, so countdowns move while the screen is open. */
export function useNow(everyMs = 60_000): ShallowRef<number> {
  const now = shallowRef(Date.now())
  const timer = setInterval(() => {
    now.value = Date.now()
  }, everyMs)
  if (getCurrentScope()) onScopeDispose(() => clearInterval(timer))
  return now
}
