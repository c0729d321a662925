// The other people of the field app, end to end against the real server: a head teacher
// reporting a pupil out of school with no signal, and a cadre whose account is disabled while
// the phone holds a village's households (wiped at the next contact). Screenshots of each screen.
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import {
  DEMO_PASSWORD,
  apiGet,
  apiLogin,
  baseURL,
  goOffline,
  goOnline,
  onAPhone,
  shot,
  waitForServiceWorker,
  waitForUnsent,
} from './browser'

interface Page_<T> {
  items: T[]
  total: number
}
interface CaseItem {
  child_id: string
  source: string
  days_absent: number | null
  reason: string
}

let context: BrowserContext
let page: Page
let pageErrors: string[]

onAPhone((p, c, errors) => {
  page = p
  context = c
  pageErrors = errors
})

async function logInOnThePhone(username: string, password = DEMO_PASSWORD) {
  await page.goto('/login')
  await page.locator('input[name="username"]').fill(username)
  await page.locator('input[name="password"]').fill(password)
  await page.getByRole('button', { name: '登录' }).click()
}

async function post(path: string, token: string, body: unknown, method = 'POST') {
  const res = await fetch(`${baseURL()}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`)
  return res.status === 204 ? null : ((await res.json()) as Record<string, unknown>)
}

/** Rows of a table of the app's IndexedDB database. */
function countRows(store: string): Promise<number> {
  return page.evaluate(
    (store) =>
      new Promise<number>((ok, fail) => {
        const open = indexedDB.open('baoxue')
        open.onerror = () => fail(open.error)
        open.onsuccess = () => {
          const db = open.result
          const r = db.transaction(store).objectStore(store).count()
          r.onsuccess = () => {
            db.close()
            ok(r.result)
          }
          r.onerror = () => fail(r.error)
        }
      }),
    store,
  )
}

describe('a head teacher', () => {
  test('reports a pupil out of school with no signal, and the case reaches the server once', async () => {
    const token = await apiLogin('demo.teacher')
    const open = await apiGet<Page_<CaseItem>>('/cases?open=true&limit=200', token)
    const busy = new Set(open.items.map((c) => c.child_id))
    const pupils = await apiGet<Page_<{ id: string; name: string }>>('/children?limit=200', token)
    const pupil = pupils.items.find((c) => !busy.has(c.id))
    if (!pupil) throw new Error('every pupil of the demo class has an open case')

    await logInOnThePhone('demo.teacher')
    await page.getByTestId('role-home').waitFor()
    await waitForServiceWorker(page)
    await page.getByTestId('tab-report').click()
    await shot(page, 'teacher-01-report')

    await goOffline(context)
    const started = Date.now()
    await page.getByTestId('report-child').click()
    await page.getByTestId('report-child-search').locator('input').fill(pupil.name)
    await page.getByTestId('report-child-option').filter({ hasText: pupil.name }).first().click()
    await page.getByTestId('reason-weariness').click()
    await shot(page, 'teacher-02-report-filled')
    await page.getByTestId('report-submit').click()
    await page.getByText('已报告，待上传').waitFor()
    // Four taps and a name typed: well inside the 30 seconds a teacher has between lessons.
    expect(Date.now() - started).toBeLessThan(30_000)

    // The report screen takes the whole screen; the outbox opens from the app shell offline.
    await page.goto('/outbox')
    await waitForUnsent(page, 1, 10_000)
    await shot(page, 'teacher-03-outbox-offline')

    await goOnline(context)
    await page.evaluate(() => window.dispatchEvent(new Event('online')))
    await waitForUnsent(page, 0)
    const after = await apiGet<Page_<CaseItem>>('/cases?open=true&source=teacher_report&limit=200', token)
    const reported = after.items.filter((c) => c.child_id === pupil.id)
    expect(reported).toHaveLength(1)
    expect(reported[0]).toMatchObject({ days_absent: 3, reason: 'weariness' })

    await page.getByTestId('tab-cases').click()
    await page.getByTestId('case-row').first().waitFor({ timeout: 15_000 })
    await shot(page, 'teacher-04-cases')
    await page.getByTestId('case-row').first().click()
    await shot(page, 'teacher-05-case')
    expect(pageErrors).toEqual([])
  })
})

describe('a cadre whose account is disabled', () => {
  test('changes the one-time password, then the phone forgets the village at its next contact', async () => {
    const county = await apiLogin('demo.county')
    const village = await apiGet<{ areas: { code: string }[] }>('/me', await apiLogin('demo.village'))
    const created = await post('/users', county, {
      username: `e2e.cadre.${Date.now()}`,
      display_name: '测试村干部',
      role: 'village_cadre',
      areas: [village.areas[0]!.code],
    })
    const username = created!.username as string

    await logInOnThePhone(username, created!.one_time_password as string)
    await page.locator('input[name="new_password"]').waitFor()
    await shot(page, 'cadre-01-password')
    await page.locator('input[name="current_password"]').fill(created!.one_time_password as string)
    await page.locator('input[name="new_password"]').fill('Field-work-2026!')
    await page.locator('input[name="confirm"]').fill('Field-work-2026!')
    await page.getByRole('button', { name: '确认修改' }).click()
    await page.getByTestId('role-home').waitFor()

    await page.getByTestId('tab-me').click()
    await page.getByTestId('download-package').click()
    // the app may have brought it down itself after the password change: updated or up to date
    await page.getByText(/入户包已(更新|是最新)/).waitFor({ timeout: 30_000 })
    await shot(page, 'cadre-02-me')
    expect(await countRows('households')).toBeGreaterThan(0)

    await post(`/users/${created!.id as string}`, county, { is_active: false }, 'PATCH')
    await page.getByTestId('download-package').click()
    await page.getByText('本机数据已清除', { exact: false }).waitFor({ timeout: 15_000 })
    await shot(page, 'cadre-03-wiped')
    expect(await countRows('households')).toBe(0)
    expect(await countRows('meta')).toBe(0)
    expect(await countRows('visitOutbox')).toBe(0)
    expect(page.url()).toContain('/login')
  })
})
