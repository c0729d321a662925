/**
 * The case forms' rules, as the server checks them (api/schemas/persuasion_attempts.py PersuasionAttemptIn and
 * FollowUpIn, api/schemas/cases.py CaseCreate, and the services' time checks), run on the phone
 * so a cadre offline hears of a fault at once, not days later from the outbox.
 */
import type {
  PersuasionAttemptIn,
  AttemptOutcome,
  CaseCreate,
  FollowUpIn,
  FollowUpOutcome,
  PersuasionMethod,
} from '../../api/types'
import type { DropoutReason } from '../../sync/types'
import { COUNTY_TIME_ZONE } from '../../time'

/** A fault of one field: an i18n key and its parameters. */
export interface Fault {
  field: string
  key: string
  params?: Record<string, number>
}

/** Code points, as Python counts a str's length (an emoji is one, not two). */
const length = (s: string) => [...s].length
/** The server's CLOCK_SLACK: a phone's clock a little ahead is tolerated. */
const CLOCK_SLACK_MS = 10 * 60_000
const PHONE = /^[0-9+\-() ]{5,20}$/

function text(faults: Fault[], field: string, value: string, max: number, required = false) {
  const v = value.trim()
  if (required && !v) faults.push({ field, key: 'cases.error.required' })
  else if (length(v) > max) faults.push({ field, key: 'cases.error.tooLong', params: { max } })
}

const orNull = (s: string) => s.trim() || null

// ---- county time in <input type="datetime-local"> ----
// The county's zone whatever the phone's: China keeps UTC+8 all year, so the offset is fixed.

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: COUNTY_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** An instant as the input's "YYYY-MM-DDTHH:mm" in county time. */
export function toCountyInput(at: number | string = Date.now()): string {
  const p = Object.fromEntries(parts.formatToParts(new Date(at)).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`
}

/** The input's value, read in county time, as the API takes it. */
export function fromCountyInput(value: string): string {
  return `${value.length === 16 ? `${value}:00` : value}+08:00`
}

/** A calendar day `days` before `day` (both YYYY-MM-DD). */
export function daysBefore(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10)
}

// ---- 劝返 ----

export interface AttemptForm {
  attemptedAt: string
  persons: string
  phone: string
  method: PersuasionMethod | ''
  outcome: AttemptOutcome | ''
  nextStep: string
  note: string
}

export function attemptFaults(f: AttemptForm, noticedAt: string, now: number = Date.now()): Fault[] {
  const faults: Fault[] = []
  const at = f.attemptedAt ? Date.parse(fromCountyInput(f.attemptedAt)) : NaN
  if (Number.isNaN(at)) faults.push({ field: 'attemptedAt', key: 'cases.error.required' })
  else if (at > now + CLOCK_SLACK_MS) faults.push({ field: 'attemptedAt', key: 'cases.error.future' })
  else if (at < Date.parse(noticedAt) - 60_000) {
    // a minute's grace: the input has no seconds, the noticed time does
    faults.push({ field: 'attemptedAt', key: 'cases.error.beforeNoticed' })
  }
  text(faults, 'persons', f.persons, 200, true)
  if (f.phone.trim() && !PHONE.test(f.phone.trim())) faults.push({ field: 'phone', key: 'cases.error.phone' })
  if (!f.method) faults.push({ field: 'method', key: 'cases.error.choose' })
  if (!f.outcome) faults.push({ field: 'outcome', key: 'cases.error.choose' })
  text(faults, 'nextStep', f.nextStep, 500)
  text(faults, 'note', f.note, 1000)
  return faults
}

export function attemptBody(f: AttemptForm, noticedAt: string): PersuasionAttemptIn {
  // Typed to the minute: an attempt within the noticed minute is sent as the noticed time.
  const at = Math.max(Date.parse(fromCountyInput(f.attemptedAt)), Date.parse(noticedAt))
  return {
    attempted_at: new Date(at).toISOString(),
    persons: f.persons.trim(),
    phone: orNull(f.phone),
    method: f.method as PersuasionMethod,
    outcome: f.outcome as AttemptOutcome,
    next_step: orNull(f.nextStep),
    note: orNull(f.note),
  }
}

// ---- 回访 ----

export interface FollowUpForm {
  outcome: FollowUpOutcome | ''
  note: string
}

export function followUpFaults(f: FollowUpForm): Fault[] {
  const faults: Fault[] = []
  if (!f.outcome) faults.push({ field: 'outcome', key: 'cases.error.choose' })
  text(faults, 'note', f.note, 1000)
  return faults
}

export function followUpBody(f: FollowUpForm, now: number = Date.now()): FollowUpIn {
  return { outcome: f.outcome as FollowUpOutcome, note: orNull(f.note), done_at: new Date(now).toISOString() }
}

// ---- 报告疑似辍学 ----

export interface ReportForm {
  childId: string | null
  /** The stepper's value: a number, or '' when emptied. */
  days: number | string
  lastSeen: string
  reason: DropoutReason
  note: string
}

export function reportFaults(f: ReportForm, today: string): Fault[] {
  const faults: Fault[] = []
  if (!f.childId) faults.push({ field: 'child', key: 'report.error.child' })
  const days = Number(f.days)
  if (f.days === '' || f.days === null || Number.isNaN(days)) faults.push({ field: 'days', key: 'report.error.days' })
  else if (!Number.isInteger(days) || days < 1 || days > 365)
    faults.push({ field: 'days', key: 'report.error.daysRange' })
  if (!f.lastSeen) faults.push({ field: 'lastSeen', key: 'report.error.lastSeen' })
  else if (f.lastSeen > today) faults.push({ field: 'lastSeen', key: 'report.error.lastSeenFuture' })
  // CaseCreate.reason_note: max_length 500, not stripped.
  if (length(f.note.trim()) > 500) faults.push({ field: 'note', key: 'report.error.noteTooLong', params: { max: 500 } })
  return faults
}

export function reportBody(f: ReportForm, id: string, now: number = Date.now()): CaseCreate & { id: string } {
  return {
    id,
    child_id: f.childId as string,
    source: 'teacher_report',
    days_absent: Number(f.days),
    last_seen_on: f.lastSeen,
    reason: f.reason,
    reason_note: orNull(f.note),
    noticed_at: new Date(now).toISOString(),
  }
}

/** The first fault of each field, for the form's error messages. */
export function byField(faults: readonly Fault[]): Record<string, Fault> {
  const first: Record<string, Fault> = {}
  for (const f of faults) first[f.field] ??= f
  return first
}
