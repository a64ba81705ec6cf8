import { DcqlQuery } from 'dcql'
import { isCredentialTypeName, type CredentialTypeName } from '../../catalog/credential-types.js'
import { SD_JWT_TYPES, vctUrl } from '../../catalog/sd-jwt/sd-jwt-types.js'
import { ValidationError } from '../../shared/errors/app-error.js'

/** The SD-JWT VC format identifier of OpenID4VP 1.0 (Appendix B.3). */
export const SD_JWT_VC_FORMAT = 'dc+sd-jwt' as const
/** The W3C VCDM credential secured as a JWT, presented in a VP-JWT (OpenID4VP 1.0 Appendix B.1). */
export const VC_JWT_FORMAT = 'jwt_vc_json' as const
export type RequestedFormat = typeof SD_JWT_VC_FORMAT | typeof VC_JWT_FORMAT

/** How the wallet answers: form fields in the clear (`direct_post`), or one JWE encrypted to the verifier (`direct_post.jwt`, §8.3). */
export type ResponseMode = 'direct_post' | 'direct_post.jwt'

/**
 * One credential a relying party asks for: a DCQL credential query id, a govcred type, the claims wanted and
 * the format (an SD-JWT VC discloses only those claims; a VC-JWT shows the verifier all of them, and the
 * relying party is still given only those asked for).
 */
export interface RequestedCredential {
  id: string
  type: CredentialTypeName
  claims: string[]
  format: RequestedFormat
}

export interface Openid4vpRequestBody {
  credentials: RequestedCredential[]
  purpose: { 'zh-CN': string; en: string }
  responseMode: ResponseMode
}
/** Most credentials one request asks for, and most claims per credential. */
export const MAX_REQUESTED_CREDENTIALS = 5
export const MAX_REQUESTED_CLAIMS = 30

const QUERY_ID = /^[A-Za-z0-9_-]{1,64}$/

/** The top-level claims a holder can disclose for a type (its SD-JWT VC profile; a VC-JWT's credentialSubject has the same). */
export function disclosableClaims(type: CredentialTypeName): string[] {
  return [...new Set(SD_JWT_TYPES[type].claims.filter((r) => r.path.length === 1 && typeof r.path[0] === 'string').map((r) => r.path[0]!))]
}

const invalid = (field: string, message: string) =>
  new ValidationError('ERR_INVALID_REQUEST', message, { details: [{ field, code: 'ERR_FIELD_INVALID', message }] })

/**
 * Reads the body of an OpenID4VP presentation request: 1 to 5 credentials, each `{id, type, claims, format?}` (a
 * DCQL-compatible id, a govcred credential type, 1 to 30 of its claims, `dc+sd-jwt` by default or
 * `jwt_vc_json`), a purpose: a text, or `{"zh-CN", "en"}` (either may be left out; the other stands in for it),
 * and the `responseMode`: `direct_post` (default) or `direct_post.jwt` (the response encrypted to this verifier).
 */
