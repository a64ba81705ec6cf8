/** The two languages of the portal; zh-CN is the default. */
export type WalletLocale = 'zh-CN' | 'en'

/** A text in Chinese and English; either may be missing (then the other stands in). */
export interface LocalizedText {
  'zh-CN'?: string
  en?: string
}

/**
 * The text of a localized value in a locale, the other language standing in when it is missing.
 *
 * @example
 * textIn({ 'zh-CN': '营业执照', en: 'Business licence' }, 'en') // => 'Business licence'
 */
export function textIn(text: LocalizedText | undefined, locale: WalletLocale): string | undefined {
  if (!text) return undefined
  return locale === 'en' ? (text.en ?? text['zh-CN']) : (text['zh-CN'] ?? text.en)
}

/**
 * zh-CN and en texts from an OpenID4VCI or SD-JWT VC type-metadata `display` array: entries name their
 * language as `locale` (OpenID4VCI, newer SD-JWT VC drafts) or `lang` (older drafts) and their text as
 * `name` (types, issuers) or `label` (claims). An entry without a language counts as English.
 */
export function localizedFromDisplay(display: unknown, field: 'name' | 'label' | 'description' = 'name'): LocalizedText {
  const text: LocalizedText = {}
  for (const entry of Array.isArray(display) ? display : []) {
    if (!entry || typeof entry !== 'object') continue
    const record = entry as Record<string, unknown>
    const value = record[field] ?? (field === 'label' ? record.name : undefined)
    if (typeof value !== 'string' || value.trim() === '') continue
    const locale = String(record.locale ?? record.lang ?? '').toLowerCase()
    if (locale.startsWith('zh')) text['zh-CN'] ??= value
    else if (locale === '' || locale.startsWith('en')) text.en ??= value
  }
  return text
}

/** The display entry of an array for a language (the whole entry: logos and colours live beside the name). */
export function displayEntry(display: unknown, locale: WalletLocale): Record<string, unknown> | undefined {
  const entries = (Array.isArray(display) ? display : []).filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
  const prefix = locale === 'en' ? 'en' : 'zh'
  return (
    entries.find((e) =>
      String(e.locale ?? e.lang ?? '')
        .toLowerCase()
        .startsWith(prefix),
    ) ?? entries[0]
  )
}

/** A claim path as people and the history read it: `enterpriseName`, `insurances.*.type`. */
export function pathText(path: readonly (string | number | null)[]): string {
  return path.map((p) => (p === null ? '*' : String(p))).join('.')
}
