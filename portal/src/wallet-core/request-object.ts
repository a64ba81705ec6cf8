import type { WalletContext } from './context.js'
import type { LocalizedText } from './display.js'
import { isRecord } from './encoding.js'
import { WalletCoreError } from './errors.js'
import { checkedUrl, readText, refusalOf, walletFetch } from './http.js'
import { consortiumRoot } from './trust-root.js'
import { certificateNames, type CertificateNames } from './x509-trust.js'
import { decodeJwt, verifyX5cJwt, X5cJwtFailure } from './x5c-jwt.js'

/** The client identifier prefix the wallet authenticates (HAIP): the verifier certificate's SAN DNS name. */
export const X509_SAN_DNS = 'x509_san_dns'
/** The JWT `typ` of a request object (RFC 9101). */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt'

export type ResponseMode = 'direct_post' | 'direct_post.jwt'

/** An OpenID4VP request link: the client identifier and the request object by reference or by value. */
export interface RequestLink {
  clientId: string
  requestUri?: string
  request?: string
}

/** A request object whose signature, certificate chain, names and expiry were checked. */
export interface VerifiedRequest {
  clientId: string
  /** The verifier's DNS name (its certificate's SAN and the client identifier's). */
  host: string
  certificate: CertificateNames
  /** client_metadata `client_name#zh-CN` / `client_name#en` / `client_name`. */
  clientName: LocalizedText
  purpose: LocalizedText
  responseMode: ResponseMode
  responseUri: string
  nonce: string
  state?: string
  expiresAt: string | null
  dcqlQuery: unknown
  clientMetadata: Record<string, unknown>
}

/**
 * Reads an OpenID4VP link: `openid4vp://?client_id=…&request_uri=…` (or `&request=<JWT>`), any scheme with those
 * parameters, or the portal's `https://…/wallet/present?request=<link>`. A request whose parameters travel
 * unsigned in the link cannot be authenticated: VERIFIER_UNTRUSTED (reason `unsigned`).
 */
export function parseRequestLink(link: string, depth = 0): RequestLink {
  let url: URL
  try {
    url = new URL(link.trim())
  } catch {
    throw new WalletCoreError('REQUEST_INVALID', { reason: 'not-a-link', detail: 'not an OpenID4VP link' })
  }
  const params = url.searchParams
  const request = params.get('request')
  const web = url.protocol === 'https:' || url.protocol === 'http:'
  // The portal's deep link wraps the standard one: /wallet/present?request=openid4vp%3A%2F%2F…
  if (web && depth === 0 && request !== null && /^[a-z][a-z0-9+.-]*:/i.test(request)) return parseRequestLink(request, 1)
  const requestUri = params.get('request_uri')
  if (requestUri === null && request === null) {
    if (params.has('response_type') || params.has('dcql_query') || params.has('presentation_definition')) {
      throw new WalletCoreError('VERIFIER_UNTRUSTED', {
        reason: 'unsigned',
        detail: 'the request is not signed: its parameters are in the link',
      })
    }
    throw new WalletCoreError('REQUEST_INVALID', { reason: 'no-request', detail: 'the link carries no request_uri' })
  }
  const clientId = params.get('client_id')
  if (!clientId) throw new WalletCoreError('REQUEST_INVALID', { reason: 'client-id', detail: 'the link carries no client_id' })
  if (requestUri !== null && (params.get('request_uri_method') ?? 'get').toLowerCase() !== 'get') {
    throw new WalletCoreError('REQUEST_UNSUPPORTED', { reason: 'request-uri-method', detail: 'this wallet fetches request objects by GET' })
  }
  return { clientId, ...(requestUri !== null ? { requestUri } : { request: request! }) }
}

/**
 * Fetches (by reference) and verifies a request object: ES256 `oauth-authz-req+jwt` signed by the leaf of its x5c
 * chain, the chain ending at the consortium root of the wallet's home node, the client identifier
 * `x509_san_dns:<host>` the same in the link and the object and named by the leaf's SAN DNS, the response going
 * to that host, not expired, answering `vp_token` by `direct_post` or `direct_post.jwt` with a nonce and a DCQL
 * query. VERIFIER_UNTRUSTED (with `reason`) for anything that does not authenticate the verifier.
 */
