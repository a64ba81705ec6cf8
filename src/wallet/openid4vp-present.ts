// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata'
import { randomUUID, X509Certificate, type KeyObject } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { digest } from '@sd-jwt/crypto-nodejs'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { CompactEncrypt, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { isLoopback } from './openid4vci-receive.js'
import { chainEndsAt, openSdJwtVc } from './sd-jwt-vc.js'
import type { WalletAgent } from './wallet-agent.js'
import type { DisplayNames, WalletCredentialStore } from './wallet-credential-store.js'
import type { PresentationHistoryEntry, RequestedCredential, WalletHistoryStore } from './wallet-history-store.js'
import { WalletError } from './wallet-errors.js'
import { matchDcqlQuery, pathText, type PlannedCredential, type PlannedVcJwt } from './openid4vp-dcql-match.js'

export type { PlannedCredential, PlannedVcJwt } from './openid4vp-dcql-match.js'

/** The client identifier prefix this wallet authenticates: the verifier's certificate names its DNS host. */
export const X509_SAN_DNS = 'x509_san_dns'
const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt'

export interface Openid4vpOptions {
  /** Root certificates (PEM) the verifier's x5c chain must end at; without them, any chain that links up is taken. */
  trustedRoots?: string[]
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number
  fetch?: typeof fetch
}

/** How a response is encrypted to the verifier (direct_post.jwt, OpenID4VP 1.0 §8.3): its key from the signed request, the enc chosen. */
export interface ResponseEncryption {
  jwk: JWK & { kid: string }
  enc: 'A128GCM' | 'A256GCM'
}

/** A verified OpenID4VP request and what answering it would disclose; nothing is sent until {@link sendPresentation}. */
export interface PresentationPlan {
  clientId: string
  /** The verifier's DNS name, from its certificate (and the client identifier). */
  host: string
  /** The verifier's names: certificate subject CN (Chinese) and O (English), or the client metadata's client_name. */
  verifierName: DisplayNames
  purpose: DisplayNames
  responseUri: string
  /** `direct_post`, or `direct_post.jwt`: the response is encrypted to the verifier's key from the signed request. */
  responseMode: 'direct_post' | 'direct_post.jwt'
  responseEncryption?: ResponseEncryption
  nonce: string
  state?: string
  expiresAt: string | null
  /** Whether the verifier's certificate chain ends at a root the holder gave (--trust-root). */
  trustedRoot: boolean
  /** The SD-JWT VCs to present, each disclosing only what is asked. */
  credentials: PlannedCredential[]
  /** The VC-JWTs to present (jwt_vc_json queries), each shown whole. */
  vcJwts: PlannedVcJwt[]
}

/** What the verifier answered to a sent presentation. */
export interface PresentationSent {
  sent: true
  clientId: string
  verifierName: DisplayNames
  credentials: { queryId: string; credentialId: string; type: string; disclosed: string[] }[]
  redirectUri?: string
}

interface Deps {
  agent: WalletAgent
  store: WalletCredentialStore
  history: WalletHistoryStore
}

/**
 * Opens an OpenID4VP 1.0 request (`openid4vp://?client_id=x509_san_dns:…&request_uri=…`): fetches the signed
 * request object, verifies its ES256 signature with the x5c leaf, that the leaf names the client identifier's
 * host (SAN DNS) and, with trusted roots, that its chain ends at one; that it has not expired and answers by
 * direct_post (or direct_post.jwt, encrypted to the key it names) to that host; then matches its DCQL query
 * against the wallet's SD-JWT VCs and imported VC-JWTs.
 */
export async function preparePresentation(deps: Deps, uri: string, options: Openid4vpOptions = {}): Promise<PresentationPlan> {
  const fetchImpl = verifierFetch(options.fetch ?? fetch, options.timeoutMs ?? 10_000)
  const { clientId, requestUri, requestByValue } = parseRequestLink(uri)
  const jwt = requestByValue ?? (await fetchRequestObject(fetchImpl, requestUri!))
  const { payload, chain } = await verifyRequestObject(jwt)
  if (payload.client_id !== clientId) {
    throw new WalletError(
      'ERR_REQUEST_SIGNATURE',
      `请求对象的 client_id ${String(payload.client_id)} 与链接中的 ${clientId} 不同 / the signed request names client_id ${String(payload.client_id)}, the link ${clientId}`,
    )
  }
  if (!clientId.startsWith(`${X509_SAN_DNS}:`)) {
    throw new WalletError(
      'ERR_REQUEST_UNSUPPORTED',
      `本钱包只接受以证书 DNS 名称标识的验证方 (x509_san_dns) / this wallet accepts verifiers identified by x509_san_dns, not ${clientId}`,
    )
  }
  const host = clientId.slice(X509_SAN_DNS.length + 1).toLowerCase()
  const leaf = chain[0]!
  if (!sanDnsNames(leaf).includes(host)) {
    throw new WalletError(
      'ERR_DOMAIN_MISMATCH',
      `验证方证书不属于 ${host} / the verifier's certificate names ${sanDnsNames(leaf).join(', ') || 'no DNS name'}, not ${host}`,
    )
  }
  const trustedRoot = Boolean(options.trustedRoots?.length)
  if (trustedRoot && !chainEndsAt(chain, options.trustedRoots!)) {
    throw new WalletError(
      'ERR_VERIFIER_UNTRUSTED',
      '验证方证书不是受信任的根证书签发的 / the verifier certificate is not issued by a trusted root',
    )
  }
  const now = Math.floor(Date.now() / 1000)
  if (typeof payload.exp === 'number' && payload.exp < now) {
    throw new WalletError(
      'ERR_REQUEST_EXPIRED',
      '出示请求已过期，请让验证方重新发起 / the presentation request has expired: ask the verifier for a new one',
    )
  }
  if (payload.response_type !== 'vp_token')
    throw new WalletError(
      'ERR_REQUEST_UNSUPPORTED',
      `response_type 须为 vp_token / unsupported response_type ${String(payload.response_type)}`,
    )
  if (payload.response_mode !== 'direct_post' && payload.response_mode !== 'direct_post.jwt')
    throw new WalletError(
      'ERR_REQUEST_UNSUPPORTED',
      `本钱包只支持 direct_post 与 direct_post.jwt / unsupported response_mode ${String(payload.response_mode)}`,
    )
  const responseEncryption = payload.response_mode === 'direct_post.jwt' ? encryptionOf(payload.client_metadata) : undefined
  const responseUri = payload.response_uri
  if (typeof responseUri !== 'string')
    throw new WalletError('ERR_REQUEST_MALFORMED', '出示请求缺少 response_uri / the request has no response_uri')
  let responseHost: string
  try {
    responseHost = new URL(responseUri).hostname.replace(/^\[|\]$/g, '').toLowerCase()
  } catch {
    throw new WalletError('ERR_REQUEST_MALFORMED', `response_uri 不是 URL / response_uri is not a URL`)
  }
  if (responseHost !== host) {
    throw new WalletError(
      'ERR_DOMAIN_MISMATCH',
      `出示结果将发往 ${responseHost}，而不是验证方 ${host} / the response would go to ${responseHost}, not to the verifier ${host}`,
    )
  }
  if (typeof payload.nonce !== 'string' || payload.nonce === '')
    throw new WalletError('ERR_REQUEST_MALFORMED', '出示请求缺少 nonce / the request has no nonce')

  const names = certificateNames(leaf)
  const metadataName = (payload.client_metadata as { client_name?: unknown } | undefined)?.client_name
  const verifierName: DisplayNames = names['zh-CN'] || names.en ? names : typeof metadataName === 'string' ? { en: metadataName } : {}
  const { credentials, vcJwts } = await matchDcqlQuery(deps, payload.dcql_query)
  return {
    clientId,
    host,
    verifierName,
    // The purpose: a request parameter, or (DCQL) that of the credential set asked for.
    purpose: purposeOf(
      payload.purpose ?? (payload.dcql_query?.credential_sets as { purpose?: unknown }[] | undefined)?.find((s) => s?.purpose)?.purpose,
    ),
    responseUri,
    responseMode: payload.response_mode,
    ...(responseEncryption ? { responseEncryption } : {}),
    nonce: payload.nonce,
    ...(typeof payload.state === 'string' ? { state: payload.state } : {}),
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : null,
    trustedRoot,
    credentials,
    vcJwts,
  }
}

/**
 * Answers a plan: for each SD-JWT VC a presentation disclosing only the claims asked for, with a key-binding JWT
 * (nonce, aud = client_id, iat, sd_hash) signed by the credential's holder key; for each VC-JWT a VP-JWT (nonce,
 * aud = client_id) signed by its subject's DID. Posts them by direct_post (`vp_token` JSON by credential query
 * id, `state`) or, for direct_post.jwt, the same parameters as one JWE (ECDH-ES to the verifier's key from the
 * signed request) in `response`; records it in the history.
 */
export async function sendPresentation(deps: Deps, plan: PresentationPlan, options: Openid4vpOptions = {}): Promise<PresentationSent> {
  const fetchImpl = verifierFetch(options.fetch ?? fetch, options.timeoutMs ?? 10_000)
  const vpToken: Record<string, string[]> = {}
  for (const planned of plan.credentials) vpToken[planned.queryId] = [await sdJwtPresentationOf(deps, planned, plan)]
  for (const planned of plan.vcJwts) vpToken[planned.queryId] = [await vpJwtOf(deps, planned, plan)]
  const form = await responseForm(plan, vpToken)
  let response: Response
  try {
    response = await fetchImpl(plan.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
    })
  } catch (error) {
    await record(deps, plan, 'failed', (error as WalletError).code ?? 'ERR_REQUEST_UNREACHABLE')
    throw error
  }
  const text = await response.text()
  let body: Record<string, unknown> = {}
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  } catch {
    // an answer that is not JSON: only its status counts
  }
  if (!response.ok) {
    const detail = [body.error, body.govcred_code ? `(${String(body.govcred_code)})` : undefined].filter(Boolean).join(' ')
    await record(deps, plan, 'failed', detail || `HTTP ${response.status}`)
    throw new WalletError(
      'ERR_VERIFIER_REFUSED',
      `验证方拒收了出示 / the verifier refused the presentation: HTTP ${response.status}${detail ? ` ${inertText(detail)}` : ''}${
        typeof body.error_description === 'string' ? `: ${inertText(body.error_description)}` : ''
      }`,
    )
  }
  await record(deps, plan, 'sent', null)
  return {
    sent: true,
    clientId: plan.clientId,
    verifierName: plan.verifierName,
    credentials: [
      ...plan.credentials.map((c) => ({
        queryId: c.queryId,
        credentialId: c.credential.id,
        type: c.vct,
        disclosed: c.claims.map(pathText),
      })),
      ...plan.vcJwts.map((c) => ({ queryId: c.queryId, credentialId: c.id, type: c.type, disclosed: c.claims })),
    ],
    ...(typeof body.redirect_uri === 'string' ? { redirectUri: body.redirect_uri } : {}),
  }
}

