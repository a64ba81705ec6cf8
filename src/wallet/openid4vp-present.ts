// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata'
import { randomUUID, X509Certificate, type KeyObject } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { digest } from '@sd-jwt/crypto-nodejs'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { DcqlQuery, runDcqlQuery, type DcqlSdJwtVcCredential } from 'dcql'
import { compactVerify, decodeProtectedHeader } from 'jose'
import { isLoopback } from './openid4vci-receive.js'
import { chainEndsAt, openSdJwtVc } from './sd-jwt-vc.js'
import type { WalletAgent } from './wallet-agent.js'
import type { DisplayNames, ReceivedCredentialRow, WalletCredentialStore } from './wallet-credential-store.js'
import type { PresentationHistoryEntry, RequestedCredential, WalletHistoryStore } from './wallet-history-store.js'
import { WalletError } from './wallet-errors.js'

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

/** One credential the verifier asks for, with the wallet's credential that answers it. */
export interface PlannedCredential {
  queryId: string
  /** The wallet's credential chosen (the newest current one that matches). */
  credential: ReceivedCredentialRow
  /** The credential type's names (from the issuer's metadata), or its vct. */
  typeName: DisplayNames
  vct: string
  /** The claim paths to disclose: those asked for, nothing else. */
  claims: (string | number | null)[][]
  /** Each claim's name in Chinese and English, when the type metadata gives one. */
  claimNames: { path: string; name: DisplayNames }[]
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
  nonce: string
  state?: string
  expiresAt: string | null
  /** Whether the verifier's certificate chain ends at a root the holder gave (--trust-root). */
  trustedRoot: boolean
  credentials: PlannedCredential[]
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
 * direct_post to that host; then matches its DCQL query against the wallet's SD-JWT VCs.
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
  if (payload.response_mode !== 'direct_post')
    throw new WalletError(
      'ERR_REQUEST_UNSUPPORTED',
      `本钱包只支持 direct_post / unsupported response_mode ${String(payload.response_mode)}`,
    )
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
  const credentials = await matchQuery(deps, payload.dcql_query)
  return {
    clientId,
    host,
    verifierName,
    // The purpose: a request parameter, or (DCQL) that of the credential set asked for.
    purpose: purposeOf(
      payload.purpose ?? (payload.dcql_query?.credential_sets as { purpose?: unknown }[] | undefined)?.find((s) => s?.purpose)?.purpose,
    ),
    responseUri,
    nonce: payload.nonce,
    ...(typeof payload.state === 'string' ? { state: payload.state } : {}),
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : null,
    trustedRoot,
    credentials,
  }
}

/**
 * Answers a plan: for each credential an SD-JWT VC presentation disclosing only the claims asked for, with a
 * key-binding JWT (nonce, aud = client_id, iat, sd_hash) signed by the credential's holder key; posts them by
 * direct_post (`vp_token` JSON by credential query id, `state`) and records it in the history.
 */
export async function sendPresentation(deps: Deps, plan: PresentationPlan, options: Openid4vpOptions = {}): Promise<PresentationSent> {
  const fetchImpl = verifierFetch(options.fetch ?? fetch, options.timeoutMs ?? 10_000)
  const vpToken: Record<string, string[]> = {}
  for (const planned of plan.credentials) {
    const sdJwt = new SDJwtVcInstance({
      hasher: digest,
      kbSignAlg: 'ES256',
      kbSigner: (data: string) =>
        deps.agent.keyManagerSign({ keyRef: planned.credential.holderKid, algorithm: 'ES256', data, encoding: 'utf-8' }),
    })
    const { claims } = await openSdJwtVc(planned.credential.credential)
    const frame = presentationFrame(planned.claims, claims)
    const presentation = await sdJwt.present(planned.credential.credential, frame as never, {
      kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: plan.clientId, nonce: plan.nonce } },
    })
    vpToken[planned.queryId] = [...(vpToken[planned.queryId] ?? []), presentation]
  }
  const form = new URLSearchParams({ vp_token: JSON.stringify(vpToken), ...(plan.state !== undefined ? { state: plan.state } : {}) })
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
    credentials: plan.credentials.map((c) => ({
      queryId: c.queryId,
      credentialId: c.credential.id,
      type: c.vct,
      disclosed: c.claims.map(pathText),
    })),
    ...(typeof body.redirect_uri === 'string' ? { redirectUri: body.redirect_uri } : {}),
  }
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
  const requested: RequestedCredential[] = plan.credentials.map((c) => ({
    queryId: c.queryId,
    type: c.vct,
    claims: c.claims.map(pathText),
    credentialId: c.credential.id,
  }))
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