export async function openRequestObject(ctx: WalletContext, link: RequestLink): Promise<VerifiedRequest> {
  const jwt = link.request ?? (await fetchRequestObject(ctx, link.requestUri!))
  let header: Record<string, unknown>
  try {
    header = decodeJwt(jwt).header
  } catch {
    throw new WalletCoreError('REQUEST_INVALID', { reason: 'malformed', detail: 'the request object is not a JWT' })
  }
  if (header.alg === 'none' || jwt.endsWith('.')) {
    throw new WalletCoreError('VERIFIER_UNTRUSTED', { reason: 'unsigned', detail: 'the request object is unsigned' })
  }
  const rootPem = await consortiumRoot(ctx)
  let payload: Record<string, unknown>
  let certificate: CertificateNames
  try {
    const verified = await verifyX5cJwt(jwt, { typ: REQUEST_OBJECT_TYP, rootPem, now: ctx.now() })
    payload = verified.payload
    certificate = certificateNames(verified.chain[0]!)
  } catch (error) {
    if (!(error instanceof X5cJwtFailure)) throw error
    throw new WalletCoreError(error.reason === 'malformed' || error.reason === 'typ' ? 'REQUEST_INVALID' : 'VERIFIER_UNTRUSTED', {
      reason: error.reason,
      detail: error.message,
    })
  }
  const untrusted = (reason: string, detail: string, host?: string) =>
    new WalletCoreError('VERIFIER_UNTRUSTED', { reason, detail, ...(host ? { host } : {}) })
  if (!link.clientId.startsWith(`${X509_SAN_DNS}:`)) {
    throw new WalletCoreError('REQUEST_UNSUPPORTED', {
      reason: 'client-id-prefix',
      detail: `client_id ${link.clientId} is not x509_san_dns`,
    })
  }
  if (payload.client_id !== link.clientId) throw untrusted('client-id', 'the signed request names another client_id than the link')
  const host = link.clientId.slice(X509_SAN_DNS.length + 1).toLowerCase()
  if (!certificate.sanDns.includes(host))
    throw untrusted('host', `the certificate names ${certificate.sanDns.join(', ') || 'no DNS name'}, not ${host}`, host)
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= ctx.now()) {
    throw new WalletCoreError('REQUEST_EXPIRED', { reason: 'exp', detail: 'the request object has expired' })
  }
  if (payload.response_type !== 'vp_token') {
    throw new WalletCoreError('REQUEST_UNSUPPORTED', { reason: 'response-type', detail: `response_type ${String(payload.response_type)}` })
  }
  const responseMode = payload.response_mode
  if (responseMode !== 'direct_post' && responseMode !== 'direct_post.jwt') {
    throw new WalletCoreError('REQUEST_UNSUPPORTED', { reason: 'response-mode', detail: `response_mode ${String(responseMode)}` })
  }
  if (typeof payload.response_uri !== 'string')
    throw new WalletCoreError('REQUEST_INVALID', { reason: 'response-uri', detail: 'no response_uri' })
  const responseUri = checkedUrl(ctx, payload.response_uri)
  const responseHost = responseUri.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (responseHost !== host) throw untrusted('response-uri', `the response would go to ${responseHost}, not to ${host}`, host)
  if (typeof payload.nonce !== 'string' || payload.nonce === '')
    throw new WalletCoreError('REQUEST_INVALID', { reason: 'nonce', detail: 'no nonce' })
  if (!isRecord(payload.dcql_query)) {
    throw new WalletCoreError(payload.presentation_definition ? 'REQUEST_UNSUPPORTED' : 'REQUEST_INVALID', {
      reason: 'query',
      detail: 'the request has no DCQL query',
    })
  }
  const clientMetadata = isRecord(payload.client_metadata) ? payload.client_metadata : {}
  return {
    clientId: link.clientId,
    host,
    certificate,
    clientName: clientNameOf(clientMetadata),
    purpose: purposeOf(payload.dcql_query),
    responseMode,
    responseUri: responseUri.href,
    nonce: payload.nonce,
    ...(typeof payload.state === 'string' ? { state: payload.state } : {}),
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : null,
    dcqlQuery: payload.dcql_query,
    clientMetadata,
  }
}

async function fetchRequestObject(ctx: WalletContext, requestUri: string): Promise<string> {
  const response = await walletFetch(ctx, requestUri, { headers: { accept: `application/${REQUEST_OBJECT_TYP}` } })
  const text = (await readText(ctx, response)).trim()
  if (response.ok) return text
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  const refusal = refusalOf(body)
  const details = {
    status: response.status,
    ...(refusal?.govcredCode ? { govcredCode: refusal.govcredCode } : {}),
    ...(refusal?.description ? { detail: refusal.description } : {}),
  }
  if (refusal?.govcredCode === 'ERR_REQUEST_ANSWERED') throw new WalletCoreError('REQUEST_ANSWERED', details)
  if (refusal?.govcredCode === 'ERR_REQUEST_EXPIRED' || response.status === 404 || response.status === 410) {
    throw new WalletCoreError('REQUEST_EXPIRED', details)
  }
  throw new WalletCoreError(response.status >= 500 ? 'NETWORK' : 'REQUEST_INVALID', details)
}

function clientNameOf(metadata: Record<string, unknown>): LocalizedText {
  const text = (key: string) =>
    typeof metadata[key] === 'string' && (metadata[key] as string).trim() ? (metadata[key] as string) : undefined
  const zh = text('client_name#zh-CN') ?? text('client_name#zh')
  const en = text('client_name#en') ?? text('client_name')
  return { ...(zh ? { 'zh-CN': zh } : {}), ...(en ? { en } : {}) }
}

/** The purpose a DCQL query states for its (first) credential set: a text, or texts by language. */
function purposeOf(query: Record<string, unknown>): LocalizedText {
  const sets = Array.isArray(query.credential_sets) ? query.credential_sets : []
  const purpose = sets.map((s) => (isRecord(s) ? s.purpose : undefined)).find((p) => p !== undefined)
  if (typeof purpose === 'string') return { 'zh-CN': purpose, en: purpose }
  if (!isRecord(purpose)) return {}
  const pick = (...keys: string[]) => keys.map((k) => purpose[k]).find((v): v is string => typeof v === 'string')
  const zh = pick('zh-CN', 'zh', 'zh-Hans')
  const en = pick('en', 'en-US', 'en-GB')
  return { ...(zh ? { 'zh-CN': zh } : {}), ...(en ? { en } : {}) }
}
