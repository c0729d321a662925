import type { ShallowRef } from 'vue'
import { db as defaultDb, type BaoxueDB } from './db'
import { useLive } from './useLive'

/** What waits to go to the server, of both outboxes: visits (and what they found) and case
 *  writes. Errors count too: they wait for a person. Live across tabs. */
export function useUnsentCount(target: BaoxueDB = defaultDb): ShallowRef<number> {
  return useLive(async () => {
    const [visits, requests] = await Promise.all([
      target.visitOutbox.where('syncState').anyOf('waiting', 'sending', 'error').count(),
      target.outbox.where('state').anyOf('pending', 'sending', 'failed').count(),
    ])
    return visits + requests
  }, 0)
}
