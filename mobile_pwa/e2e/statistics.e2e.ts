// 统计 end to end: the demo county's admin reads the figures the API gives him, sees them drawn,
// opens a township, and still reads it after a reload with no signal.
import type { BrowserContext, Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { DEMO_PASSWORD, apiGet, apiLogin, goOffline, onAPhone, shot, waitForServiceWorker } from './browser'

interface Figures {
  children_school_age: number
  children_enrolled: number
  enrolment_rate: number | null
  retention_rate_national: number | null
  dropouts_open: number
  suspected: number
  returned: number
  cases_verified: number
  return_rate: number | null
}
interface Breakdown {
  items: (Figures & { code: string; name: string | null })[]
}

let context: BrowserContext
let page: Page
let pageErrors: string[]

onAPhone((p, c, errors) => {
  page = p
  context = c
  pageErrors = errors
})

// As a person writes them: one decimal, thousands grouped.
const percent = (rate: number | null) =>
  rate === null ? '—' : rate === 1 ? '100%' : rate === 0 ? '0%' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`
const count = (n: number) => n.toLocaleString('en-US')

function card(key: string) {
  return page.getByTestId(`card-${key}`)
}

async function expectFigures(f: Figures) {
  await expect.poll(() => card('enrolment').getByTestId('card-value').textContent()).toBe(percent(f.enrolment_rate))
  expect(await card('enrolment').getByTestId('card-counts').textContent()).toBe(
    `${count(f.children_enrolled)} / ${count(f.children_school_age)}`,
  )
  expect(await card('retentionNational').getByTestId('card-value').textContent()).toBe(
    percent(f.retention_rate_national),
  )
  expect(await card('dropoutsOpen').getByTestId('card-value').textContent()).toBe(count(f.dropouts_open))
  expect(await card('suspected').getByTestId('card-value').textContent()).toBe(count(f.suspected))
  expect(await card('returnRate').getByTestId('card-value').textContent()).toBe(percent(f.return_rate))
}

test('the county admin reads the figures, opens a township, and reads it again offline', async () => {
  const token = await apiLogin('demo.county')
  const county = await apiGet<Figures>('/stats/overview', token)
  const { items } = await apiGet<Breakdown>('/stats/breakdown?by=area', token)
  const township = items.find((row) => row.code.length === 9)
  if (!township) throw new Error('the demo county has no township')
  const figures = await apiGet<Figures>(`/stats/overview?area=${township.code}`, token)

  await page.goto('/login')
  await page.locator('input[name="username"]').fill('demo.county')
  await page.locator('input[name="password"]').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByTestId('role-home').waitFor()
  await waitForServiceWorker(page)

  await page.getByTestId('tab-statistics').click()
  await page.getByTestId('statistics-cards').waitFor()
  await expectFigures(county)
  // the townships drawn: an SVG with a bar (a path) for each
  const bars = page.getByTestId('chart-areas').locator('svg path')
  await expect.poll(() => bars.count()).toBeGreaterThanOrEqual(items.length)
  await shot(page, 'statistics-01-county')

  await page.locator(`[data-testid="area-row"][data-code="${township.code}"]`).click()
  await page.waitForURL(`**/statistics?area=${township.code}`)
  await expectFigures(figures)
  expect(await page.locator('.van-nav-bar__title').textContent()).toBe(township.name)
  await shot(page, 'statistics-02-township')

  await goOffline(context)
  await page.reload()
  await page.getByTestId('statistics-cards').waitFor()
  await expectFigures(figures)
  expect(await page.getByTestId('statistics-updated').textContent()).toContain('无网络')
  await shot(page, 'statistics-03-offline')
  expect(pageErrors).toEqual([])
})
