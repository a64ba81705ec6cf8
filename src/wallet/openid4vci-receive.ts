import { createHash, ECDH, randomBytes, randomUUID } from 'node:crypto'
import { decodeJWT } from 'did-jwt'
import {
  clientAuthenticationAnonymous,
  getGlobalConfig,
  HashAlgorithm,
  Oauth2ClientErrorResponseError,
  Oauth2ServerErrorResponseError,
  setGlobalConfig,
  type CallbackContext,
  type Jwk,
} from '@openid4vc/oauth2'
import { Openid4vciClient, Openid4vciRetrieveCredentialsError } from '@openid4vc/openid4vci'
import { InvalidFetchResponseError, ValidationError } from '@openid4vc/utils'
import { openSdJwtVc, verifySdJwtVcIssuer } from './sd-jwt-vc.js'
import type { WalletAgent } from './wallet-agent.js'
import type { DisplayNames, ReceivedCredentialRow, ReceivedFormat, WalletCredentialStore } from './wallet-credential-store.js'
import { WalletError } from './wallet-errors.js'

/** What the issuer says about the transaction code it expects (OpenID4VCI `tx_code`). */
export interface TxCodeDescription {
  length?: number
  inputMode?: 'numeric' | 'text'
  description?: string
}

export interface ReceiveOptions {
  /** The transaction code, or how to ask the person for it when the offer requires one. */
  txCode?: string | ((asked: TxCodeDescription) => Promise<string>)
  /** Which format to ask for when the offer allows several. Default dc+sd-jwt. */
  format?: ReceivedFormat
  /** Root certificates (PEM) the issuer's x5c chain must end at; without them, any chain that links up is taken. */
  trustedRoots?: string[]
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number
  fetch?: typeof fetch
}

/** What `wallet receive` reports: the stored credential, without its encoding. */
export interface ReceivedCredential {
  id: string
  format: ReceivedFormat
  credentialConfigurationId: string
  credentialIssuer: string
  issuerName: DisplayNames
  typeName: DisplayNames
  /** The holder key the credential is bound to (a P-256 key in the wallet's encrypted key store). */
  holderKey: string
}

const PRE_AUTHORIZED_CODE = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

/**
 * Receives a credential by OpenID4VCI 1.0 (pre-authorized code flow): resolves the offer and the issuer's
 * metadata, asks for the transaction code when the offer requires one, makes a new ES256 holder key, gets an
 * access token and a nonce, sends the credential request with a `jwt` key proof and stores what comes back
 * (an SD-JWT VC after checking the issuer's signature and that it is bound to the new key, or a VC-JWT).
 *
 * @example
 * await receiveCredential({ agent, store }, 'openid-credential-offer://?credential_offer_uri=…', { txCode: '123456' })
 */
