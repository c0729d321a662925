/**
 * The API's shapes, by the names the app uses, as aliases of the types generated from the
 * OpenAPI (schema.d.ts, `make types`). The generated names are read here and nowhere else, so
 * a schema renamed on the server is one edit in this file.
 */
import type { components } from './schema'

type Schemas = components['schemas']

/** Fields the server gives a default: the phone may leave them out of what it sends. The
 *  batch's item shapes are published as the server holds them, every field required. */
type Defaulted<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>

// ---- vocabularies ----
export type UserRole = Schemas['UserRole']
export type Sex = Schemas['Sex']
export type CaseStatus = Schemas['CaseStatus']
export type CaseSource = Schemas['CaseSource']
export type PersuasionMethod = Schemas['PersuasionMethod']
export type AttemptOutcome = Schemas['AttemptOutcome']
export type FollowUpOutcome = Schemas['FollowUpOutcome']
export type ObservedSchooling = Schemas['ObservedSchooling']
export type VisitOutcome = Schemas['VisitOutcome']
export type DropoutReason = Schemas['DropoutReason']
/** The server may add statuses; an unknown one is still shown rather than dropped. */
export type SchoolingStatus = Schemas['SchoolingStatus'] | (string & {})

// ---- who I am ----
/** GET /me */
export type Me = Schemas['Me']
/** POST /auth/token, /auth/refresh */
export type TokenResponse = Schemas['TokenResponse']

// ---- the work package (GET /work-package) ----
export type AreaRef = Schemas['AreaRef']
export type WorkPackage = Omit<Schemas['WorkPackage'], 'households'> & { households: PackageHousehold[] }
export type PackageCampaign = Schemas['PackageCampaign']
/** The search keys (pinyin, initials) may be missing: older servers did not send them. */
export type PackageChild = Defaulted<Schemas['PackageChild'], 'name_pinyin' | 'name_initials'>
export type PackageHousehold = Omit<
  Defaulted<Schemas['PackageHousehold'], 'head_pinyin' | 'head_initials'>,
  'children'
> & { children: PackageChild[] }

// ---- children, cases, notifications ----
/** GET /children items */
export type ChildListItem = Schemas['ChildListItem']
export type Deadline = Schemas['Deadline']
/** GET /cases items */
export type CaseOut = Schemas['CaseOut']
/** POST /cases */
export type CaseCreate = Schemas['CaseCreate']
/** POST /cases/{id}/attempts, and GET /cases/{id}/attempts items */
export type PersuasionAttemptIn = Schemas['PersuasionAttemptIn']
export type PersuasionAttemptOut = Schemas['PersuasionAttemptOut']
/** POST /cases/{id}/follow-ups/{number} */
export type FollowUpIn = Schemas['FollowUpIn']
export type FollowUpOut = Schemas['FollowUpOut']
/** GET /notifications items */
export type NotificationOut = Schemas['NotificationOut']

// ---- statistics ----
/** GET /stats/overview */
export type StatisticsOverview = Schemas['StatisticsOverview']
/** A row of GET /stats/breakdown: code is the area code, school id, grade "1".."9", reason,
 *  flag or the week's Monday (YYYY-MM-DD); "" for cases with none (no school, no grade). */
export type StatisticsRow = Schemas['StatisticsRow']
/** GET /stats/breakdown */
export type StatisticsBreakdown = Schemas['StatisticsBreakdown']
export type StatisticsBreakdownBy = StatisticsBreakdown['by']
/**
 * The statistics' figures (what an overview and a breakdown's row share). Each rate is a share
 * (0 to 1) of two of the counts, null when its base is 0; in a breakdown's rows the counts that
 * do not apply to that breakdown (a reason has no children, a school no households) are null.
 */
export type StatisticsFigures = Omit<StatisticsRow, 'code' | 'name'>

// ---- the visit outbox: POST /visits/batch ----
export type Location = Defaulted<Schemas['Location'], 'accuracy_m'>
export type ObservationIn = Defaulted<
  Schemas['ObservationIn'],
  'school_id' | 'school_name' | 'grade' | 'reason' | 'whereabouts'
>
export type VisitIn = Defaulted<
  Omit<Schemas['VisitIn'], 'location' | 'observations'>,
  'campaign_id' | 'note' | 'attachment_ids'
> & {
  location?: Location | null
  observations?: ObservationIn[]
}
/** HouseholdCreate with the phone's id (FieldHousehold). */
export type HouseholdIn = Defaulted<
  Schemas['FieldHousehold'],
  'phone' | 'is_poverty_registered' | 'is_minimum_living' | 'note'
>
/** A guardian of a child found in the field: one of the household's, or a new one. */
export type GuardianLink = Defaulted<
  Schemas['GuardianLink'],
  'guardian_id' | 'name' | 'phone' | 'id_number' | 'lives_with_child' | 'is_primary' | 'works_away' | 'work_place'
>
type FieldChild = Omit<Schemas['FieldChild'], 'guardians'> & { guardians: GuardianLink[] }
/**
 * ChildCreate with the phone's id (FieldChild), as a form makes it: the outbox itself relies on
 * the id, the household and the name; the rest passes through untouched.
 */
export type ChildDraft = Pick<FieldChild, 'household_id' | 'name'> & Partial<Omit<FieldChild, 'household_id' | 'name'>>
export type ChildIn = ChildDraft & { id: string }
export type VisitBatch = { households: HouseholdIn[]; children: ChildIn[]; visits: VisitIn[] }
export type ItemResult = Schemas['ItemResult']
export type ItemError = Schemas['ItemError']
export type ServerState = Omit<Schemas['ServerState'], 'schooling_status'> & { schooling_status: SchoolingStatus }
export type ItemOutcome = Omit<Schemas['ItemOutcome'], 'server_state'> & { server_state?: ServerState[] }
export type BatchResult = Omit<Schemas['BatchResult'], 'households' | 'children' | 'visits'> & {
  households: ItemOutcome[]
  children: ItemOutcome[]
  visits: ItemOutcome[]
}