/** Matches the DCQL query against the wallet's SD-JWT VCs: per credential query, the newest current match. */
async function matchQuery(deps: Deps, input: unknown): Promise<PlannedCredential[]> {
  let query: DcqlQuery
  try {
    query = DcqlQuery.parse(input as never)
    DcqlQuery.validate(query)
  } catch (error) {
    throw new WalletError(
      'ERR_REQUEST_MALFORMED',
      `出示请求的 DCQL 查询无效 / the request's DCQL query is invalid: ${(error as Error).message.split('\n')[0]}`,
    )
  }
  const rows = (await deps.store.list()).filter((r) => r.format === 'dc+sd-jwt')
  const opened = await Promise.all(rows.map(async (row) => ({ row, claims: (await openSdJwtVc(row.credential)).claims })))
  const credentials: DcqlSdJwtVcCredential[] = opened.map(({ claims }) => ({
    credential_format: 'dc+sd-jwt',
    vct: String(claims.vct ?? ''),
    claims: claims as DcqlSdJwtVcCredential['claims'],
    cryptographic_holder_binding: true,
  }))
  const result = runDcqlQuery(query, { credentials, presentation: false })
  // With credential sets, the first option that can be met of each required set; else every credential query.
  const wanted = query.credential_sets
    ? [
        ...new Set(
          (result.credential_sets ?? []).filter((s) => s.required !== false).flatMap((s) => s.matching_options?.[0] ?? s.options[0] ?? []),
        ),
      ]
    : query.credentials.map((c) => c.id)
  const now = Math.floor(Date.now() / 1000)
  return wanted.map((queryId) => {
    const credentialQuery = query.credentials.find((c) => c.id === queryId)!
    const match = result.credential_matches[queryId]
    const vcts = (credentialQuery.meta as { vct_values?: string[] } | undefined)?.vct_values ?? []
    if (credentialQuery.format !== 'dc+sd-jwt' && credentialQuery.format !== 'vc+sd-jwt') {
      throw new WalletError(
        'ERR_NO_MATCHING_CREDENTIAL',
        `本钱包只能出示 SD-JWT VC / this wallet presents SD-JWT VCs, not ${credentialQuery.format} (${queryId})`,
      )
    }
    if (!match?.success) {
      throw new WalletError(
        'ERR_NO_MATCHING_CREDENTIAL',
        `钱包中没有符合要求的凭证 / the wallet holds no credential that answers "${queryId}" (${vcts.map(typeNameOfVct).join(', ') || 'any type'})`,
      )
    }
    const candidates = match.valid_credentials.map((v) => ({
      ...opened[v.input_credential_index]!,
      claimSet: v.claims.valid_claim_sets[0],
    }))
    const current = (c: (typeof candidates)[number]) => typeof c.claims.exp !== 'number' || c.claims.exp > now
    const chosen = candidates.sort(
      (a, b) => Number(current(b)) - Number(current(a)) || b.row.receivedAt.localeCompare(a.row.receivedAt),
    )[0]!
    const indexes = chosen.claimSet?.valid_claim_indexes ?? []
    const paths = indexes.map((i) => (credentialQuery.claims![i] as { path: (string | number | null)[] }).path)
    return {
      queryId,
      credential: chosen.row,
      typeName: chosen.row.credentialDisplay,
      vct: String(chosen.claims.vct ?? vcts[0] ?? ''),
      claims: paths,
      claimNames: paths.map((p) => ({ path: pathText(p), name: chosen.row.claimLabels[pathText(p)] ?? {} })),
    }
  })
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

function pathText(path: (string | number | null)[]): string {
  return path.map((p) => (p === null ? '*' : String(p))).join('.')
}

function typeNameOfVct(vct: string): string {
  return vct.split('/').pop() ?? vct
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