export async function receiveCredential(
  deps: { agent: WalletAgent; store: WalletCredentialStore },
  offer: string,
  options: ReceiveOptions = {},
): Promise<ReceivedCredential> {
  const offerText = offerReference(offer)
  const callbacks = clientCallbacks(deps.agent, guardedFetch(options.fetch ?? fetch, options.timeoutMs ?? 10_000))
  const client = new Openid4vciClient({ callbacks })
  // The library checks that every URL is https://; plain http is allowed by guardedFetch only on loopback.
  const previous = getGlobalConfig()
  setGlobalConfig({ ...previous, allowInsecureUrls: true })
  try {
    const credentialOffer = await step('offer', () => client.resolveCredentialOffer(offerText))
    const issuerMetadata = await step('metadata', () => client.resolveIssuerMetadata(credentialOffer.credential_issuer))
    const issuer = issuerMetadata.credentialIssuer
    const grant = credentialOffer.grants?.[PRE_AUTHORIZED_CODE] as
      { 'pre-authorized_code': string; tx_code?: { length?: number; input_mode?: string; description?: string } } | undefined
    if (!grant) {
      throw new WalletError(
        'ERR_OFFER_UNSUPPORTED',
        '此凭证需要在签发方网站登录后领取，本钱包只支持预授权码 / the offer needs a login at the issuer (authorization code flow); this wallet supports only pre-authorized codes',
      )
    }
    const configurations = issuer.credential_configurations_supported as Record<
      string,
      { format?: string; vct?: string } & Record<string, unknown>
    >
    const credentialConfigurationId = chooseConfiguration(
      credentialOffer.credential_configuration_ids,
      configurations,
      options.format ?? 'dc+sd-jwt',
    )
    const configuration = configurations[credentialConfigurationId]!
    const format = configuration.format as ReceivedFormat

    const txCode = grant.tx_code ? await transactionCode(grant.tx_code, options.txCode) : undefined
    const { accessTokenResponse } = await step('token', () =>
      client.retrievePreAuthorizedCodeAccessTokenFromOffer({
        credentialOffer,
        issuerMetadata,
        ...(txCode !== undefined ? { txCode } : {}),
      }),
    )

    const key = await deps.agent.keyManagerCreate({ kms: 'local', type: 'Secp256r1' })
    const publicJwk = p256Jwk(key.publicKeyHex)
    const nonce = issuer.nonce_endpoint ? (await step('nonce', () => client.requestNonce({ issuerMetadata }))).c_nonce : undefined
    const { jwt: proof } = await client.createCredentialRequestJwtProof({
      issuerMetadata,
      credentialConfigurationId,
      signer: { method: 'jwk', alg: 'ES256', publicJwk },
      ...(nonce !== undefined ? { nonce } : {}),
    })
    const { credentialResponse } = await step('credential', () =>
      client.retrieveCredentials({
        issuerMetadata,
        credentialConfigurationId,
        accessToken: accessTokenResponse.access_token,
        proof: { proof_type: 'jwt', jwt: proof },
      }),
    )
    const response = credentialResponse as { credentials?: { credential: unknown }[]; credential?: unknown; transaction_id?: string }
    const credential = response.credentials?.[0]?.credential ?? response.credential
    if (typeof credential !== 'string') {
      throw new WalletError(
        'ERR_OFFER_UNSUPPORTED',
        response.transaction_id
          ? '签发方稍后才签发（延期签发），本钱包不支持 / the issuer defers issuance, which this wallet does not support'
          : '签发方没有返回凭证 / the issuer answered without a credential',
      )
    }

    const stored =
      format === 'dc+sd-jwt'
        ? await checkSdJwtVc(credential, issuer.credential_issuer, publicJwk, options)
        : checkVcJwt(credential, publicJwk)
    const row: ReceivedCredentialRow = {
      id: randomUUID(),
      format,
      credential,
      holderKid: key.kid,
      credentialIssuer: issuer.credential_issuer,
      credentialConfigurationId,
      issuerDisplay: displayNames(issuer.display as DisplayEntry[] | undefined),
      credentialDisplay: displayNames(configurationDisplay(configuration)),
      claimLabels: {},
      receivedAt: new Date().toISOString(),
    }
    if (stored.vct) await addTypeMetadata(row, stored.vct, callbacks.fetch!)
    await deps.store.add(row)
    return {
      id: row.id,
      format,
      credentialConfigurationId,
      credentialIssuer: row.credentialIssuer,
      issuerName: row.issuerDisplay,
      typeName: row.credentialDisplay,
      holderKey: key.kid,
    }
  } finally {
    setGlobalConfig(previous)
  }
}

/** An offer as the wallet accepts it: a deep link (by reference or by value), or the https URL of an offer. */
export function offerReference(offer: string): string {
  const text = offer.trim()
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new WalletError('ERR_OFFER_MALFORMED', `不是凭证领取链接 / not a credential offer link or URL: ${text.slice(0, 80)}`)
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    // The https URL of an offer: what a deep link's credential_offer_uri points to.
    if (url.searchParams.has('credential_offer') || url.searchParams.has('credential_offer_uri'))
      return `openid-credential-offer://${url.search}`
    return `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(text)}`
  }
  if (!url.searchParams.has('credential_offer') && !url.searchParams.has('credential_offer_uri')) {
    throw new WalletError(
      'ERR_OFFER_MALFORMED',
      '领取链接缺少 credential_offer 或 credential_offer_uri / the link carries neither credential_offer nor credential_offer_uri',
    )
  }
  return text
}

/** Whether plain http is acceptable for a host: only the machine itself (a local development service). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** fetch that refuses plain http except on loopback, follows no redirect to plain http, and gives up after a timeout. */
function guardedFetch(fetchImpl: typeof fetch, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new WalletError(
        'ERR_OFFER_INSECURE_URL',
        `签发方地址须为 https / the issuer must be reached over https, not ${url.protocol}//${url.host}`,
      )
    }
    try {
      return await fetchImpl(input, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      throw new WalletError(
        'ERR_ISSUER_UNREACHABLE',
        `无法连接签发方 ${url.host} / cannot reach the issuer at ${url.host}: ${causeOf(error)}`,
      )
    }
  }
}

