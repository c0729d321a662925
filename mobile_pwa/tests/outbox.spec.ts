import { describe, expect, it, vi } from 'vitest'
import Dexie from 'dexie'
import { BaoxueDB, newUuid, type QueuedRecord } from '../src/db'
import { freshDb } from './freshDb'
import zhCN from '../src/i18n/zh-CN'
import {
  backoffDelay,
  countsByState,
  isSyncing,
  liveWaitingCount,
  listQueued,
  queueChild,
  queueHousehold,
  queueVisit,
  requeue,
  splitBatches,
  startAutoSync,
  syncNow,
  waitingCount,
  type BatchResult,
  type ItemOutcome,
  type VisitBatch,
  type VisitIn,
} from '../src/sync'
import { startSender } from '../src/sync/sender'

let db: BaoxueDB

freshDb('outbox', async (fresh) => {
  db = fresh
})

const TOKEN = 'tok-1'

function visit(overrides: Partial<VisitIn> = {}): Omit<VisitIn, 'id'> {
  return {
    household_id: newUuid(),
    visited_at: '2026-03-02T09:30:00+08:00',
    outcome: 'met',
    observations: [{ child_id: newUuid(), schooling: 'in_school', school_name: '城关小学' }],
    ...overrides,
  }
}

type Answer = (list: keyof VisitBatch, item: { id: string }, index: number) => Partial<ItemOutcome>

/** A fake /visits/batch: records every body it got, answers each item (created by default). */
function fakeServer(answer: Answer = () => ({})) {
  const bodies: VisitBatch[] = []
  const headers: Headers[] = []
  const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as VisitBatch
    bodies.push(body)
    headers.push(new Headers(init?.headers))
    const outcomes = (list: keyof VisitBatch): ItemOutcome[] =>
      body[list].map((item, index) => ({
        index,
        id: item.id,
        result: 'created',
        ...answer(list, item, index),
      }))
    const result: BatchResult = {
      received_at: '2026-03-02T10:00:00+08:00',
      households: outcomes('households'),
      children: outcomes('children'),
      visits: outcomes('visits'),
    }
    return Response.json(result)
  })
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls: fetch, bodies, headers }
}

function problem(status: number, body: object) {
  return vi.fn(async () =>
    Response.json({ status, ...body }, { status, headers: { 'Content-Type': 'application/problem+json' } }),
  ) as unknown as typeof globalThis.fetch
}

const get = (id: string) => db.visitOutbox.get(id) as Promise<QueuedRecord>

describe('queueing', () => {
  it('stores a visit first, waiting, keyed by the UUID it sends', async () => {
    const queued = await queueVisit(visit(), db)
    expect(queued.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(queued.payload.id).toBe(queued.id)
    expect(await get(queued.id)).toMatchObject({ kind: 'visit', state: 'waiting', attempts: 0 })
  })

  it('keeps creation order strictly increasing even within one millisecond', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_000)
    const a = await queueHousehold({ area_code: '130123100201', address: '一组12号', head_name: '王建国' }, db)
    const b = await queueChild({ household_id: a.id, name: '王小明', sex: 'male' }, db)
    const c = await queueVisit(visit({ household_id: a.id }), db)
    vi.restoreAllMocks()
    expect([a.createdAt, b.createdAt, c.createdAt]).toEqual([1_000, 1_001, 1_002])
    expect(b.payload).toMatchObject({ sex: 'male', household_id: a.id })
  })

  it('counts what waits, and a live query follows it', async () => {
    const seen: number[] = []
    const sub = liveWaitingCount(db).subscribe((n) => seen.push(n))
    await queueVisit(visit(), db)
    await queueVisit(visit(), db)
    await vi.waitFor(() => expect(seen.at(-1)).toBe(2))
    expect(await waitingCount(db)).toBe(2)

    await syncNow({ fetch: fakeServer().fetch, token: TOKEN, db })
    await vi.waitFor(() => expect(seen.at(-1)).toBe(0))
    sub.unsubscribe()
    expect(await countsByState(db)).toEqual({ waiting: 0, sending: 0, synced: 2, error: 0, conflict: 0 })
  })

  it('survives a reload: a new database object on the same name has the queue', async () => {
    const queued = await queueVisit(visit(), db)
    db.close()
    const reopened = new BaoxueDB(db.name)
    expect(await reopened.visitOutbox.get(queued.id)).toEqual(queued)
    expect(await waitingCount(reopened)).toBe(1)
    reopened.close()
    db = new BaoxueDB(db.name) // for afterEach
  })
})

