/**
 * The statistics page's figures (GET /stats/overview, /stats/breakdown, /stats/assessment):
 * formatted for reading, kept on the phone for the days without signal, and the area drilled
 * into. No chart library here: the home page shows a summary from this module, and echarts
 * must stay in the statistics page's own chunk (see statisticsCharts.ts and StatisticsChart.vue).
 */
import { db as defaultDb, type BaoxueDB } from './db'
import { ApiError, client, ok, SessionEnded } from './api/client'
import type {
  Me,
  StatisticsBreakdown,
  StatisticsBreakdownBy,
  StatisticsFigures,
  StatisticsOverview,
  StatisticsRow,
} from './api/types'

export const BREAKDOWNS: readonly StatisticsBreakdownBy[] = ['area', 'school', 'grade', 'reason', 'flag', 'week']

/** The server's words when the national retention rate has no base (api/schemas/statistics.py). */
export const NO_COHORT_HISTORY = 'no roster history for the cohort'

// ---------------------------------------------------------------------------------------------
// Numbers as people read them

const counts = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 })

/** "1,000"; "—" for a count that does not apply. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : counts.format(n)
}

/**
 * "99.8%", "—" for null. One decimal, but a share short of all is never shown as 100% nor a
 * share above none as 0%: one child missing in a county must not read as "100%".
 */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—'
  if (rate >= 1) return '100%'
  if (rate <= 0) return '0%'
  const tenths = Math.min(999, Math.max(1, Math.round(rate * 1000)))
  return `${(tenths / 10).toFixed(1)}%`
}

/** "998 / 1,000", or null when either count does not apply. */
export function formatRatio(part: number | null | undefined, whole: number | null | undefined): string | null {
  if (part === null || part === undefined || whole === null || whole === undefined) return null
  return `${formatCount(part)} / ${formatCount(whole)}`
}

// ---------------------------------------------------------------------------------------------
// The headline cards

/** Why a figure shows "—": an i18n key under statistics.why, or the server's own words. */
export type Why = { key: string } | { text: string }

export interface Card {
  /** i18n key under statistics.card. */
  key: string
  value: string
  /** "998 / 1,000" for a rate; null for a count. */
  counts: string | null
  why: Why | null
  /** The rate (0 to 1) or the count, for colouring and tests. */
  raw: number | null
}

type CountField = {
  [K in keyof StatisticsFigures]-?: StatisticsFigures[K] extends number | null ? K : never
}[keyof StatisticsFigures]

interface RateSpec {
  key: string
  rate: CountField
  part: (f: StatisticsFigures) => number | null
  whole: CountField
  /** Why the base is 0. */
  zero: string
}
interface CountSpec {
  key: string
  count: CountField
}
type CardSpec = RateSpec | CountSpec

const field = (name: CountField) => (f: StatisticsFigures) => f[name]

export const CARDS: readonly CardSpec[] = [
  {
    key: 'enrolment',
    rate: 'enrolment_rate',
    part: field('children_enrolled'),
    whole: 'children_school_age',
    zero: 'noChildren',
  },
  {
    key: 'retentionYear',
    rate: 'retention_rate_operational',
    // retained = registered this autumn − verified dropouts this year
    part: (f) =>
      f.enrolled_at_year_start === null || f.dropped_out_this_year === null
        ? null
        : f.enrolled_at_year_start - f.dropped_out_this_year,
    whole: 'enrolled_at_year_start',
    zero: 'noRegistered',
  },
  {
    key: 'dropoutRate',
    rate: 'dropout_rate',
    part: field('dropped_out_this_year'),
    whole: 'enrolled_at_year_start',
    zero: 'noRegistered',
  },
  {
    key: 'retentionNational',
    rate: 'retention_rate_national',
    part: field('cohort_grade_9'),
    whole: 'cohort_intake',
    zero: 'noCohortHistory',
  },
  { key: 'dropoutsOpen', count: 'dropouts_open' },
  { key: 'suspected', count: 'suspected' },
  { key: 'returnRate', rate: 'return_rate', part: field('returned'), whole: 'cases_verified', zero: 'noVerified' },
  {
    key: 'stableReturn',
    rate: 'stable_return_rate',
    part: field('stable_returns'),
    whole: 'returned',
    zero: 'noReturned',
  },
  {
    key: 'schoolDeadline',
    rate: 'school_deadline_compliance',
    part: field('school_deadline_met'),
    whole: 'school_deadline_due',
    zero: 'noCases',
  },
  {
    key: 'countyDeadline',
    rate: 'county_deadline_compliance',
    part: field('county_deadline_met'),
    whole: 'county_deadline_due',
    zero: 'noCountyDue',
  },
  {
    key: 'householdCoverage',
    rate: 'household_coverage',
    part: field('households_visited'),
    whole: 'households',
    zero: 'noHouseholds',
  },
  {
    key: 'childCoverage',
    rate: 'child_coverage',
    part: field('sweep_children_observed'),
    whole: 'sweep_children',
    zero: 'noSweepChildren',
  },
]