function clientCallbacks(agent: WalletAgent, fetchImpl: typeof fetch): Omit<CallbackContext, 'verifyJwt' | 'decryptJwe' | 'encryptJwe'> {
  return {
    fetch: fetchImpl,
    hash: (data, alg) => {
      const name = { [HashAlgorithm.Sha256]: 'sha256', [HashAlgorithm.Sha384]: 'sha384', [HashAlgorithm.Sha512]: 'sha512' }[alg]
      return new Uint8Array(createHash(name).update(data).digest())
    },
    generateRandom: (bytes) => new Uint8Array(randomBytes(bytes)),
    clientAuthentication: clientAuthenticationAnonymous(),
    signJwt: async (signer, { header, payload }) => {
      if (signer.method !== 'jwk') throw new Error(`the wallet signs only with its own keys (not ${signer.method})`)
      const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
      const kid = await kidOf(agent, signer.publicJwk)
      const signature = await agent.keyManagerSign({ keyRef: kid, algorithm: 'ES256', data: input, encoding: 'utf-8' })
      return { jwt: `${input}.${signature}`, signerJwk: signer.publicJwk }
    },
  }
}

/** The wallet's key for a P-256 public JWK (the KMS stores keys by their compressed public key). */
async function kidOf(agent: WalletAgent, jwk: Jwk): Promise<string> {
  const uncompressed = `04${Buffer.from(jwk.x!, 'base64url').toString('hex')}${Buffer.from(jwk.y!, 'base64url').toString('hex')}`
  const compressed = ECDH.convertKey(uncompressed, 'prime256v1', 'hex', 'hex', 'compressed') as string
  const key = await agent.keyManagerGet({ kid: compressed }).catch(() => undefined)
  if (!key) throw new Error('the key proof names a key this wallet does not hold')
  return key.kid
}

/** A P-256 public key (compressed hex, as the KMS stores it) as a JWK. */
export function p256Jwk(publicKeyHex: string): Jwk {
  const point = Buffer.from(ECDH.convertKey(publicKeyHex, 'prime256v1', 'hex', 'hex', 'uncompressed') as string, 'hex')
  return { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }
}

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url')

function chooseConfiguration(offered: string[], configurations: Record<string, { format?: string }>, preferred: ReceivedFormat): string {
  const known = offered.filter((id) => configurations[id]?.format === 'dc+sd-jwt' || configurations[id]?.format === 'jwt_vc_json')
  const chosen = known.find((id) => configurations[id]!.format === preferred) ?? known[0]
  if (!chosen) {
    const formats = offered.map((id) => configurations[id]?.format ?? `${id} (not in the issuer's metadata)`).join(', ')
    throw new WalletError(
      'ERR_OFFER_UNSUPPORTED',
      `本钱包不支持所提供的凭证格式 / this wallet receives dc+sd-jwt and jwt_vc_json, not ${formats}`,
    )
  }
  return chosen
}

async function transactionCode(
  asked: { length?: number; input_mode?: string; description?: string },
  given: ReceiveOptions['txCode'],
): Promise<string> {
  const description: TxCodeDescription = {
    ...(asked.length !== undefined ? { length: asked.length } : {}),
    ...(asked.input_mode === 'text' || asked.input_mode === 'numeric' ? { inputMode: asked.input_mode } : {}),
    ...(asked.description !== undefined ? { description: asked.description } : {}),
  }
  const code = typeof given === 'function' ? await given(description) : given
  if (code === undefined || code.trim() === '') {
    throw new WalletError(
      'ERR_TX_CODE_REQUIRED',
      '此凭证需要交易码（签发部门提供给您的数字）；请用 --tx-code 提供 / the offer needs its transaction code (the digits the department gave you): pass --tx-code',
    )
  }
  return code.trim()
}

type Stage = 'offer' | 'metadata' | 'token' | 'nonce' | 'credential'

/** Runs one protocol step and turns what the issuer refuses into a WalletError a person can act on. */
async function step<T>(stage: Stage, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    throw describeFailure(stage, error)
  }
}

