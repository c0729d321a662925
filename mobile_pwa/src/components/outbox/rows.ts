/**
 * The outbox screen's rows: both outboxes (field records for POST /visits/batch, and case
 * writes replayed one by one) in one shape, labelled for a person: whose household, which
 * child, what was done, and, where the server said no, its words.
 */
import type { Household, OutboxItem, QueuedRecord, OutboxState } from '../../db'
import { requestKind } from '../../sync/requests'

type Translate = (key: string, params?: Record<string, unknown>) => string

export interface OutboxRow {
  key: string
  source: 'visit' | 'request'
  /** The record's id (visit outbox) or uuid (request outbox). */
  id: string
  /** Both outboxes share the one vocabulary (a refused request is an `error`). */
  state: OutboxState
  title: string
  kind: string
  at: number
  detail?: string
  errors: { field: string; msg: string }[]
  /** conflict: each child's status on the server, and when it was recorded. */
  serverState: { name: string; status: string; at: string }[]
  /** Why a waiting record did not go yet (no network…). */
  failure?: string
  casesOpened: number
  /** error: the user may send it again; a refused request may also be discarded. */
  canRetry: boolean
  canDiscard: boolean
}

export const STATE_ORDER: readonly OutboxState[] = ['error', 'conflict', 'waiting', 'sending', 'synced']
/** Uploaded records stay listed this long, then drop off the screen (not the database). */
export const SYNCED_SHOWN_MS = 7 * 24 * 3_600_000

function fieldErrors(errors: readonly { loc: (string | number)[]; msg: string }[] | undefined) {
  return (errors ?? []).map((e) => ({ field: e.loc.filter((p) => p !== 'body').join('.'), msg: e.msg }))
}

export function visitRows(
  records: readonly QueuedRecord[],
  households: ReadonlyMap<string, Household>,
  t: Translate,
  label: (key: string, fallback: string) => string,
  now: number = Date.now(),
): OutboxRow[] {
  // Households and children found in the field are named by their own queued records.
  const foundHeads = new Map<string, string>()
  const foundChildren = new Map<string, string>()
  for (const r of records) {
    if (r.kind === 'household') foundHeads.set(r.id, r.payload.head_name)
    if (r.kind === 'child') foundChildren.set(r.id, r.payload.name)
  }
  const headOf = (id: string) => households.get(id)?.head_name ?? foundHeads.get(id) ?? t('outbox.unknownHousehold')
  const childName = (householdId: string, childId: string) =>
    households.get(householdId)?.children.find((c) => c.id === childId)?.name ??
    foundChildren.get(childId) ??
    t('outbox.unknownChild')
  return records
    .filter((r) => r.state !== 'synced' || now - (r.syncedAt ?? r.updatedAt) < SYNCED_SHOWN_MS)
    .map((r): OutboxRow => {
      const householdId =
        r.kind === 'visit' ? r.payload.household_id : r.kind === 'child' ? r.payload.household_id : r.id
      const title =
        r.kind === 'visit'
          ? `${headOf(householdId)} · ${label(`labels.outcome.${r.payload.outcome}`, r.payload.outcome)}`
          : r.kind === 'household'
            ? r.payload.head_name
            : `${r.payload.name} · ${headOf(householdId)}`
      return {
        key: `v:${r.id}`,
        source: 'visit',
        id: r.id,
        state: r.state,
        title,
        kind: t(`outbox.kind.${r.kind}`),
        at: r.createdAt,
        detail: r.state === 'conflict' || r.state === 'error' ? (r.detail ?? r.lastError?.message) : undefined,
        errors: fieldErrors(r.errors),
        serverState: (r.serverState ?? []).map((s) => ({
          name: childName(householdId, s.child_id),
          status: label(`labels.schooling.${s.schooling_status}`, s.schooling_status),
          at: s.status_changed_at,
        })),
        failure:
          r.state === 'waiting' && r.lastError
            ? t(`outbox.failure.${r.lastError.kind}`, { reason: r.lastError.message })
            : undefined,
        casesOpened: r.caseIds?.length ?? 0,
        canRetry: r.state === 'error',
        canDiscard: false,
      }
    })
}

export function requestRows(items: readonly OutboxItem[], t: Translate): OutboxRow[] {
  const failedCases = new Set<string>()
  return [...items]
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((i): OutboxRow => {
      const blocked = i.state !== 'error' && !!i.caseId && failedCases.has(i.caseId)
      if (i.state === 'error' && i.caseId) failedCases.add(i.caseId)
      return {
        key: `r:${i.uuid}`,
        source: 'request',
        id: i.uuid,
        state: i.state,
        title: i.childName ?? '',
        kind: t(`outbox.what.${requestKind(i)}`),
        at: i.createdAt,
        detail: i.state === 'error' ? i.lastError : undefined,
        errors: i.state === 'error' ? fieldErrors(i.errors) : [],
        serverState: [],
        failure: blocked ? t('outbox.blocked') : undefined,
        casesOpened: 0,
        canRetry: i.state === 'error',
        canDiscard: i.state === 'error',
      }
    })
}

/** Rows by state, problems first; newest first within a state. */
export function groupRows(rows: readonly OutboxRow[]): { state: OutboxState; rows: OutboxRow[] }[] {
  return STATE_ORDER.map((state) => ({
    state,
    rows: rows.filter((r) => r.state === state).sort((a, b) => b.at - a.at),
  })).filter((g) => g.rows.length)
}
