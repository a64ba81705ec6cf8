import QRCode from 'qrcode'
import { ValidationError } from '../../shared/errors/app-error.js'
import type { PresentationRequest, PresentationRequestStore } from '../presentation-requests.js'
import {
  verifierIdentity,
  type RelyingParty,
  type RelyingPartyStore,
  type VerifierIdentity,
} from '../relying-parties/relying-party-store.js'
import type { RelyingPartyIdentities } from '../relying-parties/verifier-identity.js'
import type { VerifierContext } from '../verify-credential.js'
import { CLIENT_METADATA, REQUEST_OBJECT_AUDIENCE, dcqlQueryOf, parseOpenid4vpRequestBody, type ResponseMode } from './dcql-request.js'
import { Openid4vpRefusal } from './openid4vp-errors.js'
import { RESPONSE_ENCRYPTION_ENC_VALUES, ResponseEncryptionKeys } from './response-encryption.js'
import { credentialQueries, verifyOpenid4vpResponse } from './verify-openid4vp-response.js'
import { parseVpToken } from './vp-token.js'

export interface Openid4vpVerifierDeps {
  requests: PresentationRequestStore
  parties: Pick<RelyingPartyStore, 'get'>
  identities: Pick<RelyingPartyIdentities, 'current' | 'signRequestObject'>
  /** What verifying an SD-JWT VC against the chain needs (the verifier service's deps). */
  ctx: VerifierContext
  /** Brings the chain cache within one block of the chain (the verifier's watcher). */
  ensureFresh: () => Promise<void>
  /** The node's public URL: request and response URIs live under it. */
  publicUrl: () => string
  /**
   * The public URLs of the issuing nodes whose credential types (`vct`) the queries name; by default this
   * node's own (a full node issues what it asks for). A verifier-only node has none of its own: it names them.
   */
  issuerUrls?: () => readonly string[]
  /** The direct_post.jwt requests' response-encryption keys (in memory); by default the verifier's own. */
  responseKeys?: ResponseEncryptionKeys
}

/** What POST /v1/presentation-requests answers for an OpenID4VP request. */
export interface Openid4vpRequestCreated {
  id: string
  protocol: 'openid4vp'
  requestUri: string
  deepLink: string
  qrSvg: string
  expiresAt: string
  verifier: VerifierIdentity
  purpose: { 'zh-CN': string; en: string }
  dcql: Record<string, unknown>
  /** `direct_post`, or `direct_post.jwt`: the wallet encrypts its response to a key made for this request. */
  responseMode: ResponseMode
}

export type Openid4vpRequestState = 'pending' | 'answered' | 'expired'

/** A request as its relying party reads it (GET /v1/presentation-requests/{id}). */
export interface Openid4vpRequestView extends Omit<Openid4vpRequestCreated, 'qrSvg'> {
  state: Openid4vpRequestState
  createdAt: string
  answeredAt: string | null
  /** The verification of the response (checks; of each credential only the disclosed claims); null while pending or once purged. */
  result: Record<string, unknown> | null
}

/** What the response endpoint answers a wallet: nothing, or where to send the user back to. */
export type Openid4vpResponseAck = { redirect_uri?: string }

/**
 * The OpenID4VP 1.0 verifier of a node: relying parties' requests with a DCQL query, served by reference
 * (`request_uri`) as request objects signed with the party's verifier identity (`x509_san_dns`), answered by
 * `direct_post` at the response URI (or `direct_post.jwt`: encrypted to an ephemeral key of the request's own),
 * verified against the chain, and the result kept for the party.
 *
 * @example
 * const created = await openid4vp.create(party, { protocol: 'openid4vp', credentials: [...], purpose: { 'zh-CN': '贷款审核', en: 'Loan check' } })
 */
export class Openid4vpVerifier {
  private readonly listeners: ((request: PresentationRequest) => void)[] = []
  private readonly keys: ResponseEncryptionKeys

  constructor(private readonly deps: Openid4vpVerifierDeps) {
    this.keys = deps.responseKeys ?? new ResponseEncryptionKeys()
  }

  /** Called after a response was recorded (e.g. a webhook to the relying party); errors are the listener's own. */
  onAnswered(listener: (request: PresentationRequest) => void): void {
    this.listeners.push(listener)
  }

