/**
 * The outboxes' senders main.ts started, so a screen's 立即上传 can kick them. Unset in tests
 * and before start: sendAllNow then sends nothing.
 */
import type { AutoSync } from './auto'
import type { SyncReport } from './sync'
import type { ReplayReport, RequestSync } from './requests'

export const senders: { visits?: AutoSync; requests?: RequestSync } = {}

export async function sendAllNow(): Promise<{ visits: SyncReport | null; requests: ReplayReport | null }> {
  const [visits, requests] = await Promise.all([
    senders.visits?.kick() ?? Promise.resolve(null),
    senders.requests?.kick() ?? Promise.resolve(null),
  ])
  return { visits, requests }
}
