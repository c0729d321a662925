import { afterEach, describe, expect, it, vi } from 'vitest'
import { BaoxueDB, newUuid } from '../src/db'
import { freshDb } from './freshDb'
import { useSessionDb } from '../src/session'
import { downloadPackage, packageInfo, searchText } from '../src/workPackage'
import type { PackageHousehold, WorkPackage } from '../src/api/types'

let db: BaoxueDB

freshDb('package', async (fresh) => {
  db = fresh
  useSessionDb(db)
  await db.meta.bulkPut([
    { key: 'accessToken', value: 'a1' },
    { key: 'accessExpiresAt', value: Date.now() + 3_600_000 },
  ])
})

afterEach(() => {
  vi.unstubAllGlobals()
})

function household(head: string, initials: string, childName = '张小明'): PackageHousehold {
  return {
    id: newUuid(),
    version: 1,
    area_code: '510821100201',
    address: '东风村三组12号',
    head_name: head,
    head_pinyin: 'wangdajun',
    head_initials: initials,
    phone: '138****5678',
    is_poverty_registered: true,
    is_minimum_living: false,
    guardians: [],
    children: [
      {
        id: newUuid(),
        name: childName,
        name_pinyin: 'zhangxiaoming',
        name_initials: 'zxm',
        sex: 'male',
        birth_date: '2014-05-01',
        id_number: null,
        schooling_status: 'enrolled_in_county',
        status_changed_at: '2026-09-01T00:00:00Z',
        expected_grade: 6,
        left_behind: 0,
        school_name: '城关小学',
        grade: 6,
        open_case: null,
      },
    ],
    last_visit: null,
  }
}

function pkg(households: PackageHousehold[], extra: Partial<WorkPackage> = {}): WorkPackage {
  return {
    version: `v1.${Date.now()}.abcdef012345`,
    full: true,
    generated_at: '2026-12-01T08:00:00Z',
    masked: true,
    areas: [{ code: '510821100201', name: '东风村', level: 'village' }],
    campaigns: [],
    households,
    household_ids: null,
    ...extra,
  }
}

/** Answers each GET /work-package with the next of `answers`, recording the requests. */
function server(...answers: (() => Response)[]) {
  const requests: { url: string; headers: Headers }[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      requests.push({ url: String(input), headers: new Headers(init.headers) })
      const next = answers.shift()
      if (!next) throw new TypeError('Failed to fetch')
      return next()
    }),
  )
  return requests
}

const json = (body: unknown, etag: string) => Response.json(body, { headers: { ETag: etag } })

describe('the work package on the phone', () => {
  it('searches by name, full pinyin, initials and address, in any case', () => {
    const text = searchText(household('王大军', 'wdj'))
    for (const q of ['王大军', 'wangdajun', 'wdj', 'zxm', '张小明', '三组']) expect(text).toContain(q.toLowerCase())
  })

  it('comes down whole, then by delta, then not at all when unchanged', async () => {
    const a = household('王大军', 'wdj')
    const b = household('李四', 'ls')
    const first = pkg([a, b], { version: 'v1.1.abcdef012345' })
    const changedA = { ...a, version: 2, address: '东风村四组1号' }
    const c = household('赵六', 'zl')
    const delta = pkg([changedA, c], {
      version: 'v1.2.abcdef012345',
      full: false,
      household_ids: [a.id, c.id],
    })
    const requests = server(
      () => json(first, '"e1"'),
      () => json(delta, '"e2"'),
      () => new Response(null, { status: 304, headers: { ETag: '"e2"' } }),
    )

    expect(await downloadPackage(db)).toMatchObject({ kind: 'full', changed: 2, removed: 0 })
    expect(await db.households.count()).toBe(2)

    const second = await downloadPackage(db)
    expect(second).toMatchObject({ kind: 'delta', changed: 2, removed: 1 })
    expect(requests[1]!.url).toBe('/api/v1/work-package?since=v1.1.abcdef012345')
    expect(requests[1]!.headers.get('If-None-Match')).toBe('"e1"')
    expect((await db.households.toArray()).map((h) => h.head_name).sort()).toEqual(['王大军', '赵六'])
    expect((await db.households.get(a.id))?.search).toContain('四组')

    expect(await downloadPackage(db)).toMatchObject({ kind: 'unchanged' })
    expect((await packageInfo(db))?.version).toBe('v1.2.abcdef012345')
    expect(requests[2]!.headers.get('Authorization')).toBe('Bearer a1')
  })

  it('a version the server no longer takes starts again whole', async () => {
    const a = household('王大军', 'wdj')
    server(() => json(pkg([a], { version: 'v1.1.abcdef012345' }), '"e1"'))
    await downloadPackage(db)
    const b = household('李四', 'ls')
    const requests = server(
      () =>
        new Response(JSON.stringify({ status: 422, errors: [{ loc: ['query', 'since'], msg: 'x' }] }), { status: 422 }),
      () => json(pkg([b], { version: 'v1.9.abcdef012345' }), '"e9"'),
    )
    expect(await downloadPackage(db)).toMatchObject({ kind: 'full' })
    expect(requests[1]!.url).toBe('/api/v1/work-package')
    expect((await db.households.toArray()).map((h) => h.id)).toEqual([b.id])
  })

  it('a failed download leaves the package held as it was', async () => {
    const a = household('王大军', 'wdj')
    server(() => json(pkg([a], { version: 'v1.1.abcdef012345' }), '"e1"'))
    await downloadPackage(db)
    server(() => new Response('oops', { status: 503 }))
    await expect(downloadPackage(db)).rejects.toMatchObject({ status: 503 })
    server()
    await expect(downloadPackage(db)).rejects.toBeInstanceOf(TypeError)
    expect((await db.households.toArray()).map((h) => h.id)).toEqual([a.id])
    expect((await packageInfo(db))?.version).toBe('v1.1.abcdef012345')
  })
})