  async create(party: RelyingParty, body: unknown): Promise<Openid4vpRequestCreated> {
    const { credentials, purpose, responseMode } = parseOpenid4vpRequestBody(body)
    const identity = await this.deps.identities.current(party.id)
    const issuerUrls = this.deps.issuerUrls?.() ?? [this.base()]
    if (issuerUrls.length === 0)
      throw new ValidationError(
        'ERR_OPENID4VP_UNAVAILABLE',
        '本节点未配置签发节点地址，钱包无法匹配凭证类型：请设置 GOVCRED_ISSUER_URLS / this node does not know the issuing nodes whose ' +
          'credential types (vct) a wallet matches: set GOVCRED_ISSUER_URLS to their public URLs, comma-separated',
      )
    const dcqlQuery = dcqlQueryOf(credentials, issuerUrls)
    const request = await this.deps.requests.createOpenid4vp({
      relyingPartyId: party.id,
      clientId: identity.clientId,
      credentialTypes: credentials.map((c) => c.type),
      purpose,
      dcqlQuery,
      responseMode,
    })
    if (responseMode === 'direct_post.jwt') this.keys.create(request.id, Date.parse(request.expiresAt))
    const links = this.links(request)
    return {
      id: request.id,
      protocol: 'openid4vp',
      ...links,
      qrSvg: await QRCode.toString(links.deepLink, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
      expiresAt: request.expiresAt,
      verifier: verifierIdentity(party),
      purpose,
      dcql: dcqlQuery,
      responseMode,
    }
  }

  /** The request of `caller` (a relying party's own only), as it reads it. */
  async view(request: PresentationRequest, now = Date.now()): Promise<Openid4vpRequestView> {
    const party = await this.deps.parties.get(request.relyingPartyId ?? '')
    return {
      id: request.id,
      protocol: 'openid4vp',
      state: this.stateOf(request, now),
      ...this.links(request),
      expiresAt: request.expiresAt,
      verifier: party ? verifierIdentity(party) : { id: request.relyingPartyId ?? '', name: { 'zh-CN': '', en: '' } },
      purpose: request.purposeI18n ?? { 'zh-CN': request.purpose, en: request.purpose },
      dcql: request.dcqlQuery ?? {},
      createdAt: request.createdAt,
      answeredAt: request.answeredAt,
      result: request.verification,
      responseMode: request.responseMode,
    }
  }

  /**
   * The request object (`request_uri`, fetched by the wallet with GET): a JWT signed with the relying party's
   * verifier identity, issued now and ending with the request.
   */
  async requestObject(id: string, now = Date.now()): Promise<string> {
    const request = await this.openRequest(id, now)
    const party = await this.deps.parties.get(request.relyingPartyId!)
    const queryIds = credentialQueries(request.dcqlQuery!).map((q) => q.id)
    const purpose = request.purposeI18n ?? { 'zh-CN': request.purpose, en: request.purpose }
    const encryptTo = request.responseMode === 'direct_post.jwt' ? this.keys.publicJwk(request.id, now) : undefined
    return this.deps.identities.signRequestObject(request.relyingPartyId!, {
      client_id: request.domain,
      response_type: 'vp_token',
      response_mode: request.responseMode,
      response_uri: this.responseUri(request.id),
      nonce: request.challenge,
      state: request.id,
      // The purpose a wallet shows goes with the one credential set (DCQL §6.2: purpose).
      dcql_query: { ...request.dcqlQuery, credential_sets: [{ options: [queryIds], required: true, purpose }] },
      client_metadata: {
        ...CLIENT_METADATA,
        // OpenID4VP 1.0 §8.3: the key the response is encrypted to (its kid goes in the JWE header) and the encs taken.
        ...(encryptTo ? { jwks: { keys: [encryptTo] }, encrypted_response_enc_values_supported: [...RESPONSE_ENCRYPTION_ENC_VALUES] } : {}),
        ...(party ? { client_name: party.nameEn, 'client_name#en': party.nameEn, 'client_name#zh-CN': party.nameZh } : {}),
      },
      aud: REQUEST_OBJECT_AUDIENCE,
      iat: Math.floor(now / 1000),
      exp: Math.floor(Date.parse(request.expiresAt) / 1000),
    })
  }

  /**
   * A wallet's response (`direct_post`, form fields; `direct_post.jwt`, the same parameters in one JWE, field
   * `response`): `state` must be the request's, the request pending; `vp_token` the OpenID4VP 1.0 JSON object.
   * The presentations are verified and the result recorded, used or not: a failed verification is answered 200
   * like a passed one (the relying party reads the result). A wallet's error response (`error`) answers the
   * request as declined. A refusal (400) leaves the request open for the wallet's real answer.
   */
  async respond(id: string, fields: Record<string, unknown>, now = Date.now()): Promise<Openid4vpResponseAck> {
    const request = await this.openRequest(id, now)
    const form = await this.responseParameters(request, fields, now)
    if (form.state !== request.id)
      throw new Openid4vpRefusal(400, 'invalid_request', "state is missing or not this request's", 'ERR_STATE_MISMATCH')
    let result: Record<string, unknown>
    let outcome: { verified: boolean; code: string; holder: string | null }
    if (typeof form.error === 'string' && form.vp_token === undefined) {
      const walletError = {
        error: form.error.slice(0, 100),
        ...(typeof form.error_description === 'string' ? { error_description: form.error_description.slice(0, 500) } : {}),
      }
      result = { verified: false, checks: [], credentials: [], walletError }
      outcome = { verified: false, code: 'WALLET_ERROR', holder: null }
    } else {
      const presentations = parseVpToken(
        form.vp_token,
        credentialQueries(request.dcqlQuery!).map((q) => q.id),
      )
      await this.deps.ensureFresh()
      const verification = await verifyOpenid4vpResponse(
        { ...this.deps.ctx, requests: this.deps.requests },
        { nonce: request.challenge, clientId: request.domain, dcqlQuery: request.dcqlQuery! },
        presentations,
        Math.floor(now / 1000),
      )
      result = { ...verification }
      delete result.holder
      outcome = { verified: verification.verified, code: verification.error?.code ?? 'OK', holder: null }
    }
    const recorded = await this.deps.requests.answerOpenid4vp(request.id, result, outcome, Date.now())
    this.keys.forget(request.id)
    if (!recorded) {
      const again = await this.deps.requests.get(request.id)
      throw again?.usedAt
        ? new Openid4vpRefusal(400, 'invalid_request', 'this presentation request was answered already', 'ERR_REQUEST_ANSWERED')
        : new Openid4vpRefusal(400, 'invalid_request', 'the presentation request expired', 'ERR_REQUEST_EXPIRED')
    }
    const answered = (await this.deps.requests.lookup(request.id)) ?? request
    for (const listener of this.listeners) listener(answered)
    return {}
  }

  /** An OpenID4VP request that can still be answered, or the refusal that says why not. */
  private async openRequest(id: string, now: number): Promise<PresentationRequest> {
    const request = id.length <= 100 ? await this.deps.requests.lookup(id) : undefined
    if (!request || request.protocol !== 'openid4vp' || !request.dcqlQuery || !request.relyingPartyId)
      throw new Openid4vpRefusal(404, 'invalid_request', 'no such presentation request', 'ERR_UNKNOWN_REQUEST')
    if (request.usedAt)
      throw new Openid4vpRefusal(400, 'invalid_request', 'this presentation request was answered already', 'ERR_REQUEST_ANSWERED')
    if (Date.parse(request.expiresAt) <= now)
      throw new Openid4vpRefusal(400, 'invalid_request', 'the presentation request expired', 'ERR_REQUEST_EXPIRED')
    if (request.responseMode === 'direct_post.jwt' && !this.keys.publicJwk(request.id, now))
      throw new Openid4vpRefusal(
        400,
        'invalid_request',
        'the presentation request can no longer be answered: its response-encryption key is gone (the verifier restarted); ask for a new request',
        'ERR_REQUEST_EXPIRED',
      )
    return request
  }

  /**
   * The response parameters: the form's own for `direct_post`; for `direct_post.jwt`, those decrypted from its one
   * `response` field (anything sent in the clear instead is refused: a wallet or an attacker must not be able to
   * downgrade an encrypted request). Inside a JWE, vp_token is JSON itself; it is read as the form field would be.
   */
  private async responseParameters(
    request: PresentationRequest,
    form: Record<string, unknown>,
    now: number,
  ): Promise<Record<string, unknown>> {
    if (request.responseMode !== 'direct_post.jwt') {
      if (form.response !== undefined && form.vp_token === undefined && form.error === undefined)
        throw new Openid4vpRefusal(
          400,
          'invalid_request',
          'this request takes response_mode direct_post: vp_token and state as form fields, not an encrypted response',
          'ERR_INVALID_REQUEST',
        )
      return form
    }
    if (typeof form.response !== 'string' || form.vp_token !== undefined || form.error !== undefined)
      throw new Openid4vpRefusal(
        400,
        'invalid_request',
        'this request takes response_mode direct_post.jwt: the response parameters encrypted to the verifier in `response` (a JWE), nothing in the clear',
        'ERR_RESPONSE_NOT_ENCRYPTED',
      )
    const decrypted = await this.keys.decrypt(request.id, form.response, now)
    const vpToken = decrypted.vp_token
    return { ...decrypted, vp_token: vpToken && typeof vpToken === 'object' ? JSON.stringify(vpToken) : vpToken }
  }

  /** A request's state; an encrypted request whose key this process does not hold (a restart) can no longer be answered. */
  private stateOf(request: PresentationRequest, now: number): Openid4vpRequestState {
    if (request.answeredAt) return 'answered'
    if (Date.parse(request.expiresAt) <= now) return 'expired'
    return request.responseMode === 'direct_post.jwt' && !this.keys.publicJwk(request.id, now) ? 'expired' : 'pending'
  }

  private base(): string {
    return this.deps.publicUrl().replace(/\/+$/, '')
  }

  private responseUri(id: string): string {
    return `${this.base()}/oid4vp/responses/${id}`
  }

  private links(request: PresentationRequest): { requestUri: string; deepLink: string } {
    const requestUri = `${this.base()}/oid4vp/requests/${request.id}`
    const deepLink = `openid4vp://?client_id=${encodeURIComponent(request.domain)}&request_uri=${encodeURIComponent(requestUri)}`
    return { requestUri, deepLink }
  }
}

/** A body asks for OpenID4VP (`protocol: "openid4vp"`); another protocol is refused, none is the JSON flow. */
export function isOpenid4vpBody(body: unknown): boolean {
  const protocol = body && typeof body === 'object' ? (body as Record<string, unknown>).protocol : undefined
  if (protocol === undefined) return false
  if (protocol === 'openid4vp') return true
  throw new ValidationError('ERR_INVALID_REQUEST', 'protocol is "openid4vp", or absent for a govcred JSON request', {
    details: [{ field: '/protocol', code: 'ERR_FIELD_ENUM', message: 'openid4vp' }],
  })
}