async function sdJwtPresentationOf(deps: Deps, planned: PlannedCredential, plan: PresentationPlan): Promise<string> {
  const sdJwt = new SDJwtVcInstance({
    hasher: digest,
    kbSignAlg: 'ES256',
    kbSigner: (data: string) =>
      deps.agent.keyManagerSign({ keyRef: planned.credential.holderKid, algorithm: 'ES256', data, encoding: 'utf-8' }),
  })
  const { claims } = await openSdJwtVc(planned.credential.credential)
  const frame = presentationFrame(planned.claims, claims)
  return sdJwt.present(planned.credential.credential, frame as never, {
    kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: plan.clientId, nonce: plan.nonce } },
  })
}

/** A VP-JWT of the one VC-JWT (OpenID4VP 1.0 Appendix B.1.3): nonce and aud of the request, signed by the holder's DID. */
async function vpJwtOf(deps: Deps, planned: PlannedVcJwt, plan: PresentationPlan): Promise<string> {
  const vp = await deps.agent.createVerifiablePresentation({
    presentation: { holder: planned.holder, verifiableCredential: [planned.jwt] },
    proofFormat: 'jwt',
    challenge: plan.nonce,
    domain: plan.clientId,
  })
  return (vp.proof as { jwt: string }).jwt
}

