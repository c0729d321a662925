import { getCurrentScope, onScopeDispose, shallowRef, type ShallowRef } from 'vue'
import { db as defaultDb, type BaoxueDB } from '../db'
import { liveCounts, type StateCounts } from './queue'

/**
 * The outbox's counts by sync state, kept current by Dexie's liveQuery (also across tabs).
 * `waiting + sending` is the badge "待上传 N 条".
 */
export function useOutboxCounts(target: BaoxueDB = defaultDb): ShallowRef<StateCounts> {
  const counts = shallowRef<StateCounts>({ waiting: 0, sending: 0, synced: 0, error: 0, conflict: 0 })
  const subscription = liveCounts(target).subscribe({
    next: (value) => {
      counts.value = value
    },
    // A failed read keeps the last counts rather than showing zero (which would say "all sent").
    error: (err: unknown) => console.error('outbox counts', err),
  })
  if (getCurrentScope()) onScopeDispose(() => subscription.unsubscribe())
  return counts
}