describe('syncNow', () => {
  it('sends households, children and visits in one batch and marks them synced', async () => {
    const h = await queueHousehold({ area_code: '130123100201', address: '一组12号', head_name: '王建国' }, db)
    const c = await queueChild({ household_id: h.id, name: '王小明' }, db)
    const v = await queueVisit(
      visit({
        household_id: h.id,
        observations: [{ child_id: c.id, schooling: 'not_in_school', reason: 'weariness' }],
      }),
      db,
    )
    const caseId = newUuid()
    const server = fakeServer((list) => (list === 'visits' ? { case_ids: [caseId] } : {}))

    const report = await syncNow({ fetch: server.fetch, token: TOKEN, db })

    expect(report).toMatchObject({ batches: 1, synced: 3, conflict: 0, error: 0, requeued: 0 })
    expect(report.stopped).toBeUndefined()
    expect(server.bodies).toEqual([{ households: [h.payload], children: [c.payload], visits: [v.payload] }])
    expect(server.headers[0]!.get('Authorization')).toBe(`Bearer ${TOKEN}`)
    expect(await get(v.id)).toMatchObject({ state: 'synced', result: 'created', attempts: 1, caseIds: [caseId] })
    expect((await get(v.id)).syncedAt).toBeTypeOf('number')
    expect(await get(h.id)).toMatchObject({ state: 'synced' })
    // Synced records are not sent again.
    await syncNow({ fetch: server.fetch, token: TOKEN, db })
    expect(server.calls).toHaveBeenCalledTimes(1)
  })

  it('takes duplicate as synced and keeps the cases the lost first answer opened', async () => {
    const v = await queueVisit(visit(), db)
    const caseId = newUuid()
    await db.visitOutbox.update(v.id, { state: 'waiting', caseIds: [caseId] })
    await syncNow({ fetch: fakeServer(() => ({ result: 'duplicate' })).fetch, token: TOKEN, db })
    expect(await get(v.id)).toMatchObject({ state: 'synced', result: 'duplicate', caseIds: [caseId] })
  })

  it('keeps the server state and detail of a conflict', async () => {
    const v = await queueVisit(visit(), db)
    const childId = v.payload.observations![0]!.child_id
    const serverState = [
      {
        child_id: childId,
        schooling_status: 'enrolled_outside_county',
        status_changed_at: '2026-03-05T08:00:00+08:00',
        seen_at: '2026-03-05T08:00:00+08:00',
      },
    ]
    const detail = '已有更新的记录，观察未覆盖 (a later status is recorded; visit kept)'
    const report = await syncNow({
      fetch: fakeServer(() => ({ result: 'conflict', detail, server_state: serverState })).fetch,
      token: TOKEN,
      db,
    })
    expect(report.conflict).toBe(1)
    expect(await get(v.id)).toMatchObject({ state: 'conflict', result: 'conflict', detail, serverState })
    // A conflict is final: it waits for a person, not for the next sync.
    expect(await waitingCount(db)).toBe(0)
  })

  it('keeps the errors of an invalid item, goes on with the others, and can requeue it', async () => {
    const bad = await queueVisit(visit(), db)
    const good = await queueVisit(visit(), db)
    const errors = [{ loc: ['visited_at'], msg: '走访时间晚于现在，请校准手机时间' }]
    const server = fakeServer((_list, item) => (item.id === bad.id ? { result: 'invalid', errors } : {}))
    const report = await syncNow({ fetch: server.fetch, token: TOKEN, db })
    expect(report).toMatchObject({ synced: 1, error: 1 })
    expect(await get(bad.id)).toMatchObject({ state: 'error', result: 'invalid', errors })
    expect(await get(good.id)).toMatchObject({ state: 'synced' })

    expect(await requeue([bad.id, good.id], db)).toBe(1) // only the one in error
    expect(await get(bad.id)).toMatchObject({ state: 'waiting' })
    expect(await get(good.id)).toMatchObject({ state: 'synced' })
  })

  it('loses nothing on a network failure, and a later sync sends it', async () => {
    const a = await queueVisit(visit(), db)
    const b = await queueVisit(visit(), db)
    const offline = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    }) as unknown as typeof globalThis.fetch

    const report = await syncNow({ fetch: offline, token: TOKEN, db })

    expect(report).toMatchObject({ stopped: 'network', requeued: 2, synced: 0 })
    for (const id of [a.id, b.id]) {
      const r = await get(id)
      expect(r).toMatchObject({ state: 'waiting', attempts: 1, lastError: { kind: 'network' } })
    }
    expect((await get(a.id)).payload).toEqual(a.payload)

    const server = fakeServer()
    expect(await syncNow({ fetch: server.fetch, token: TOKEN, db })).toMatchObject({ synced: 2 })
    expect(server.bodies[0]!.visits).toEqual([a.payload, b.payload])
    const r = await get(a.id)
    expect(r).toMatchObject({ state: 'synced', attempts: 2 })
    expect(r.lastError).toBeUndefined()
  })

  it('puts records back to wait on a 5xx or a 2xx it cannot read', async () => {
    const v = await queueVisit(visit(), db)
    const r503 = await syncNow({
      fetch: problem(503, { title: 'Service Unavailable', detail: 'database: down' }),
      token: TOKEN,
      db,
    })
    expect(r503).toMatchObject({ stopped: 'server', message: 'database: down' })
    expect(await get(v.id)).toMatchObject({ state: 'waiting', lastError: { kind: 'server', status: 503 } })

    const portal = vi.fn(
      async () => new Response('<html>登录 WiFi</html>', { status: 200 }),
    ) as unknown as typeof globalThis.fetch
    expect(await syncNow({ fetch: portal, token: TOKEN, db })).toMatchObject({ stopped: 'server' })
    expect(await get(v.id)).toMatchObject({ state: 'waiting', attempts: 2 })
  })

  it('on 401 keeps everything waiting and says a login is needed; without a token sends nothing', async () => {
    const v = await queueVisit(visit(), db)
    const report = await syncNow({
      fetch: problem(401, { title: 'Unauthorized', detail: '登录已过期' }),
      token: TOKEN,
      db,
    })
    expect(report).toMatchObject({ stopped: 'auth', requeued: 1 })
    expect(await get(v.id)).toMatchObject({ state: 'waiting', lastError: { kind: 'auth', status: 401 } })

    const server = fakeServer()
    expect(await syncNow({ fetch: server.fetch, token: null, db })).toMatchObject({ stopped: 'auth' })
    expect(server.calls).not.toHaveBeenCalled()
    expect(await get(v.id)).toMatchObject({ state: 'waiting', attempts: 1 })
  })

  it('marks a batch the server refuses as a whole (422) as error with the problem', async () => {
    const v = await queueVisit(visit(), db)
    const errors = [{ loc: ['body', 'visits'], msg: 'List should have at most 500 items' }]
    const report = await syncNow({
      fetch: problem(422, { title: 'Unprocessable Content', detail: '请求内容有误', errors }),
      token: TOKEN,
      db,
    })
    expect(report).toMatchObject({ error: 1, message: '请求内容有误' })
    expect(report.stopped).toBeUndefined()
    expect(await get(v.id)).toMatchObject({
      state: 'error',
      errors,
      lastError: { kind: 'rejected', status: 422, message: '请求内容有误' },
    })
  })

  it('sends again a record an app killed mid-request left sending', async () => {
    const v = await queueVisit(visit(), db)
    // What a kill leaves behind: claimed, attempt counted, no answer written.
    await db.visitOutbox.update(v.id, { state: 'sending', attempts: 1 })
    db.close()
    db = new BaoxueDB(db.name)
    const server = fakeServer(() => ({ result: 'duplicate' }))
    await syncNow({ fetch: server.fetch, token: TOKEN, db })
    expect(server.bodies[0]!.visits.map((x) => x.id)).toEqual([v.id])
    expect(await get(v.id)).toMatchObject({ state: 'synced', result: 'duplicate', attempts: 2 })
  })

  it('splits at 200 visits, households travelling no later than the visits after them', async () => {
    const h = await queueHousehold({ area_code: '130123100201', address: '二组3号', head_name: '李四' }, db)
    const queued = [h.id]
    for (let i = 0; i < 450; i++) queued.push((await queueVisit(visit({ household_id: h.id }), db)).id)
    const server = fakeServer()

    const report = await syncNow({ fetch: server.fetch, token: TOKEN, db })

    expect(report).toMatchObject({ batches: 3, synced: 451 })
    expect(server.bodies.map((b) => [b.households.length, b.visits.length])).toEqual([
      [1, 200],
      [0, 200],
      [0, 50],
    ])
    expect(server.bodies.flatMap((b) => [...b.households, ...b.visits].map((x) => x.id))).toEqual(queued)
  })

  it('when a later batch fails, the earlier one stays synced and the rest waits', async () => {
    for (let i = 0; i < 250; i++) await queueVisit(visit(), db)
    const ok = fakeServer()
    let call = 0
    const flaky = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      if (++call === 2) throw new TypeError('Network request failed')
      return ok.fetch(url, init)
    }) as unknown as typeof globalThis.fetch
    const report = await syncNow({ fetch: flaky, token: TOKEN, db })
    expect(report).toMatchObject({ batches: 1, synced: 200, requeued: 50, stopped: 'network' })
    expect(await countsByState(db)).toMatchObject({ synced: 200, waiting: 50, sending: 0 })
  })

  it('puts an item the server did not answer back to wait', async () => {
    const a = await queueVisit(visit(), db)
    const b = await queueVisit(visit(), db)
    const fetch = vi.fn(async () =>
      Response.json({
        received_at: '2026-03-02T10:00:00+08:00',
        households: [],
        children: [],
        visits: [
          { index: 0, id: a.id, result: 'created' },
          { index: 1, id: newUuid(), result: 'created' },
        ],
      }),
    ) as unknown as typeof globalThis.fetch
    const report = await syncNow({ fetch, token: TOKEN, db })
    expect(report).toMatchObject({ synced: 1, requeued: 1 })
    expect(await get(b.id)).toMatchObject({ state: 'waiting', lastError: { kind: 'unanswered' } })
  })

  it('runs one sync at a time: a second call joins the first', async () => {
    await queueVisit(visit(), db)
    const server = fakeServer()
    const first = syncNow({ fetch: server.fetch, token: TOKEN, db })
    const second = syncNow({ fetch: server.fetch, token: TOKEN, db })
    expect(second).toBe(first)
    expect(isSyncing(db)).toBe(true)
    await first
    expect(isSyncing(db)).toBe(false)
    expect(server.calls).toHaveBeenCalledTimes(1)
  })

  it('lists records newest first, filtered by state', async () => {
    const a = await queueVisit(visit(), db)
    const b = await queueVisit(visit(), db)
    expect((await listQueued(db)).map((r) => r.id)).toEqual([b.id, a.id])
    expect(await listQueued(db, ['error'])).toEqual([])
  })
})

