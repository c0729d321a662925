import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory } from 'vue-router'
import { db, newUuid, type CachedCase } from '../src/db'
import { session, useSessionDb, ACCESS_TOKEN_KEY } from '../src/session'
import type { CaseOut, Deadline, FollowUpOut, Me } from '../src/api/types'
import { byUrgency, countdown, queueAttempt, refreshMyCases } from '../src/cases'
import { attemptFaults, fromCountyInput, toCountyInput, type AttemptForm } from '../src/components/cases/forms'
import { createAppI18n } from '../src/i18n'
import { createAppRouter } from '../src/router'
import CasesView from '../src/views/CasesView.vue'
import CaseView from '../src/views/CaseView.vue'

const HOUR = 3_600_000
const NOW = Date.parse('2026-03-10T10:00:00+08:00')
const { t } = createAppI18n('zh-CN').global

const pending = (dueInHours: number, now = NOW): Deadline => ({
  due_at: new Date(now + dueInHours * HOUR).toISOString(),
  met_at: null,
  state: 'pending',
})
const met: Deadline = { due_at: '2026-03-01T00:00:00Z', met_at: '2026-02-28T00:00:00Z', state: 'met' }

function aCase(over: Partial<CachedCase> = {}): CachedCase {
  return {
    id: newUuid(),
    version: 1,
    child_id: newUuid(),
    child_name: '张小明',
    status: 'persuading',
    source: 'sweep',
    reported_by_id: newUuid(),
    noticed_at: new Date(NOW - 48 * HOUR).toISOString(),
    reported_at: new Date(NOW - 48 * HOUR).toISOString(),
    days_absent: 3,
    last_seen_on: null,
    reason: 'weariness',
    reason_note: null,
    whereabouts: null,
    support_given: null,
    school_id: null,
    class_id: null,
    grade: null,
    dismissal_reason: null,
    verified_at: null,
    returned_at: null,
    closed_at: null,
    reopened: 0,
    deadlines: { school: met, county: pending(100) },
    allowed_actions: [],
    cachedAt: NOW,
    ...over,
  }
}

const text = (d: Deadline, now = NOW) => {
  const c = countdown(d, now)
  return t(`cases.deadline.${c.key}`, { n: c.n ?? 0 })
}

describe('deadline countdown', () => {
  it('says the hours or days left, and how long overdue', () => {
    expect(text(pending(5.5))).toBe('剩 5 小时')
    expect(text(pending(0.4))).toBe('剩不到 1 小时')
    expect(text(pending(47.9))).toBe('剩 47 小时')
    expect(text(pending(5 * 24 + 3))).toBe('剩 5 天')
    expect(text(pending(-3))).toBe('已超期 3 小时')
    expect(text(pending(-50))).toBe('已超期 2 天')
    expect(text({ ...pending(-50), state: 'overdue' })).toBe('已超期 2 天')
    expect(text(met)).toBe('已按时上报')
    expect(text({ ...met, state: 'met_late' })).toBe('逾期后上报')
  })

  it('colours: red overdue, orange under 6 hours, green otherwise', () => {
    expect(countdown(pending(-1), NOW).tone).toBe('danger')
    expect(countdown(pending(5), NOW).tone).toBe('warning')
    expect(countdown(pending(30), NOW).tone).toBe('success')
  })

  it('counts a deadline the server still called pending as overdue once it passed', () => {
    const d = pending(2)
    expect(countdown(d, NOW).overdue).toBe(false)
    expect(countdown(d, NOW + 3 * HOUR)).toMatchObject({ key: 'overdueHours', n: 1, overdue: true })
    expect(countdown(d, NOW + 2.5 * HOUR)).toMatchObject({ key: 'justOverdue', overdue: true })
  })

  it('orders overdue first (the longest overdue first), then the nearest deadline, then none', () => {
    const far = aCase({ child_name: 'far', deadlines: { school: met, county: pending(120) } })
    const near = aCase({ child_name: 'near', deadlines: { school: met, county: pending(3) } })
    const late = aCase({ child_name: 'late', deadlines: { school: met, county: pending(-5) } })
    const later = aCase({ child_name: 'later', deadlines: { school: pending(-30), county: pending(100) } })
    const done = aCase({ child_name: 'done', status: 'closed', deadlines: { school: met, county: met } })
    expect(byUrgency([done, far, near, late, later], NOW).map((c) => c.child_name)).toEqual([
      'later',
      'late',
      'near',
      'far',
      'done',
    ])
  })
})

