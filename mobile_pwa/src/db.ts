import Dexie, { type EntityTable } from 'dexie'

export type OutboxState = 'pending' | 'sending' | 'failed'

/** A write made offline, replayed to the API when the phone is back online. */
export interface OutboxItem {
  /** Generated on the phone so the server can drop duplicate replays. */
  uuid: string
  state: OutboxState
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Relative to /api/v1, e.g. "/households". */
  path: string
  body: unknown
  /** Epoch milliseconds. */
  createdAt: number
  attempts: number
  lastError?: string
}

// Cached server records. Only indexed fields belong in the schema string, so
// adding plain fields here needs no new database version.
export interface Household {
  id: string
  name: string
  /** ISO 8601 timestamp from the server. */
  updatedAt: string
}

export interface Child {
  id: string
  householdId: string
  name: string
  updatedAt: string
}

export interface MetaEntry {
  key: string
  value: unknown
}

export const DB_NAME = 'baoxue'

export class BaoxueDB extends Dexie {
  outbox!: EntityTable<OutboxItem, 'uuid'>
  households!: EntityTable<Household, 'id'>
  children!: EntityTable<Child, 'id'>
  meta!: EntityTable<MetaEntry, 'key'>

  constructor(name = DB_NAME) {
    super(name)
    // Never edit a released version: add db.version(2) with the change instead.
    this.version(1).stores({
      outbox: 'uuid, state',
      households: 'id',
      children: 'id',
      meta: 'key',
    })
  }
}

export const db = new BaoxueDB()

/**
 * RFC 4122 v4 UUID. crypto.randomUUID exists only in secure contexts, and a
 * phone may open the app over plain HTTP on a LAN; getRandomValues works everywhere.
 */
export function newUuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export async function enqueue(
  target: BaoxueDB,
  write: Pick<OutboxItem, 'method' | 'path' | 'body'>,
): Promise<OutboxItem> {
  const item: OutboxItem = {
    ...write,
    uuid: newUuid(),
    state: 'pending',
    createdAt: Date.now(),
    attempts: 0,
  }
  await target.outbox.add(item)
  return item
}
