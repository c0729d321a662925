import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { BaoxueDB, db as appDb, newUuid, type CachedCase, type OutboxItem } from '../src/db'
import { freshDb } from './freshDb'
import { ACCESS_TOKEN_KEY, useSessionDb } from '../src/session'
import {
  discardRequest,
  queueRequest,
  replayRequests,
  requeueRequests,
  startRequestSync,
  queueVisit,
} from '../src/sync'
import { queueAttempt, queueReport } from '../src/cases'
import { markRead } from '../src/notifications'
import { createAppI18n } from '../src/i18n'
import OutboxView from '../src/views/OutboxView.vue'

let db: BaoxueDB

async function logInto(target: BaoxueDB) {
  useSessionDb(target)
  await target.meta.bulkPut([
    { key: ACCESS_TOKEN_KEY, value: 'tok-1' },
    { key: 'accessExpiresAt', value: Date.now() + 3_600_000 },
  ])
}

freshDb('requests', async (fresh) => {
  db = fresh
  await logInto(db)
})

afterEach(async () => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

interface Call {
  path: string
  method: string
  key: string | null
  auth: string | null
  body: unknown
}

type Answer = (call: Call) => Response | Promise<Response>

/** A fake API: records each call, answers 201 with the body (and an id) unless told. */
function serve(answer: Answer = (c) => Response.json({ id: newUuid(), ...(c.body as object) }, { status: 201 })) {
  const calls: Call[] = []
  let inFlight = 0
  let maxInFlight = 0
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    const call: Call = {
      path: String(input).replace('/api/v1', ''),
      method: init.method ?? 'GET',
      key: headers.get('Idempotency-Key'),
      auth: headers.get('Authorization'),
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    }
    calls.push(call)
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    try {
      // As a real fetch: an abort (the outbox's timeout) ends the wait.
      return await new Promise<Response>((resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
        setTimeout(() => Promise.resolve(answer(call)).then(resolve, reject), 5)
      })
    } finally {
      inFlight -= 1
    }
  })
  vi.stubGlobal('fetch', fetch)
  return { calls, fetch, maxInFlight: () => maxInFlight }
}

const problem = (status: number, detail: string, errors: object[] = []) =>
  Response.json({ type: 'about:blank', title: 'x', status, detail, errors }, { status })

const attempt = (persons = '张三（村干部）') => ({
  attempted_at: '2026-03-02T09:30:00+08:00',
  persons,
  method: 'home_visit' as const,
  outcome: 'undecided' as const,
})

const caseRef = (id = newUuid()) => ({ id, child_name: '李小红' })
const items = () => db.outbox.toArray()

describe('queueing', () => {
  it('keeps creation order strictly increasing within one millisecond', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(5_000)
    const a = await queueRequest({ method: 'POST', path: '/x', body: 1 }, db)
    const b = await queueRequest({ method: 'POST', path: '/x', body: 2 }, db)
    expect([a.createdAt, b.createdAt]).toEqual([5_000, 5_001])
  })

  it('gives a report the case id as its uuid, so the id is also the Idempotency-Key', async () => {
    const id = newUuid()
    const item = await queueReport(
      { id, child_id: newUuid(), source: 'teacher_report', reason: 'unknown', days_absent: 3 },
      '王小明',
      db,
    )
    expect(item).toMatchObject({ uuid: id, caseId: id, childName: '王小明', path: '/cases', state: 'waiting' })
  })
})