const COVERAGE = new Set(['householdCoverage', 'childCoverage'])

function whyNull(spec: RateSpec, f: StatisticsFigures, campaignId: string | null | undefined): Why {
  if (spec.rate === 'retention_rate_national' && f.retention_rate_national_reason) {
    return f.retention_rate_national_reason === NO_COHORT_HISTORY
      ? { key: 'noCohortHistory' }
      : { text: f.retention_rate_national_reason }
  }
  if (f[spec.whole] === null) return { key: 'notApplicable' }
  if (COVERAGE.has(spec.key) && campaignId === null) return { key: 'noCampaign' }
  return { key: spec.zero }
}

/** One card: the rate with its two counts (or the reason it has none), or a count. */
export function card(spec: CardSpec, f: StatisticsFigures, campaignId?: string | null): Card {
  if ('count' in spec) {
    const n = f[spec.count]
    return {
      key: spec.key,
      value: formatCount(n),
      counts: null,
      why: n === null ? { key: 'notApplicable' } : null,
      raw: n,
    }
  }
  const rate = f[spec.rate]
  return {
    key: spec.key,
    value: formatPercent(rate),
    counts: formatRatio(spec.part(f), f[spec.whole]),
    why: rate === null ? whyNull(spec, f, campaignId) : null,
    raw: rate,
  }
}

/** The headline cards of an overview (or of a breakdown row). */
export function cards(f: StatisticsFigures, campaignId?: string | null): Card[] {
  return CARDS.map((spec) => card(spec, f, campaignId))
}

/** The home page's summary: the three rates a head of a bureau asks for first. */
export function summary(overview: StatisticsOverview): Card[] {
  const wanted = ['enrolment', 'retentionYear', 'returnRate']
  return CARDS.filter((s) => wanted.includes(s.key)).map((s) => card(s, overview, overview.campaign_id))
}

/** A breakdown table's columns: those of these figures any row has (the others are null).
 *  Few enough to fit a phone's width; the rest is on the cards of each area. */
export const TABLE_FIGURES: readonly CountField[] = [
  'enrolment_rate',
  'enrolled_at_year_start',
  'dropout_rate',
  'retention_rate_operational',
  'dropouts_open',
  'suspected',
]

export function tableColumns(rows: readonly StatisticsRow[]): CountField[] {
  return TABLE_FIGURES.filter((name) => rows.some((r) => r[name] !== null && r[name] !== undefined))
}

const RATES: ReadonlySet<CountField> = new Set(CARDS.flatMap((spec) => ('rate' in spec ? [spec.rate] : [])))

/** A figure of a breakdown row: a rate as a percentage, a count as a count. */
export function formatFigure(name: CountField, value: number | null): string {
  return RATES.has(name) ? formatPercent(value) : formatCount(value)
}

// ---------------------------------------------------------------------------------------------
// The assessment (考核): api/schemas/assessment.py

export type AssessmentLevel = 'township' | 'school'

export interface AssessmentComponent {
  name: string
  score: number | null
  weight: number
}

export interface AssessmentRow {
  code: string
  name: string | null
  rank: number | null
  total: number | null
  components: Record<string, AssessmentComponent>
}

