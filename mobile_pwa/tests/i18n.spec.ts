import { describe, expect, it, vi } from 'vitest'
import zhCN from '../src/i18n/zh-CN'
import en from '../src/i18n/en'
import { detectLocale } from '../src/i18n'

/** Dotted paths of every leaf, e.g. "login.username". */
function leafKeys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' ? leafKeys(value as object, `${prefix}${key}.`) : [`${prefix}${key}`],
  )
}

function leafValues(tree: object): unknown[] {
  return Object.values(tree).flatMap((v) => (v !== null && typeof v === 'object' ? leafValues(v as object) : [v]))
}

/** Named placeholders such as {reason}, which both languages must fill the same way. */
function placeholders(tree: object): Record<string, string[]> {
  const result: Record<string, string[]> = {}
  const keys = leafKeys(tree)
  leafValues(tree).forEach((v, i) => {
    result[keys[i]!] = [...String(v).matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort()
  })
  return result
}

describe('message files', () => {
  it('zh-CN and en have exactly the same keys', () => {
    const zhKeys = leafKeys(zhCN).sort()
    const enKeys = leafKeys(en).sort()
    expect(zhKeys.length).toBeGreaterThan(0)
    expect(enKeys).toEqual(zhKeys)
  })

  it('every message is a non-empty string', () => {
    for (const messages of [zhCN, en]) {
      for (const value of leafValues(messages)) {
        expect(typeof value).toBe('string')
        expect((value as string).trim()).not.toBe('')
      }
    }
  })

  it('both languages use the same placeholders per key', () => {
    expect(placeholders(en)).toEqual(placeholders(zhCN))
  })
})

describe('the starting language', () => {
  it('is Chinese even when the browser says English', () => {
    localStorage.removeItem('baoxue.locale')
    vi.spyOn(navigator, 'language', 'get').mockReturnValue('en-US')
    expect(detectLocale()).toBe('zh-CN')
    vi.restoreAllMocks()
  })

  it('is the saved choice when there is one', () => {
    localStorage.setItem('baoxue.locale', 'en')
    expect(detectLocale()).toBe('en')
    localStorage.setItem('baoxue.locale', 'fr')
    expect(detectLocale()).toBe('zh-CN')
    localStorage.removeItem('baoxue.locale')
  })
})
