/**
 * My cases on the phone: GET /cases?mine=true kept in db.cases for the days without signal,
 * the two deadlines counted down from it (不过夜: the school within 24 hours of noticing;
 * 不过周: the county bureau and township within 7 days), and the writes made on a case, queued
 * through the request outbox so they work offline.
 */
import { db as defaultDb, type BaoxueDB, type CachedCase, type OutboxItem, type RequestState } from './db'
import { ApiError, client, ok } from './api/client'
import type { PersuasionAttemptIn, CaseCreate, CaseOut, CaseStatus, Deadline, FollowUpIn } from './api/types'
import { queueRequest, requestKind } from './sync/requests'
import { hoursUntil } from './time'

export const CASE_STATUSES: readonly CaseStatus[] = [
  'reported',
  'verified',
  'planned',
  'persuading',
  'returned',
  'following_up',
  'closed',
  'dismissed',
]
const CLOSED: ReadonlySet<CaseStatus> = new Set(['dismissed', 'closed'])
/** Attempts are recorded after the plan and before the return (the server's PERSUADING). */
export const PERSUADING: ReadonlySet<CaseStatus> = new Set(['planned', 'persuading'])
/** Follow-up visits are recorded after the return. */
export const FOLLOWING: ReadonlySet<CaseStatus> = new Set(['returned', 'following_up'])

export const isOpen = (c: Pick<CaseOut, 'status'>) => !CLOSED.has(c.status)

export const CASES_REFRESHED_KEY = 'casesRefreshedAt'
const PAGE = 100
/** Closed cases kept for the 全部 tab: the most recent page is enough on a phone. */
const CLOSED_KEPT = 100

/** When my cases were last read from the server (epoch ms), or null. */
export async function casesRefreshedAt(target: BaoxueDB = defaultDb): Promise<number | null> {
  return ((await target.meta.get(CASES_REFRESHED_KEY))?.value as number | undefined) ?? null
}

async function openCases(): Promise<CaseOut[]> {
  const all: CaseOut[] = []
  for (let offset = 0; ; offset += PAGE) {
    const page = await ok(client.GET('/cases', { params: { query: { mine: true, open: true, limit: PAGE, offset } } }))
    all.push(...page.items)
    if (!page.items.length || offset + PAGE >= page.total) return all
  }
}

/**
 * Replace the cache with my open cases (every page) and the latest closed ones, in one
 * transaction, keeping the attempts and follow-ups read earlier for a case still listed.
 * Throws when offline: the cache is then left as it was.
 */
export async function refreshMyCases(target: BaoxueDB = defaultDb): Promise<number> {
  const [open, closed] = await Promise.all([
    openCases(),
    ok(client.GET('/cases', { params: { query: { mine: true, open: false, limit: CLOSED_KEPT } } })),
  ])
  const now = Date.now()
  const fresh = [...open, ...closed.items]
  await target.transaction('rw', target.cases, target.meta, async () => {
    const held = new Map((await target.cases.toArray()).map((c) => [c.id, c]))
    await target.cases.clear()
    await target.cases.bulkPut(
      fresh.map((c): CachedCase => {
        const old = held.get(c.id)
        return { ...c, cachedAt: now, attempts: old?.attempts, followUps: old?.followUps, detailAt: old?.detailAt }
      }),
    )
    await target.meta.put({ key: CASES_REFRESHED_KEY, value: now })
  })
  return fresh.length
}

/** One case with its attempts and follow-ups, read and cached; null when no longer visible. */
export async function refreshCase(id: string, target: BaoxueDB = defaultDb): Promise<CachedCase | null> {
  try {
    const [detail, attempts, followUps] = await Promise.all([
      ok(client.GET('/cases/{case_id}', { params: { path: { case_id: id } } })),
      ok(client.GET('/cases/{case_id}/attempts', { params: { path: { case_id: id } } })),
      ok(client.GET('/cases/{case_id}/follow-ups', { params: { path: { case_id: id } } })),
    ])
    const now = Date.now()
    const cached: CachedCase = { ...detail, cachedAt: now, attempts, followUps, detailAt: now }
    await target.cases.put(cached)
    return cached
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
      await target.cases.delete(id)
      return null
    }
    throw err
  }
}

/** After the outbox sent writes on these cases: their cache from the server (best effort). */
export async function refreshCases(ids: readonly string[], target: BaoxueDB = defaultDb): Promise<void> {
  await Promise.allSettled(ids.map((id) => refreshCase(id, target)))
}

// ---- deadlines ----

export type Tone = 'success' | 'warning' | 'danger' | 'default'
export interface Countdown {
  /** A message key under cases.deadline, with its count. */
  key:
    'met' | 'metLate' | 'moot' | 'underHour' | 'hoursLeft' | 'daysLeft' | 'justOverdue' | 'overdueHours' | 'overdueDays'
  n?: number
  tone: Tone
  overdue: boolean
}

/** Still to be met (the server's state is as of the last read; time has passed since). */
const live = (d: Deadline) => d.state === 'pending' || d.state === 'overdue'
const HOUR = 3_600_000

