import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory } from 'vue-router'
import { db, newUuid } from '../src/db'
import { ACCESS_TOKEN_KEY, session, useSessionDb } from '../src/session'
import type {
  Me,
  StatisticsBreakdown,
  StatisticsBreakdownBy,
  StatisticsFigures,
  StatisticsOverview,
  StatisticsRow,
} from '../src/api/types'
import {
  NO_COHORT_HISTORY,
  areaParam,
  areaTrail,
  assessmentLevels,
  cachedStatistics,
  cards,
  childLevel,
  drillable,
  formatCount,
  formatFigure,
  formatPercent,
  formatRatio,
  parentArea,
  ranking,
  refreshStatistics,
  statisticsKey,
  summary,
  tableColumns,
  type Assessment,
  type Card,
  type StatisticsSnapshot,
} from '../src/statistics'
import { areaBars, mondays, reasonPie, weeklyLine } from '../src/statisticsCharts'
import { createAppI18n } from '../src/i18n'
import { createAppRouter } from '../src/router'
import StatisticsView from '../src/views/StatisticsView.vue'
import StatisticsChart from '../src/components/statistics/StatisticsChart.vue'
import HomeView from '../src/views/HomeView.vue'

const { t } = createAppI18n('zh-CN').global
const COUNTY = '519901'
const QINGXI = '519901100'
const SHIMEN = '519901101'

/** Every count of a breakdown that does not carry it: null, as the API sends. */
const NONE: StatisticsFigures = {
  children_school_age: null,
  children_enrolled: null,
  enrolment_rate: null,
  enrolled_at_year_start: null,
  dropped_out_this_year: null,
  dropout_rate: null,
  retention_rate_operational: null,
  cohort_grade_9: null,
  cohort_intake: null,
  retention_rate_national: null,
  retention_rate_national_reason: null,
  dropouts_open: null,
  suspected: null,
  cases_verified: null,
  returned: null,
  return_rate: null,
  stable_returns: null,
  stable_return_rate: null,
  school_deadline_due: null,
  school_deadline_met: null,
  school_deadline_compliance: null,
  county_deadline_due: null,
  county_deadline_met: null,
  county_deadline_compliance: null,
  households: null,
  households_visited: null,
  household_coverage: null,
  sweep_children: null,
  sweep_children_observed: null,
  child_coverage: null,
}

/** The county, counted by hand: its two townships below add up to it. */
const county: StatisticsFigures = {
  children_school_age: 1000,
  children_enrolled: 998,
  enrolment_rate: 0.998,
  enrolled_at_year_start: 1000,
  dropped_out_this_year: 3,
  dropout_rate: 0.003,
  retention_rate_operational: 0.997,
  cohort_grade_9: 90,
  cohort_intake: 0,
  retention_rate_national: null,
  retention_rate_national_reason: NO_COHORT_HISTORY,
  dropouts_open: 12,
  suspected: 3,
  cases_verified: 10,
  returned: 8,
  return_rate: 0.8,
  stable_returns: 6,
  stable_return_rate: 0.75,
  school_deadline_due: 20,
  school_deadline_met: 20,
  school_deadline_compliance: 1,
  county_deadline_due: 19,
  county_deadline_met: 17,
  county_deadline_compliance: 17 / 19,
  households: 0,
  households_visited: 0,
  household_coverage: null,
  sweep_children: 0,
  sweep_children_observed: 0,
  child_coverage: null,
}
// 清溪乡: 498 of 500 at school, 2 of its 500 registered dropped out, 9 dropouts and 3 suspected.
const qingxi: StatisticsFigures = {
  ...county,
  children_school_age: 500,
  children_enrolled: 498,
  enrolment_rate: 0.996,
  enrolled_at_year_start: 500,
  dropped_out_this_year: 2,
  dropout_rate: 0.004,
  retention_rate_operational: 0.996,
  dropouts_open: 9,
  suspected: 3,
}
// 石门镇: the rest.
const shimen: StatisticsFigures = {
  ...county,
  children_school_age: 500,
  children_enrolled: 500,
  enrolment_rate: 1,
  enrolled_at_year_start: 500,
  dropped_out_this_year: 1,
  dropout_rate: 0.002,
  retention_rate_operational: 0.998,
  dropouts_open: 3,
  suspected: 0,
}