/** The response's form: the parameters in the clear (direct_post), or encrypted to the verifier in `response` (direct_post.jwt). */
async function responseForm(plan: PresentationPlan, vpToken: Record<string, string[]>): Promise<URLSearchParams> {
  const state: Record<string, string> = plan.state !== undefined ? { state: plan.state } : {}
  if (plan.responseMode !== 'direct_post.jwt') return new URLSearchParams({ vp_token: JSON.stringify(vpToken), ...state })
  const { jwk, enc } = plan.responseEncryption!
  const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify({ vp_token: vpToken, ...state })))
    .setProtectedHeader({ alg: 'ECDH-ES', enc, kid: jwk.kid })
    .encrypt(await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'ECDH-ES'))
  return new URLSearchParams({ response: jwe })
}

/** Records that the holder declined: nothing was sent. */
export async function declinePresentation(deps: Deps, plan: PresentationPlan): Promise<void> {
  await record(deps, plan, 'declined', 'ERR_CONSENT_DECLINED')
}

async function record(
  deps: Deps,
  plan: PresentationPlan,
  outcome: PresentationHistoryEntry['outcome'],
  reason: string | null,
): Promise<void> {
  const requested: RequestedCredential[] = [
    ...plan.credentials.map((c) => ({
      queryId: c.queryId,
      type: c.vct,
      claims: c.claims.map(pathText),
      credentialId: c.credential.id,
    })),
    ...plan.vcJwts.map((c) => ({ queryId: c.queryId, type: c.type, claims: c.claims, credentialId: c.id })),
  ]
  await deps.history.add({
    id: randomUUID(),
    at: new Date().toISOString(),
    clientId: plan.clientId,
    verifierName: plan.verifierName,
    purpose: plan.purpose,
    requested,
    outcome,
    reason,
  })
}

