/**
 * Where a household of the package stands in the current sweep: not visited, visited, or to be
 * visited again (nobody home, or the family refused). The phone's own visits count at once,
 * sent or not, so the list is right in a village with no signal.
 */
import type { AreaRef, PackageCampaign, PackageChild } from './api/types'
import type { ChildIn, HouseholdIn, VisitOutcome } from './sync/types'
import { db as defaultDb, type BaoxueDB, type Household, type QueuedRecord, type QueuedVisit } from './db'
import { packageInfo, toStored } from './workPackage'

export type VisitState = 'not_visited' | 'visited' | 'revisit'

const AGAIN: ReadonlySet<VisitOutcome> = new Set(['nobody_home', 'refused'])

/** The latest visit made on this phone to each household (visits in error excluded). */
export function latestLocalVisits(queued: readonly QueuedVisit[]): Map<string, QueuedVisit> {
  const latest = new Map<string, QueuedVisit>()
  for (const record of queued) {
    if (record.state === 'error') continue
    const id = record.payload.household_id
    const held = latest.get(id)
    if (!held || held.payload.visited_at < record.payload.visited_at) latest.set(id, record)
  }
  return latest
}

/** The day the sweep under way began: visits before it belong to an earlier sweep. */
export function sweepStart(campaigns: readonly PackageCampaign[], today: string): string | null {
  const current = campaigns.filter((c) => c.starts_on <= today && today <= c.ends_on)
  if (!current.length) return null
  return current.map((c) => c.starts_on).sort()[0] ?? null
}

let started: { day: string; at: number } | null = null

/**
 * The instant the county's day begins. Asia/Shanghai (time.ts) is UTC+8 all year, with no
 * summer time; comparing instants spares the list 8,000 Intl date formattings per load.
 */
function dayStart(day: string): number {
  if (started?.day !== day) started = { day, at: Date.parse(`${day}T00:00:00+08:00`) }
  return started.at
}

export function visitState(household: Household, local: QueuedVisit | undefined, since: string | null): VisitState {
  const outcome =
    local?.payload.outcome ??
    (household.last_visit && (!since || Date.parse(household.last_visit.visited_at) >= dayStart(since))
      ? household.last_visit.outcome
      : undefined)
  if (!outcome) return 'not_visited'
  return AGAIN.has(outcome) ? 'revisit' : 'visited'
}

// The list screen ------------------------------------------------------------------------

export type StateFilter = 'all' | VisitState

/** One row of the list, its state worked out once per load rather than per keystroke. */
export interface ListEntry {
  household: Household
  state: VisitState
  /** A child of the household has a case under way. */
  openCase: boolean
}

/** Case statuses that no longer need anyone at the door. */
const SETTLED_CASES: ReadonlySet<string> = new Set(['dismissed', 'closed'])

export function hasOpenCase(household: Household): boolean {
  return household.children.some((c) => !!c.open_case && !SETTLED_CASES.has(c.open_case.status))
}

/**
 * By area, then head name. The server's pinyin sorts as plain ASCII: a collator over
 * 8,000 Chinese names costs a cheap phone a noticeable pause; households found in the field
 * (no pinyin yet) end their area.
 */
export function sortHouseholds<T extends Household>(list: T[]): T[] {
  // One key per household, made once, rather than three fields read at each comparison.
  const keyed = list.map((h) => ({ key: `${h.area_code}\u0001${h.head_pinyin || h.head_name}\u0001${h.address}`, h }))
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  keyed.forEach((k, i) => (list[i] = k.h))
  return list
}

export function listEntries(
  households: readonly Household[],
  local: Map<string, QueuedVisit>,
  since: string | null,
): ListEntry[] {
  return households.map((household) => ({
    household,
    state: visitState(household, local.get(household.id), since),
    openCase: hasOpenCase(household),
  }))
}

export interface ListFilter {
  query: string
  state: StateFilter
  /** An area code of the package: its households and those of its groups. */
  area: string | null
}

/** Every word must match: "zhang san" finds 张三 whose pinyin is "zhangsan". */
export function searchTokens(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean)
}

export function filterEntries(entries: readonly ListEntry[], filter: ListFilter): ListEntry[] {
  const tokens = searchTokens(filter.query)
  const { state, area } = filter
  return entries.filter(
    (e) =>
      (state === 'all' || e.state === state) &&
      (!area || e.household.area_code.startsWith(area)) &&
      tokens.every((token) => e.household.search.includes(token)),
  )
}

export function countStates(entries: readonly ListEntry[]): Record<VisitState, number> {
  const counts: Record<VisitState, number> = { not_visited: 0, visited: 0, revisit: 0 }
  for (const e of entries) counts[e.state] += 1
  return counts
}

