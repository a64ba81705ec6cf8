import { createI18n } from 'vue-i18n'
import type { Locale } from '../api/error-messages'
import en from './en'
import zhCN from './zh-CN'

export type { Locale }

export const LOCALES: readonly Locale[] = ['zh-CN', 'en']
const STORAGE_KEY = 'govcred.locale'

type Messages = Record<string, unknown>

/**
 * Each feature's own texts: `src/i18n/<feature>.<locale>.ts` exporting them as `default`, merged under the key
 * `<feature>` (so `console.zh-CN.ts` gives `t('console.signIn')`). Adding a feature needs no edit here.
 */
const featureFiles = import.meta.glob<{ default: Messages }>('./*.*.ts', { eager: true })

function messagesOf(locale: Locale, base: Messages): Messages {
  const merged: Messages = { ...base }
  for (const [path, module] of Object.entries(featureFiles)) {
    const [feature, fileLocale] = path.replace(/^\.\//, '').split('.')
    if (fileLocale === locale && feature) merged[feature] = module.default
  }
  return merged
}

/** The language chosen earlier on this device (localStorage 'govcred.locale'), else Chinese. */
export function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale
  } catch {
    // storage refused (private mode): the default
  }
  return 'zh-CN'
}

/** vue-i18n in Composition API mode; Chinese by default, and a key missing in English falls back to Chinese. */
export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  // Typed loosely on purpose: the feature files are merged at build time; en.ts is checked against zh-CN.ts instead.
  messages: { 'zh-CN': messagesOf('zh-CN', zhCN), en: messagesOf('en', en) } as Record<Locale, any>,
  missingWarn: false,
  fallbackWarn: false,
})

/** Switches the language, keeps the choice on this device and tells the page (`<html lang>`). */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // not kept: the choice lasts for this page
  }
}

/** The current language. */
export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}
