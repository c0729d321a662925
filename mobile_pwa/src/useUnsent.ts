import { getCurrentScope, onScopeDispose, shallowRef, type ShallowRef } from 'vue'
import { liveQuery } from 'dexie'
import { db as defaultDb, type BaoxueDB } from './db'

/** What waits to go to the server, of both outboxes: visits (and what they found) and case
 *  writes. Errors count too: they wait for a person. Live across tabs. */
export function useUnsentCount(target: BaoxueDB = defaultDb): ShallowRef<number> {
  const count = shallowRef(0)
  const subscription = liveQuery(async () => {
    const [visits, requests] = await Promise.all([
      target.visitOutbox.where('syncState').anyOf('waiting', 'sending', 'error').count(),
      target.outbox.where('state').anyOf('pending', 'sending', 'failed').count(),
    ])
    return visits + requests
  }).subscribe({
    next: (value) => {
      count.value = value
    },
    error: (err: unknown) => console.error('unsent count', err),
  })
  if (getCurrentScope()) onScopeDispose(() => subscription.unsubscribe())
  return count
}
