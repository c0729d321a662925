import { computed } from 'vue'
import { createI18n, useI18n } from 'vue-i18n'
import { Locale as VantLocale } from 'vant'
import vantZhCN from 'vant/es/locale/lang/zh-CN'
import vantEnUS from 'vant/es/locale/lang/en-US'
import zhCN, { type MessageSchema } from './zh-CN'
import en from './en'

export const LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof LOCALES)[number]

const STORAGE_KEY = 'baoxue.locale'

export const messages: Record<AppLocale, MessageSchema> = { 'zh-CN': zhCN, en }

function isAppLocale(value: unknown): value is AppLocale {
  return LOCALES.includes(value as AppLocale)
}

/**
 * The user's saved choice, otherwise Chinese. The phone's language is deliberately ignored:
 * the product is zh-CN first, and borrowed or shared phones are often set to something else.
 */
export function detectLocale(): AppLocale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
  return isAppLocale(saved) ? saved : 'zh-CN'
}

export function createAppI18n(locale: AppLocale = detectLocale()) {
  const i18n = createI18n<[MessageSchema], AppLocale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages,
  })
  applyLocale(locale)
  return i18n
}

// Vant's built-in texts (dialog buttons, pull-to-refresh…) and <html lang>
// follow the app locale so screen readers and fonts pick the right language.
function applyLocale(locale: AppLocale) {
  if (locale === 'en') VantLocale.use('en-US', vantEnUS)
  else VantLocale.use('zh-CN', vantZhCN)
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}

/** Current locale plus a setter that also updates Vant, <html lang> and the saved choice. */
export function useAppLocale() {
  const { locale } = useI18n({ useScope: 'global' })
  return {
    locale: computed(() => locale.value as AppLocale),
    setLocale(next: AppLocale) {
      locale.value = next
      applyLocale(next)
      globalThis.localStorage?.setItem(STORAGE_KEY, next)
    },
  }
}