describe('replayRequests', () => {
  it('sends in creation order with the Idempotency-Key and the token, then empties the outbox', async () => {
    const server = serve()
    const one = caseRef()
    const two = caseRef()
    const a = await queueAttempt(one, attempt('甲'), db)
    const b = await queueAttempt(two, attempt('乙'), db)
    const c = await queueAttempt(one, attempt('丙'), db)

    const report = await replayRequests({ db })

    expect(report).toMatchObject({ synced: 3, error: 0, requeued: 0, caseIds: [one.id, two.id] })
    expect(server.calls.map((x) => x.key)).toEqual([a.uuid, b.uuid, c.uuid])
    expect(server.calls.map((x) => (x.body as { persons: string }).persons)).toEqual(['甲', '乙', '丙'])
    expect(server.calls[0]).toMatchObject({ method: 'POST', path: `/cases/${one.id}/attempts`, auth: 'Bearer tok-1' })
    expect(await items()).toEqual([])
  })

  it("turns a 409 into a failed item with the server's words; the same case waits, others go", async () => {
    const detail = '这名儿童已有未结的个案 (this child has an open case already)'
    const blocked = caseRef()
    const other = caseRef()
    const server = serve((c) =>
      c.path === '/cases' ? problem(409, detail) : Response.json({ id: newUuid() }, { status: 201 }),
    )
    const report = await queueReport(
      { id: blocked.id, child_id: newUuid(), source: 'teacher_report', reason: 'unknown' },
      '李小红',
      db,
    )
    const after = await queueAttempt(blocked, attempt(), db)
    const elsewhere = await queueAttempt(other, attempt(), db)

    const result = await replayRequests({ db })

    expect(result).toMatchObject({ synced: 1, error: 1, held: 1 })
    expect(await db.outbox.get(report.uuid)).toMatchObject({ state: 'error', lastError: detail, status: 409 })
    expect(await db.outbox.get(after.uuid)).toMatchObject({ state: 'waiting', attempts: 0 })
    expect(await db.outbox.get(elsewhere.uuid)).toBeUndefined()
    expect(server.calls.map((c) => c.path)).toEqual(['/cases', `/cases/${other.id}/attempts`])
  })

  it("keeps a 422's field errors for a person, and requeue or discard it later", async () => {
    const errors = [{ loc: ['body', 'persons'], msg: 'String should have at least 1 character' }]
    serve(() => problem(422, 'invalid', errors))
    const item = await queueAttempt(caseRef(), attempt(), db)
    await replayRequests({ db })
    expect(await db.outbox.get(item.uuid)).toMatchObject({ state: 'error', status: 422, errors })

    expect(await requeueRequests([item.uuid], db)).toBe(1)
    const requeued = await db.outbox.get(item.uuid)
    expect(requeued).toMatchObject({ state: 'waiting' })
    expect([requeued?.lastError, requeued?.errors]).toEqual([undefined, undefined])
    await replayRequests({ db })
    expect(await discardRequest(item.uuid, db)).toBe(1)
    expect(await items()).toEqual([])
  })

  it('loses nothing on a network failure: back to waiting, the rest untried, sent later', async () => {
    const down = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    })
    vi.stubGlobal('fetch', down)
    const a = await queueAttempt(caseRef(), attempt(), db)
    const b = await queueAttempt(caseRef(), attempt(), db)

    const report = await replayRequests({ db })

    expect(report).toMatchObject({ synced: 0, requeued: 2, stopped: 'network' })
    expect(down).toHaveBeenCalledTimes(1)
    expect(await db.outbox.get(a.uuid)).toMatchObject({ state: 'waiting', attempts: 1, body: a.body })
    expect(await db.outbox.get(b.uuid)).toMatchObject({ state: 'waiting', attempts: 0 })

    const server = serve()
    expect(await replayRequests({ db })).toMatchObject({ synced: 2 })
    expect(server.calls.map((c) => c.key)).toEqual([a.uuid, b.uuid])
  })

  it("waits again on a 5xx, a timeout, and a 2xx that is not the API's (a captive portal)", async () => {
    const item = await queueAttempt(caseRef(), attempt(), db)
    serve(() => problem(503, 'busy'))
    expect(await replayRequests({ db })).toMatchObject({ stopped: 'server' })
    serve(() => new Response('<html>请登录 WiFi</html>', { status: 200 }))
    expect(await replayRequests({ db })).toMatchObject({ stopped: 'server' })
    serve(() => new Promise<Response>(() => {}))
    expect(await replayRequests({ db, timeoutMs: 20 })).toMatchObject({ stopped: 'network' })
    expect(await db.outbox.get(item.uuid)).toMatchObject({ state: 'waiting', attempts: 3 })
  })

  it('stops with auth when no login is held, keeping the item', async () => {
    await db.meta.delete(ACCESS_TOKEN_KEY)
    const server = serve()
    const item = await queueAttempt(caseRef(), attempt(), db)
    expect(await replayRequests({ db })).toMatchObject({ stopped: 'auth' })
    expect(server.calls).toEqual([])
    expect(await db.outbox.get(item.uuid)).toMatchObject({ state: 'waiting' })
  })

  it('sends again, with the same key, what an app killed mid-request left sending', async () => {
    const item = await queueAttempt(caseRef(), attempt(), db)
    await db.outbox.update(item.uuid, { state: 'sending', attempts: 1 })
    const server = serve()
    expect(await replayRequests({ db })).toMatchObject({ synced: 1 })
    expect(server.calls.map((c) => c.key)).toEqual([item.uuid])
    expect(await items()).toEqual([])
  })

  it('runs one at a time: a second call joins the first, one request in flight', async () => {
    const server = serve()
    for (let i = 0; i < 3; i++) await queueAttempt(caseRef(), attempt(), db)
    const [first, second] = await Promise.all([replayRequests({ db }), replayRequests({ db })])
    expect(second).toBe(first)
    expect(server.calls).toHaveLength(3)
    expect(server.maxInFlight()).toBe(1)
  })

  it('writes the answer into the cache as the item leaves, then asks for the case again', async () => {
    const c = caseRef()
    const cached = { id: c.id, child_name: c.child_name, status: 'planned', attempts: [], cachedAt: 1 }
    await db.cases.put(cached as unknown as CachedCase)
    const answer = { id: newUuid(), case_id: c.id, number: 1, ...attempt() }
    serve(() => Response.json(answer, { status: 201 }))
    await queueAttempt(c, attempt(), db)
    const afterSent = vi.fn()

    await replayRequests({ db, afterSent })

    expect((await db.cases.get(c.id))?.attempts).toEqual([answer])
    expect(afterSent).toHaveBeenCalledWith([c.id])
  })
})