function overview(f: StatisticsFigures, area: string | null = null): StatisticsOverview {
  return { ...f, area, school_year: 2026, as_of: '2026-12-02', computed_at: '2026-12-02T01:55:00Z', campaign_id: null }
}

function breakdown(by: StatisticsBreakdownBy, items: StatisticsRow[], area: string | null = null): StatisticsBreakdown {
  return {
    area,
    by,
    school_year: 2026,
    as_of: '2026-12-02',
    computed_at: '2026-12-02T01:55:00Z',
    campaign_id: null,
    items,
  }
}

const row = (code: string, name: string | null, f: Partial<StatisticsFigures>): StatisticsRow => ({
  ...NONE,
  ...f,
  code,
  name,
})

const byCard = (list: Card[]) => Object.fromEntries(list.map((c) => [c.key, c]))
const whyText = (c: Card) => (!c.why ? null : 'key' in c.why ? t(`statistics.why.${c.why.key}`) : c.why.text)

function me(role: Me['role'] = 'county_admin', areas = [{ code: COUNTY, name: '保学示范县', level: 'county' }]): Me {
  return {
    id: newUuid(),
    username: 'demo.county',
    display_name: '县教育局管理员',
    role,
    must_change_password: false,
    areas,
    schools: [],
    classes: [],
    api_scopes: [],
  }
}

