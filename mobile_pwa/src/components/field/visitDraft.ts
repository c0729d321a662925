/**
 * The visit form kept in sessionStorage while it is filled in. Opening the camera on a cheap
 * phone often gets the browser killed for memory; the page is then reloaded on return, and
 * the cadre should find the form as it was left (the photo itself is lost with the page).
 */
import type { ChildIn, Location, VisitOutcome } from '../../sync/types'
import type { ObservationDraft } from './visitForm'

export interface StoredDraft {
  visitId: string
  outcome: VisitOutcome | null
  observations: Record<string, ObservationDraft>
  found: ChildIn[]
  location: Location | null
  note: string
}

export function draftStore(householdId: string) {
  const key = `baoxue.visitDraft.${householdId}`
  // Storage may be full or refused (private mode): the form works without it.
  return {
    read(): StoredDraft | null {
      try {
        const raw = globalThis.sessionStorage?.getItem(key)
        return raw ? (JSON.parse(raw) as StoredDraft) : null
      } catch {
        return null
      }
    },
    write(draft: StoredDraft): void {
      try {
        globalThis.sessionStorage?.setItem(key, JSON.stringify(draft))
      } catch {
        // see above
      }
    },
    clear(): void {
      try {
        globalThis.sessionStorage?.removeItem(key)
      } catch {
        // see above
      }
    },
  }
}