function describeFailure(stage: Stage, error: unknown): WalletError {
  // The library wraps what guardedFetch throws (unreachable, plain http) in its own errors: find it.
  for (let cause: unknown = error, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    if (cause instanceof WalletError) return cause
  }
  const oauth = oauthError(error)
  const detail = oauth
    ? `${oauth.error}${oauth.govcred_code ? ` (${oauth.govcred_code})` : ''}${oauth.error_description ? `: ${oauth.error_description}` : ''}`
    : causeOf(error)
  if (stage === 'offer') {
    const status = error instanceof InvalidFetchResponseError ? error.response.status : undefined
    if (status === 404 || status === 410) {
      return new WalletError(
        'ERR_OFFER_GONE',
        `领取链接已失效（过期、已领取或已作废），请向签发部门重新申请 / the offer is no longer available (expired, already redeemed or void): ask the department for a new one (HTTP ${status})`,
      )
    }
    return new WalletError('ERR_OFFER_MALFORMED', `无法读取领取链接 / cannot read the credential offer: ${detail}`)
  }
  if (stage === 'metadata')
    return new WalletError('ERR_ISSUER_REFUSED', `无法读取签发方信息 / cannot read the issuer's metadata: ${detail}`)
  const refused = oauth ? tokenRefusal(oauth, detail) : undefined
  if (refused) return refused
  return new WalletError('ERR_ISSUER_REFUSED', `签发方拒绝了请求（${stage}） / the issuer refused the ${stage} request: ${detail}`)
}

/**
 * What a refused token (or credential) request means for the person: by govcred's stable code when the issuer
 * gives one (`govcred_code`), else by the OAuth error and its description.
 */
function tokenRefusal(oauth: OauthErrorBody, detail: string): WalletError | undefined {
  const code = oauth.govcred_code
  const wrong = () =>
    new WalletError(
      'ERR_TX_CODE_WRONG',
      `交易码不正确，请核对后重试（错误次数过多将作废） / wrong transaction code: check it and try again (too many wrong codes void the offer) — ${detail}`,
    )
  const voided = () =>
    new WalletError(
      'ERR_OFFER_VOIDED',
      `交易码错误次数过多，领取链接已作废，请向签发部门重新申请 / too many wrong transaction codes: the offer is void, ask the department for a new one — ${detail}`,
    )
  const used = () =>
    new WalletError('ERR_OFFER_USED', `此领取链接已经领取过 / the offer was redeemed already (one offer, one credential) — ${detail}`)
  const expired = () =>
    new WalletError(
      'ERR_OFFER_EXPIRED',
      `领取链接已过期，请向签发部门重新申请 / the offer has expired: ask the department for a new one — ${detail}`,
    )
  switch (code) {
    case 'ERR_TX_CODE_INVALID':
      return wrong()
    case 'ERR_TX_CODE_REQUIRED':
      return new WalletError(
        'ERR_TX_CODE_REQUIRED',
        `此凭证需要交易码；请用 --tx-code 提供 / the offer needs its transaction code: pass --tx-code — ${detail}`,
      )
    case 'ERR_OFFER_VOIDED':
      return voided()
    case 'ERR_PRE_AUTHORIZED_CODE_USED':
    case 'ERR_OFFER_REDEEMED':
      return used()
    case 'ERR_OFFER_EXPIRED':
      return expired()
  }
  if (oauth.error !== 'invalid_grant') return undefined
  const text = (oauth.error_description ?? '').toLowerCase()
  if (/void|too many|locked/.test(text)) return voided()
  if (/tx_code|transaction code/.test(text)) return wrong()
  if (/used|redeemed/.test(text)) return used()
  return expired()
}

interface OauthErrorBody {
  error: string
  error_description?: string
  govcred_code?: string
}

function oauthError(error: unknown): OauthErrorBody | undefined {
  if (error instanceof Oauth2ClientErrorResponseError || error instanceof Oauth2ServerErrorResponseError)
    return error.errorResponse as OauthErrorBody
  if (error instanceof Openid4vciRetrieveCredentialsError) {
    const parsed = error.response.credentialErrorResponseResult
    if (parsed?.success) return parsed.data as OauthErrorBody
  }
  return undefined
}

function causeOf(error: unknown): string {
  if (error instanceof ValidationError) return `${error.message.split('\n')[0]}`
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause
  const message = (error as Error)?.message ?? String(error)
  return cause?.code ? `${message} (${cause.code})` : message
}