describe('figures for reading', () => {
  it('shows rates with one decimal, never rounding a shortfall up to 100% nor a share down to 0%', () => {
    expect(formatPercent(0.998)).toBe('99.8%')
    expect(formatPercent(0.8)).toBe('80.0%')
    expect(formatPercent(17 / 19)).toBe('89.5%')
    expect(formatPercent(0.9996)).toBe('99.9%')
    expect(formatPercent(0.0002)).toBe('0.1%')
    expect(formatPercent(1)).toBe('100%')
    expect(formatPercent(0)).toBe('0%')
    expect(formatPercent(null)).toBe('—')
  })

  it("groups thousands in counts and puts a rate's two counts side by side", () => {
    expect(formatCount(1000)).toBe('1,000')
    expect(formatCount(12345678)).toBe('12,345,678')
    expect(formatCount(null)).toBe('—')
    expect(formatRatio(998, 1000)).toBe('998 / 1,000')
    expect(formatRatio(null, 1000)).toBeNull()
  })

  it('makes the headline cards: each rate with its counts, each count as it is', () => {
    const c = byCard(cards(county, null))
    expect(c.enrolment).toMatchObject({ value: '99.8%', counts: '998 / 1,000', why: null })
    // retained = 1,000 registered − 3 dropped out
    expect(c.retentionYear).toMatchObject({ value: '99.7%', counts: '997 / 1,000' })
    expect(c.dropoutRate).toMatchObject({ value: '0.3%', counts: '3 / 1,000' })
    expect(c.dropoutsOpen).toMatchObject({ value: '12', counts: null })
    expect(c.suspected).toMatchObject({ value: '3', counts: null })
    expect(c.returnRate).toMatchObject({ value: '80.0%', counts: '8 / 10' })
    expect(c.stableReturn).toMatchObject({ value: '75.0%', counts: '6 / 8' })
    expect(c.schoolDeadline).toMatchObject({ value: '100%', counts: '20 / 20' })
    expect(c.countyDeadline).toMatchObject({ value: '89.5%', counts: '17 / 19' })
    expect(Object.keys(c)).toEqual([
      'enrolment',
      'retentionYear',
      'dropoutRate',
      'retentionNational',
      'dropoutsOpen',
      'suspected',
      'returnRate',
      'stableReturn',
      'schoolDeadline',
      'countyDeadline',
      'householdCoverage',
      'childCoverage',
    ])
  })

  it("shows a null rate as — with the reason: the server's, or why its base is 0", () => {
    const c = byCard(cards(county, null))
    expect(c.retentionNational!.value).toBe('—')
    expect(whyText(c.retentionNational!)).toBe('未存八年前的一年级学籍')
    expect(whyText(c.householdCoverage!)).toBe('尚未开展排查')
    const swept = byCard(cards(county, newUuid()))
    expect(whyText(swept.householdCoverage!)).toBe('排查范围内无户')
    const other = byCard(cards({ ...county, retention_rate_national_reason: 'rosters being imported' }))
    expect(whyText(other.retentionNational!)).toBe('rosters being imported')
    const noCases = byCard(
      cards({ ...county, cases_verified: 0, return_rate: null, returned: 0, stable_return_rate: null }),
    )
    expect(noCases.returnRate).toMatchObject({ value: '—', counts: '0 / 0' })
    expect(whyText(noCases.returnRate!)).toBe('无确认辍学个案')
    expect(whyText(noCases.stableReturn!)).toBe('无返校学生')
    // A reason has no children: the figure does not apply.
    const reason = byCard(cards(row('weariness', '厌学', { dropouts_open: 2, suspected: 1 })))
    expect(reason.enrolment).toMatchObject({ value: '—', counts: null })
    expect(whyText(reason.enrolment!)).toBe('不适用')
  })

  it('sums up three rates for the home page', () => {
    expect(summary(overview(county)).map((c) => [c.key, c.value])).toEqual([
      ['enrolment', '99.8%'],
      ['retentionYear', '99.7%'],
      ['returnRate', '80.0%'],
    ])
  })

  it('puts in a table only the figures a breakdown carries, rates as percentages', () => {
    const rows = [
      row('1', '一年级', {
        enrolled_at_year_start: 120,
        retention_rate_operational: 0.975,
        dropouts_open: 3,
        suspected: 0,
        returned: 1,
      }),
    ]
    expect(tableColumns(rows)).toEqual([
      'enrolled_at_year_start',
      'retention_rate_operational',
      'dropouts_open',
      'suspected',
    ])
    expect(formatFigure('retention_rate_operational', 0.975)).toBe('97.5%')
    expect(formatFigure('enrolled_at_year_start', 1200)).toBe('1,200')
  })

  it('ranks the assessment with its components', () => {
    const assessment: Assessment = {
      level: 'township',
      area: null,
      as_of: '2026-12-02',
      items: [
        {
          code: SHIMEN,
          name: '石门镇',
          rank: 1,
          total: 77.777,
          components: {
            coverage: { name: '排查覆盖', score: null, weight: 0.25 },
            returns: { name: '劝返', score: 33.33, weight: 0.25 },
          },
        },
        { code: QINGXI, name: null, rank: null, total: null, components: {} },
      ],
    }
    expect(ranking(assessment)).toEqual([
      {
        code: SHIMEN,
        name: '石门镇',
        rank: '1',
        total: '77.8',
        components: [
          { key: 'coverage', name: '排查覆盖', score: '—' },
          { key: 'returns', name: '劝返', score: '33.3' },
        ],
      },
      { code: QINGXI, name: QINGXI, rank: '—', total: '—', components: [] },
    ])
  })
})

