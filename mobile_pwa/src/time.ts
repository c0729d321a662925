/**
 * Times are stored and sent in UTC (ISO 8601 with offset) and shown in the county's zone,
 * Asia/Shanghai, whatever zone the phone is set to: a borrowed phone may be set to anything.
 */
export const COUNTY_TIME_ZONE = 'Asia/Shanghai'

const dateParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: COUNTY_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
})

/** The county's calendar day of an instant, as YYYY-MM-DD. */
export function localDate(at: Date | string | number = new Date()): string {
  return dateParts.format(new Date(at))
}

/** Today in the county, YYYY-MM-DD. */
export function localToday(): string {
  return localDate(new Date())
}

const shortFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: COUNTY_TIME_ZONE,
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})

/** "12/01 09:30" in the county's zone. */
export function shortDateTime(at: Date | string | number): string {
  return shortFormat.format(new Date(at))
}

/** Whole hours from now until `at` (negative once it passed). */
export function hoursUntil(at: string, now: number = Date.now()): number {
  return Math.floor((new Date(at).getTime() - now) / 3_600_000)
}

/** The instant now, as the API takes it. */
export function nowIso(): string {
  return new Date().toISOString()
}
