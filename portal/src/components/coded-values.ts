import type { Locale, PlainText } from '../api/error-messages'

/**
 * Claims whose values are codes (`pension`, `active`) and the message keys of their words in each language
 * (基本养老保险, 正常参保): the SD-JWT VC type metadata names claims, not the values of an enum, so the portal does.
 * The words live in the bank page's messages (`verify.values`); the wallet shows the same words.
 */
const CODED: Record<string, string> = {
  'insurances.*.type': 'verify.values.insuranceType',
  'insurances.*.status': 'verify.values.insuranceStatus',
  // The employer social insurance registration lists the insurance types the employer registers for.
  'insuranceTypes.*': 'verify.values.insuranceType',
}

/** The words for a coded claim value at `path` (`insurances.*.type`), or the value itself when it has none. */
export function codedWord(path: string, value: string, t: (key: string) => string, te: (key: string) => boolean): string {
  const key = Object.hasOwn(CODED, path) ? `${CODED[path]}.${value}` : undefined
  return key && te(key) ? t(key) : value
}

/** The catalogue's credential types in words, for pages that name a type without loading its schema. */
const CREDENTIAL_TYPES: Record<string, PlainText> = {
  BusinessLicenseCredential: { 'zh-CN': '营业执照', en: 'Business licence' },
  PropertyCertificateCredential: { 'zh-CN': '不动产权证书', en: 'Real estate title certificate' },
  SocialSecurityStatusCredential: { 'zh-CN': '社会保险参保状态', en: 'Social security status' },
  SocialInsuranceRegistrationCredential: { 'zh-CN': '单位社会保险登记', en: 'Employer social insurance registration' },
}

/** The name of a credential type in `locale`, or the type itself when the portal has no words for it. */
export function credentialTypeName(type: string, locale: Locale): string {
  return Object.hasOwn(CREDENTIAL_TYPES, type) ? CREDENTIAL_TYPES[type]![locale] : type
}

/** A one-stop case's states and its steps' states, as the service answers them; their words are `onestop.caseStates.*`. */
export const CASE_STATES = ['awaiting-presentation', 'in-progress', 'completed', 'refused', 'failed', 'expired'] as const
export const STEP_STATES = ['waiting', 'issued', 'in-review', 'refused', 'blocked', 'failed'] as const

/** The words of a one-stop case state (`completed` → 已办结), or the state itself when unknown. */
export function caseStateWord(state: string, t: (key: string) => string, te: (key: string) => boolean): string {
  const key = `onestop.caseStates.${state}`
  return te(key) ? t(key) : state
}

/** The words of a one-stop step state (`in-review` → 人工审核中), or the state itself when unknown. */
export function stepStateWord(state: string, t: (key: string) => string, te: (key: string) => boolean): string {
  const key = `onestop.stepStates.${state}`
  return te(key) ? t(key) : state
}