/** The client identifier and the request (by reference, or a signed request object by value) of a link. */
export function parseRequestLink(uri: string): { clientId: string; requestUri?: string; requestByValue?: string } {
  let url: URL
  try {
    url = new URL(uri.trim())
  } catch {
    throw new WalletError('ERR_REQUEST_URL', `不是出示请求链接 / not an OpenID4VP link: ${uri.slice(0, 80)}`)
  }
  const params = url.searchParams
  const requestUri = params.get('request_uri') ?? undefined
  const requestByValue = params.get('request') ?? undefined
  if (!requestUri && !requestByValue) {
    throw new WalletError(
      'ERR_REQUEST_UNSIGNED',
      params.has('response_type') || params.has('dcql_query')
        ? '出示请求未签名，无法确认验证方身份，拒绝 / the request is not signed (its parameters are in the link): the verifier cannot be authenticated'
        : '链接缺少 request_uri / the link carries no request_uri',
    )
  }
  const clientId = params.get('client_id')
  if (!clientId) throw new WalletError('ERR_REQUEST_MALFORMED', '链接缺少 client_id / the link carries no client_id')
  if (requestUri && params.get('request_uri_method') === 'post') {
    throw new WalletError('ERR_REQUEST_UNSUPPORTED', '本钱包只用 GET 获取请求对象 / this wallet fetches request objects by GET only')
  }
  return { clientId, ...(requestUri ? { requestUri } : {}), ...(requestByValue ? { requestByValue } : {}) }
}

