/**
 * The work package (入户包) on the phone: the households and children of my villages and
 * groups, downloaded whole once and then by delta, kept in IndexedDB for days with no signal.
 */
import { db as defaultDb, type BaoxueDB, type Household } from './db'
import { client } from './api/client'
import { problemOf } from './api/problem'
import type { AreaRef, PackageCampaign, PackageHousehold, WorkPackage } from './api/types'

const INFO_KEY = 'workPackage'

/** What the phone knows of its package besides the households. */
export interface PackageInfo {
  version: string
  etag: string | null
  /** Epoch ms of the last successful check with the server. */
  checkedAt: number
  generatedAt: string
  masked: boolean
  areas: AreaRef[]
  campaigns: PackageCampaign[]
  households: number
}

export interface DownloadResult {
  /** full: replaced; delta: changes applied; unchanged: 304. */
  kind: 'full' | 'delta' | 'unchanged'
  changed: number
  removed: number
  info: PackageInfo
}

/** The lower-case haystack the list searches: names, pinyin, initials, address. */
export function searchText(h: PackageHousehold): string {
  const parts = [h.head_name, h.head_pinyin, h.head_initials, h.address]
  for (const c of h.children) parts.push(c.name, c.name_pinyin, c.name_initials)
  return parts
    .filter((p): p is string => !!p)
    .join(' ')
    .toLowerCase()
}

export function toStored(h: PackageHousehold): Household {
  return { ...h, search: searchText(h) }
}

export async function packageInfo(target: BaoxueDB = defaultDb): Promise<PackageInfo | null> {
  const entry = await target.meta.get(INFO_KEY)
  return (entry?.value as PackageInfo | undefined) ?? null
}

/**
 * Bring the package up to date: a delta since the version held (304 when nothing changed),
 * or the whole package the first time. Households are written in one transaction with the
 * new version, so a dropped connection or a killed app leaves the old package whole.
 */
export async function downloadPackage(target: BaoxueDB = defaultDb): Promise<DownloadResult> {
  let held = await packageInfo(target)
  let answer = await client.GET('/work-package', {
    params: { query: { since: held?.version }, header: { 'if-none-match': held?.etag ?? undefined } },
  })
  if (answer.response.status === 422 && held) {
    // A version this server no longer takes (restored from a backup, say): start again whole.
    held = null
    answer = await client.GET('/work-package', { params: {} })
  }
  const res = answer.response
  if (res.status === 304 && held) {
    const info = { ...held, checkedAt: Date.now() }
    await target.meta.put({ key: INFO_KEY, value: info })
    return { kind: 'unchanged', changed: 0, removed: 0, info }
  }
  if (!answer.data) throw problemOf(res.status, answer.error)
  const pkg: WorkPackage = answer.data
  const stored = pkg.households.map(toStored)
  let removed = 0
  let info: PackageInfo | undefined
  await target.transaction('rw', target.households, target.meta, async () => {
    if (pkg.full) {
      await target.households.clear()
    } else if (pkg.household_ids) {
      const keep = new Set(pkg.household_ids)
      const gone = (await target.households.toCollection().primaryKeys()).filter((id) => !keep.has(id))
      removed = gone.length
      await target.households.bulkDelete(gone)
    }
    await target.households.bulkPut(stored)
    info = {
      version: pkg.version,
      etag: res.headers.get('ETag'),
      checkedAt: Date.now(),
      generatedAt: pkg.generated_at,
      masked: pkg.masked,
      areas: pkg.areas,
      campaigns: pkg.campaigns,
      households: await target.households.count(),
    }
    await target.meta.put({ key: INFO_KEY, value: info })
  })
  return { kind: pkg.full ? 'full' : 'delta', changed: stored.length, removed, info: info as PackageInfo }
}
