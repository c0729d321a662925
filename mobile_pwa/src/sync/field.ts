/**
 * Saving what a cadre records in the field: each save is one transaction over the visit outbox
 * and what the screens show of it (the household list, the visit's photo), so a killed app or
 * a full phone leaves all of it or none. The screens call these; they write no table themselves.
 */
import { db as defaultDb, type BaoxueDB, type Household } from '../db'
import { childFromPayload, householdFromPayload } from '../households'
import { toStored } from '../workPackage'
import { queueChild, queueHousehold, queueVisit } from './queue'
import type { ChildIn, HouseholdIn, VisitIn } from './types'

/** A household found in the field: queued first (its visit, queued next, travels after it)
 *  and listed at once. */
export async function saveFoundHousehold(payload: HouseholdIn, target: BaoxueDB = defaultDb): Promise<void> {
  await target.transaction('rw', [target.visitOutbox, target.households], async () => {
    await queueHousehold(payload, target)
    await target.households.put(householdFromPayload(payload))
  })
}

export interface VisitSave {
  /** The household visited, as the form shows it. */
  household: Household
  visit: VisitIn
  /** Children found at the door: queued before the visit that observes them, and added to
   *  the household as listed. */
  found?: readonly ChildIn[]
  /** The visit's photo, under the id its payload names in attachment_ids. */
  photo?: { id: string; blob: Blob }
}

/** A visit, with the children found and its photo, kept together or not at all. */
export async function saveVisit(save: VisitSave, target: BaoxueDB = defaultDb): Promise<void> {
  const found = save.found ?? []
  await target.transaction('rw', [target.visitOutbox, target.photos, target.households], async () => {
    for (const child of found) await queueChild(child, target)
    if (save.photo) await target.photos.add({ id: save.photo.id, visitId: save.visit.id, blob: save.photo.blob })
    await queueVisit(save.visit, target)
    if (found.length) {
      const h = save.household
      await target.households.put(toStored({ ...h, children: [...h.children, ...found.map(childFromPayload)] }))
    }
  })
}