async function fetchRequestObject(fetchImpl: typeof fetch, requestUri: string): Promise<string> {
  const response = await fetchImpl(requestUri, { headers: { accept: `application/${REQUEST_OBJECT_TYP}` } })
  if (response.status === 404 || response.status === 410) {
    throw new WalletError(
      'ERR_REQUEST_EXPIRED',
      `出示请求已失效（过期或不存在），请让验证方重新发起 / the presentation request is no longer available (expired or unknown): ask the verifier for a new one (HTTP ${response.status})`,
    )
  }
  if (!response.ok) {
    throw new WalletError(
      'ERR_REQUEST_UNREACHABLE',
      `获取出示请求返回 HTTP ${response.status} / fetching the request answered HTTP ${response.status}`,
    )
  }
  return (await response.text()).trim()
}

/** Verifies the request object's ES256 signature by its x5c leaf (the chain linking up, each within its validity). */
async function verifyRequestObject(jwt: string): Promise<{ payload: Record<string, any>; chain: X509Certificate[] }> {
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>
  } catch {
    throw new WalletError(
      'ERR_REQUEST_UNSIGNED',
      '验证方返回的不是签名的请求对象 / the verifier did not answer with a signed request object',
    )
  }
  if (header.alg === 'none' || jwt.split('.').length !== 3 || jwt.endsWith('.')) {
    throw new WalletError('ERR_REQUEST_UNSIGNED', '请求对象未签名 / the request object is unsigned (alg none)')
  }
  if (header.typ !== REQUEST_OBJECT_TYP)
    throw new WalletError(
      'ERR_REQUEST_MALFORMED',
      `请求对象 typ 应为 ${REQUEST_OBJECT_TYP} / the request object's typ is ${String(header.typ)}`,
    )
  if (header.alg !== 'ES256')
    throw new WalletError(
      'ERR_REQUEST_SIGNATURE',
      `请求对象须以 ES256 签名 / the request object must be signed with ES256, not ${String(header.alg)}`,
    )
  const x5c = header.x5c
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string'))
    throw new WalletError(
      'ERR_REQUEST_SIGNATURE',
      '请求对象缺少验证方证书 (x5c) / the request object carries no verifier certificate (x5c)',
    )
  let chain: X509Certificate[]
  try {
    chain = (x5c as string[]).map((c) => new X509Certificate(Buffer.from(c, 'base64')))
  } catch {
    throw new WalletError('ERR_REQUEST_SIGNATURE', '验证方证书无法解析 / a verifier certificate cannot be read')
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey))
      throw new WalletError('ERR_REQUEST_SIGNATURE', '验证方证书链不连贯 / the verifier certificate chain does not link up')
  }
  const now = Date.now()
  if (chain.some((c) => Date.parse(c.validFrom) > now || Date.parse(c.validTo) < now))
    throw new WalletError('ERR_REQUEST_SIGNATURE', '验证方证书不在有效期内 / a verifier certificate is outside its validity')
  try {
    const { payload } = await compactVerify(jwt, chain[0]!.publicKey as KeyObject, { algorithms: ['ES256'] })
    return { payload: JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, any>, chain }
  } catch {
    throw new WalletError('ERR_REQUEST_SIGNATURE', '请求对象的签名无效 / the request object signature does not verify')
  }
}

function sanDnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice('DNS:'.length).toLowerCase())
}

/** The verifier's names as its certificate states them: CN (Chinese), O (English). */
function certificateNames(cert: X509Certificate): DisplayNames {
  try {
    const parsed = new x509.X509Certificate(cert.raw)
    const cn = parsed.subjectName.getField('CN')[0]
    const o = parsed.subjectName.getField('O')[0]
    return { ...(cn ? { 'zh-CN': cn } : {}), ...(o ? { en: o } : {}) }
  } catch {
    return {}
  }
}

function purposeOf(value: unknown): DisplayNames {
  if (typeof value === 'string') return { 'zh-CN': value }
  if (!value || typeof value !== 'object') return {}
  const v = value as Record<string, unknown>
  return {
    ...(typeof v['zh-CN'] === 'string' ? { 'zh-CN': v['zh-CN'] } : {}),
    ...(typeof v.en === 'string' ? { en: v.en } : {}),
  }
}