export interface Assessment {
  level: AssessmentLevel
  area: string | null
  as_of: string
  note?: string
  items: AssessmentRow[]
}

export interface RankedComponent {
  key: string
  name: string
  score: string
}

export interface Ranked {
  code: string
  name: string
  rank: string
  total: string
  components: RankedComponent[]
}

const score = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(1) : '—')

/** The ranking as shown: every row with its rank, total and component scores. */
export function ranking(assessment: Assessment): Ranked[] {
  return assessment.items.map((row) => ({
    code: row.code,
    name: row.name ?? row.code,
    rank: row.rank === null ? '—' : String(row.rank),
    total: score(row.total),
    components: Object.entries(row.components ?? {}).map(([key, c]) => ({ key, name: c.name, score: score(c.score) })),
  }))
}

function isAssessment(body: unknown): body is Assessment {
  return !!body && typeof body === 'object' && Array.isArray((body as Assessment).items)
}

// ---------------------------------------------------------------------------------------------
// The phone's copy: the last figures fetched for each area, in the meta table (wiped with the
// rest of the phone's data at logout).

export interface StatisticsSnapshot {
  area: string | null
  overview: StatisticsOverview
  /** Absent: the server has no such breakdown (an older server answers 422) or refused it. */
  breakdowns: Partial<Record<StatisticsBreakdownBy, StatisticsBreakdown>>
  assessment: Partial<Record<AssessmentLevel, Assessment>>
  /** Epoch ms. */
  fetchedAt: number
}

const PREFIX = 'statistics:'

export const statisticsKey = (area: string | null) => `${PREFIX}${area ?? ''}`

export async function cachedStatistics(
  area: string | null,
  target: BaoxueDB = defaultDb,
): Promise<StatisticsSnapshot | null> {
  return ((await target.meta.get(statisticsKey(area)))?.value as StatisticsSnapshot | undefined) ?? null
}

/** Area names the phone has seen in breakdowns, for the trail above a drilled-into area. */
export async function statisticsAreaNames(target: BaoxueDB = defaultDb): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  const entries = await target.meta.where('key').startsWith(PREFIX).toArray()
  for (const entry of entries) {
    for (const row of (entry.value as StatisticsSnapshot).breakdowns?.area?.items ?? []) {
      if (row.name) names.set(row.code, row.name)
    }
  }
  return names
}

/** The server answered, and no: keep nothing. No answer (offline, 5xx): keep what we had. */
const refused = (err: unknown) => err instanceof ApiError && err.status >= 400 && err.status < 500

const inFlight = new Map<string, Promise<StatisticsSnapshot>>()

/**
 * The figures for an area, read and kept. The overview must answer (else this throws and the
 * kept copy stays); each breakdown and ranking is asked for at the same time, and one the
 * server refuses (an unknown `by` is a 422) is simply absent. Calls for an area already being
 * read share that read.
 */
export function refreshStatistics(
  area: string | null,
  options: { levels?: readonly AssessmentLevel[]; target?: BaoxueDB } = {},
): Promise<StatisticsSnapshot> {
  const target = options.target ?? defaultDb
  const key = `${target.name}|${statisticsKey(area)}`
  const running = inFlight.get(key)
  if (running) return running
  const levels = options.levels ?? []
  const work = (async () => {
    const overview = ok(client.GET('/stats/overview', { params: { query: { area } } }))
    const parts = Promise.allSettled(
      BREAKDOWNS.map((by) => ok(client.GET('/stats/breakdown', { params: { query: { area, by } } }))),
    )
    // Read as unknown: an answer is kept only if it has the shape the screen draws.
    const ranks = Promise.allSettled(
      levels.map((level): Promise<unknown> =>
        ok(client.GET('/stats/assessment', { params: { query: { area, level } } })),
      ),
    )
    const fresh = await overview
    const [previous, settled, ranked] = await Promise.all([cachedStatistics(area, target), parts, ranks])
    // The phone was wiped meanwhile: keep nothing.
    const ended = [...settled, ...ranked].find((r) => r.status === 'rejected' && r.reason instanceof SessionEnded)
    if (ended) throw (ended as PromiseRejectedResult).reason
    const breakdowns: StatisticsSnapshot['breakdowns'] = {}
    settled.forEach((result, i) => {
      const by = BREAKDOWNS[i]!
      if (result.status === 'fulfilled') {
        if (Array.isArray(result.value?.items)) breakdowns[by] = result.value
      } else if (!refused(result.reason) && previous?.breakdowns[by]) {
        breakdowns[by] = previous.breakdowns[by]
      }
    })
    const assessment: StatisticsSnapshot['assessment'] = {}
    ranked.forEach((result, i) => {
      const level = levels[i]!
      if (result.status === 'fulfilled') {
        if (isAssessment(result.value)) assessment[level] = result.value
      } else if (!refused(result.reason) && previous?.assessment[level]) {
        assessment[level] = previous.assessment[level]
      }
    })
    const snapshot: StatisticsSnapshot = { area, overview: fresh, breakdowns, assessment, fetchedAt: Date.now() }
    await target.meta.put({ key: statisticsKey(area), value: snapshot })
    return snapshot
  })()
  inFlight.set(key, work)
  const done = () => inFlight.delete(key)
  work.then(done, done)
  return work
}

