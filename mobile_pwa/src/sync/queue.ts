/**
 * Putting field records into the visit outbox, and counting what waits. Every write lands in
 * IndexedDB first, with the UUID the server will see; sending is sync.ts's business.
 */
import { liveQuery, type Observable } from 'dexie'
import {
  db as defaultDb,
  newUuid,
  type BaoxueDB,
  type QueuedChild,
  type QueuedHousehold,
  type QueuedRecord,
  type QueuedVisit,
  type OutboxState,
} from '../db'
import type { ChildDraft, ChildIn, HouseholdIn, VisitIn } from './types'

/** A payload as the caller has it: the id is made here unless the caller made it already
 *  (e.g. a child's id used by a visit's observation before both are queued). */
type WithOptionalId<T extends { id: string }> = Omit<T, 'id'> & { id?: string }

/** States that still have to reach the server: the count the app shows. */
export const UNSENT_STATES: readonly OutboxState[] = ['waiting', 'sending']

async function add<R extends QueuedRecord>(target: BaoxueDB, make: (createdAt: number) => R): Promise<R> {
  return target.transaction('rw', target.visitOutbox, async () => {
    // Strictly after the newest record even if the phone's clock went back: the queue's order
    // is the order records were made, and a visit must not overtake the household it names.
    const newest = await target.visitOutbox.orderBy('createdAt').last()
    const createdAt = Math.max(Date.now(), (newest?.createdAt ?? 0) + 1)
    const record = make(createdAt)
    await target.visitOutbox.add(record)
    return record
  })
}

function base(id: string, createdAt: number) {
  return { id, state: 'waiting' as const, attempts: 0, createdAt, updatedAt: createdAt }
}

export function queueVisit(visit: WithOptionalId<VisitIn>, target: BaoxueDB = defaultDb): Promise<QueuedVisit> {
  const payload: VisitIn = { ...visit, id: visit.id ?? newUuid() }
  return add(target, (createdAt) => ({ ...base(payload.id, createdAt), kind: 'visit', payload }))
}

/** A household found in the field; queue it before the visits that name it. */
export function queueHousehold(
  household: WithOptionalId<HouseholdIn>,
  target: BaoxueDB = defaultDb,
): Promise<QueuedHousehold> {
  const payload: HouseholdIn = { ...household, id: household.id ?? newUuid() }
  return add(target, (createdAt) => ({ ...base(payload.id, createdAt), kind: 'household', payload }))
}

/** A child found in the field; queue it before the visits that observe it. */
export function queueChild(
  // Not WithOptionalId: Omit over ChildIn's index signature would drop its named fields.
  child: ChildDraft,
  target: BaoxueDB = defaultDb,
): Promise<QueuedChild> {
  const payload: ChildIn = { ...child, id: child.id ?? newUuid() }
  return add(target, (createdAt) => ({ ...base(payload.id, createdAt), kind: 'child', payload }))
}

/** Records not yet on the server (waiting, or caught mid-send). */
export function waitingCount(target: BaoxueDB = defaultDb): Promise<number> {
  return target.visitOutbox.where('state').anyOf(UNSENT_STATES).count()
}

export type StateCounts = Record<OutboxState, number>

export async function countsByState(target: BaoxueDB = defaultDb): Promise<StateCounts> {
  const counts: StateCounts = { waiting: 0, sending: 0, synced: 0, error: 0, conflict: 0 }
  // Keys only: no payload is read to count.
  await target.visitOutbox.orderBy('state').eachKey((key) => {
    counts[key as OutboxState] += 1
  })
  return counts
}

/** The waiting count as an observable that Dexie re-runs whenever the outbox changes. */
export function liveWaitingCount(target: BaoxueDB = defaultDb): Observable<number> {
  return liveQuery(() => waitingCount(target))
}

export function liveCounts(target: BaoxueDB = defaultDb): Observable<StateCounts> {
  return liveQuery(() => countsByState(target))
}

/** Records for a list screen, newest first (a phone holds hundreds, not millions). */
export function listQueued(target: BaoxueDB = defaultDb, states?: readonly OutboxState[]): Promise<QueuedRecord[]> {
  const query = states ? target.visitOutbox.where('state').anyOf(states) : target.visitOutbox.toCollection()
  return query.reverse().sortBy('createdAt')
}

/** Put records in `error` back to waiting (after the cause is fixed or the user says retry). */
export function requeue(ids: readonly string[], target: BaoxueDB = defaultDb): Promise<number> {
  return target.visitOutbox
    .where('id')
    .anyOf(ids)
    .and((r) => r.state === 'error')
    .modify({ state: 'waiting', updatedAt: Date.now() })
}
