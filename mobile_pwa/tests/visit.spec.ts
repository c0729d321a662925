import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { RouterView, createMemoryHistory } from 'vue-router'
import { db, type QueuedChild, type QueuedVisit } from '../src/db'
import { householdsChanged } from '../src/households'
import { createAppI18n } from '../src/i18n'
import { createAppRouter } from '../src/router'
import { session } from '../src/session'
import { localToday } from '../src/time'
import { idCheckChar } from '../src/validators'
import { toStored } from '../src/workPackage'
import type { Me } from '../src/api/types'
import FoundChildForm from '../src/components/field/FoundChildForm.vue'
import { buildVisit, defaultObservation, formChildren, validateVisit } from '../src/components/field/visitForm'
import { AREAS, campaignFor, fakeId, makeChild } from './fixtures/fieldPackage'

const today = localToday()
const campaign = campaignFor(today)
const HOUSEHOLD = fakeId(1, 42)
const AT_SCHOOL = makeChild(1, {
  name: '李明',
  school_name: '城关小学',
  grade: 4,
  schooling_status: 'enrolled_in_county',
})
const LEAVING = makeChild(2, {
  name: '李华',
  school_name: '城关中学',
  grade: 8,
  schooling_status: 'enrolled_in_county',
})
const TODDLER = makeChild(3, {
  name: '李小宝',
  expected_grade: null,
  schooling_status: 'unknown',
  school_name: null,
  grade: null,
})

const ME: Me = {
  id: fakeId(9, 1),
  username: 'cadre',
  display_name: '村干部',
  role: 'village_cadre',
  must_change_password: false,
  areas: [],
  schools: [],
  classes: [],
  api_scopes: [],
}

beforeEach(async () => {
  await Promise.all([db.households.clear(), db.visitOutbox.clear(), db.photos.clear(), db.meta.clear()])
  sessionStorage.clear()
  householdsChanged()
  session.me = ME
  await db.households.put(
    toStored({
      id: HOUSEHOLD,
      version: 3,
      area_code: AREAS[2]!.code,
      address: '1组8号',
      head_name: '李建国',
      head_pinyin: 'lijianguo',
      head_initials: 'ljg',
      phone: '138****5678',
      is_poverty_registered: true,
      is_minimum_living: false,
      guardians: [],
      children: [AT_SCHOOL, LEAVING, TODDLER],
      last_visit: null,
    }),
  )
  await db.meta.put({
    key: 'workPackage',
    value: {
      version: 'v1.1.000000000001',
      etag: null,
      checkedAt: Date.now(),
      generatedAt: '',
      masked: true,
      areas: AREAS,
      campaigns: [campaign],
      households: 1,
    },
  })
})

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  session.me = null
  document.body.innerHTML = ''
})

async function openVisit() {
  const router = createAppRouter(createMemoryHistory())
  await router.push(`/households/${HOUSEHOLD}/visit`)
  await router.isReady()
  const App = defineComponent({ render: () => h(RouterView) })
  wrapper = mount(App, { global: { plugins: [router, createAppI18n('zh-CN')] }, attachTo: document.body })
  await vi.waitFor(
    async () => {
      await flushPromises()
      expect(wrapper!.find('[data-testid=save-visit]').exists()).toBe(true)
    },
    { timeout: 10_000 },
  )
  return { wrapper: wrapper!, router }
}

const visits = async () => (await db.visitOutbox.where('kind').equals('visit').toArray()) as QueuedVisit[]

async function tap(w: VueWrapper, selector: string) {
  await w.get(selector).trigger('click')
  await flushPromises()
}

