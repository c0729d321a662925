/**
 * The API's shapes the screens read, as api/schemas declares them (snake_case, as sent).
 * The write shapes of the visit outbox live in sync/types.ts.
 */
import type { DropoutReason, SchoolingStatus, VisitOutcome } from '../sync/types'

export type UserRole =
  | 'county_admin'
  | 'township_officer'
  | 'village_cadre'
  | 'principal'
  | 'teacher'
  | 'supervisor'
  | 'integration_client'

export interface CoveredArea {
  code: string
  name: string
  level: string
}

export interface CoveredUnit {
  id: string
  name: string
}

/** GET /me */
export interface Me {
  id: string
  username: string
  display_name: string
  role: UserRole
  must_change_password: boolean
  areas: CoveredArea[]
  schools: CoveredUnit[]
  classes: CoveredUnit[]
  api_scopes: string[]
}

/** POST /auth/token, /auth/refresh */
export interface TokenResponse {
  access_token: string
  token_type: string
  expires_in: number
  refresh_token?: string | null
  must_change_password?: boolean
}

export type Sex = 'male' | 'female'
export type CampaignKind = 'semester_survey' | 'control_month' | 'summer_visits'
export type CampaignPhase = 'publicity' | 'sweep' | 'return' | 'summary'
export type CaseStatus =
  | 'reported'
  | 'verified'
  | 'dismissed'
  | 'planned'
  | 'persuading'
  | 'returned'
  | 'following_up'
  | 'closed'
export type CaseAction =
  | 'report'
  | 'verify'
  | 'dismiss'
  | 'report_upward'
  | 'plan'
  | 'persuade'
  | 'return'
  | 'follow_up'
  | 'close'
  | 'reopen'
export type CaseSource = 'teacher_report' | 'sweep' | 'reconciliation' | 'manual'
export type DeadlineState = 'pending' | 'met' | 'met_late' | 'overdue' | 'moot'
export type PersuasionMethod = 'home_visit' | 'phone' | 'at_school' | 'video' | 'written_notice'
export type AttemptOutcome = 'agreed' | 'undecided' | 'refused' | 'not_met'
export type FollowUpOutcome = 'staying' | 'at_risk' | 'left_again'
export type FollowUpState = 'due' | 'done' | 'missed'
export type NotificationKind = 'deadline_near' | 'overdue' | 'escalated' | 'follow_up_due' | 'absence'

export interface AreaRef {
  code: string
  name: string
  level: string
}

/** GET /work-package */
export interface PackageCampaign {
  id: string
  name: string
  kind: CampaignKind
  starts_on: string
  ends_on: string
  phase: CampaignPhase | null
}

export interface PackageGuardian {
  id: string
  name: string
  phone: string | null
  works_away: boolean
  work_place: string | null
}

export interface PackageChild {
  id: string
  name: string
  /** Search keys (older servers may not send them). */
  name_pinyin?: string
  name_initials?: string
  sex: Sex
  birth_date: string
  id_number: string | null
  schooling_status: SchoolingStatus
  status_changed_at: string
  expected_grade: number | null
  left_behind: number
  school_name: string | null
  grade: number | null
  open_case: { id: string; status: CaseStatus } | null
}

export interface PackageVisit {
  visited_at: string
  outcome: VisitOutcome
  campaign_id: string | null
}

export interface PackageHousehold {
  id: string
  version: number
  area_code: string
  address: string
  head_name: string
  head_pinyin?: string
  head_initials?: string
  phone: string | null
  is_poverty_registered: boolean
  is_minimum_living: boolean
  guardians: PackageGuardian[]
  children: PackageChild[]
  last_visit: PackageVisit | null
}

export interface WorkPackage {
  version: string
  full: boolean
  generated_at: string
  masked: boolean
  areas: AreaRef[]
  campaigns: PackageCampaign[]
  households: PackageHousehold[]
  household_ids: string[] | null
}

/** GET /children items */
export interface ChildListItem {
  id: string
  household_id: string
  area_code: string
  name: string
  sex: Sex
  birth_date: string
  id_number: string | null
  schooling_status: SchoolingStatus
  status_changed_at: string
  left_behind: number
  age: number
  is_compulsory_age: boolean
  expected_grade: number | null
  has_disability: boolean
  is_orphan: boolean
  is_unattended: boolean
  is_in_hardship: boolean
  is_migrant: boolean
}

