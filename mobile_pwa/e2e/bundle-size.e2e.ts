// The JavaScript a phone must fetch before the first screen (the entry module and what
// index.html preloads) stays at most 250 KB gzipped: cheap phones on rural 3G/4G.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { expect, test } from 'vitest'

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const BUDGET = 250 * 1024

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1]
}

/** The entry <script type="module" src> and every <link rel="modulepreload" href>. */
function initialScripts(html: string): string[] {
  const files = new Set<string>()
  for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
    const src = attribute(tag, 'src')
    if (src && attribute(tag, 'type') === 'module') files.add(src)
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    const href = attribute(tag, 'href')
    if (href && attribute(tag, 'rel')?.split(/\s+/).includes('modulepreload')) files.add(href)
  }
  return [...files]
}

test('the initial JavaScript is at most 250 KB gzipped', () => {
  const scripts = initialScripts(readFileSync(join(DIST, 'index.html'), 'utf8'))
  expect(scripts.length, 'index.html names its entry module').toBeGreaterThan(0)
  let total = 0
  const lines: string[] = []
  for (const src of scripts) {
    const bytes = readFileSync(join(DIST, src.replace(/^\//, '')))
    const gzipped = gzipSync(bytes, { level: 9 }).length
    total += gzipped
    lines.push(`  ${src}: ${(bytes.length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped`)
  }
  console.log(
    `initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped of ${BUDGET / 1024} KB allowed\n${lines.join('\n')}`,
  )
  expect(total, `initial JavaScript, gzipped bytes (budget ${BUDGET})`).toBeLessThanOrEqual(BUDGET)
})