describe('the attempt form rules', () => {
  const form = (over: Partial<AttemptForm> = {}): AttemptForm => ({
    attemptedAt: toCountyInput(NOW - HOUR),
    persons: '张三',
    phone: '',
    method: 'home_visit',
    outcome: 'agreed',
    nextStep: '',
    note: '',
    ...over,
  })
  const noticed = new Date(NOW - 48 * HOUR).toISOString()
  const fields = (f: AttemptForm) => attemptFaults(f, noticed, NOW).map((x) => `${x.field}:${x.key}`)

  it("reads the time in the county's zone, whatever the phone's", () => {
    expect(toCountyInput('2026-03-10T02:00:00Z')).toBe('2026-03-10T10:00')
    expect(Date.parse(fromCountyInput('2026-03-10T10:00'))).toBe(Date.parse('2026-03-10T02:00:00Z'))
  })

  it('asks what the server asks', () => {
    expect(fields(form())).toEqual([])
    expect(fields(form({ persons: '  ', method: '', outcome: '' }))).toEqual([
      'persons:cases.error.required',
      'method:cases.error.choose',
      'outcome:cases.error.choose',
    ])
    expect(fields(form({ persons: '人'.repeat(201) }))).toEqual(['persons:cases.error.tooLong'])
    expect(fields(form({ phone: '138-0000-0000' }))).toEqual([])
    expect(fields(form({ phone: '电话' }))).toEqual(['phone:cases.error.phone'])
    expect(fields(form({ attemptedAt: toCountyInput(NOW + HOUR) }))).toEqual(['attemptedAt:cases.error.future'])
    expect(fields(form({ attemptedAt: toCountyInput(NOW - 72 * HOUR) }))).toEqual([
      'attemptedAt:cases.error.beforeNoticed',
    ])
    expect(fields(form({ note: '字'.repeat(1001) }))).toEqual(['note:cases.error.tooLong'])
  })
})

function me(): Me {
  return {
    id: newUuid(),
    username: 'cadre',
    display_name: '王村干',
    role: 'village_cadre',
    must_change_password: false,
    areas: [],
    schools: [],
    classes: [],
    api_scopes: [],
  }
}

beforeEach(async () => {
  useSessionDb(db)
  await Promise.all([db.cases.clear(), db.outbox.clear(), db.meta.clear()])
  session.me = me()
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('refreshMyCases', () => {
  it('reads every page of my open cases and the latest closed, replacing the cache but keeping attempts', async () => {
    await db.meta.bulkPut([
      { key: ACCESS_TOKEN_KEY, value: 'tok' },
      { key: 'accessExpiresAt', value: Date.now() + HOUR },
    ])
    const open = Array.from({ length: 150 }, (_, i) => aCase({ child_name: `c${i}` }))
    const closed = aCase({ status: 'closed' })
    const kept = { ...open[0]!, attempts: [{ id: 'a1' }] } as unknown as CachedCase
    await db.cases.bulkPut([kept, aCase({ child_name: 'gone' })])
    const urls: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = new URL(String(input), 'http://x')
        urls.push(url.pathname + url.search)
        const q = url.searchParams
        const items: CaseOut[] =
          q.get('open') === 'false' ? [closed] : open.slice(Number(q.get('offset')), Number(q.get('offset')) + 100)
        return Response.json({ items, total: q.get('open') === 'false' ? 1 : 150, limit: 100, offset: 0 })
      }),
    )

    expect(await refreshMyCases(db)).toBe(151)

    expect(urls).toContain('/api/v1/cases?mine=true&open=true&limit=100&offset=0')
    expect(urls).toContain('/api/v1/cases?mine=true&open=true&limit=100&offset=100')
    expect(await db.cases.count()).toBe(151)
    expect((await db.cases.get(kept.id))?.attempts).toEqual([{ id: 'a1' }])
    expect((await db.meta.get('casesRefreshedAt'))?.value).toBeTypeOf('number')
  })
})

async function mountView(component: object, props: Record<string, unknown> = {}) {
  // Offline: the screens show the cache and send nothing.
  vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
  const router = createAppRouter(createMemoryHistory())
  await router.push('/')
  await router.isReady()
  return mount(component, { props, global: { plugins: [router, createAppI18n('zh-CN')] } })
}