describe('charts', () => {
  const towns = [row(QINGXI, '清溪乡', qingxi), row(SHIMEN, '石门镇', shimen)]

  it('bars the enrolment rate per child area, and coverage only once a sweep has some', () => {
    const chart = areaBars(towns, { enrolment: '入学率', coverage: '入户覆盖率' }, (r) => r.name!)!
    expect(chart.option.yAxis).toMatchObject({ type: 'category', data: ['清溪乡', '石门镇'] })
    expect(chart.option.series).toEqual([expect.objectContaining({ type: 'bar', name: '入学率', data: [99.6, 100] })])

    const swept = [row(QINGXI, '清溪乡', { ...qingxi, household_coverage: 0.5 }), row(SHIMEN, '石门镇', shimen)]
    const both = areaBars(swept, { enrolment: '入学率', coverage: '入户覆盖率' }, (r) => r.name!)!
    expect(both.option.series).toEqual([
      expect.objectContaining({ name: '入学率', data: [99.6, 100] }),
      expect.objectContaining({ name: '入户覆盖率', data: [50, null] }),
    ])
    expect(both.height).toBeGreaterThan(chart.height)
    expect(areaBars([], { enrolment: '入学率', coverage: '入户覆盖率' }, (r) => r.code)).toBeNull()
  })

  it('pies the open cases (on the ledger or suspected) by reason, leaving out reasons with none', () => {
    const rows = [
      row('weariness', '厌学', { dropouts_open: 2, suspected: 1 }),
      row('gone_to_work', '外出务工', { dropouts_open: 0, suspected: 0 }),
      row('early_marriage', '早婚', { dropouts_open: 1, suspected: 0 }),
    ]
    const chart = reasonPie(rows, (r) => r.name!)!
    expect(chart.option.series).toEqual([
      expect.objectContaining({
        type: 'pie',
        data: [
          { name: '厌学', value: 3 },
          { name: '早婚', value: 1 },
        ],
      }),
    ])
    expect(reasonPie([rows[1]!], (r) => r.code)).toBeNull()
  })

  it('counts the Mondays of the last weeks', () => {
    // 2026-12-02 is a Wednesday
    expect(mondays('2026-12-02', 3)).toEqual(['2026-11-16', '2026-11-23', '2026-11-30'])
    expect(mondays('2026-11-30', 1)).toEqual(['2026-11-30'])
    expect(mondays('2026-12-06', 1)).toEqual(['2026-11-30'])
    expect(mondays('2026-12-02', 12)[0]).toBe('2026-09-14')
  })

  it('draws cases noticed per week as a line over the last 12 weeks, weeks without a row at 0', () => {
    const rows = [
      row('2026-10-12', '10月12日起', { school_deadline_due: 2, cases_verified: 1 }),
      row('2026-11-30', '11月30日起', { school_deadline_due: 4, cases_verified: 0 }),
    ]
    const chart = weeklyLine(rows, '2026-12-02', { noticed: '发现个案', verified: '其中确认辍学' })
    const axis = (chart.option.xAxis as { data: string[] }).data
    expect(axis).toHaveLength(12)
    expect(axis[0]).toBe('09-14')
    expect(axis[11]).toBe('11-30')
    const noticed = Array(12).fill(0)
    noticed[4] = 2 // 10-12 is the fifth Monday from 09-14
    noticed[11] = 4
    const verified = Array(12).fill(0)
    verified[4] = 1
    expect(chart.option.series).toEqual([
      expect.objectContaining({ type: 'line', name: '发现个案', data: noticed }),
      expect.objectContaining({ type: 'bar', name: '其中确认辍学', data: verified }),
    ])
  })
})

describe('areas', () => {
  it('reads the area from the address only when it is an area code', () => {
    expect(areaParam(QINGXI)).toBe(QINGXI)
    expect(areaParam('51990110')).toBeNull()
    expect(areaParam(['519901'])).toBeNull()
    expect(areaParam(undefined)).toBeNull()
  })

  it('opens an area below the one shown, never the row of records kept at the area itself nor a group', () => {
    const admin = me()
    expect(drillable({ code: QINGXI }, null, admin)).toBe(true)
    expect(drillable({ code: COUNTY }, null, admin)).toBe(false)
    expect(drillable({ code: QINGXI }, QINGXI, admin)).toBe(false)
    expect(drillable({ code: `${QINGXI}201` }, QINGXI, admin)).toBe(true)
    expect(drillable({ code: `${QINGXI}201001` }, `${QINGXI}201`, admin)).toBe(false)
    expect(drillable({ code: newUuid() }, null, admin)).toBe(false)
    // a township officer sees his villages first
    const officer = me('township_officer', [{ code: QINGXI, name: '清溪乡', level: 'township' }])
    expect(drillable({ code: QINGXI }, null, officer)).toBe(false)
    expect(drillable({ code: `${QINGXI}201` }, null, officer)).toBe(true)
  })

  it("goes up one level, to everything at the user's own", () => {
    expect(parentArea(`${QINGXI}201`, me())).toBe(QINGXI)
    expect(parentArea(QINGXI, me())).toBeNull()
    expect(parentArea(null, me())).toBeNull()
    expect(parentArea(QINGXI, me('principal', []))).toBeNull()
  })

  it("names the trail from the user's area down", () => {
    const names = new Map([
      [QINGXI, '清溪乡'],
      [`${QINGXI}201`, '白坝村'],
    ])
    expect(areaTrail(`${QINGXI}201`, me(), names, '全部')).toEqual([
      { area: null, name: '保学示范县' },
      { area: QINGXI, name: '清溪乡' },
      { area: `${QINGXI}201`, name: '白坝村' },
    ])
    expect(areaTrail(SHIMEN, me('principal', []), names, '全部')).toEqual([
      { area: null, name: '全部' },
      { area: SHIMEN, name: SHIMEN },
    ])
  })

  it('ranks townships and schools from a county, schools below it', () => {
    expect(assessmentLevels(null, me())).toEqual(['township', 'school'])
    expect(assessmentLevels(QINGXI, me())).toEqual(['school'])
    expect(
      assessmentLevels(null, me('township_officer', [{ code: QINGXI, name: '清溪乡', level: 'township' }])),
    ).toEqual(['school'])
  })

  it("names the level of a breakdown's rows", () => {
    expect(childLevel([{ code: COUNTY }, { code: QINGXI }])).toBe('township')
    expect(childLevel([{ code: `${QINGXI}201` }])).toBe('village')
    expect(childLevel([])).toBe('area')
  })
})