export function parseOpenid4vpRequestBody(body: unknown): Openid4vpRequestBody {
  const input = (body ?? {}) as Record<string, unknown>
  const list = input.credentials
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_REQUESTED_CREDENTIALS)
    throw invalid('/credentials', `credentials must list 1 to ${MAX_REQUESTED_CREDENTIALS} credentials, each {id, type, claims}`)
  const credentials: RequestedCredential[] = list.map((entry, i) => {
    const item = (entry ?? {}) as Record<string, unknown>
    if (typeof item.id !== 'string' || !QUERY_ID.test(item.id))
      throw invalid(`/credentials/${i}/id`, 'a credential id is 1 to 64 letters, digits, "_" or "-"')
    if (!isCredentialTypeName(item.type)) throw invalid(`/credentials/${i}/type`, `credentials[${i}].type is not a govcred credential type`)
    const known = disclosableClaims(item.type)
    const claims = item.claims
    if (!Array.isArray(claims) || claims.length === 0 || claims.length > MAX_REQUESTED_CLAIMS)
      throw invalid(`/credentials/${i}/claims`, `credentials[${i}].claims must list 1 to ${MAX_REQUESTED_CLAIMS} claim names`)
    for (const claim of claims) {
      if (typeof claim !== 'string' || !known.includes(claim))
        throw invalid(
          `/credentials/${i}/claims`,
          `${JSON.stringify(claim).slice(0, 80)} is not a claim of ${item.type} (one of: ${known.join(', ')})`,
        )
    }
    if (new Set(claims).size !== claims.length) throw invalid(`/credentials/${i}/claims`, `credentials[${i}].claims has duplicates`)
    const format = item.format ?? SD_JWT_VC_FORMAT
    if (format !== SD_JWT_VC_FORMAT && format !== VC_JWT_FORMAT)
      throw invalid(`/credentials/${i}/format`, `credentials[${i}].format is "${SD_JWT_VC_FORMAT}" (default) or "${VC_JWT_FORMAT}"`)
    return { id: item.id, type: item.type, claims: claims as string[], format }
  })
  if (new Set(credentials.map((c) => c.id)).size !== credentials.length) throw invalid('/credentials', 'credential ids must differ')
  const responseMode = input.responseMode ?? 'direct_post'
  if (responseMode !== 'direct_post' && responseMode !== 'direct_post.jwt')
    throw invalid('/responseMode', 'responseMode is "direct_post" (default) or "direct_post.jwt" (the response encrypted to this verifier)')
  return { credentials, purpose: parsePurpose(input.purpose), responseMode }
}

function parsePurpose(value: unknown): { 'zh-CN': string; en: string } {
  const text = (v: unknown) => (typeof v === 'string' && v.trim().length > 0 && v.length <= 500 ? v.trim() : undefined)
  if (typeof value === 'string' && text(value)) return { 'zh-CN': text(value)!, en: text(value)! }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>
    const extra = Object.keys(record).filter((k) => k !== 'zh-CN' && k !== 'en')
    const zh = text(record['zh-CN'])
    const en = text(record.en)
    if (extra.length === 0 && (zh || en) && (record['zh-CN'] === undefined || zh) && (record.en === undefined || en))
      return { 'zh-CN': (zh ?? en)!, en: (en ?? zh)! }
  }
  throw invalid('/purpose', 'purpose is a text, or {"zh-CN", "en"} texts, each non-empty and at most 500 characters')
}

/**
 * The DCQL query (OpenID4VP 1.0 §6) of a request, checked with the dcql library: per credential, either an
 * SD-JWT VC of the type's `vct` under each issuing node's URL (a wallet matches a credential's `vct` exactly)
 * with a claims query per requested claim (Appendix B.3), or a
 * VC-JWT whose `type` holds VerifiableCredential and the govcred type, each claim under `credentialSubject`
 * (Appendix B.1).
 */
export function dcqlQueryOf(credentials: RequestedCredential[], issuerUrls: readonly string[]): Record<string, unknown> {
  const query = {
    credentials: credentials.map((c) =>
      c.format === VC_JWT_FORMAT
        ? {
            id: c.id,
            format: VC_JWT_FORMAT,
            meta: { type_values: [['VerifiableCredential', c.type]] },
            claims: c.claims.map((name) => ({ path: ['credentialSubject', name] })),
          }
        : {
            id: c.id,
            format: SD_JWT_VC_FORMAT,
            meta: { vct_values: issuerUrls.map((url) => vctUrl(url, c.type)) },
            claims: c.claims.map((name) => ({ path: [name] })),
          },
    ),
  }
  const parsed = DcqlQuery.parse(query)
  DcqlQuery.validate(parsed)
  return query
}

/**
 * The client metadata of a request object: the formats and algorithms this verifier takes. A VP-JWT and the
 * VC-JWTs in it are checked by verifyJwtSignature (ES256K, EdDSA, ES256).
 */
export const CLIENT_METADATA = {
  vp_formats_supported: {
    [SD_JWT_VC_FORMAT]: { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256', 'ES256K', 'EdDSA'] },
    [VC_JWT_FORMAT]: { alg_values: ['ES256K', 'EdDSA', 'ES256'] },
  },
}

/** The `aud` of a request object (OpenID4VP 1.0 §5.8: a static discovery wallet). */
export const REQUEST_OBJECT_AUDIENCE = 'https://self-issued.me/v2'
