// Helpers for the end-to-end tests: Debian's Chromium driven by playwright-core (no downloaded
// browser), a phone-sized context per test, screenshots, the service worker, offline mode and
// the API.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest'

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium'
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), 'artifacts')
export const PHONE = { width: 360, height: 640 } as const

export const DEMO_PASSWORD = 'demo-pass-2026'

/** The server started by e2e/server.ts. */
export function baseURL(): string {
  return inject('baseURL')
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Without these Chromium dials Google's services, and the closed network refuses it.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** A fresh phone: 360x640 at 2x, touch, zh-CN in China's time zone, service workers on. */
export function phone(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: baseURL(),
    viewport: PHONE,
    screen: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    serviceWorkers: 'allow',
  })
}

/** A full-page screenshot in e2e/artifacts/<name>.png, for looking at after a run. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

function controlled(page: Page): Promise<boolean> {
  return page.evaluate(() => navigator.serviceWorker.controller !== null)
}

/**
 * Waits until the service worker is active (its precache complete) and controls the page.
 * A page loaded before the worker existed is not controlled unless the worker claims its
 * clients (Workbox's clientsClaim); if it does not within a moment, one reload brings the page
 * under it, as the next visit would.
 */
export async function waitForServiceWorker(page: Page, timeout = 30_000): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready
  })
  const claimed = await page
    .waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 2_000 })
    .then(
      () => true,
      () => false,
    )
  if (!claimed) {
    await page.reload({ waitUntil: 'load' })
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout,
    })
  }
  if (!(await controlled(page))) throw new Error('the service worker does not control the page')
}

export function goOffline(context: BrowserContext): Promise<void> {
  return context.setOffline(true)
}

export function goOnline(context: BrowserContext): Promise<void> {
  return context.setOffline(false)
}

/** Logs in through the API as the app does (OAuth2 password form) and returns the access token. */
export async function apiLogin(username: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${baseURL()}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }),
  })
  if (!res.ok) throw new Error(`login as ${username}: HTTP ${res.status} ${await res.text()}`)
  return ((await res.json()) as { access_token: string }).access_token
}

/** GET an API path (under /api/v1) with a bearer token; the parsed JSON, or throws. */
export async function apiGet<T = unknown>(path: string, token: string): Promise<T> {
  const res = await fetch(`${baseURL()}/api/v1${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  })
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** What the app keeps in its Dexie database 'baoxue', table 'meta', read with plain IndexedDB. */
export function readMeta(page: Page, key: string): Promise<unknown> {
  return page.evaluate(async (key) => {
    // opening a database that does not exist would create it, empty, under the app's feet
    const known = await indexedDB.databases()
    if (!known.some((d) => d.name === 'baoxue')) return undefined
    return new Promise<unknown>((ok, fail) => {
      const open = indexedDB.open('baoxue')
      open.onerror = () => fail(open.error)
      open.onsuccess = () => {
        const db = open.result
        if (!db.objectStoreNames.contains('meta')) {
          db.close()
          return ok(undefined)
        }
        const get = db.transaction('meta', 'readonly').objectStore('meta').get(key)
        get.onerror = () => fail(get.error)
        get.onsuccess = () => {
          db.close()
          const row = get.result as { value?: unknown } | undefined
          ok(row?.value)
        }
      }
    })
  }, key)
}

/**
 * A browser for the file and a fresh phone for each test; `use` gets each test's page, its
 * context and the page's uncaught errors (a test may require there are none).
 */
export function onAPhone(use: (page: Page, context: BrowserContext, pageErrors: string[]) => void): void {
  let browser: Browser
  let context: BrowserContext | undefined
  beforeAll(async () => {
    browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
  })
  beforeEach(async () => {
    context = await phone(browser)
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (err) => pageErrors.push(String(err)))
    use(page, context, pageErrors)
  })
  afterEach(async () => {
    await context?.close()
  })
}

/** Waits until the outbox screen's count of what waits to be sent reads `count`. */
export async function waitForUnsent(page: Page, count: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (count) => document.querySelector('[data-testid="outbox-waiting-count"]')?.textContent?.trim() === String(count),
    count,
    { timeout },
  )
}
