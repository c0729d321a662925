/**
 * My inbox on the phone: GET /notifications kept in db.notifications (the home page counts
 * the unread from it), and a message marked read at once on the phone, told to the server
 * directly when online or through the request outbox when not.
 */
import { db as defaultDb, type BaoxueDB } from './db'
import { client, ok, SessionEnded } from './api/client'
import type { NotificationOut } from './api/types'
import { queueRequest } from './sync/requests'

const LIMIT = 50

/** Replace the cache with the latest 50; a read still queued stays read. Throws offline. */
export async function refreshNotifications(target: BaoxueDB = defaultDb): Promise<number> {
  const page = await ok(client.GET('/notifications', { params: { query: { limit: LIMIT } } }))
  await target.transaction('rw', target.notifications, target.outbox, async () => {
    const queued = new Set<string>()
    await target.outbox.each((i) => {
      const m = /^\/notifications\/([^/]+)\/read$/.exec(i.path)
      if (m) queued.add(m[1]!)
    })
    const held = new Map((await target.notifications.toArray()).map((n) => [n.id, n]))
    await target.notifications.clear()
    await target.notifications.bulkPut(
      page.items.map((n) =>
        queued.has(n.id) && !n.read_at ? { ...n, read_at: held.get(n.id)?.read_at ?? new Date().toISOString() } : n,
      ),
    )
  })
  return page.items.length
}

/** Mark read on the phone now; the server hears of it directly, or later from the outbox. */
export async function markRead(n: NotificationOut, target: BaoxueDB = defaultDb): Promise<void> {
  if (n.read_at) return
  await target.notifications.update(n.id, { read_at: new Date().toISOString() })
  const path = `/notifications/${n.id}/read`
  if (globalThis.navigator?.onLine !== false) {
    try {
      const { data, response } = await client.POST('/notifications/{notification_id}/read', {
        params: { path: { notification_id: n.id } },
      })
      if (data) {
        await target.notifications.put(data)
        return
      }
      // Gone, or not mine any more: nothing to tell the server.
      if (response.status < 500) return
    } catch (err) {
      // The phone was wiped: nothing left to mark. Otherwise no signal, or a login needed.
      if (err instanceof SessionEnded) return
    }
  }
  await queueRequest({ method: 'POST', path, body: undefined }, target)
}
