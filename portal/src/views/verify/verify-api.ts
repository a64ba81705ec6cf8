import { addErrorMessages } from '../../api/error-messages'
import { api } from '../../api/http'

/**
 * The calls of the bank verification page: the officer's session (POST/GET/DELETE /v1/session) and the bank's
 * OpenID4VP presentation requests (POST /v1/presentation-requests, GET /v1/presentation-requests/{id}), which
 * the officer's session makes and reads as the bank (its relying party).
 */

export type Bilingual = { 'zh-CN': string; en: string }

export { readSession, signIn, signOut, type PortalSession, type SignedInAccount } from '../../api/session-api'

export interface RequestedCredential {
  id: string
  type: string
  claims: string[]
}

export interface NewCheck {
  credentials: RequestedCredential[]
  purpose: Bilingual
}

/** One check of a verification (see check-messages.ts). */
export interface ResultCheck {
  check: string
  ok: boolean
  code: string
  message: string
  credential?: number
  reason?: unknown
}

/** One presented credential: the verifier gives only the claims asked for. */
export interface ResultCredential {
  index: number
  types: string[]
  issuerName: string | null
  claims: Record<string, unknown>
  validFrom: string | null
  validUntil: string | null
  verified: boolean
}

export interface CheckResult {
  verified: boolean
  checks: ResultCheck[]
  credentials: ResultCredential[]
  /** The wallet's error response (OpenID4VP §8.5): the holder declined, or the wallet could not answer. */
  walletError?: { error: string; error_description?: string }
}

export type RequestState = 'pending' | 'answered' | 'expired'

/** A request as its bank reads it. */
export interface CheckRequest {
  id: string
  state: RequestState
  deepLink: string
  requestUri: string
  expiresAt: string
  createdAt: string
  answeredAt: string | null
  verifier: { id: string; name: Bilingual }
  purpose: Bilingual
  dcql: { credentials?: { id: string; format?: string; meta?: { vct_values?: string[] }; claims?: { path: unknown[] }[] }[] }
  /** Null while pending, and once the result has been purged (GOVCRED_PRESENTATION_RESULT_TTL_SECONDS). */
  result: CheckResult | null
}

export interface CreatedCheck {
  id: string
  deepLink: string
  expiresAt: string
}

addErrorMessages({
  ERR_RELYING_PARTY_REQUIRED: {
    'zh-CN': '请使用核验机构的核验员账号登录后再发起核验。',
    en: "Sign in with a verifying organisation's officer account to start a check.",
  },
  ERR_OPENID4VP_UNAVAILABLE: {
    'zh-CN': '本节点暂时无法发起扫码核验，请联系平台运营人员。',
    en: 'This node cannot start QR checks right now. Please contact the platform operator.',
  },
  ERR_TOO_MANY_OPEN_REQUESTS: {
    'zh-CN': '未完成的核验请求太多了，请稍后再试。',
    en: 'There are too many open verification requests. Please try again shortly.',
  },
  ERR_ROLE_FORBIDDEN: { 'zh-CN': '您的账号无权进行此项操作。', en: 'Your account may not do this.' },
})

/** Starts a check: an OpenID4VP request of the officer's bank (SD-JWT VCs, answered by direct_post). */
export const createCheck = (check: NewCheck) =>
  api<CreatedCheck>('/v1/presentation-requests', { method: 'POST', body: { protocol: 'openid4vp', ...check } })

export const readCheck = (id: string, signal?: AbortSignal) =>
  api<CheckRequest>(`/v1/presentation-requests/${encodeURIComponent(id)}`, { signal })

/**
 * What a request asked for, read back from its DCQL query (an SD-JWT VC query names its type at the end of its
 * `vct`, `…/vct/BusinessLicenseCredential`): to show it and to ask again the same.
 */
export function requestedOf(request: Pick<CheckRequest, 'dcql'>): RequestedCredential[] {
  return (request.dcql.credentials ?? []).map((query) => ({
    id: query.id,
    type: /\/vct\/([A-Za-z]+)$/.exec(query.meta?.vct_values?.[0] ?? '')?.[1] ?? '',
    claims: (query.claims ?? []).map((claim) => String(claim.path[0])),
  }))
}