// ---------------------------------------------------------------------------------------------
// Areas: the page's `?area=`, one level down at a time

const AREA = /^\d{6}(\d{3}){0,3}$/

/** The `area` query parameter, if it is an area code. */
export function areaParam(value: unknown): string | null {
  return typeof value === 'string' && AREA.test(value) ? value : null
}

/** Code length of the highest area the user covers; a county for whoever covers none. */
export function rootLength(me: Pick<Me, 'areas'> | null | undefined): number {
  const lengths = (me?.areas ?? []).map((a) => a.code.length)
  return lengths.length ? Math.min(...lengths) : 6
}

/** The breakdown's row of records kept at the shown area itself rather than below it. */
export function ownRow(
  row: Pick<StatisticsRow, 'code'>,
  area: string | null,
  me: Pick<Me, 'areas'> | null | undefined,
): boolean {
  return row.code.length <= (area?.length ?? rootLength(me))
}

/** A breakdown row one can open: an area below the one shown with areas below it (a group has
 *  none). */
export function drillable(
  row: Pick<StatisticsRow, 'code'>,
  area: string | null,
  me: Pick<Me, 'areas'> | null | undefined,
): boolean {
  return AREA.test(row.code) && row.code.length < 15 && !ownRow(row, area, me)
}

/** One level up; null for the user's own level (everything they see). */
export function parentArea(area: string | null, me: Pick<Me, 'areas'> | null | undefined): string | null {
  if (!area) return null
  const up = area.slice(0, -3)
  return up.length <= rootLength(me) ? null : up
}

export interface TrailStep {
  area: string | null
  name: string
}

/** From the user's own level down to `area`, named where the phone knows the name. */
export function areaTrail(
  area: string | null,
  me: Pick<Me, 'areas'> | null | undefined,
  names: ReadonlyMap<string, string>,
  everything: string,
): TrailStep[] {
  const own = me?.areas ?? []
  const trail: TrailStep[] = [{ area: null, name: own.length === 1 ? own[0]!.name : everything }]
  if (!area) return trail
  for (let n = rootLength(me) + 3; n <= area.length; n += 3) {
    const code = area.slice(0, n)
    trail.push({ area: code, name: names.get(code) ?? own.find((a) => a.code === code)?.name ?? code })
  }
  return trail
}

/** The levels worth ranking: townships and schools from a county, schools below it. */
export function assessmentLevels(area: string | null, me: Pick<Me, 'areas'> | null | undefined): AssessmentLevel[] {
  const depth = area ? area.length : rootLength(me)
  return depth <= 6 ? ['township', 'school'] : ['school']
}

/** i18n key of the level one below an area code's (the breakdown's rows). */
export function childLevel(rows: readonly Pick<StatisticsRow, 'code'>[]): 'township' | 'village' | 'group' | 'area' {
  const lengths = new Set(rows.map((r) => r.code.length))
  if (lengths.has(9)) return 'township'
  if (lengths.has(12)) return 'village'
  if (lengths.has(15)) return 'group'
  return 'area'
}
