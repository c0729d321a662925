import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createMemoryHistory } from 'vue-router'
import { db, newUuid, type Child } from '../src/db'
import { useSessionDb } from '../src/session'
import type { CaseCreate } from '../src/api/types'
import { daysBefore, reportFaults } from '../src/components/cases/forms'
import { filterChildren } from '../src/classChildren'
import { createAppI18n } from '../src/i18n'
import { createAppRouter } from '../src/router'
import { localToday } from '../src/time'
import ReportView from '../src/views/ReportView.vue'

function child(name: string): Child {
  return {
    id: newUuid(),
    household_id: newUuid(),
    area_code: '130123100201',
    name,
    sex: 'male',
    birth_date: '2014-05-01',
    id_number: null,
    schooling_status: 'enrolled_in_county',
    status_changed_at: '2025-09-01T00:00:00Z',
    left_behind: 0,
    age: 11,
    is_compulsory_age: true,
    expected_grade: 5,
    has_disability: false,
    is_orphan: false,
    is_unattended: false,
    is_in_hardship: false,
    is_migrant: false,
  }
}

const pupils = [child('王小明'), child('李小红'), child('王芳')]

beforeEach(async () => {
  useSessionDb(db)
  await Promise.all([db.children.clear(), db.outbox.clear(), db.cases.clear()])
  await db.children.bulkPut(pupils)
  // Offline: the class comes from the phone, nothing is sent.
  vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
})

afterEach(() => {
  vi.restoreAllMocks()
})

async function mountReport() {
  const router = createAppRouter(createMemoryHistory())
  await router.push('/')
  await router.isReady()
  return mount(ReportView, { global: { plugins: [router, createAppI18n('zh-CN')] } })
}

async function pick(wrapper: VueWrapper, name: string) {
  await wrapper.get('[data-testid="report-child"]').trigger('click')
  await vi.waitFor(async () => {
    await flushPromises()
    expect(wrapper.findAll('[data-testid="report-child-option"]').length).toBeGreaterThan(0)
  })
  await wrapper.get('[data-testid="report-child-search"] input').setValue(name)
  const option = wrapper.findAll('[data-testid="report-child-option"]').find((o) => o.text().includes(name))
  await option!.trigger('click')
  await flushPromises()
}

const submit = async (wrapper: VueWrapper) => {
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('ReportView', () => {
  it('queues exactly one POST /cases with the report, keyed by the case id, and clears the form', async () => {
    const wrapper = await mountReport()
    await pick(wrapper, '李小红')
    expect((wrapper.get('[data-testid="report-child"] input').element as HTMLInputElement).value).toBe('李小红')
    await wrapper.get('[data-testid="reason-gone_to_work"]').trigger('click')
    const before = Date.now()

    await submit(wrapper)

    await vi.waitFor(async () => expect(await db.outbox.count()).toBe(1))
    const [item] = await db.outbox.toArray()
    const body = item!.body as CaseCreate & { id: string }
    expect(item).toMatchObject({ method: 'POST', path: '/cases', state: 'waiting', childName: '李小红' })
    expect(item!.uuid).toBe(body.id)
    expect(item!.caseId).toBe(body.id)
    expect(body).toMatchObject({
      child_id: pupils[1]!.id,
      source: 'teacher_report',
      days_absent: 3,
      last_seen_on: daysBefore(localToday(), 3),
      reason: 'gone_to_work',
      reason_note: null,
    })
    expect(Date.parse(body.noticed_at!)).toBeGreaterThanOrEqual(before - 1000)
    await vi.waitFor(() => expect(document.body.textContent).toContain('已报告，待上传'))
    // A clean form for the next pupil.
    expect((wrapper.get('[data-testid="report-child"] input').element as HTMLInputElement).value).toBe('')
    expect(wrapper.get('[data-testid="reason-unknown"]').attributes('aria-checked')).toBe('true')
    wrapper.unmount()
  })

  it('blocks a report with no pupil, saying why', async () => {
    const wrapper = await mountReport()
    await submit(wrapper)
    expect(wrapper.text()).toContain('请选择学生')
    expect(await db.outbox.count()).toBe(0)
    wrapper.unmount()
  })

  it('blocks a report with no days absent, and moves the last day seen with the days', async () => {
    const wrapper = await mountReport()
    await pick(wrapper, '王芳')
    const days = wrapper.get('[data-testid="report-days"] input')
    await days.setValue('5')
    await days.trigger('blur')
    await flushPromises()
    expect((wrapper.get('[data-testid="report-last-seen"]').element as HTMLInputElement).value).toBe(
      daysBefore(localToday(), 5),
    )
    await days.setValue('')
    await submit(wrapper)
    expect(wrapper.text()).toContain('请填写缺课天数')
    expect(await db.outbox.count()).toBe(0)
    wrapper.unmount()
  })
})

describe('report rules', () => {
  const today = '2026-03-10'
  const ok = { childId: 'c', days: 3, lastSeen: '2026-03-07', reason: 'unknown' as const, note: '' }
  const codes = (f: Parameters<typeof reportFaults>[0]) => reportFaults(f, today).map((x) => x.key)

  it('asks for a pupil, 1 to 365 days and a last day not after today', () => {
    expect(codes(ok)).toEqual([])
    expect(codes({ ...ok, childId: null })).toEqual(['report.error.child'])
    expect(codes({ ...ok, days: '' })).toEqual(['report.error.days'])
    expect(codes({ ...ok, days: 0 })).toEqual(['report.error.daysRange'])
    expect(codes({ ...ok, days: 366 })).toEqual(['report.error.daysRange'])
    expect(codes({ ...ok, lastSeen: '2026-03-11' })).toEqual(['report.error.lastSeenFuture'])
    expect(codes({ ...ok, note: '字'.repeat(501) })).toEqual(['report.error.noteTooLong'])
  })

  it('counts the days back on the calendar, across a month', () => {
    expect(daysBefore('2026-03-02', 3)).toBe('2026-02-27')
  })

  it('finds a pupil by part of the name', () => {
    expect(
      filterChildren(pupils, '王')
        .map((c) => c.name)
        .sort(),
    ).toEqual(['王小明', '王芳'].sort())
    expect(filterChildren(pupils, ' 小红 ').map((c) => c.name)).toEqual(['李小红'])
  })
})
