import type { PublishedSchema } from '../../api/public-api'
import type { Locale } from '../../i18n'
import { jsonOfBase64url } from '../../wallet-core/encoding'
import { openSdJwt } from '../../wallet-core/sd-jwt'
import type { CredentialDetail, CredentialState } from './console-api'

/**
 * How the console shows a credential to the department that issued it: its claims (read from the credential
 * the department signed, a VC-JWT or an SD-JWT with every disclosure), its name in a sentence, its status tag.
 */

/** The JWT and SD-JWT claims that say who signed what when, not what the credential states. */
const ENVELOPE = new Set(['iss', 'sub', 'iat', 'nbf', 'exp', 'jti', 'vct', 'vct#integrity', 'cnf', 'status', 'id'])

/** The credential subject's claims; undefined when the stored credential cannot be read. */
export async function claimsOfCredential(credential: CredentialDetail): Promise<Record<string, unknown> | undefined> {
  try {
    if (credential.format === 'dc+sd-jwt') {
      const { claims } = await openSdJwt(credential.jwt)
      return Object.fromEntries(Object.entries(claims).filter(([name]) => !ENVELOPE.has(name)))
    }
    const payload = jsonOfBase64url(credential.jwt.split('.')[1] ?? '') as { vc?: { credentialSubject?: unknown } }
    const subject = payload.vc?.credentialSubject
    const first = Array.isArray(subject) ? subject[0] : subject
    if (!first || typeof first !== 'object') return undefined
    return Object.fromEntries(Object.entries(first as Record<string, unknown>).filter(([name]) => name !== 'id'))
  } catch {
    return undefined
  }
}

/** The claims that name a credential's subject in a sentence ("营业执照“南京鼓楼智链科技有限公司”"), by type. */
const NAMING_CLAIMS: Record<string, string[]> = {
  BusinessLicenseCredential: ['enterpriseName', 'unifiedSocialCreditCode'],
  PropertyCertificateCredential: ['certificateNumber', 'propertyUnitNumber'],
  SocialSecurityStatusCredential: ['insuredName', 'idNumberMasked'],
  SocialInsuranceRegistrationCredential: ['employerName', 'unifiedSocialCreditCode'],
}

/** The subject's name and identifier, for the confirmation dialogs: "南京鼓楼智链科技有限公司，91320106MA1X7K2P9E". */
export function subjectOf(type: string, claims: Record<string, unknown> | undefined, fallback: string, locale: Locale): string {
  const parts = (NAMING_CLAIMS[type] ?? []).map((name) => claims?.[name]).filter((v): v is string => typeof v === 'string')
  return parts.length > 0 ? parts.join(locale === 'en' ? ', ' : '，') : fallback
}

/** The type's title in the page's language, from the catalogue (the type's name when unknown). */
export function typeTitle(catalogue: readonly PublishedSchema[] | undefined, type: string, locale: Locale): string {
  return catalogue?.find((entry) => entry.type === type)?.title[locale] ?? type
}

/** Element Plus tag colours of the statuses (AA contrast, main.css). */
export const STATUS_TAG: Record<CredentialState, 'success' | 'warning' | 'danger'> = {
  active: 'success',
  suspended: 'warning',
  revoked: 'danger',
}

/** A long identifier shortened for a table cell: `urn:uuid:1b4e…9f2a`. */
export function shortId(id: string): string {
  return id.length <= 24 ? id : `${id.slice(0, 13)}…${id.slice(-4)}`
}

/** A date-time in the page's language. */
export function dateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}