describe('VisitView', () => {
  it('queues one met visit with each child observed as picked', async () => {
    const { wrapper: w, router } = await openVisit()
    await tap(w, '[data-testid=outcome-met]')
    // The enrolled child starts as in school, with the package's school.
    expect(
      w.get(`[data-testid=child-${AT_SCHOOL.id}] [data-testid=schooling-in_school]`).attributes('aria-checked'),
    ).toBe('true')
    expect(
      (w.get(`[data-testid=child-${AT_SCHOOL.id}] [data-testid=school-name] input`).element as HTMLInputElement).value,
    ).toBe('城关小学')

    const leaving = `[data-testid=child-${LEAVING.id}]`
    await tap(w, `${leaving} [data-testid=schooling-not_in_school]`)
    await tap(w, `${leaving} [data-testid=reason-picker] [data-testid=reason-gone_to_work]`)
    await w.get(`${leaving} [data-testid=whereabouts] input`).setValue('随父母在广东务工')
    await tap(w, '[data-testid=save-visit]')

    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('households'), { timeout: 10_000 })
    const queued = await visits()
    expect(queued).toHaveLength(1)
    const [visit] = queued
    expect(visit).toMatchObject({ state: 'waiting', attempts: 0 })
    expect(visit!.payload).toMatchObject({
      id: visit!.id,
      household_id: HOUSEHOLD,
      campaign_id: campaign.id,
      outcome: 'met',
      location: null,
      note: null,
    })
    expect(visit!.payload.attachment_ids).toBeUndefined()
    expect(Date.now() - Date.parse(visit!.payload.visited_at)).toBeLessThan(60_000)
    // The toddler, outside compulsory age, is left out.
    expect(visit!.payload.observations).toEqual([
      { child_id: AT_SCHOOL.id, schooling: 'in_school', school_name: '城关小学', grade: 4 },
      { child_id: LEAVING.id, schooling: 'not_in_school', reason: 'gone_to_work', whereabouts: '随父母在广东务工' },
    ])
    expect(sessionStorage.length).toBe(0)
  }, 30_000)

  it('refuses to save until the errors are fixed, and names the field', async () => {
    const { wrapper: w } = await openVisit()
    await tap(w, '[data-testid=save-visit]')
    expect(w.text()).toContain('请选择走访结果')
    expect(await visits()).toHaveLength(0)

    await tap(w, '[data-testid=outcome-met]')
    const leaving = `[data-testid=child-${LEAVING.id}]`
    await w.get(`${leaving} [data-testid=school-name] input`).setValue('  ')
    await tap(w, `[data-testid=child-${AT_SCHOOL.id}] [data-testid=schooling-in_school]`) // cleared: no choice
    await tap(w, '[data-testid=save-visit]')

    expect(w.get(leaving).text()).toContain('在校须写明学校')
    expect(w.get(`[data-testid=child-${AT_SCHOOL.id}]`).text()).toContain('请选择这名儿童的情况')
    expect(w.get(`[data-testid=child-${TODDLER.id}]`).text()).not.toContain('请选择')
    expect(w.text()).not.toContain('请选择走访结果')
    expect(await visits()).toHaveLength(0)

    await tap(w, `${leaving} [data-testid=schooling-away]`)
    await tap(w, '[data-testid=save-visit]')
    expect(w.get(leaving).text()).toContain('外出须写明去向')
    expect(await visits()).toHaveLength(0)
  }, 30_000)

  it('queues a child found at the door before the visit that observes it', async () => {
    const { wrapper: w, router } = await openVisit()
    await tap(w, '[data-testid=outcome-met]')
    await tap(w, '[data-testid=add-child]')
    // The form sits in a popup teleported to <body>: reach it through its component.
    const form = () => w.getComponent(FoundChildForm)
    const add = async () => {
      await form().get('[data-testid=found-add]').trigger('click')
      await flushPromises()
    }
    const first17 = '13012320160501123' // born 2016-05-01, sequence odd: a boy
    const idNumber = first17 + idCheckChar(first17)
    const wrongDigit = first17 + (idCheckChar(first17) === '0' ? '1' : '0')

    await form().get('[data-testid=found-name] input').setValue('李小军')
    await form().get('[data-testid=found-id-number] input').setValue(wrongDigit)
    await add()
    expect(form().text()).toContain('身份证号码校验位不正确')
    expect(form().text()).toContain('必填') // sex and birth date

    await form().get('[data-testid=found-id-number] input').setValue(idNumber.toLowerCase())
    await form().get('[data-testid=found-phone] input').setValue('138 1234 5678')
    await add()
    expect(form().text()).toContain('填了电话，请填监护人姓名')
    await form().get('[data-testid=found-phone] input').setValue('')
    await add() // sex and birth date come from the number
    expect(w.findComponent(FoundChildForm).exists()).toBe(false)

    const block = w.findAll('[data-testid^=child-]').at(-1)!
    expect(block.text()).toContain('李小军')
    await block.get('[data-testid=schooling-away]').trigger('click')
    await block.get('[data-testid=whereabouts] input').setValue('在外婆家')
    await tap(w, '[data-testid=save-visit]')

    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('households'), { timeout: 10_000 })
    const records = await db.visitOutbox.orderBy('createdAt').toArray()
    expect(records.map((r) => r.kind)).toEqual(['child', 'visit'])
    const child = records[0] as QueuedChild
    expect(child.payload).toMatchObject({
      household_id: HOUSEHOLD,
      name: '李小军',
      sex: 'male',
      birth_date: '2016-05-01',
      id_number: idNumber,
    })
    const visit = records[1] as QueuedVisit
    expect(visit.payload.observations?.at(-1)).toEqual({
      child_id: child.id,
      schooling: 'away',
      whereabouts: '在外婆家',
    })
    // Listed with the household at once, so a second visit can observe the child too.
    expect((await db.households.get(HOUSEHOLD))!.children.map((c) => c.id)).toContain(child.id)
  }, 30_000)
})

describe('the visit rules', () => {
  it('sends no observations unless the family was met, and checks lengths as the server does', () => {
    const children = formChildren([AT_SCHOOL, LEAVING], [])
    const observations = { [AT_SCHOOL.id]: defaultObservation(AT_SCHOOL), [LEAVING.id]: defaultObservation(LEAVING) }
    const ctx = {
      householdId: HOUSEHOLD,
      campaignId: null,
      visitedAt: '2026-03-02T01:00:00Z',
      location: null,
      photoIds: [],
    }
    expect(buildVisit({ outcome: 'nobody_home', children, observations, note: '' }, ctx).observations).toEqual([])
    expect(validateVisit({ outcome: 'nobody_home', children, observations, note: '' })).toEqual({})
    expect(validateVisit({ outcome: 'met', children, observations, note: '长'.repeat(501) })).toEqual({
      note: { key: 'visit.errors.tooLong', params: { max: 500 } },
    })
    const long = { ...observations, [AT_SCHOOL.id]: { ...observations[AT_SCHOOL.id]!, school_name: '校'.repeat(101) } }
    expect(validateVisit({ outcome: 'met', children, observations: long, note: '' })).toHaveProperty(
      `${AT_SCHOOL.id}.school_name`,
    )
    expect(
      buildVisit({ outcome: 'met', children, observations, note: ' 好 ' }, { ...ctx, photoIds: ['p1'] }),
    ).toMatchObject({
      note: '好',
      attachment_ids: ['p1'],
    })
  })

  it('starts each child of compulsory age at its package status', () => {
    expect(defaultObservation(AT_SCHOOL)).toMatchObject({ schooling: 'in_school', school_name: '城关小学', grade: 4 })
    expect(defaultObservation(makeChild(4, { schooling_status: 'dropped_out' })).schooling).toBe('not_in_school')
    expect(defaultObservation(TODDLER).schooling).toBeNull()
    expect(defaultObservation(makeChild(5, { schooling_status: 'unknown' })).schooling).toBeNull()
  })
})