/**
 * The response-encryption key of a direct_post.jwt request (OpenID4VP 1.0 §8.3): the first key of
 * `client_metadata.jwks` for encryption (use enc or none) by ECDH-ES on P-256, with a kid; the enc the first of
 * A128GCM and A256GCM that `encrypted_response_enc_values_supported` lists (A128GCM when it lists none).
 */
function encryptionOf(clientMetadata: unknown): ResponseEncryption {
  const metadata = (clientMetadata ?? {}) as { jwks?: { keys?: unknown }; encrypted_response_enc_values_supported?: unknown }
  const keys = Array.isArray(metadata.jwks?.keys) ? (metadata.jwks.keys as Record<string, unknown>[]) : []
  const jwk = keys.find(
    (k) =>
      k &&
      k.kty === 'EC' &&
      k.crv === 'P-256' &&
      typeof k.x === 'string' &&
      typeof k.y === 'string' &&
      typeof k.kid === 'string' &&
      (k.use === undefined || k.use === 'enc') &&
      (k.alg === undefined || k.alg === 'ECDH-ES'),
  )
  if (!jwk)
    throw new WalletError(
      'ERR_REQUEST_UNSUPPORTED',
      '加密出示请求未提供可用的 P-256 ECDH-ES 公钥 / the request asks for an encrypted response but names no P-256 ECDH-ES key with a kid (client_metadata.jwks)',
    )
  const listed = metadata.encrypted_response_enc_values_supported
  const offered = Array.isArray(listed) ? listed : ['A128GCM']
  const enc = (['A128GCM', 'A256GCM'] as const).find((e) => offered.includes(e))
  if (!enc)
    throw new WalletError(
      'ERR_REQUEST_UNSUPPORTED',
      `本钱包只支持 A128GCM 与 A256GCM 加密 / this wallet encrypts with A128GCM or A256GCM, not ${offered.map(String).join(', ')}`,
    )
  return { jwk: { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string, kid: jwk.kid as string }, enc }
}

/** A DCQL claim path as the @sd-jwt presentation frame: {a: {b: true}}; a null (every element) expands over the array. */
export function presentationFrame(paths: (string | number | null)[][], claims: Record<string, unknown>): Record<string, unknown> {
  const frame: Record<string, unknown> = {}
  const add = (target: Record<string, unknown>, value: unknown, path: (string | number | null)[]) => {
    const [head, ...rest] = path
    if (head === undefined) return
    const keys = head === null ? (Array.isArray(value) ? value.map((_, i) => i) : []) : [head]
    for (const key of keys) {
      const child = (value as Record<string | number, unknown> | undefined)?.[key]
      if (rest.length === 0) target[key] = true
      else {
        const next = (typeof target[key] === 'object' && target[key] !== null ? target[key] : {}) as Record<string, unknown>
        target[key] = next
        add(next, child, rest)
      }
    }
  }
  for (const path of paths) add(frame, claims, path)
  return frame
}

/** fetch that refuses plain http except on loopback, follows no redirect, and gives up after a timeout. */
function verifierFetch(fetchImpl: typeof fetch, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    let url: URL
    try {
      url = new URL(input instanceof Request ? input.url : String(input))
    } catch {
      throw new WalletError('ERR_REQUEST_URL', `不是 URL / not a URL: ${String(input).slice(0, 80)}`)
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new WalletError(
        'ERR_REQUEST_URL',
        `验证方地址须为 https / the verifier must be reached over https, not ${url.protocol}//${url.host}`,
      )
    }
    try {
      return await fetchImpl(input, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      throw new WalletError(
        'ERR_REQUEST_UNREACHABLE',
        `无法连接验证方 ${url.host} / cannot reach the verifier at ${url.host}: ${(error as Error).message}`,
      )
    }
  }
}

function inertText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD').slice(0, 300)
}