describe('labels', () => {
  it('names every sync state, kind and failure in zh-CN (en is checked against it)', async () => {
    expect(Object.keys(zhCN.outbox.state).sort()).toEqual(Object.keys(await countsByState(db)).sort())
    expect(Object.keys(zhCN.outbox.kind).sort()).toEqual(['child', 'household', 'visit'])
    expect(Object.keys(zhCN.outbox.failure).sort()).toEqual(['auth', 'network', 'rejected', 'server', 'unanswered'])
  })
})

describe('splitBatches', () => {
  it('closes a batch when any list is full, in queue order', () => {
    const rec = (kind: QueuedRecord['kind'], n: number) => ({ kind, id: `${kind}-${n}` }) as QueuedRecord
    const records = [
      rec('household', 1),
      rec('household', 2),
      rec('visit', 1),
      rec('household', 3),
      rec('visit', 2),
      rec('child', 1),
    ]
    const batches = splitBatches(records, 2, 2)
    expect(batches.map((b) => b.map((r) => r.id))).toEqual([
      ['household-1', 'household-2', 'visit-1'],
      ['household-3', 'visit-2', 'child-1'],
    ])
    expect(splitBatches([])).toEqual([])
  })
})

describe('startAutoSync', () => {
  it('syncs at start, backs off after a failure, and syncs again when back online', async () => {
    await queueVisit(visit(), db)
    const events = new EventTarget()
    const ok = fakeServer()
    let down = true
    const fetch = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
      if (down) throw new TypeError('Failed to fetch')
      return ok.fetch(url, init)
    }) as unknown as typeof globalThis.fetch
    const reports: string[] = []
    const auto = startAutoSync({
      db,
      fetch,
      events,
      getToken: () => TOKEN,
      baseDelayMs: 20,
      maxDelayMs: 40,
      onReport: (r) => reports.push(r.stopped ?? 'done'),
    })
    try {
      // The start sync and at least one backoff retry fail…
      await vi.waitFor(() => expect(reports.length).toBeGreaterThanOrEqual(2))
      expect(reports.every((r) => r === 'network')).toBe(true)
      expect(auto.failures).toBeGreaterThanOrEqual(2)
      expect(await waitingCount(db)).toBe(1)
      // …then the phone is back online.
      down = false
      events.dispatchEvent(new Event('online'))
      await vi.waitFor(async () => expect(await waitingCount(db)).toBe(0))
      await vi.waitFor(() => expect(auto.failures).toBe(0))
    } finally {
      auto.stop()
    }
  })

  it('sends once at start, even when that send is over before the first count of the queue', async () => {
    await queueVisit(visit(), db)
    // Answers at once, without touching IndexedDB: done before the live count's first read.
    const send = vi.fn(async () => 'auth')
    const reports: string[] = []
    const sender = startSender({
      db,
      send,
      retry: () => false,
      stoppedEarly: () => true,
      unsent: () => waitingCount(db),
      onReport: (r) => reports.push(r),
      events: new EventTarget(),
    })
    try {
      await vi.waitFor(() => expect(reports).toEqual(['auth']))
      await new Promise((r) => setTimeout(r, 50))
      expect(send).toHaveBeenCalledTimes(1)
    } finally {
      sender.stop()
    }
  })

  it('reads the stored login token by default and stops retrying on 401', async () => {
    await db.meta.put({ key: 'accessToken', value: 'stored-token' })
    await queueVisit(visit(), db)
    const calls = vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) =>
      Response.json({ detail: 'expired' }, { status: 401 }),
    )
    const fetch = calls as unknown as typeof globalThis.fetch
    const reports: (string | undefined)[] = []
    const auto = startAutoSync({
      db,
      fetch,
      events: new EventTarget(),
      baseDelayMs: 5,
      onReport: (r) => reports.push(r.stopped),
    })
    await vi.waitFor(() => expect(reports).toEqual(['auth']))
    await new Promise((r) => setTimeout(r, 30))
    expect(calls).toHaveBeenCalledTimes(1)
    expect(new Headers(calls.mock.calls[0]![1]?.headers).get('Authorization')).toBe('Bearer stored-token')
    auto.stop()
  })

  it('syncs when a login stores a token and when something new is queued', async () => {
    await queueVisit(visit(), db)
    const server = fakeServer()
    const reports: (string | undefined)[] = []
    const auto = startAutoSync({
      db,
      fetch: server.fetch,
      events: new EventTarget(),
      onReport: (r) => reports.push(r.stopped),
    })
    try {
      // At start nobody is logged in (the start and the first count of the queue may both try).
      await vi.waitFor(() => expect(reports.length).toBeGreaterThan(0))
      expect(new Set(reports)).toEqual(new Set(['auth']))
      await db.meta.put({ key: 'accessToken', value: 'fresh' })
      await vi.waitFor(async () => expect(await waitingCount(db)).toBe(0))
      const later = await queueVisit(visit(), db)
      await vi.waitFor(async () => expect(await get(later.id)).toMatchObject({ state: 'synced' }))
      expect(server.calls).toHaveBeenCalledTimes(2)
    } finally {
      auto.stop()
    }
  })

  it('doubles the delay up to the cap, with jitter', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 1000, 5000, () => 0.5))).toEqual([1000, 2000, 4000, 5000, 5000])
    expect(backoffDelay(1, 1000, 5000, () => 0)).toBe(800)
  })
})

