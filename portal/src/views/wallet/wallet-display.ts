import { useI18n } from 'vue-i18n'
import { textIn, type LocalizedText, type WalletLocale } from '../../wallet-core/index.js'

/**
 * What the wallet's pages need to word things in the current language: a localized text (the other language
 * standing in), a date, a date and time.
 *
 * @example
 * const { text, date } = useWalletDisplay()
 * text(card.type.name) // '营业执照'
 */
export function useWalletDisplay() {
  const { locale } = useI18n()
  const current = () => locale.value as WalletLocale
  return {
    locale: current,
    text: (value: LocalizedText | undefined, fallback = '') => textIn(value, current()) ?? fallback,
    date: (iso: string | null | undefined) =>
      iso ? new Intl.DateTimeFormat(current(), { dateStyle: 'medium' }).format(new Date(iso)) : '',
    dateTime: (iso: string | null | undefined) =>
      iso ? new Intl.DateTimeFormat(current(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '',
    number: (value: number) => new Intl.NumberFormat(current()).format(value),
  }
}

/** The Element Plus tag type of each credential status. */
export const STATUS_TAG = {
  valid: 'success',
  suspended: 'warning',
  revoked: 'danger',
  unknown: 'info',
} as const

/**
 * Claims in the order their type metadata lists them (which follows the schema), rather than the order of the
 * credential's disclosures (random by design); claims the metadata does not name come last.
 */
export function inTypeOrder<T extends { name: string }>(claims: readonly T[], labels: Record<string, LocalizedText>): T[] {
  const order = Object.keys(labels)
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length)
  return [...claims].sort((a, b) => rank(a.name) - rank(b.name))
}

/**
 * The WCAG contrast ratio of two `#rgb` / `#rrggbb` colours, or undefined when either is another notation: an
 * issuer's card colours are used only when their text stays readable (4.5:1).
 *
 * @example
 * contrastRatio('#c8102e', '#ffffff') // ≈ 5.9
 */
export function contrastRatio(first: string, second: string): number | undefined {
  const a = luminance(first)
  const b = luminance(second)
  if (a === undefined || b === undefined) return undefined
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)
}

function luminance(colour: string): number | undefined {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour.trim())?.[1]
  if (!hex) return undefined
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex
  const [r, g, b] = [0, 2, 4].map((at) => {
    const channel = parseInt(full.slice(at, at + 2), 16) / 255
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