describe('a message read', () => {
  it('is marked read on the phone at once, queued when offline, and dropped if the server lost it', async () => {
    const n = {
      id: newUuid(),
      kind: 'overdue' as const,
      case_id: null,
      title: '超期',
      body: '…',
      created_at: '2026-03-02T00:00:00Z',
      read_at: null,
    }
    await db.notifications.put(n)
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
    await markRead(n, db)
    expect((await db.notifications.get(n.id))?.read_at).toBeTypeOf('string')
    expect(await items()).toMatchObject([{ method: 'POST', path: `/notifications/${n.id}/read`, state: 'waiting' }])

    serve(() => problem(404, 'no such notification'))
    expect(await replayRequests({ db })).toMatchObject({ error: 0 })
    expect(await items()).toEqual([])
  })
})

describe('startRequestSync', () => {
  it('sends what is queued, and after a network failure tries again with a delay', async () => {
    let up = false
    const fetch = vi.fn(async (_input: RequestInfo | URL, init: RequestInit = {}) => {
      if (!up) throw new TypeError('Failed to fetch')
      return Response.json({ id: newUuid(), ...(JSON.parse(String(init.body)) as object) }, { status: 201 })
    })
    vi.stubGlobal('fetch', fetch)
    const auto = startRequestSync({ db, events: new EventTarget(), baseDelayMs: 30, maxDelayMs: 30 })
    try {
      await queueAttempt(caseRef(), attempt(), db)
      await vi.waitFor(() => expect(auto.failures).toBeGreaterThan(0))
      up = true
      await vi.waitFor(async () => expect(await db.outbox.count()).toBe(0), { timeout: 2_000 })
      expect(auto.failures).toBe(0)
    } finally {
      auto.stop()
    }
  })
})

describe('OutboxView', () => {
  beforeEach(async () => {
    await Promise.all([appDb.visitOutbox.clear(), appDb.outbox.clear(), appDb.households.clear()])
    useSessionDb(appDb)
  })

  it('lists both outboxes with the waiting count, conflicts with the server state, errors by field', async () => {
    const householdId = newUuid()
    const childId = newUuid()
    await appDb.households.put({
      id: householdId,
      head_name: '王建国',
      children: [{ id: childId, name: '王小明' }],
    } as never)
    await queueVisit({ household_id: householdId, visited_at: '2026-03-02T09:30:00+08:00', outcome: 'met' }, appDb)
    const conflict = await queueVisit(
      { household_id: householdId, visited_at: '2026-03-01T09:30:00+08:00', outcome: 'nobody_home' },
      appDb,
    )
    await appDb.visitOutbox.update(conflict.id, {
      state: 'conflict',
      detail: '已有更新的记录',
      serverState: [
        {
          child_id: childId,
          schooling_status: 'enrolled_outside_county',
          status_changed_at: '2026-03-05T00:00:00Z',
          seen_at: '2026-03-05T00:00:00Z',
        },
      ],
    })
    const failed = await queueReport(
      { id: newUuid(), child_id: newUuid(), source: 'teacher_report', reason: 'unknown' },
      '李小红',
      appDb,
    )
    await appDb.outbox.update(failed.uuid, {
      state: 'error',
      lastError: '这名儿童已有未结的个案',
      status: 422,
      errors: [{ loc: ['body', 'days_absent'], msg: '应不大于365' }],
    } satisfies Partial<OutboxItem>)
    await queueAttempt(caseRef(), attempt(), appDb)

    const wrapper = mount(OutboxView, { global: { plugins: [createAppI18n('zh-CN')] } })
    await vi.waitFor(async () => {
      await flushPromises()
      expect(wrapper.findAll('[data-testid="outbox-row"]')).toHaveLength(4)
    })

    expect(wrapper.get('[data-testid="outbox-waiting-count"]').text()).toBe('2')
    const states = wrapper.findAll('[data-testid="outbox-row"]').map((r) => r.attributes('data-state'))
    expect(states).toEqual(['error', 'conflict', 'waiting', 'waiting'])
    const conflictRow = wrapper.get('[data-state="conflict"]')
    expect(conflictRow.text()).toContain('王建国 · 无人在家')
    expect(conflictRow.text()).toContain('已有更新的记录')
    expect(conflictRow.get('[data-testid="outbox-server-state"]').text()).toContain('王小明')
    expect(conflictRow.text()).toContain('县外就读')
    const errorRow = wrapper.get('[data-state="error"]')
    expect(errorRow.text()).toContain('李小红')
    expect(errorRow.text()).toContain('报告疑似辍学')
    expect(errorRow.text()).toContain('这名儿童已有未结的个案')
    expect(errorRow.get('[data-testid="outbox-errors"]').text()).toContain('days_absent 应不大于365')
    expect(wrapper.text()).toContain('待上传 2 条')

    await errorRow.get('[data-testid="outbox-retry"]').trigger('click')
    await vi.waitFor(async () => expect((await appDb.outbox.get(failed.uuid))?.state).toBe('waiting'))
    wrapper.unmount()
  })
})
