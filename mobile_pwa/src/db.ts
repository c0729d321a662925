import Dexie, { type EntityTable } from 'dexie'
import type { ChildIn, HouseholdIn, ItemError, ItemResult, ServerState, VisitIn } from './sync/types'
import type {
  PersuasionAttemptOut,
  CaseOut,
  ChildListItem,
  FollowUpOut,
  NotificationOut,
  PackageHousehold,
} from './api/types'

/** A write made offline, replayed to the API when the phone is back online. */
export interface OutboxItem {
  /** Generated on the phone so the server can drop duplicate replays. */
  uuid: string
  state: RequestState
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Relative to /api/v1, e.g. "/households". */
  path: string
  body: unknown
  /** Epoch milliseconds. */
  createdAt: number
  attempts: number
  lastError?: string
  // Optional, added with the case screens (sync/requests.ts); older items simply lack them.
  /** The case the write belongs to: its writes go out in order, and it shows 待上传. */
  caseId?: string
  /** Whom it is about, for the outbox list (the case cache may not hold the case). */
  childName?: string
  /** The refusing answer's HTTP status and field errors, for a person to read. */
  status?: number
  errors?: ItemError[]
  updatedAt?: number
}

// Cached server records. Only indexed fields belong in the schema string, so
// adding plain fields here needs no new database version.

/** A household of the work package (GET /work-package), as the server sent it, plus `search`. */
export type Household = PackageHousehold & {
  /** Lower-case haystack of names, pinyin, initials and address, for the list's search box. */
  search: string
}

/** A child of the teacher's class (GET /children), kept for reporting with no signal. */
export type Child = ChildListItem

/** A case the caller is responsible for (GET /cases?mine=true), as last read. */
export type CachedCase = CaseOut & {
  cachedAt: number
  /** GET /cases/{id}/attempts and /follow-ups, read when the case was last opened online. */
  attempts?: PersuasionAttemptOut[]
  followUps?: FollowUpOut[]
  detailAt?: number
}

/**
 * Where an entry of either outbox stands, its `state` (the outbox screen and its labels,
 * outbox.state.*, use the same words):
 *   waiting  → sending                       (a send picks it up)
 *   sending  → synced | conflict | error     (the server answered for the item)
 *   sending  → waiting                       (network, 5xx, 401: nothing lost, sent again later)
 *   sending  → sending                       (app killed mid-request: picked up again; safe
 *                                             because the server answers a repeat as the first)
 *   error    → waiting                       (sent again, once the cause is fixed)
 * synced and conflict are final: a conflict is for a person to read, with the server's state.
 * A request leaves its outbox when the server takes it, so it is never synced, and has no
 * conflict (a refusal is an error).
 */
export type OutboxState = 'waiting' | 'sending' | 'synced' | 'error' | 'conflict'
export type RequestState = Extract<OutboxState, 'waiting' | 'sending' | 'error'>

/** Why the last send did not get an answer for this record. */
export interface SyncFailure {
  /** network: no answer; server: 5xx or an unreadable answer; auth: 401, log in again;
   *  rejected: the whole batch refused (4xx problem); unanswered: no outcome for this item. */
  kind: 'network' | 'server' | 'auth' | 'rejected' | 'unanswered'
  status?: number
  message: string
  at: number
}

interface QueuedBase {
  /** The phone-made UUID: the key here and `id` in the payload. */
  id: string
  state: OutboxState
  /** Sends tried (incremented when a send starts). */
  attempts: number
  /** Epoch ms, strictly increasing in the queue: records go out in the order they were made,
   *  so a household or child found in the field never travels after a visit naming it. */
  createdAt: number
  updatedAt: number
  /** The server's answer for the item: created, duplicate, conflict, invalid. */
  result?: ItemResult
  /** The server's words for a conflict (or a refused item). */
  detail?: string
  /** invalid: what is wrong, field by field. */
  errors?: ItemError[]
  /** conflict: the children whose recorded status is newer than this visit's observation. */
  serverState?: ServerState[]
  /** Suspected-dropout cases the visit opened. */
  caseIds?: string[]
  syncedAt?: number
  lastError?: SyncFailure
}