// ---------------------------------------------------------------------------------------------
// The server, stubbed: a county and its two townships.

const REASONS = [
  row('weariness', '厌学', { dropouts_open: 5, suspected: 2 }),
  row('gone_to_work', '外出务工', { dropouts_open: 7, suspected: 1 }),
]
const assessment: Assessment = {
  level: 'township',
  area: null,
  as_of: '2026-12-02',
  items: [
    {
      code: SHIMEN,
      name: '石门镇',
      rank: 1,
      total: 80,
      components: { returns: { name: '劝返', score: 80, weight: 1 } },
    },
  ],
}

function problem(status: number, detail: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'error', status, detail }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  })
}

interface Server {
  calls: string[]
  /** by values the server knows; others answer 422 as FastAPI does. */
  known: Set<string>
  down: boolean
  /** The overview answers, the breakdowns get no answer. */
  breakdownsDown: boolean
}

function serve(): Server {
  const server: Server = { calls: [], known: new Set(['area', 'reason']), down: false, breakdownsDown: false }
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = new URL(String(input), 'http://x')
      server.calls.push(url.pathname + url.search)
      if (server.down) throw new TypeError('Failed to fetch')
      const area = url.searchParams.get('area')
      const by = url.searchParams.get('by')
      if (url.pathname === '/api/v1/stats/overview') {
        return Response.json(overview(area === QINGXI ? qingxi : county, area))
      }
      if (url.pathname === '/api/v1/stats/breakdown') {
        if (server.breakdownsDown) throw new TypeError('Failed to fetch')
        if (!server.known.has(by!)) return problem(422, "by: Input should be 'area'")
        if (by === 'reason') return Response.json(breakdown('reason', REASONS, area))
        const items =
          area === QINGXI
            ? [row(`${QINGXI}201`, '白坝村', qingxi)]
            : [row(QINGXI, '清溪乡', qingxi), row(SHIMEN, '石门镇', shimen)]
        return Response.json(breakdown('area', items, area))
      }
      if (url.pathname === '/api/v1/stats/assessment') {
        return server.known.has('assessment') && url.searchParams.get('level') === 'township'
          ? Response.json(assessment)
          : problem(404, 'Nothing is at /api/v1/stats/assessment.')
      }
      return problem(404, 'no such path')
    }),
  )
  return server
}

let online = true