/** The campaign a visit made today belongs to: one under way, its sweep phase first. */
export function currentCampaign(campaigns: readonly PackageCampaign[], today: string): PackageCampaign | null {
  const current = campaigns.filter((c) => c.starts_on <= today && today <= c.ends_on)
  return current.find((c) => c.phase === 'sweep') ?? current[0] ?? null
}

/** "新村 三组" for a group, the village's own name for a village, the code when unknown. */
export function areaLabel(code: string, areas: readonly AreaRef[]): string {
  const own = areas.find((a) => a.code === code)
  const village = areas.find((a) => a.level === 'village' && a.code !== code && code.startsWith(a.code))
  if (own && village) return `${village.name} ${own.name}`
  return own?.name ?? village?.name ?? code
}

// Loading, kept between visits ----------------------------------------------------------

interface Loaded {
  key: string
  households: Household[]
}

let loaded: Loaded | null = null
let generation = 0

/** Say that this phone changed db.households (a found household or child): reload next time. */
export function householdsChanged(): void {
  generation += 1
}

/**
 * The package's households, sorted. Read from IndexedDB once and then kept in memory: a
 * township's 8,000 households take a cheap phone a second or more to read, and the cadre
 * comes back to the list after every visit. A new package version, a different count (another
 * tab) or a change made here reads them again.
 */
export async function loadHouseholds(target: BaoxueDB = defaultDb): Promise<Household[]> {
  const [info, count] = await Promise.all([packageInfo(target), target.households.count()])
  const key = `${target.name}|${info?.version ?? ''}|${count}|${generation}`
  if (loaded?.key === key) return loaded.households
  const [held, found] = await Promise.all([target.households.toArray(), unsentFound(target)])
  const households = sortHouseholds(mergeQueued(held, found))
  loaded = { key, households }
  return households
}

/** The phone's own visits (the outbox's visit records), for visitState. */
export async function localVisits(target: BaoxueDB = defaultDb): Promise<Map<string, QueuedVisit>> {
  const records = await target.visitOutbox.where('kind').equals('visit').toArray()
  return latestLocalVisits(records.filter((r): r is QueuedVisit => r.kind === 'visit'))
}

// Found in the field, not yet in the package ---------------------------------------------

/** A household found in the field, as the list and the visit form hold it until the package has it. */
export function householdFromPayload(p: HouseholdIn): Household {
  return toStored({
    id: p.id,
    version: 0,
    area_code: p.area_code,
    address: p.address,
    head_name: p.head_name,
    phone: p.phone ?? null,
    is_poverty_registered: !!p.is_poverty_registered,
    is_minimum_living: !!p.is_minimum_living,
    guardians: [],
    children: [],
    last_visit: null,
  })
}

/** A child found in the field, as a package child (its schooling not yet recorded). */
export function childFromPayload(p: ChildIn): PackageChild {
  return {
    id: p.id,
    name: p.name,
    sex: p.sex === 'female' ? 'female' : 'male',
    birth_date: typeof p.birth_date === 'string' ? p.birth_date : '',
    id_number: typeof p.id_number === 'string' ? p.id_number : null,
    schooling_status: 'unknown',
    status_changed_at: new Date(0).toISOString(),
    expected_grade: null,
    left_behind: 0,
    school_name: null,
    grade: null,
    open_case: null,
  }
}

/**
 * Put back what this phone found and has not sent yet, when a package download replaced the
 * households without it (a full package, or a delta's list of ids, knows only the server's).
 */
export function mergeQueued(households: Household[], records: readonly QueuedRecord[]): Household[] {
  const byId = new Map(households.map((h) => [h.id, h]))
  const added: Household[] = []
  for (const r of records) {
    if (r.state === 'synced' || r.state === 'conflict') continue
    if (r.kind === 'household' && !byId.has(r.id)) {
      const h = householdFromPayload(r.payload)
      byId.set(h.id, h)
      added.push(h)
    } else if (r.kind === 'child') {
      const h = byId.get(r.payload.household_id)
      if (h && !h.children.some((c) => c.id === r.id)) {
        byId.set(h.id, toStored({ ...h, children: [...h.children, childFromPayload(r.payload)] }))
      }
    }
  }
  return [...households.map((h) => byId.get(h.id)!), ...added]
}

function unsentFound(target: BaoxueDB): Promise<QueuedRecord[]> {
  return target.visitOutbox.where('kind').anyOf('household', 'child').sortBy('createdAt')
}

/** One household, from the package or from what this phone found. */
export async function getHousehold(id: string, target: BaoxueDB = defaultDb): Promise<Household | null> {
  const held = await target.households.get(id)
  const records = await unsentFound(target)
  const merged = mergeQueued(held ? [held] : [], records).find((h) => h.id === id)
  return merged ?? null
}

/** Where the list was left: the cadre comes back to it after each visit, mid-village. */
export const listMemory: { query: string; state: StateFilter; area: string; scrollTop: number } = {
  query: '',
  state: 'all',
  area: '',
  scrollTop: 0,
}
