import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Dexie from 'dexie'
import { BaoxueDB, newUuid, type OutboxItem } from '../src/db'
import { queueRequest } from '../src/sync/requests'

const TEST_DB = 'baoxue-test'
let db: BaoxueDB

beforeEach(async () => {
  db = new BaoxueDB(TEST_DB)
  await db.open()
})

afterEach(async () => {
  db.close()
  await Dexie.delete(TEST_DB)
})

function outboxItem(state: OutboxItem['state'], path: string): OutboxItem {
  return { uuid: newUuid(), state, method: 'POST', path, body: { path }, createdAt: 0, attempts: 0 }
}

describe('BaoxueDB', () => {
  it('opens with the version 4 schema (version 1 tables kept, the visit outbox, the caches)', () => {
    expect(db.verno).toBe(4)
    expect(db.tables.map((t) => t.name).sort()).toEqual([
      'cases',
      'children',
      'households',
      'meta',
      'notifications',
      'outbox',
      'photos',
      'visitOutbox',
    ])
    expect(db.households.schema.indexes.map((i) => i.name)).toEqual(['area_code'])
    expect(db.photos.schema.indexes.map((i) => i.name)).toEqual(['visitId'])
    expect(db.visitOutbox.schema.primKey.keyPath).toBe('id')
    expect(db.visitOutbox.schema.indexes.map((i) => i.name).sort()).toEqual(['createdAt', 'kind', 'state'])
    expect(db.outbox.schema.primKey.keyPath).toBe('uuid')
    expect(db.outbox.schema.indexes.map((i) => i.name)).toEqual(['state'])
    expect(db.households.schema.primKey.keyPath).toBe('id')
    expect(db.children.schema.primKey.keyPath).toBe('id')
    expect(db.meta.schema.primKey.keyPath).toBe('key')
  })

  it('stores outbox items and finds them by state', async () => {
    const a = outboxItem('waiting', '/households')
    const b = outboxItem('error', '/children')
    const c = outboxItem('waiting', '/children')
    await db.outbox.bulkPut([a, b, c])

    const waiting = await db.outbox.where('state').equals('waiting').toArray()
    expect(waiting.map((i) => i.uuid).sort()).toEqual([a.uuid, c.uuid].sort())
    expect(await db.outbox.where('state').equals('error').count()).toBe(1)

    // put() with an existing uuid replaces rather than duplicates
    await db.outbox.put({ ...a, state: 'sending', attempts: 1 })
    expect(await db.outbox.count()).toBe(3)
    expect(await db.outbox.where('state').equals('waiting').primaryKeys()).toEqual([c.uuid])
    expect(await db.outbox.get(a.uuid)).toMatchObject({ state: 'sending', attempts: 1, body: { path: '/households' } })
  })

  it('queueRequest() adds a waiting item with a fresh v4 uuid', async () => {
    const first = await queueRequest({ method: 'PATCH', path: '/children/7', body: { grade: 3 } }, db)
    const second = await queueRequest({ method: 'PATCH', path: '/children/8', body: { grade: 4 } }, db)

    expect(first.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(second.uuid).not.toBe(first.uuid)
    expect(await db.outbox.where('state').equals('waiting').count()).toBe(2)
    expect(await db.outbox.get(first.uuid)).toEqual(first)
  })

  it('version 3 → 4: request states pending → waiting and failed → error, syncState → state, statistics keys', async () => {
    db.close()
    await Dexie.delete(TEST_DB)
    // The database as version 3 of the app left it: a request outbox in its own words.
    const old = new Dexie(TEST_DB)
    old.version(3).stores({
      outbox: 'uuid, state',
      visitOutbox: 'id, syncState, createdAt, kind',
      households: 'id, area_code',
      children: 'id',
      cases: 'id, status',
      notifications: 'id, created_at',
      photos: 'id, visitId',
      meta: 'key',
    })
    await old.open()
    const item = (state: string, createdAt: number) => ({
      uuid: newUuid(),
      state,
      method: 'POST',
      path: '/cases',
      body: { reason: 'unknown' },
      createdAt,
      attempts: 1,
      lastError: state === 'failed' ? '这名儿童已有未结的个案' : undefined,
    })
    const pending = item('pending', 1)
    const sending = item('sending', 2)
    const failed = item('failed', 3)
    await old.table('outbox').bulkAdd([pending, sending, failed])
    const visit = {
      id: newUuid(),
      kind: 'visit',
      syncState: 'error',
      attempts: 1,
      createdAt: 4,
      updatedAt: 4,
      payload: {},
    }
    await old.table('visitOutbox').add(visit)
    const figures = { overview: { children_school_age: 12 }, fetchedAt: 5 }
    await old.table('meta').bulkAdd([
      { key: 'stats:', value: figures },
      { key: 'stats:519901100', value: figures },
      { key: 'accessToken', value: 'tok' },
    ])
    old.close()

    db = new BaoxueDB(TEST_DB)
    await db.open()
    expect(db.verno).toBe(4)
    expect(await db.outbox.get(pending.uuid)).toEqual({ ...pending, state: 'waiting' })
    expect(await db.outbox.get(sending.uuid)).toEqual(sending)
    expect(await db.outbox.get(failed.uuid)).toEqual({ ...failed, state: 'error' })
    // The index follows: the replay finds what waits, the screen what was refused.
    expect(await db.outbox.where('state').equals('waiting').primaryKeys()).toEqual([pending.uuid])
    expect(await db.outbox.where('state').equals('error').primaryKeys()).toEqual([failed.uuid])
    expect(await db.outbox.where('state').anyOf('pending', 'failed').count()).toBe(0)
    // The visit outbox had these words already; its field takes the one name, indexed.
    const { syncState, ...rest } = visit
    expect(await db.visitOutbox.get(visit.id)).toEqual({ ...rest, state: syncState })
    expect(await db.visitOutbox.where('state').equals('error').primaryKeys()).toEqual([visit.id])
    // The figures kept for offline reading, under the concept's one name; nothing else moves.
    expect((await db.meta.toCollection().primaryKeys()).sort()).toEqual([
      'accessToken',
      'statistics:',
      'statistics:519901100',
    ])
    expect((await db.meta.get('statistics:519901100'))?.value).toEqual(figures)
  })
})