beforeEach(async () => {
  useSessionDb(db)
  await db.meta.clear()
  await db.meta.bulkPut([
    { key: ACCESS_TOKEN_KEY, value: 'tok' },
    { key: 'accessExpiresAt', value: Date.now() + 3_600_000 },
  ])
  session.me = me()
  online = true
  vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => online)
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('refreshStatistics', () => {
  it('keeps the figures on the phone; a breakdown or ranking the server refuses is simply absent', async () => {
    const server = serve()
    const snapshot = await refreshStatistics(null, { levels: ['township', 'school'] })
    expect(server.calls).toContain('/api/v1/stats/overview')
    expect(server.calls).toContain('/api/v1/stats/breakdown?by=week')
    expect(server.calls).toContain('/api/v1/stats/assessment?level=school')
    expect(Object.keys(snapshot.breakdowns).sort()).toEqual(['area', 'reason'])
    expect(snapshot.assessment).toEqual({})
    expect((await cachedStatistics(null))?.overview.children_enrolled).toBe(998)

    server.known.add('assessment')
    expect((await refreshStatistics(null, { levels: ['township'] })).assessment.township?.items).toHaveLength(1)
  })

  it('leaves the kept copy alone when there is no answer, and keeps a breakdown that got none', async () => {
    const server = serve()
    const first = await refreshStatistics(null)
    server.down = true
    await expect(refreshStatistics(null)).rejects.toThrow(TypeError)
    expect(await cachedStatistics(null)).toEqual(first)

    // the overview answers, the breakdowns do not (the signal went mid-way): the last ones stay
    server.down = false
    server.breakdownsDown = true
    const second = await refreshStatistics(null)
    expect(second.fetchedAt).toBeGreaterThanOrEqual(first.fetchedAt)
    expect(second.breakdowns.area).toEqual(first.breakdowns.area)
    expect(second.breakdowns.reason).toEqual(first.breakdowns.reason)
  })

  it('shares one read among calls for the same area', async () => {
    const server = serve()
    await Promise.all([refreshStatistics(QINGXI), refreshStatistics(QINGXI)])
    expect(server.calls.filter((c) => c.startsWith('/api/v1/stats/overview'))).toEqual([
      '/api/v1/stats/overview?area=519901100',
    ])
  })
})

async function mountStatistics(path = '/statistics') {
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(StatisticsView, {
    global: { plugins: [router, createAppI18n('zh-CN')] },
    attachTo: document.body,
  })
  return { wrapper, router }
}

const cardText = (wrapper: ReturnType<typeof mount>, key: string) => wrapper.get(`[data-testid="card-${key}"]`).text()

describe('StatisticsView', () => {
  beforeEach(() => {
    // echarts measures its container, and happy-dom lays nothing out
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(328)
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(200)
  })

  it('shows the county, draws its townships, and drills into the one tapped', async () => {
    const server = serve()
    const { wrapper, router } = await mountStatistics()
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.findAll('[data-testid="area-row"]')).toHaveLength(2)
    })
    expect(cardText(wrapper, 'enrolment')).toContain('99.8%')
    expect(cardText(wrapper, 'enrolment')).toContain('998 / 1,000')
    expect(cardText(wrapper, 'retentionNational')).toContain('—')
    expect(cardText(wrapper, 'retentionNational')).toContain('未存八年前的一年级学籍')
    expect(wrapper.text()).toContain('各乡镇')

    // the charts get the rows' series; the SVG renderer draws them
    const charts = wrapper.findAllComponents(StatisticsChart)
    expect(charts).toHaveLength(2)
    expect(charts[0]!.props('chart').option.series).toEqual([
      expect.objectContaining({ name: '入学率', data: [99.6, 100] }),
    ])
    expect(charts[1]!.props('chart').option.series).toEqual([
      expect.objectContaining({
        data: [
          { name: '厌学', value: 7 },
          { name: '外出务工', value: 8 },
        ],
      }),
    ])
    await vi.waitFor(() => expect(wrapper.find('[data-testid="chart-areas"] svg path').exists()).toBe(true))
    // sections the server has no breakdown for (422) are left out, the page stands
    expect(wrapper.find('[data-testid="statistics-weeks"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="statistics-ranking"]').exists()).toBe(false)

    await wrapper.findAll('[data-testid="area-row"]')[0]!.trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(router.currentRoute.value.query.area).toBe(QINGXI)
      expect(cardText(wrapper, 'enrolment')).toContain('498 / 500')
    })
    expect(server.calls).toContain('/api/v1/stats/overview?area=519901100')
    expect(wrapper.get('.van-nav-bar__title').text()).toBe('清溪乡')
    expect(wrapper.get('[data-testid="statistics-trail"]').text()).toContain('保学示范县')
    expect(wrapper.text()).toContain('各村（社区）')
    await vi.waitFor(() =>
      expect(wrapper.findAll('[data-testid="area-row"]').map((r) => r.attributes('data-code'))).toEqual([
        `${QINGXI}201`,
      ]),
    )

    // back up to the county
    await wrapper.get('.van-nav-bar__left').trigger('click')
    await vi.waitFor(async () => {
      await flushPromises()
      expect(router.currentRoute.value.query.area).toBeUndefined()
      expect(cardText(wrapper, 'enrolment')).toContain('998 / 1,000')
    })

    // a bar tapped opens its township too
    wrapper.findAllComponents(StatisticsChart)[0]!.vm.$emit('pick', 1)
    await vi.waitFor(() => expect(router.currentRoute.value.query.area).toBe(SHIMEN))
    wrapper.unmount()
  })

  it('shows the kept figures with their time when the fetch gets no answer', async () => {
    const server = serve()
    const kept = await refreshStatistics(null)
    server.down = true
    const { wrapper } = await mountStatistics()
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.get('[data-testid="statistics-updated"]').text()).toContain('无网络，显示手机上保存的统计')
    })
    expect(wrapper.get('[data-testid="statistics-updated"]').text()).toContain(
      `更新于 ${new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(kept.fetchedAt)}`,
    )
    // and when the server counted them (its snapshot, 01:55 UTC: 09:55 in the county)
    expect(wrapper.get('[data-testid="statistics-updated"]').text()).toContain('截至 12/02 09:55')
    expect(cardText(wrapper, 'enrolment')).toContain('99.8%')
    expect(wrapper.findAll('[data-testid="area-row"]')).toHaveLength(2)
    wrapper.unmount()
  })

  it('offline, asks nothing and shows the kept figures; with none kept, says to go online', async () => {
    const server = serve()
    online = false
    const empty = await mountStatistics(`/statistics?area=${SHIMEN}`)
    await flushPromises()
    expect(empty.wrapper.text()).toContain('手机上还没有统计，请联网后再打开')
    empty.wrapper.unmount()

    const snapshot: StatisticsSnapshot = {
      area: null,
      overview: overview(county),
      breakdowns: {},
      assessment: {},
      fetchedAt: Date.now() - 3_600_000,
    }
    await db.meta.put({ key: statisticsKey(null), value: snapshot })
    const { wrapper } = await mountStatistics()
    await vi.waitFor(async () => {
      await flushPromises()
      expect(cardText(wrapper, 'returnRate')).toContain('80.0%')
    })
    expect(wrapper.text()).toContain('无网络，显示手机上保存的统计')
    expect(server.calls).toEqual([])
    wrapper.unmount()
  })

  it('ranks the townships when the assessment answers', async () => {
    const server = serve()
    server.known.add('assessment')
    const { wrapper } = await mountStatistics()
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.findAll('[data-testid="ranking-row"]')).toHaveLength(1)
    })
    const rank = wrapper.get('[data-testid="ranking-row"]').text()
    expect(rank).toContain('石门镇')
    expect(rank).toContain('80.0')
    expect(rank).toContain('劝返 80.0')
    wrapper.unmount()
  })
})

