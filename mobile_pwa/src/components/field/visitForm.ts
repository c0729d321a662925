/**
 * The visit form's rules, apart from the screen so they can be tested: what each child starts
 * as, what the server (api/schemas/visits.py) would refuse, and the payload queued.
 */
import type { PackageChild } from '../../api/types'
import type {
  ChildIn,
  DropoutReason,
  Location,
  ObservationIn,
  ObservedSchooling,
  VisitIn,
  VisitOutcome,
} from '../../sync/types'

export const OUTCOMES: readonly VisitOutcome[] = ['met', 'nobody_home', 'refused', 'moved_away', 'household_gone']
export const SCHOOLINGS: readonly ObservedSchooling[] = ['in_school', 'not_in_school', 'away']
export const REASONS: readonly DropoutReason[] = [
  'economic_hardship',
  'learning_difficulty',
  'weariness',
  'family_change',
  'gone_to_work',
  'illness_or_disability',
  'early_marriage',
  'other',
  'unknown',
]
/** The server's limits (ObservationIn, VisitIn). */
export const LIMITS = { schoolName: 100, whereabouts: 200, note: 500, observations: 30 } as const

export interface ObservationDraft {
  /** null: not observed (allowed for a child outside compulsory age). */
  schooling: ObservedSchooling | null
  school_name: string
  grade: number | null
  reason: DropoutReason | null
  whereabouts: string
}

/** A child as the form lists it: of the package, or found at this visit. */
export interface FormChild {
  id: string
  name: string
  /** When the family is met, this child must be observed. */
  required: boolean
  child?: PackageChild
  found?: ChildIn
}

const AT_SCHOOL: ReadonlySet<string> = new Set(['enrolled_in_county', 'enrolled_outside_county'])
const OUT_OF_SCHOOL: ReadonlySet<string> = new Set(['dropped_out', 'never_enrolled'])
/** Nobody to see at the door for these, whatever the age. */
const GONE: ReadonlySet<string> = new Set(['deceased', 'emigrated', 'completed'])

/** The package gives an expected grade only to a child of compulsory age ("不漏一人"). */
export function mustObserve(child: PackageChild): boolean {
  return child.expected_grade !== null && !GONE.has(child.schooling_status)
}

/** What the cadre most likely finds: the package's status, where it says plainly. */
export function defaultObservation(child?: PackageChild): ObservationDraft {
  const draft: ObservationDraft = {
    schooling: null,
    school_name: child?.school_name ?? '',
    grade: child?.grade ?? null,
    reason: null,
    whereabouts: '',
  }
  if (!child || !mustObserve(child)) return draft
  if (AT_SCHOOL.has(child.schooling_status)) draft.schooling = 'in_school'
  else if (OUT_OF_SCHOOL.has(child.schooling_status)) draft.schooling = 'not_in_school'
  return draft
}

export function formChildren(children: readonly PackageChild[], found: readonly ChildIn[]): FormChild[] {
  return [
    ...children.map((c) => ({ id: c.id, name: c.name, required: mustObserve(c), child: c })),
    ...found.map((f) => ({ id: f.id, name: f.name, required: true, found: f })),
  ]
}

/** Python's len(): code points, as the server counts max_length. */
export function length(text: string): number {
  return [...text.trim()].length
}

/** A message key under the i18n root, with its parameters. */
export interface FormError {
  key: string
  params?: Record<string, string | number>
}

/** Keyed by field: `outcome`, `note`, `children`, `<childId>.<field>`. */
export type FormErrors = Record<string, FormError>

export interface VisitDraft {
  outcome: VisitOutcome | null
  children: readonly FormChild[]
  observations: Readonly<Record<string, ObservationDraft>>
  note: string
}

export function validateVisit(draft: VisitDraft): FormErrors {
  const errors: FormErrors = {}
  const tooLong = (max: number): FormError => ({ key: 'visit.errors.tooLong', params: { max } })
  if (!draft.outcome) errors.outcome = { key: 'visit.errors.outcome' }
  if (length(draft.note) > LIMITS.note) errors.note = tooLong(LIMITS.note)
  if (draft.outcome !== 'met') return errors
  let observed = 0
  for (const child of draft.children) {
    const o = draft.observations[child.id]
    const at = (field: string) => `${child.id}.${field}`
    if (!o?.schooling) {
      if (child.required) errors[at('schooling')] = { key: 'visit.errors.schooling' }
      continue
    }
    observed += 1
    if (o.schooling === 'in_school') {
      if (!length(o.school_name)) errors[at('school_name')] = { key: 'visit.errors.schoolName' }
      else if (length(o.school_name) > LIMITS.schoolName) errors[at('school_name')] = tooLong(LIMITS.schoolName)
      if (o.grade !== null && !(Number.isInteger(o.grade) && o.grade >= 1 && o.grade <= 9)) {
        errors[at('grade')] = { key: 'visit.errors.grade' }
      }
    } else {
      if (o.schooling === 'away' && !length(o.whereabouts)) {
        errors[at('whereabouts')] = { key: 'visit.errors.whereabouts' }
      } else if (length(o.whereabouts) > LIMITS.whereabouts) {
        errors[at('whereabouts')] = tooLong(LIMITS.whereabouts)
      }
    }
  }
  if (observed > LIMITS.observations) {
    errors.children = { key: 'visit.errors.tooManyChildren', params: { max: LIMITS.observations } }
  }
  return errors
}

/** Only what the observed status needs: the server stores what it is sent. */
export function toObservation(childId: string, o: ObservationDraft): ObservationIn | null {
  if (!o.schooling) return null
  if (o.schooling === 'in_school') {
    return { child_id: childId, schooling: 'in_school', school_name: o.school_name.trim(), grade: o.grade }
  }
  const whereabouts = o.whereabouts.trim() || null
  if (o.schooling === 'away') return { child_id: childId, schooling: 'away', whereabouts }
  return { child_id: childId, schooling: 'not_in_school', reason: o.reason, whereabouts }
}

export interface VisitContext {
  householdId: string
  campaignId: string | null
  visitedAt: string
  location: Location | null
  photoIds: readonly string[]
}

export function buildVisit(draft: VisitDraft, ctx: VisitContext): Omit<VisitIn, 'id'> {
  const visit: Omit<VisitIn, 'id'> = {
    household_id: ctx.householdId,
    campaign_id: ctx.campaignId,
    visited_at: ctx.visitedAt,
    outcome: draft.outcome!,
    location: ctx.location,
    note: draft.note.trim() || null,
    observations:
      draft.outcome === 'met'
        ? draft.children.flatMap((c) => {
            const o = draft.observations[c.id]
            const observation = o && toObservation(c.id, o)
            return observation ? [observation] : []
          })
        : [],
  }
  // Named only when there is one: a visit without photos hashes as the server's older ones.
  if (ctx.photoIds.length) visit.attachment_ids = [...ctx.photoIds]
  return visit
}