/** "剩 5 小时", "剩 3 天", "已超期 2 天"… as a key and a count; closer than 6 hours is orange. */
export function countdown(d: Deadline, now: number = Date.now()): Countdown {
  if (d.state === 'met') return { key: 'met', tone: 'success', overdue: false }
  if (d.state === 'met_late') return { key: 'metLate', tone: 'warning', overdue: false }
  if (d.state === 'moot') return { key: 'moot', tone: 'default', overdue: false }
  const due = Date.parse(d.due_at)
  if (d.state === 'overdue' || due <= now) {
    const hours = Math.floor((now - due) / HOUR)
    if (hours < 1) return { key: 'justOverdue', tone: 'danger', overdue: true }
    if (hours < 24) return { key: 'overdueHours', n: hours, tone: 'danger', overdue: true }
    return { key: 'overdueDays', n: Math.floor(hours / 24), tone: 'danger', overdue: true }
  }
  const hours = hoursUntil(d.due_at, now)
  const tone: Tone = hours < 6 ? 'warning' : 'success'
  if (hours < 1) return { key: 'underHour', tone, overdue: false }
  if (hours < 48) return { key: 'hoursLeft', n: hours, tone, overdue: false }
  return { key: 'daysLeft', n: Math.floor(hours / 24), tone, overdue: false }
}

export function isOverdue(c: Pick<CaseOut, 'deadlines'>, now: number = Date.now()): boolean {
  return [c.deadlines.school, c.deadlines.county].some((d) => live(d) && countdown(d, now).overdue)
}

/** Overdue first, then the nearest deadline still to meet; cases with none last, newest first. */
export function byUrgency<C extends Pick<CaseOut, 'deadlines' | 'noticed_at'>>(
  cases: readonly C[],
  now: number = Date.now(),
): C[] {
  const keyOf = (c: C): [number, number] => {
    const dues = [c.deadlines.school, c.deadlines.county].filter(live).map((d) => Date.parse(d.due_at))
    if (!dues.length) return [2, -Date.parse(c.noticed_at)]
    return [isOverdue(c, now) ? 0 : 1, Math.min(...dues)]
  }
  return cases
    .map((c) => ({ c, k: keyOf(c) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1])
    .map(({ c }) => c)
}

// ---- writes, queued ----

type CaseRef = Pick<CaseOut, 'id' | 'child_name'>

export function queueAttempt(
  c: CaseRef,
  attempt: PersuasionAttemptIn,
  target: BaoxueDB = defaultDb,
): Promise<OutboxItem> {
  return queueRequest(
    { method: 'POST', path: `/cases/${c.id}/attempts`, body: attempt, caseId: c.id, childName: c.child_name },
    target,
  )
}

export function queueFollowUp(
  c: CaseRef,
  number: number,
  visit: FollowUpIn,
  target: BaoxueDB = defaultDb,
): Promise<OutboxItem> {
  return queueRequest(
    { method: 'POST', path: `/cases/${c.id}/follow-ups/${number}`, body: visit, caseId: c.id, childName: c.child_name },
    target,
  )
}

/** A report opens a case with the phone's id, which is also the Idempotency-Key. */
export function queueReport(
  report: CaseCreate & { id: string },
  childName: string,
  target: BaoxueDB = defaultDb,
): Promise<OutboxItem> {
  return queueRequest(
    { method: 'POST', path: '/cases', body: report, uuid: report.id, caseId: report.id, childName },
    target,
  )
}

/** A case's mark for the writes of it still on the phone: waiting (being sent counts as
 *  waiting), or error as soon as one of them was refused. */
export type CaseMark = Extract<RequestState, 'waiting' | 'error'>

/** Which queued write a case has: the 待上传 / 有误 tag of its row. */
export function marksByCase(items: readonly OutboxItem[]): Map<string, CaseMark> {
  const marks = new Map<string, CaseMark>()
  for (const item of items) {
    if (!item.caseId) continue
    if (item.state === 'error') marks.set(item.caseId, 'error')
    else if (!marks.has(item.caseId)) marks.set(item.caseId, 'waiting')
  }
  return marks
}

/** A report still on the phone, as a row of my cases. */
export interface QueuedReport extends Pick<
  CaseOut,
  'id' | 'child_name' | 'status' | 'reason' | 'noticed_at' | 'deadlines'
> {
  state: OutboxItem['state']
}

/** Reports not yet answered, with their deadlines counted from when the child was noticed. */
export function queuedReports(items: readonly OutboxItem[]): QueuedReport[] {
  return items
    .filter((i) => requestKind(i) === 'report')
    .map((i) => {
      const body = i.body as CaseCreate & { id: string }
      const noticed = (body.noticed_at && Date.parse(body.noticed_at)) || i.createdAt
      const due = (hours: number): Deadline => ({
        due_at: new Date(noticed + hours * HOUR).toISOString(),
        met_at: null,
        state: 'pending',
      })
      return {
        id: body.id,
        child_name: i.childName ?? '',
        status: 'reported',
        reason: body.reason,
        noticed_at: new Date(noticed).toISOString(),
        deadlines: { school: due(24), county: due(24 * 7) },
        state: i.state,
      }
    })
}