describe('the home page', () => {
  it('sums up the kept figures for a county admin, linking to the statistics', async () => {
    await db.meta.put({
      key: statisticsKey(null),
      value: {
        area: null,
        overview: overview(county),
        breakdowns: {},
        assessment: {},
        fetchedAt: Date.now(),
      } satisfies StatisticsSnapshot,
    })
    online = false
    const router = createAppRouter(createMemoryHistory())
    await router.push('/')
    await router.isReady()
    const wrapper = mount(HomeView, { global: { plugins: [router, createAppI18n('zh-CN')] } })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.get('[data-testid="home-enrolment"]').text()).toBe('入学率 99.8%')
    })
    expect(wrapper.get('[data-testid="home-retentionYear"]').text()).toBe('巩固率 99.7%')
    expect(wrapper.get('[data-testid="home-returnRate"]').text()).toBe('劝返率 80.0%')
    await wrapper.get('[data-testid="home-statistics"]').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/statistics'))
    wrapper.unmount()

    session.me = me('village_cadre', [])
    const cadre = mount(HomeView, { global: { plugins: [router, createAppI18n('zh-CN')] } })
    await flushPromises()
    expect(cadre.find('[data-testid="home-statistics"]').exists()).toBe(false)
    cadre.unmount()
  })
})
