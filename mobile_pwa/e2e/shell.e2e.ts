// The field app's shell against the real server: it loads on a phone, installs, works offline,
// and logs a cadre in. Selectors are roles and zh-CN text, which outlast the markup.
import type { BrowserContext, Page } from 'playwright-core'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, test } from 'vitest'
import {
  DEMO_PASSWORD,
  PHONE,
  apiGet,
  apiLogin,
  goOffline,
  goOnline,
  onAPhone,
  readMeta,
  shot,
  waitForServiceWorker,
} from './browser'

let context: BrowserContext
let page: Page
let pageErrors: string[]

onAPhone((p, c, errors) => {
  page = p
  context = c
  pageErrors = errors
})

async function openHome(): Promise<void> {
  await page.goto('/', { waitUntil: 'load' })
  await page.getByRole('heading', { name: '保学通' }).waitFor()
}

describe('the shell on a phone', () => {
  test('loads at 360x640, shows 保学通 and fits the screen', async () => {
    await openHome()
    expect(await page.title()).toBe('保学通')
    expect(await page.getByRole('button', { name: '登录' }).isVisible()).toBe(true)
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(width, 'nothing scrolls sideways on a 360 px screen').toBeLessThanOrEqual(PHONE.width)
    await shot(page, 'home')
    expect(pageErrors).toEqual([])
  })

  test('links a manifest that is served with a name and icons', async () => {
    await openHome()
    const href = await page.locator('link[rel="manifest"]').getAttribute('href')
    expect(href).toBe('/manifest.webmanifest')
    const res = await page.request.get(href!)
    expect(res.ok()).toBe(true)
    const manifest = (await res.json()) as {
      name?: string
      short_name?: string
      start_url?: string
      display?: string
      icons?: { src: string; sizes: string; type?: string; purpose?: string }[]
    }
    expect(manifest.name).toBe('保学通')
    expect(manifest.display).toBe('standalone')
    expect(manifest.icons?.length).toBeGreaterThan(0)
    const sizes = manifest.icons!.map((icon) => icon.sizes)
    expect(sizes).toContain('192x192')
    expect(sizes).toContain('512x512')
    for (const icon of manifest.icons!) {
      const got = await page.request.get(new URL(icon.src, res.url()).href)
      expect(got.ok(), icon.src).toBe(true)
      expect(got.headers()['content-type'], icon.src).toMatch(/^image\/png/)
    }
  })

  test('works offline once the service worker controls it', async () => {
    await openHome()
    await waitForServiceWorker(page)

    await goOffline(context)
    try {
      const reloaded = await page.reload({ waitUntil: 'load' })
      expect(reloaded?.fromServiceWorker(), 'the page came from the service worker').toBe(true)
      await page.getByRole('heading', { name: '保学通' }).waitFor()
      // the network really is cut for the page (navigator.onLine is no witness: after an
      // offline reload Chromium reports true)
      const health = await page.evaluate(() =>
        fetch('/api/v1/health').then(
          (res) => res.status,
          () => 'unreachable',
        ),
      )
      expect(health).toBe('unreachable')
      await shot(page, 'home-offline')

      // a client route the server never saw: the worker's navigate fallback answers it, and
      // the lazy login screen comes from its precache
      const login = await page.goto('/login', { waitUntil: 'load' })
      expect(login?.fromServiceWorker()).toBe(true)
      await page.locator('input[name="username"]').waitFor()
      await shot(page, 'login-offline')
    } finally {
      await goOnline(context)
    }
    expect(pageErrors).toEqual([])
  })

  test('updates itself when a new release is deployed', async () => {
    await openHome()
    await waitForServiceWorker(page)
    const before = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)

    // A release: a changed page, and a service worker whose precache names its new revision.
    const dist = inject('distDir')
    const index = join(dist, 'index.html')
    writeFileSync(index, readFileSync(index, 'utf8').replace('<head>', '<head><meta name="release" content="2">'))
    const sw = join(dist, 'sw.js')
    const revised = readFileSync(sw, 'utf8').replace(
      /\{url:"index\.html",revision:"[0-9a-f]+"\}/,
      '{url:"index.html",revision:"release-2"}',
    )
    expect(revised).toContain('release-2')
    writeFileSync(sw, revised)

    // The browser checks for a new worker on navigations and on its own schedule; ask now.
    const reloaded = page.waitForEvent('load', { timeout: 30_000 })
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()))
    await reloaded // registerSW (autoUpdate) reloads the page once the new worker takes over
    await page.waitForFunction(() => document.querySelector('meta[name="release"]')?.getAttribute('content') === '2')
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(before)
    expect(pageErrors).toEqual([])
  })

  test('logs demo.village in through the form', async () => {
    const since = new Date(Date.now() - 1000).toISOString()
    await openHome()
    await page.getByRole('button', { name: '登录' }).click()
    await page.waitForURL('**/login')

    await page.locator('input[name="username"]').fill('demo.village')
    await page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    await shot(page, 'login')
    await page.getByRole('button', { name: '登录' }).click()

    await page.getByText('登录成功').waitFor()
    await page.waitForURL((url) => url.pathname !== '/login')
    await shot(page, 'logged-in')

    // the token the app kept is a working one, and it is demo.village's
    const token = await readMeta(page, 'accessToken')
    expect(typeof token).toBe('string')
    const me = await apiGet<{ username: string; role: string }>('/me', token as string)
    expect(me).toMatchObject({ username: 'demo.village', role: 'village_cadre' })

    // and the server's audit log saw the login
    const admin = await apiLogin('demo.county')
    const query = new URLSearchParams({
      action: 'login_succeeded',
      actor_username: 'demo.village',
      since,
    })
    const events = await apiGet<{ total: number }>(`/audit-events?${query}`, admin)
    expect(events.total).toBeGreaterThanOrEqual(1)
    expect(pageErrors).toEqual([])
  })

  test('refuses a wrong password and stays on the form', async () => {
    await page.goto('/login', { waitUntil: 'load' })
    await page.locator('input[name="username"]').fill('demo.teacher')
    await page.locator('input[name="password"]').fill('not-the-password')
    await page.getByRole('button', { name: '登录' }).click()
    await page.getByText(/登录失败/).waitFor()
    expect(new URL(page.url()).pathname).toBe('/login')
    expect(await readMeta(page, 'accessToken')).toBeUndefined()
  })
})