export type QueuedVisit = QueuedBase & { kind: 'visit'; payload: VisitIn }
export type QueuedHousehold = QueuedBase & { kind: 'household'; payload: HouseholdIn }
export type QueuedChild = QueuedBase & { kind: 'child'; payload: ChildIn }
/** One record of the visit outbox: a visit, or a household or child found in the field. */
export type QueuedRecord = QueuedVisit | QueuedHousehold | QueuedChild
export type QueuedKind = QueuedRecord['kind']

/** A visit's photo: uploaded (POST /attachments with this id) before the visit naming it. */
export interface QueuedPhoto {
  /** The phone-made attachment id the visit's payload names. */
  id: string
  visitId: string
  blob: Blob
  /** Set once the server has it; the blob is then dropped to free the phone's storage. */
  uploadedAt?: number
}

export interface MetaEntry {
  key: string
  value: unknown
}

export const DB_NAME = 'baoxue'

/** The request outbox's states as versions 1 to 3 stored them, and their names since. */
export const REQUEST_STATE_BEFORE_V4: Readonly<Record<string, RequestState>> = {
  pending: 'waiting',
  failed: 'error',
}

export class BaoxueDB extends Dexie {
  /** Generic replayable writes (version 1). Kept as it was: see version(2) below. */
  outbox!: EntityTable<OutboxItem, 'uuid'>
  /** The visit outbox: what POST /visits/batch takes, one record per item (version 2). */
  visitOutbox!: EntityTable<QueuedRecord, 'id'>
  /** The work package's households, each with its children (version 3 indexes the area). */
  households!: EntityTable<Household, 'id'>
  /** A teacher's class (version 3). */
  children!: EntityTable<Child, 'id'>
  /** My cases (version 3). */
  cases!: EntityTable<CachedCase, 'id'>
  /** My inbox (version 3). */
  notifications!: EntityTable<NotificationOut, 'id'>
  /** Photos taken at a visit, compressed, waiting to go up before their visit (version 3). */
  photos!: EntityTable<QueuedPhoto, 'id'>
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
    // Version 2 adds the visit outbox and leaves every version-1 table as it is. The generic
    // `outbox` keeps its items and meaning (any method, any path: case transitions, PATCHes);
    // its items cannot be turned into batch items (no kind, no payload shape), so migrating
    // them would mean guessing; nothing in the app queues visits through it.
    this.version(2).stores({
      visitOutbox: 'id, syncState, createdAt, kind',
    })
    // Version 3 gives the cached server records their real shapes. Versions 1 and 2 never
    // stored any (the screens came with version 3), so nothing is migrated.
    this.version(3).stores({
      households: 'id, area_code',
      children: 'id',
      cases: 'id, status',
      notifications: 'id, created_at',
      photos: 'id, visitId',
    })
    // Version 4 gives both outboxes one vocabulary. The request outbox's states take the visit
    // outbox's words (pending is now waiting, failed is error; sending stays), and the visit
    // outbox's field takes the request outbox's name: syncState is now state, and so is its index.
    // The statistics kept for offline reading are keyed statistics:<area>, as the concept is
    // named everywhere else (they were stats:<area>).
    this.version(4)
      .stores({ visitOutbox: 'id, state, createdAt, kind' })
      .upgrade(async (tx) => {
        await tx
          .table('outbox')
          .toCollection()
          .modify((item: { state: string }) => {
            const renamed = REQUEST_STATE_BEFORE_V4[item.state]
            if (renamed) item.state = renamed
          })
        await tx
          .table('visitOutbox')
          .toCollection()
          .modify((record: { state?: string; syncState?: string }) => {
            if (record.syncState === undefined) return
            record.state = record.syncState
            delete record.syncState
          })
        const meta = tx.table('meta')
        const kept: { key: string; value: unknown }[] = await meta.where('key').startsWith('stats:').toArray()
        await meta.bulkPut(kept.map((entry) => ({ ...entry, key: `statistics:${entry.key.slice('stats:'.length)}` })))
        await meta.bulkDelete(kept.map((entry) => entry.key))
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
