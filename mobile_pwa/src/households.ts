/**
 * Where a household of the package stands in the current sweep: not visited, visited, or to be
 * visited again (nobody home, or the family refused). The phone's own visits count at once,
 * sent or not, so the list is right in a village with no signal.
 */
import type { PackageCampaign } from './api/types'
import type { VisitOutcome } from './sync/types'
import type { Household, QueuedVisit } from './db'
import { localDate } from './time'

export type VisitState = 'not_visited' | 'visited' | 'revisit'

const AGAIN: ReadonlySet<VisitOutcome> = new Set(['nobody_home', 'refused'])

/** The latest visit made on this phone to each household (visits in error excluded). */
export function latestLocalVisits(queued: readonly QueuedVisit[]): Map<string, QueuedVisit> {
  const latest = new Map<string, QueuedVisit>()
  for (const record of queued) {
    if (record.syncState === 'error') continue
    const id = record.payload.household_id
    const held = latest.get(id)
    if (!held || held.payload.visited_at < record.payload.visited_at) latest.set(id, record)
  }
  return latest
}

/** The day the sweep under way began: visits before it belong to an earlier sweep. */
export function sweepStart(campaigns: readonly PackageCampaign[], today: string): string | null {
  const current = campaigns.filter((c) => c.starts_on <= today && today <= c.ends_on)
  if (!current.length) return null
  return current.map((c) => c.starts_on).sort()[0] ?? null
}

export function visitState(
  household: Household,
  local: QueuedVisit | undefined,
  since: string | null,
): VisitState {
  const outcome =
    local?.payload.outcome ??
    (household.last_visit && (!since || localDate(household.last_visit.visited_at) >= since)
      ? household.last_visit.outcome
      : undefined)
  if (!outcome) return 'not_visited'
  return AGAIN.has(outcome) ? 'revisit' : 'visited'
}
