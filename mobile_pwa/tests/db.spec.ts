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
  it('opens with the version 3 schema (version 1 tables kept, the visit outbox, the caches)', () => {
    expect(db.verno).toBe(3)
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
    expect(db.visitOutbox.schema.indexes.map((i) => i.name).sort()).toEqual(['createdAt', 'kind', 'syncState'])
    expect(db.outbox.schema.primKey.keyPath).toBe('uuid')
    expect(db.outbox.schema.indexes.map((i) => i.name)).toEqual(['state'])
    expect(db.households.schema.primKey.keyPath).toBe('id')
    expect(db.children.schema.primKey.keyPath).toBe('id')
    expect(db.meta.schema.primKey.keyPath).toBe('key')
  })

  it('stores outbox items and finds them by state', async () => {
    const a = outboxItem('pending', '/households')
    const b = outboxItem('failed', '/children')
    const c = outboxItem('pending', '/children')
    await db.outbox.bulkPut([a, b, c])

    const pending = await db.outbox.where('state').equals('pending').toArray()
    expect(pending.map((i) => i.uuid).sort()).toEqual([a.uuid, c.uuid].sort())
    expect(await db.outbox.where('state').equals('failed').count()).toBe(1)

    // put() with an existing uuid replaces rather than duplicates
    await db.outbox.put({ ...a, state: 'sending', attempts: 1 })
    expect(await db.outbox.count()).toBe(3)
    expect(await db.outbox.where('state').equals('pending').primaryKeys()).toEqual([c.uuid])
    expect(await db.outbox.get(a.uuid)).toMatchObject({ state: 'sending', attempts: 1, body: { path: '/households' } })
  })

  it('queueRequest() adds a pending item with a fresh v4 uuid', async () => {
    const first = await queueRequest({ method: 'PATCH', path: '/children/7', body: { grade: 3 } }, db)
    const second = await queueRequest({ method: 'PATCH', path: '/children/8', body: { grade: 4 } }, db)

    expect(first.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(second.uuid).not.toBe(first.uuid)
    expect(await db.outbox.where('state').equals('pending').count()).toBe(2)
    expect(await db.outbox.get(first.uuid)).toEqual(first)
  })
})