describe('CasesView', () => {
  it('lists cached cases overdue first, marks a queued write, and shows a queued report', async () => {
    const now = Date.now()
    const calm = aCase({ child_name: '平安', deadlines: { school: met, county: pending(100, now) } })
    const late = aCase({ child_name: '超期', deadlines: { school: met, county: pending(-50, now) } })
    const closed = aCase({ child_name: '已销号', status: 'closed', deadlines: { school: met, county: met } })
    await db.cases.bulkPut([calm, late, closed])
    await queueAttempt(calm, {
      attempted_at: new Date().toISOString(),
      persons: '王',
      method: 'phone',
      outcome: 'agreed',
    })
    await db.outbox.add({
      uuid: newUuid(),
      state: 'waiting',
      method: 'POST',
      path: '/cases',
      body: { id: 'local-1', child_id: newUuid(), reason: 'gone_to_work', noticed_at: new Date().toISOString() },
      createdAt: now,
      attempts: 0,
      caseId: 'local-1',
      childName: '新报告',
    })

    const wrapper = await mountView(CasesView)
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.findAll('[data-testid="case-row"]')).toHaveLength(3)
    })
    const rows = wrapper.findAll('[data-testid="case-row"]')
    expect(rows.map((r) => r.find('.case-row__name').text())).toEqual(['超期', '新报告', '平安'])
    expect(rows[0]!.text()).toContain('不过周 · 已超期 2 天')
    expect(rows[0]!.find('[data-tone="danger"]').exists()).toBe(true)
    expect(rows[1]!.text()).toContain('报告待上传')
    expect(rows[2]!.text()).toContain('劝返中')
    expect(rows[2]!.get('[data-testid="case-mark"]').text()).toBe('待上传')
    expect(wrapper.text()).toContain('尚未从服务器获取')

    await wrapper.findAll('.van-tab')[1]!.trigger('click')
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="case-row"]')).toHaveLength(4))
    wrapper.unmount()
  })
})

describe('CaseView', () => {
  it('records a persuasion attempt offline: validated, queued, shown at once as 待上传', async () => {
    const c = aCase({ status: 'persuading', child_name: '李小红', attempts: [] })
    await db.cases.put(c)
    const wrapper = await mountView(CaseView, { id: c.id })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.find('[data-testid="record-attempt"]').exists()).toBe(true)
    })

    await wrapper.get('[data-testid="record-attempt"]').trigger('click')
    await flushPromises()
    // Nothing chosen yet: the form says so and queues nothing.
    expect(wrapper.find('[data-testid="save-attempt"]').exists()).toBe(true)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('请选择')
    expect(await db.outbox.count()).toBe(0)

    expect((wrapper.get('[data-testid="attempt-persons"] input').element as HTMLInputElement).value).toBe('王村干')
    await wrapper.get('[data-testid="method-home_visit"]').trigger('click')
    await wrapper.get('[data-testid="outcome-undecided"]').trigger('click')
    await wrapper.get('form').trigger('submit')

    await vi.waitFor(async () => expect(await db.outbox.count()).toBe(1))
    const [item] = await db.outbox.toArray()
    expect(item).toMatchObject({
      method: 'POST',
      path: `/cases/${c.id}/attempts`,
      caseId: c.id,
      childName: '李小红',
      body: { persons: '王村干', method: 'home_visit', outcome: 'undecided', phone: null, next_step: null, note: null },
    })
    expect(Date.parse((item!.body as { attempted_at: string }).attempted_at)).toBeLessThanOrEqual(Date.now())
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.get('[data-testid="queued-attempt"]').text()).toContain('待上传')
    })
    expect(wrapper.get('[data-testid="queued-attempt"]').text()).toContain('上门劝返')
    wrapper.unmount()
  })

  it('records a due follow-up visit, queued for its number', async () => {
    const followUp = (number: number, state: FollowUpOut['state']): FollowUpOut => ({
      id: newUuid(),
      case_id: 'x',
      number,
      due_on: '2026-03-20',
      state,
      done_at: null,
      done_by_id: null,
      outcome: state === 'done' ? 'staying' : null,
      note: null,
    })
    const c = aCase({ status: 'following_up', followUps: [followUp(1, 'done'), followUp(2, 'due')] })
    await db.cases.put(c)
    const wrapper = await mountView(CaseView, { id: c.id })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.findAll('[data-testid="record-follow-up"]')).toHaveLength(1)
    })
    expect(wrapper.find('[data-testid="record-attempt"]').exists()).toBe(false)

    await wrapper.get('[data-testid="record-follow-up"]').trigger('click')
    await flushPromises()
    await wrapper.get('[data-testid="follow-up-at_risk"]').trigger('click')
    await wrapper.get('form').trigger('submit')

    await vi.waitFor(async () => expect(await db.outbox.count()).toBe(1))
    const [item] = await db.outbox.toArray()
    expect(item).toMatchObject({ path: `/cases/${c.id}/follow-ups/2`, body: { outcome: 'at_risk', note: null } })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.findAll('[data-testid="record-follow-up"]')).toHaveLength(0)
    })
    expect(wrapper.text()).toContain('有辍学倾向')
    wrapper.unmount()
  })
})
