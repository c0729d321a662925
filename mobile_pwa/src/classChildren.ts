/**
 * A teacher's class on the phone (GET /children: a teacher's scope is their class), kept in
 * db.children so a suspected dropout can be reported with no signal.
 */
import { db as defaultDb, type BaoxueDB, type Child } from './db'
import { client, ok } from './api/client'
import type { ChildListItem } from './api/types'

const PAGE = 200
/** More pages than any class has: a guard against a server that never says "the end". */
const MAX_PAGES = 10

/** Replace the cached class with the server's (one transaction); throws when offline. */
export async function refreshClassChildren(target: BaoxueDB = defaultDb): Promise<number> {
  const all: ChildListItem[] = []
  for (let page = 0; page < MAX_PAGES; page++) {
    const got = await ok(client.GET('/children', { params: { query: { limit: PAGE, offset: page * PAGE } } }))
    all.push(...got.items)
    if (!got.items.length || all.length >= got.total) break
  }
  await target.transaction('rw', target.children, async () => {
    await target.children.clear()
    await target.children.bulkPut(all)
  })
  return all.length
}

/** The class by name, for the picker (class lists are short: a substring is enough). */
export function filterChildren(children: readonly Child[], query: string): Child[] {
  const q = query.trim().toLowerCase()
  const sorted = [...children].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))
  return q ? sorted.filter((c) => c.name.toLowerCase().includes(q)) : sorted
}
