/**
 * The shapes of POST /api/v1/visits/batch, as api/schemas/visits.py declares them.
 * Payloads are kept exactly as the API takes them (snake_case), so a queued record
 * is sent byte-for-byte as stored and a resend is answered `duplicate`, not `conflict`.
 */

export type ObservedSchooling = 'in_school' | 'not_in_school' | 'away'
export type VisitOutcome = 'met' | 'nobody_home' | 'refused' | 'moved_away' | 'household_gone'
export type DropoutReason =
  | 'unknown'
  | 'economic_hardship'
  | 'learning_difficulty'
  | 'weariness'
  | 'family_change'
  | 'gone_to_work'
  | 'illness_or_disability'
  | 'early_marriage'
  | 'other'
export type SchoolingStatus =
  | 'unknown'
  | 'enrolled_in_county'
  | 'enrolled_outside_county'
  | 'home_delivered'
  | 'suspended'
  | 'deferred'
  | 'exempt'
  | 'dropped_out'
  | 'never_enrolled'
  | 'completed'
  | 'deceased'
  | 'emigrated'
  // The server may add statuses; an unknown one is still shown rather than dropped.
  | (string & {})

export interface Location {
  latitude: number
  longitude: number
  accuracy_m?: number | null
}

export interface ObservationIn {
  child_id: string
  schooling: ObservedSchooling
  school_id?: string | null
  school_name?: string | null
  grade?: number | null
  reason?: DropoutReason | null
  whereabouts?: string | null
}

export interface VisitIn {
  id: string
  household_id: string
  campaign_id?: string | null
  /** ISO 8601 with time zone: the phone's time of the visit. */
  visited_at: string
  outcome: VisitOutcome
  location?: Location | null
  note?: string | null
  observations?: ObservationIn[]
  /** Photos (at most 5), each uploaded first under this id: POST /attachments. */
  attachment_ids?: string[]
}

/** HouseholdCreate with the phone's id (FieldHousehold). */
export interface HouseholdIn {
  id: string
  area_code: string
  address: string
  head_name: string
  phone?: string | null
  is_poverty_registered?: boolean
  is_minimum_living?: boolean
  note?: string | null
}

/**
 * ChildCreate with the phone's id (FieldChild). Only the fields the outbox itself relies on
 * are named; the rest of ChildCreate (sex, id_number, guardians…) passes through untouched.
 */
export interface ChildDraft {
  id?: string
  household_id: string
  name: string
  [field: string]: unknown
}
export interface ChildIn extends ChildDraft {
  id: string
}

export interface VisitBatch {
  households: HouseholdIn[]
  children: ChildIn[]
  visits: VisitIn[]
}

export type ItemResult = 'created' | 'duplicate' | 'conflict' | 'invalid'

export interface ItemError {
  loc: (string | number)[]
  msg: string
}

export interface ServerState {
  child_id: string
  schooling_status: SchoolingStatus
  status_changed_at: string
  seen_at: string
}

export interface ItemOutcome {
  index: number
  id: string | null
  result: ItemResult
  detail?: string | null
  errors?: ItemError[]
  server_state?: ServerState[]
  case_ids?: string[]
}

export interface BatchResult {
  received_at: string
  households: ItemOutcome[]
  children: ItemOutcome[]
  visits: ItemOutcome[]
}

/** RFC 9457 problem, as the API answers every error. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  errors?: ItemError[]
}