export interface Deadline {
  due_at: string
  met_at: string | null
  state: DeadlineState
}

/** GET /cases items */
export interface CaseOut {
  id: string
  version: number
  child_id: string
  child_name: string
  status: CaseStatus
  source: CaseSource
  reported_by_id: string
  noticed_at: string
  reported_at: string
  days_absent: number | null
  last_seen_on: string | null
  reason: DropoutReason
  reason_note: string | null
  whereabouts: string | null
  support_given: string | null
  school_id: string | null
  class_id: string | null
  grade: number | null
  dismissal_reason: string | null
  verified_at: string | null
  returned_at: string | null
  closed_at: string | null
  reopened: number
  deadlines: { school: Deadline; county: Deadline }
  allowed_actions: CaseAction[]
}

/** POST /cases */
export interface CaseCreate {
  id: string
  child_id: string
  source: CaseSource
  noticed_at?: string | null
  days_absent?: number | null
  last_seen_on?: string | null
  reason: DropoutReason
  reason_note?: string | null
  whereabouts?: string | null
}

/** POST /cases/{id}/attempts */
export interface AttemptIn {
  attempted_at: string
  persons: string
  phone?: string | null
  method: PersuasionMethod
  outcome: AttemptOutcome
  next_step?: string | null
  note?: string | null
}

/** POST /cases/{id}/follow-ups/{number} */
export interface FollowUpIn {
  outcome: FollowUpOutcome
  note?: string | null
  done_at?: string | null
}

export interface FollowUpOut {
  id: string
  case_id: string
  number: number
  due_on: string
  state: FollowUpState
  done_at: string | null
  done_by_id: string | null
  outcome: FollowUpOutcome | null
  note: string | null
}

/** GET /notifications items */
export interface NotificationOut {
  id: string
  kind: NotificationKind
  case_id: string | null
  title: string
  body: string
  created_at: string
  read_at: string | null
}

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

/**
 * The statistics' figures (api/schemas/stats.py StatsFigures). Each rate is a share (0 to 1) of
 * two of the counts, null when its base is 0; in a breakdown's rows the counts that do not apply
 * to that breakdown (a reason has no children, a school no households) are null too.
 */
export interface StatsFigures {
  children_school_age: number | null
  children_enrolled: number | null
  enrolment_rate: number | null
  enrolled_at_year_start: number | null
  dropped_out_this_year: number | null
  dropout_rate: number | null
  retention_rate_operational: number | null
  cohort_grade_9: number | null
  cohort_intake: number | null
  retention_rate_national: number | null
  retention_rate_national_reason?: string | null
  dropouts_open: number | null
  suspected: number | null
  cases_verified: number | null
  returned: number | null
  return_rate: number | null
  stable_returns: number | null
  stable_return_rate: number | null
  school_deadline_due: number | null
  school_deadline_met: number | null
  school_deadline_compliance: number | null
  county_deadline_due: number | null
  county_deadline_met: number | null
  county_deadline_compliance: number | null
  households: number | null
  households_visited: number | null
  household_coverage: number | null
  sweep_children: number | null
  sweep_children_observed: number | null
  child_coverage: number | null
}

/** GET /stats/overview */
export interface StatsOverview extends StatsFigures {
  area: string | null
  school_year: number
  as_of: string
  /** When the figures were counted: the county's snapshot is made every few minutes. */
  computed_at: string
  campaign_id: string | null
}

export type StatsBreakdownBy = 'area' | 'school' | 'grade' | 'reason' | 'flag' | 'week'

/** A row of GET /stats/breakdown: code is the area code, school id, grade "1".."9", reason,
 *  flag or the week's Monday (YYYY-MM-DD); "" for cases with none (no school, no grade). */
export interface StatsRow extends StatsFigures {
  code: string
  name: string | null
}

/** GET /stats/breakdown */
export interface StatsBreakdown {
  area: string | null
  by: StatsBreakdownBy
  school_year: number
  as_of: string
  computed_at: string
  campaign_id: string | null
  items: StatsRow[]
}