describe('database upgrade', () => {
  it('version 1 → 4 keeps the outbox (in the new state words), the tokens and the old rows, and adds the new tables', async () => {
    const name = db.name
    db.close()
    await Dexie.delete(name)
    // The database as version 1 of the app left it.
    const old = new Dexie(name)
    old.version(1).stores({ outbox: 'uuid, state', households: 'id', children: 'id', meta: 'key' })
    await old.open()
    const item = {
      uuid: newUuid(),
      state: 'pending',
      method: 'PATCH',
      path: '/children/1',
      body: { grade: 3 },
      createdAt: 5,
      attempts: 0,
    }
    await old.table('outbox').add(item)
    await old.table('households').add({ id: 'h1', name: '王家', updatedAt: '2026-01-01T00:00:00Z' })
    await old.table('meta').add({ key: 'accessToken', value: 't' })
    old.close()

    db = new BaoxueDB(name)
    await db.open()
    expect(db.verno).toBe(4)
    expect(await db.outbox.get(item.uuid)).toEqual({ ...item, state: 'waiting' })
    expect(await db.outbox.where('state').equals('waiting').count()).toBe(1)
    expect(await db.households.get('h1')).toMatchObject({ name: '王家' })
    expect(await db.meta.get('accessToken')).toEqual({ key: 'accessToken', value: 't' })
    expect(await db.visitOutbox.count()).toBe(0)
    expect(await db.households.where('area_code').equals('x').count()).toBe(0)
    expect(await db.cases.count()).toBe(0)
    await queueVisit(visit(), db)
    expect(await waitingCount(db)).toBe(1)
  })
})