async function checkSdJwtVc(
  credential: string,
  credentialIssuer: string,
  holderJwk: Jwk,
  options: ReceiveOptions,
): Promise<{ vct?: string }> {
  await verifySdJwtVcIssuer(credential, { ...(options.trustedRoots ? { trustedRoots: options.trustedRoots } : {}) })
  const { claims } = await openSdJwtVc(credential)
  if (claims.iss !== credentialIssuer) {
    throw new WalletError(
      'ERR_MALFORMED_CREDENTIAL',
      `凭证的签发方 ${String(claims.iss)} 不是 ${credentialIssuer} / the credential names another issuer, ${String(claims.iss)}`,
    )
  }
  const cnf = (claims.cnf as { jwk?: Jwk } | undefined)?.jwk
  if (!cnf || cnf.x !== holderJwk.x || cnf.y !== holderJwk.y) {
    throw new WalletError(
      'ERR_NOT_MY_CREDENTIAL',
      '凭证未绑定到本钱包的密钥 / the credential is not bound to the key this wallet made for it',
    )
  }
  return typeof claims.vct === 'string' ? { vct: claims.vct } : {}
}

function checkVcJwt(credential: string, holderJwk: Jwk): { vct?: string } {
  let payload: Record<string, any>
  try {
    payload = decodeJWT(credential).payload as Record<string, any>
  } catch {
    throw new WalletError('ERR_MALFORMED_JWT', 'the issuer answered with a credential that is not a JWT')
  }
  if (!payload.vc) throw new WalletError('ERR_NOT_A_CREDENTIAL', 'the JWT carries no verifiable credential')
  const subject = String(payload.sub ?? payload.vc.credentialSubject?.id ?? '')
  if (!subject.startsWith('did:jwk:'))
    throw new WalletError('ERR_NOT_MY_CREDENTIAL', `the credential is about ${subject || 'nobody'}, not this wallet's key`)
  let jwk: Jwk
  try {
    jwk = JSON.parse(Buffer.from(subject.slice('did:jwk:'.length).split('#')[0]!, 'base64url').toString('utf8')) as Jwk
  } catch {
    throw new WalletError('ERR_NOT_MY_CREDENTIAL', `the credential's subject ${subject} is not a did:jwk`)
  }
  if (jwk.x !== holderJwk.x || jwk.y !== holderJwk.y)
    throw new WalletError('ERR_NOT_MY_CREDENTIAL', "the credential is not bound to this wallet's key")
  return {}
}

interface DisplayEntry {
  name?: string
  label?: string
  locale?: string
  lang?: string
}

/** zh-CN and en names from an OpenID4VCI or SD-JWT VC display array. */
export function displayNames(display: DisplayEntry[] | undefined): DisplayNames {
  const names: DisplayNames = {}
  for (const entry of Array.isArray(display) ? display : []) {
    const text = entry?.name ?? entry?.label
    if (typeof text !== 'string') continue
    const locale = String(entry.locale ?? entry.lang ?? '').toLowerCase()
    if (locale.startsWith('zh') && !names['zh-CN']) names['zh-CN'] = text
    else if ((locale.startsWith('en') || locale === '') && !names.en) names.en = text
  }
  return names
}

function configurationDisplay(configuration: Record<string, unknown>): DisplayEntry[] | undefined {
  const metadata = configuration.credential_metadata as { display?: DisplayEntry[] } | undefined
  return metadata?.display ?? (configuration.display as DisplayEntry[] | undefined)
}

/** Type and claim names from the credential's `vct` type metadata, when the issuer serves it (best effort). */
async function addTypeMetadata(row: ReceivedCredentialRow, vct: string, fetchImpl: typeof fetch): Promise<void> {
  let metadata: { display?: DisplayEntry[]; claims?: { path?: unknown[]; display?: DisplayEntry[] }[] }
  try {
    const response = await fetchImpl(vct, { headers: { accept: 'application/json' } })
    if (!response.ok) return
    metadata = (await response.json()) as typeof metadata
  } catch {
    return
  }
  const typeNames = displayNames(metadata.display)
  row.credentialDisplay = { ...typeNames, ...row.credentialDisplay }
  for (const claim of Array.isArray(metadata.claims) ? metadata.claims : []) {
    const path = Array.isArray(claim?.path) ? claim.path.filter((p) => typeof p === 'string').join('.') : ''
    if (path) row.claimLabels[path] = displayNames(claim.display)
  }
}
