import type { DataSource, EntityManager } from 'typeorm'
import { departmentLogoDataUrl } from './issuer-logo.js'
import {
  Oauth2AuthorizationServer,
  Oauth2ResourceServer,
  Oauth2ResourceUnauthorizedError,
  Oauth2ServerErrorResponseError,
  clientAuthenticationNone,
  getGlobalConfig,
  setGlobalConfig,
  preAuthorizedCodeGrantIdentifier,
  type AuthorizationServerMetadata,
  type CallbackContext,
  type HashAlgorithm,
  type Jwk,
  type RequestLike,
} from '@openid4vc/oauth2'
import { Openid4vciIssuer, Openid4vciVersion, type IssuerMetadataResult } from '@openid4vc/openid4vci'
import { createHash, randomBytes } from 'node:crypto'
import type { OfferSettings } from '../../config/offer-settings.js'
import { CREDENTIAL_TYPES, isCredentialTypeName, type CredentialTypeName } from '../../catalog/credential-types.js'
import { vctUrl } from '../../catalog/sd-jwt/sd-jwt-types.js'
import { isAppError } from '../../shared/errors/app-error.js'
import { writeTransaction } from '../../store/write-transaction.js'
import type { AuditLog } from '../audit/audit-log.js'
import type { ApiKeyStore } from '../departments/api-keys/api-key-store.js'
import type { Department, DepartmentStore } from '../departments/department-store.js'
import type { AccountPrincipals, DepartmentPrincipal } from '../departments/department-principal.js'
import { parseIssueRequest } from '../issuance/issuance-request.js'
import { issueWithPolicies, type PolicyDeps } from '../policies/issue-with-policies.js'
import { issueSdJwtVc, type SdJwtIssuerDeps } from '../sd-jwt/issue-sd-jwt-vc.js'
import { didJwkOf, jwkOfDid, PROOF_ALGORITHMS, publicMembers, verifyCompactJws, type PublicJwk } from './holder-keys.js'
import { OfferSecrets, sha256Hex } from './offer-secrets.js'
import { OfferStore, type OfferFormat, type OfferRecord } from './offer-store.js'
import { Oid4vciRefusal } from './oid4vci-errors.js'

export interface Oid4vciDeps {
  db: DataSource
  /** GOVCRED_PUBLIC_URL (a function when it is known only once the server listens). */
  publicUrl: string | (() => string)
  settings: OfferSettings
  secrets: OfferSecrets
  offers: OfferStore
  departments: Pick<DepartmentStore, 'get'>
  keys: Pick<ApiKeyStore, 'list'>
  audit: AuditLog
  policies: PolicyDeps
  /** SD-JWT VC issuance (the departments' ES256 keys); absent: only jwt_vc_json is offered. */
  sdJwt?: SdJwtIssuerDeps
  /** The portal accounts, for offers a clerk made (redeemed in the clerk's name while the account is enabled); absent: such offers are refused. */
  accounts?: AccountPrincipals
}

/** Seconds an access token lives; the credential request must follow the token request within it. */
export const ACCESS_TOKEN_TTL_SECONDS = 300
/** Seconds a c_nonce from the nonce endpoint stays usable. */
export const NONCE_TTL_SECONDS = 300
/** A key proof's `iat` may be this old, or this far ahead of our clock. */
const PROOF_MAX_AGE_SECONDS = 300
const PROOF_MAX_SKEW_SECONDS = 60
const PROOF_ALGS = Object.keys(PROOF_ALGORITHMS)
/** Departments whose row and metadata are kept (a node has a handful). */
const MAX_CACHED_METADATA = 64
/** How long a department's row is used before it is read again (a change of its name or types shows after this). */
const DEPARTMENT_TTL_MS = 2000

export const FORMAT_SUFFIX: Record<OfferFormat, string> = { 'dc+sd-jwt': '_sd_jwt', jwt_vc_json: '_jwt_vc_json' }

/** The configuration id of a type in a format: `BusinessLicenseCredential_sd_jwt`. */
export const configurationId = (type: string, format: OfferFormat) => `${type}${FORMAT_SUFFIX[format]}`

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')
const nowSeconds = () => Math.floor(Date.now() / 1000)

/**
 * The OpenID4VCI 1.0 credential issuer of each department (pre-authorized code flow), on the OpenWallet
 * Foundation's @openid4vc/openid4vci and @openid4vc/oauth2: metadata, offers by reference, the token endpoint
 * (pre-authorized code, tx_code, optional DPoP), the nonce endpoint and the credential endpoint (a `jwt` key
 * proof), issuing through the same checks and records as POST /v1/credentials.
 */
export class Oid4vciIssuerService {
  private readonly callbacks: Omit<CallbackContext, 'decryptJwe' | 'encryptJwe'>
  private readonly issuer: Openid4vciIssuer
  private readonly authorizationServer: Oauth2AuthorizationServer
  private readonly resourceServer: Oauth2ResourceServer
  /** The metadata of each department, built (and validated by the library) once per department as it is now. */
  private readonly departments = new Map<string, { department: Department; at: number }>()
  private readonly metadataCache = new Map<string, { issuer: IssuerMetadataResult; authorizationServer: AuthorizationServerMetadata }>()

  constructor(private readonly deps: Oid4vciDeps) {
    // A development node is reached over plain http (loopback); the libraries refuse such URLs unless told.
    const configured = typeof deps.publicUrl === 'function' ? deps.publicUrl() : deps.publicUrl
    if (configured.startsWith('http://')) setGlobalConfig({ ...getGlobalConfig(), allowInsecureUrls: true })
    const secrets = deps.secrets
    const publicJwks = () => {
      const { kty, crv, x, y, kid, alg, use } = secrets.accessTokenJwk
      return { keys: [{ kty, crv, x, y, kid, alg, use }] }
    }
    this.callbacks = {
      hash: (data: Uint8Array, alg: HashAlgorithm) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
      generateRandom: (bytes: number) => randomBytes(bytes),
      clientAuthentication: clientAuthenticationNone({ clientId: 'govcred' }),
      // Only our own JWKS (the access-token key) is ever fetched, and it is answered without a network round trip.
      fetch: (async (input: string | URL | Request) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
        if (/\/oid4vci\/[^/]+\/jwks$/.test(url) && url.startsWith(this.base)) {
          return new Response(JSON.stringify(publicJwks()), { headers: { 'content-type': 'application/jwk-set+json' } })
        }
        return new Response('not fetched', { status: 404 })
      }) as typeof fetch,
      signJwt: async (_signer, { header, payload }) => {
        const signingInput = `${b64url(Buffer.from(JSON.stringify({ ...header, kid: secrets.accessTokenJwk.kid })))}.${b64url(Buffer.from(JSON.stringify(payload)))}`
        const signature = secrets.signAccessToken(Buffer.from(signingInput))
        return { jwt: `${signingInput}.${b64url(signature)}`, signerJwk: publicJwks().keys[0] as Jwk }
      },
      verifyJwt: async (signer, { compact, header }) => {
        let jwk: PublicJwk | undefined
        if (signer.method === 'jwk') jwk = signer.publicJwk as PublicJwk
        else if (signer.method === 'did') jwk = jwkOfDid(signer.didUrl)
        if (!jwk) return { verified: false }
        return (await verifyCompactJws(compact, String(header.alg), jwk)) ? { verified: true, signerJwk: jwk as Jwk } : { verified: false }
      },
    }
    this.issuer = new Openid4vciIssuer({ callbacks: this.callbacks as CallbackContext })
    this.authorizationServer = new Oauth2AuthorizationServer({ callbacks: this.callbacks as CallbackContext })
    this.resourceServer = new Oauth2ResourceServer({ callbacks: this.callbacks as CallbackContext })
  }

  /** BASE: the node's public URL, without a trailing slash. */
  get base(): string {
    const url = typeof this.deps.publicUrl === 'function' ? this.deps.publicUrl() : this.deps.publicUrl
    return url.replace(/\/+$/, '')
  }

  /** The URL a request was sent to, as the client addressed it (for DPoP's htu). */
  publicUrlOf(originalUrl: string): string {
    return `${this.base}${originalUrl}`
  }

  /** The credential_issuer of a department: BASE/oid4vci/{departmentId}. */
  issuerUrl(departmentId: string): string {
    return `${this.base}/oid4vci/${encodeURIComponent(departmentId)}`
  }

  newReference(): string {
    return this.deps.secrets.newReference()
  }

  newTxCode(): string {
    return this.deps.secrets.newTxCode()
  }

  preAuthorizedCodeOf(reference: string): string {
    return this.deps.secrets.preAuthorizedCode(reference)
  }

  txCodeHash(offerId: string, txCode: string): string {
    return this.deps.secrets.txCodeHash(offerId, txCode)
  }

  /** The formats this node issues in. */
  formats(): OfferFormat[] {
    return this.deps.sdJwt ? ['dc+sd-jwt', 'jwt_vc_json'] : ['jwt_vc_json']
  }

  /** The department, read at most every DEPARTMENT_TTL_MS: every step of a wallet's exchange names it. */
  private async department(departmentId: string): Promise<Department | undefined> {
    if (departmentId.length > 100) return undefined
    const cached = this.departments.get(departmentId)
    if (cached && Date.now() - cached.at < DEPARTMENT_TTL_MS) return cached.department
    const department = await this.deps.departments.get(departmentId)
    if (department) {
      if (this.departments.size >= MAX_CACHED_METADATA) this.departments.delete(this.departments.keys().next().value!)
      this.departments.set(departmentId, { department, at: Date.now() })
    }
    return department
  }

  private credentialConfigurations(department: Department): Record<string, Record<string, unknown>> {
    const proofTypes = { jwt: { proof_signing_alg_values_supported: PROOF_ALGS } }
    const configurations: Record<string, Record<string, unknown>> = {}
    for (const type of department.credentialTypes.filter(isCredentialTypeName)) {
      const definition = CREDENTIAL_TYPES[type]
      const display = [
        { name: definition.titleZh, locale: 'zh-CN', background_color: '#c8102e', text_color: '#ffffff' },
        { name: definition.titleEn, locale: 'en', background_color: '#c8102e', text_color: '#ffffff' },
      ]
      if (this.deps.sdJwt) {
        configurations[configurationId(type, 'dc+sd-jwt')] = {
          format: 'dc+sd-jwt',
          vct: vctUrl(this.base, type),
          scope: configurationId(type, 'dc+sd-jwt'),
          cryptographic_binding_methods_supported: ['jwk'],
          credential_signing_alg_values_supported: ['ES256'],
          proof_types_supported: proofTypes,
          display,
          credential_metadata: { display },
        }
      }
      configurations[configurationId(type, 'jwt_vc_json')] = {
        format: 'jwt_vc_json',
        scope: configurationId(type, 'jwt_vc_json'),
        credential_definition: { type: ['VerifiableCredential', type] },
        cryptographic_binding_methods_supported: ['did:jwk', 'did:key'],
        credential_signing_alg_values_supported: ['ES256K'],
        proof_types_supported: proofTypes,
        display,
        credential_metadata: { display },
      }
    }
    return configurations
  }

  /** The department's metadata from the cache while the department, the base URL and the formats are what they were. */
  private metadataOf(department: Department) {
    const id = JSON.stringify([this.base, department.id, department.name, department.nameEn, department.credentialTypes, this.formats()])
    let cached = this.metadataCache.get(id)
    if (!cached) {
      cached = { issuer: this.buildIssuerMetadata(department), authorizationServer: this.buildAuthorizationServerMetadata(department) }
      if (this.metadataCache.size >= MAX_CACHED_METADATA) this.metadataCache.delete(this.metadataCache.keys().next().value!)
      this.metadataCache.set(id, cached)
    }
    return cached
  }

  private issuerMetadataResult(department: Department): IssuerMetadataResult {
    return this.metadataOf(department).issuer
  }

  private authorizationServerMetadataOf(department: Department): AuthorizationServerMetadata {
    return this.metadataOf(department).authorizationServer
  }

  private buildIssuerMetadata(department: Department): IssuerMetadataResult {
    const credentialIssuer = this.issuer.createCredentialIssuerMetadata({
      credential_issuer: this.issuerUrl(department.id),
      credential_endpoint: `${this.issuerUrl(department.id)}/credential`,
      nonce_endpoint: `${this.issuerUrl(department.id)}/nonce`,
      display: [
        { name: department.name, locale: 'zh-CN', logo: { uri: departmentLogoDataUrl(), alt_text: `${department.name}标识` } },
        { name: department.nameEn, locale: 'en', logo: { uri: departmentLogoDataUrl(), alt_text: `${department.nameEn} logo` } },
      ],
      credential_configurations_supported: this.credentialConfigurations(department) as never,
    })
    return {
      credentialIssuer,
      authorizationServers: [this.buildAuthorizationServerMetadata(department)],
      originalDraftVersion: Openid4vciVersion.V1,
      knownCredentialConfigurations: this.issuer.getKnownCredentialConfigurationsSupported(credentialIssuer),
    }
  }

  private buildAuthorizationServerMetadata(department: Department): AuthorizationServerMetadata {
    const issuer = this.issuerUrl(department.id)
    return this.authorizationServer.createAuthorizationServerMetadata({
      issuer,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      grant_types_supported: [preAuthorizedCodeGrantIdentifier],
      'pre-authorized_grant_anonymous_access_supported': true,
      token_endpoint_auth_methods_supported: ['none'],
      dpop_signing_alg_values_supported: PROOF_ALGS,
      response_types_supported: [],
    })
  }

  /** GET /.well-known/openid-credential-issuer/oid4vci/{departmentId}; undefined for an unknown department. */
  async credentialIssuerMetadata(departmentId: string): Promise<Record<string, unknown> | undefined> {
    const department = await this.department(departmentId)
    return department && this.issuerMetadataResult(department).credentialIssuer
  }

  /** Whether a department issues here (the nonce endpoint answers only for one that does). */
  async hasIssuer(departmentId: string): Promise<boolean> {
    return (await this.department(departmentId)) !== undefined
  }

  /** GET /.well-known/oauth-authorization-server/oid4vci/{departmentId}. */
  async authorizationServerMetadata(departmentId: string): Promise<Record<string, unknown> | undefined> {
    const department = await this.department(departmentId)
    return department && this.authorizationServerMetadataOf(department)
  }

  /** The access-token verification keys (GET …/jwks). */
  jwks(): { keys: Record<string, unknown>[] } {
    const { kty, crv, x, y, kid, alg, use } = this.deps.secrets.accessTokenJwk
    return { keys: [{ kty, crv, x, y, kid, alg, use }] }
  }

  /**
   * The offer of a new reference, as the wallet resolves it (credential_offer_uri) and as the deep link
   * carries it.
   */
  async offerFor(
    department: Department,
    reference: string,
    type: CredentialTypeName,
    format: OfferFormat,
  ): Promise<{ offerUri: string; credentialOfferUri: string; offer: Record<string, unknown> }> {
    const credentialOfferUri = `${this.issuerUrl(department.id)}/offers/${reference}`
    const created = await this.issuer.createCredentialOffer({
      issuerMetadata: this.issuerMetadataResult(department),
      credentialConfigurationIds: [configurationId(type, format)],
      grants: {
        [preAuthorizedCodeGrantIdentifier]: {
          'pre-authorized_code': this.deps.secrets.preAuthorizedCode(reference),
          tx_code: {
            input_mode: 'numeric',
            length: 6,
            description: '请输入办事人员提供的6位交易码 / Enter the 6-digit code the clerk gave you',
          },
        },
      },
      credentialOfferUri,
      credentialOfferScheme: 'openid-credential-offer://',
    })
    return { offerUri: created.credentialOffer, credentialOfferUri, offer: created.credentialOfferObject as Record<string, unknown> }
  }

  /** GET …/offers/{reference}: the offer while its code is unused and unexpired; undefined otherwise. */
  async resolveOffer(departmentId: string, reference: string): Promise<Record<string, unknown> | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(reference)) return undefined
    const offer = await this.deps.offers.byRefHash(sha256Hex(reference))
    if (!offer || offer.departmentId !== departmentId || offer.tokenJti || offer.voidedAt || Date.parse(offer.expiresAt) < Date.now()) {
      return undefined
    }
    const department = await this.department(departmentId)
    if (!department || !isCredentialTypeName(offer.type)) return undefined
    return (await this.offerFor(department, reference, offer.type, offer.format)).offer
  }

  /** POST …/token (application/x-www-form-urlencoded): the pre-authorized code and tx_code for an access token. */
  async token(departmentId: string, form: Record<string, unknown>, request: RequestLike): Promise<Record<string, unknown>> {
    const department = await this.department(departmentId)
    if (!department)
      throw new Oid4vciRefusal(400, 'invalid_request', `no credential issuer ${departmentId} here`, 'ERR_DEPARTMENT_NOT_FOUND')
    const fields = Object.fromEntries(Object.entries(form).filter(([, v]) => typeof v === 'string')) as Record<string, string>
    if (Object.keys(fields).length !== Object.keys(form).length) {
      throw new Oid4vciRefusal(400, 'invalid_request', 'the token request has repeated or structured parameters', 'ERR_INVALID_REQUEST')
    }
    if (fields.grant_type !== preAuthorizedCodeGrantIdentifier) {
      throw new Oid4vciRefusal(
        400,
        fields.grant_type ? 'unsupported_grant_type' : 'invalid_request',
        `grant_type must be ${preAuthorizedCodeGrantIdentifier}`,
        fields.grant_type ? 'ERR_UNSUPPORTED_GRANT_TYPE' : 'ERR_INVALID_REQUEST',
      )
    }
    const parsed = libraryCall(() => this.authorizationServer.parseAccessTokenRequest({ accessTokenRequest: fields, request }))
    if (parsed.grant.grantType !== preAuthorizedCodeGrantIdentifier) {
      throw new Oid4vciRefusal(400, 'unsupported_grant_type', 'only the pre-authorized code flow is served', 'ERR_UNSUPPORTED_GRANT_TYPE')
    }
    const code = parsed.grant.preAuthorizedCode
    const offer = code.length <= 100 ? await this.deps.offers.byCodeHash(sha256Hex(code)) : undefined
    if (!offer || offer.departmentId !== department.id) {
      throw new Oid4vciRefusal(400, 'invalid_grant', 'the pre-authorized code is unknown', 'ERR_PRE_AUTHORIZED_CODE_INVALID')
    }
    refuseSpentOffer(offer)
    const txCode = parsed.grant.txCode
    if (txCode === undefined) throw new Oid4vciRefusal(400, 'invalid_request', 'this offer needs its tx_code', 'ERR_TX_CODE_REQUIRED')
    if (!this.deps.secrets.sameTxCode(offer.id, txCode, offer.txCodeHash)) {
      const at = new Date().toISOString()
      const counted = await writeTransaction(this.deps.db, async (m) => {
        const result = await this.deps.offers.countWrongTxCode(m, offer.id, this.deps.settings.txCodeAttempts, at)
        if (result.voidedNow) await this.auditOffer(m, offer, 'offer-void', { reason: 'tx_code_attempts', attempts: result.attempts })
        return result
      })
      if (counted.voidedNow) {
        throw new Oid4vciRefusal(
          400,
          'invalid_grant',
          `wrong tx_code ${counted.attempts} times: the offer is void; ask the department for a new one`,
          'ERR_OFFER_VOIDED',
        )
      }
      refuseSpentOffer((await this.deps.offers.get(offer.id)) ?? offer)
      const left = this.deps.settings.txCodeAttempts - counted.attempts
      throw new Oid4vciRefusal(400, 'invalid_grant', `wrong tx_code (${left} attempt(s) left)`, 'ERR_TX_CODE_INVALID')
    }
    const { dpop } = await libraryCall(() =>
      this.authorizationServer.verifyPreAuthorizedCodeAccessTokenRequest({
        authorizationServerMetadata: this.authorizationServerMetadataOf(department),
        grant: parsed.grant as Extract<typeof parsed.grant, { grantType: typeof preAuthorizedCodeGrantIdentifier }>,
        accessTokenRequest: parsed.accessTokenRequest,
        request,
        expectedPreAuthorizedCode: code,
        expectedTxCode: txCode,
        preAuthorizedCodeExpiresAt: new Date(offer.expiresAt),
        dpop: parsed.dpop ? { ...parsed.dpop, required: false, allowedSigningAlgs: PROOF_ALGS } : undefined,
      }),
    )
    const jti = b64url(randomBytes(24))
    const issuedAt = new Date()
    const expiresAt = new Date(issuedAt.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000)
    // One token per offer: of two concurrent exchanges of the same code, one binds and the other is refused.
    if (!(await this.deps.offers.bindToken(offer.id, jti, issuedAt.toISOString(), expiresAt.toISOString()))) {
      throw new Oid4vciRefusal(400, 'invalid_grant', 'the pre-authorized code was used already', 'ERR_PRE_AUTHORIZED_CODE_USED')
    }
    return this.authorizationServer.createAccessTokenResponse({
      audience: this.issuerUrl(department.id),
      authorizationServer: this.issuerUrl(department.id),
      signer: { method: 'jwk', alg: 'ES256', publicJwk: this.jwks().keys[0] as Jwk },
      subject: offer.id,
      expiresInSeconds: ACCESS_TOKEN_TTL_SECONDS,
      now: issuedAt,
      scope: configurationId(offer.type, offer.format),
      dpop: dpop ? { jwk: dpop.jwk } : undefined,
      additionalAccessTokenPayload: { jti },
      additionalAccessTokenResponsePayload: {
        authorization_details: undefined,
      },
    })
  }

  /** POST …/nonce: a fresh c_nonce (nothing is stored until a proof uses it). */
  nonce(): Record<string, unknown> {
    const expiresAt = new Date(Date.now() + NONCE_TTL_SECONDS * 1000)
    return this.issuer.createNonceResponse({ cNonce: this.deps.secrets.newNonce(expiresAt), cNonceExpiresIn: NONCE_TTL_SECONDS })
  }

  /** POST …/credential: the access token, the request, its key proof; issues the offer's one credential. */
  async credential(departmentId: string, body: unknown, request: RequestLike): Promise<Record<string, unknown>> {
    const department = await this.department(departmentId)
    if (!department)
      throw new Oid4vciRefusal(404, 'invalid_request', `no credential issuer ${departmentId} here`, 'ERR_DEPARTMENT_NOT_FOUND')
    const issuerUrl = this.issuerUrl(department.id)
    const metadata = this.issuerMetadataResult(department)
    const offer = await this.authorize(department, request)

    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new Oid4vciRefusal(400, 'invalid_credential_request', 'the credential request must be a JSON object', 'ERR_INVALID_REQUEST')
    }
    const input = body as Record<string, unknown>
    const offered = configurationId(offer.type, offer.format)
    const requested = typeof input.credential_configuration_id === 'string' ? input.credential_configuration_id : undefined
    if (requested !== undefined && requested !== offered) {
      throw new Oid4vciRefusal(
        400,
        'unknown_credential_configuration',
        `the offer was for ${offered}, not ${requested.slice(0, 100)}`,
        'ERR_CREDENTIAL_CONFIGURATION_NOT_OFFERED',
      )
    }
    if (input.credential_identifier !== undefined) {
      throw new Oid4vciRefusal(
        400,
        'unknown_credential_identifier',
        'this issuer hands out no credential identifiers',
        'ERR_INVALID_REQUEST',
      )
    }
    // An unsigned (alg none) or unreadable key proof is an invalid proof, not a malformed request.
    const proofsIn = input.proofs as { jwt?: unknown } | undefined
    const proofIn = input.proof as { proof_type?: unknown; jwt?: unknown } | undefined
    const rawProofs = Array.isArray(proofsIn?.jwt) ? proofsIn.jwt : proofIn?.proof_type === 'jwt' ? [proofIn.jwt] : []
    for (const raw of rawProofs) {
      const alg = typeof raw === 'string' ? decodeUnverified(raw).header.alg : undefined
      if (typeof alg !== 'string' || !PROOF_ALGS.includes(alg)) {
        throw new Oid4vciRefusal(400, 'invalid_proof', `the key proof's alg must be one of ${PROOF_ALGS.join(', ')}`, 'ERR_PROOF_INVALID')
      }
    }
    // The plain request of a wallet for the offered configuration is read here; any other by the library.
    const plain =
      requested === offered && Object.hasOwn(metadata.credentialIssuer.credential_configurations_supported, offered)
        ? plainProofs(input)
        : undefined
    const parsed = plain
      ? { proofs: { jwt: plain }, format: undefined }
      : libraryCall(() => this.issuer.parseCredentialRequest({ issuerMetadata: metadata, credentialRequest: input }))
    if (requested === undefined) {
      // A draft-style request by format: it must name the offered configuration's format and type.
      const format = parsed.format as { format?: string; vct?: string; credential_definition?: { type?: string[] } } | undefined
      const matches =
        (offer.format === 'dc+sd-jwt' &&
          (format?.format === 'dc+sd-jwt' || format?.format === 'vc+sd-jwt') &&
          format.vct === vctUrl(this.base, offer.type as CredentialTypeName)) ||
        (offer.format === 'jwt_vc_json' && format?.format === 'jwt_vc_json' && !!format.credential_definition?.type?.includes(offer.type))
      if (!matches) {
        throw new Oid4vciRefusal(
          400,
          'unknown_credential_configuration',
          `the request does not name the offered credential configuration ${offered}`,
          'ERR_CREDENTIAL_CONFIGURATION_NOT_OFFERED',
        )
      }
    }
    const proofs = parsed.proofs?.jwt
    if (!proofs || proofs.length === 0) throw new Oid4vciRefusal(400, 'invalid_proof', 'a jwt key proof is required', 'ERR_PROOF_INVALID')
    if (proofs.length > 1)
      throw new Oid4vciRefusal(400, 'invalid_proof', 'one key proof per request (no batch issuance)', 'ERR_PROOF_INVALID')
    const proof = proofs[0]!
    const { header, payload } = decodeUnverified(proof)

    // The nonce first: it must be one of ours, unexpired and unused; it is used up by this request whatever follows.
    const nonceExpiry = this.deps.secrets.nonceExpiry(payload.nonce)
    if (!nonceExpiry || nonceExpiry.getTime() < Date.now()) {
      throw new Oid4vciRefusal(
        400,
        'invalid_nonce',
        payload.nonce === undefined
          ? 'the key proof has no nonce'
          : 'the nonce is unknown or expired: get a new one from the nonce endpoint',
        'ERR_NONCE_INVALID',
      )
    }
    const now = new Date()
    if (!(await this.deps.offers.useNonce(sha256Hex(String(payload.nonce)), nonceExpiry.toISOString(), now.toISOString()))) {
      throw new Oid4vciRefusal(
        400,
        'invalid_nonce',
        'the nonce was used already: get a new one from the nonce endpoint',
        'ERR_NONCE_INVALID',
      )
    }
    if (header.typ !== 'openid4vci-proof+jwt')
      throw new Oid4vciRefusal(400, 'invalid_proof', 'the key proof must have typ openid4vci-proof+jwt', 'ERR_PROOF_INVALID')
    if (typeof header.alg !== 'string' || !PROOF_ALGS.includes(header.alg)) {
      throw new Oid4vciRefusal(400, 'invalid_proof', `the key proof's alg must be one of ${PROOF_ALGS.join(', ')}`, 'ERR_PROOF_INVALID')
    }
    const iat = payload.iat
    if (typeof iat !== 'number' || iat < nowSeconds() - PROOF_MAX_AGE_SECONDS || iat > nowSeconds() + PROOF_MAX_SKEW_SECONDS) {
      throw new Oid4vciRefusal(
        400,
        'invalid_proof',
        `the key proof's iat must be within the last ${PROOF_MAX_AGE_SECONDS} seconds`,
        'ERR_PROOF_INVALID',
      )
    }
    const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
    if (!audience.includes(issuerUrl))
      throw new Oid4vciRefusal(400, 'invalid_proof', `the key proof's aud must be ${issuerUrl}`, 'ERR_PROOF_INVALID')
    const verified =
      (await this.verifiedEmbeddedJwkProof(proof, header, payload)) ??
      (await libraryCall(
        () =>
          this.issuer.verifyCredentialRequestJwtProof({
            issuerMetadata: metadata,
            jwt: proof,
            expectedNonce: String(payload.nonce),
            nonceExpiresAt: nonceExpiry,
            now,
          }),
        'ERR_PROOF_INVALID',
      ))
    const jwk = publicMembers(verified.signer.publicJwk as PublicJwk)
    const kid = typeof header.kid === 'string' && header.kid.startsWith('did:') ? header.kid.split('#')[0]! : undefined
    if (offer.format === 'dc+sd-jwt' && jwk.crv !== 'P-256' && jwk.crv !== 'Ed25519' && jwk.crv !== 'secp256k1') {
      throw new Oid4vciRefusal(400, 'invalid_proof', 'the proof key cannot be bound', 'ERR_PROOF_INVALID')
    }
    const holder = kid ?? didJwkOf(jwk)
    return this.issue(department, offer, holder, jwk)
  }

  /**
   * A key proof whose header is only alg, typ and the holder's public `jwk`, and whose payload has no exp or nbf,
   * verified with that key (nonce, aud, iat and typ are checked by the caller); undefined for any other proof,
   * or one whose signature fails: the library checks those, and says why it refuses.
   */
  private async verifiedEmbeddedJwkProof(
    proof: string,
    header: Record<string, unknown>,
    payload: Record<string, unknown>,
  ): Promise<{ signer: { publicJwk: unknown } } | undefined> {
    const jwk = header.jwk
    if (Object.keys(header).some((name) => name !== 'alg' && name !== 'typ' && name !== 'jwk')) return undefined
    if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk) || 'd' in jwk) return undefined
    if (payload.exp !== undefined || payload.nbf !== undefined) return undefined
    return (await verifyCompactJws(proof, String(header.alg), jwk as PublicJwk)) ? { signer: { publicJwk: jwk } } : undefined
  }

  /** The access token of a credential request → the offer it was issued for (unredeemed). */
  private async authorize(department: Department, request: RequestLike): Promise<OfferRecord> {
    const challenge = `Bearer realm="${this.issuerUrl(department.id)}"`
    if (!request.headers.get('authorization')) {
      throw new Oid4vciRefusal(
        401,
        'invalid_token',
        'send the access token from the token endpoint (Authorization: Bearer or DPoP)',
        'ERR_AUTH_REQUIRED',
        challenge,
      )
    }
    // A plain Bearer token of ours is checked here; anything else (DPoP, or a token that does not pass) by the library, which says why.
    let payload = await this.ownBearerTokenPayload(department, request)
    if (!payload)
      try {
        const verified = await this.resourceServer.verifyResourceRequest({
          authorizationServers: [this.authorizationServerMetadataOf(department)],
          resourceServer: this.issuerUrl(department.id),
          request,
        })
        payload = verified.tokenPayload as Record<string, unknown>
      } catch (error) {
        const header = error instanceof Oauth2ResourceUnauthorizedError ? error.toHeaderValue() : `${challenge}, error="invalid_token"`
        const dpop =
          error instanceof Oauth2ResourceUnauthorizedError && error.wwwAuthenticateHeaders.some((h) => h.error === 'invalid_dpop_proof')
        throw new Oid4vciRefusal(
          401,
          dpop ? 'invalid_dpop_proof' : 'invalid_token',
          'the access token is invalid or expired',
          'ERR_ACCESS_TOKEN_INVALID',
          header,
        )
      }
    const invalid = (
      why: string,
      code: 'ERR_ACCESS_TOKEN_INVALID' | 'ERR_OFFER_REDEEMED' | 'ERR_OFFER_VOIDED' = 'ERR_ACCESS_TOKEN_INVALID',
    ) => new Oid4vciRefusal(401, 'invalid_token', why, code, `${challenge}, error="invalid_token"`)
    const offer = typeof payload.sub === 'string' ? await this.deps.offers.get(payload.sub) : undefined
    if (!offer || offer.departmentId !== department.id || offer.tokenJti !== payload.jti)
      throw invalid('the access token is not for an offer of this issuer')
    if (offer.redeemedAt) throw invalid('the offer was redeemed already: one offer, one credential', 'ERR_OFFER_REDEEMED')
    if (offer.voidedAt) throw invalid('the offer was voided', 'ERR_OFFER_VOIDED')
    return offer
  }

  /**
   * The payload of an unexpired, not sender-constrained access token this issuer signed for the department, sent as
   * `Authorization: Bearer` with no DPoP header; undefined for anything else.
   */
  private async ownBearerTokenPayload(department: Department, request: RequestLike): Promise<Record<string, unknown> | undefined> {
    const authorization = request.headers.get('authorization')
    if (!authorization?.startsWith('Bearer ') || request.headers.has('dpop')) return undefined
    const token = authorization.slice('Bearer '.length)
    const parts = token.split('.')
    if (parts.length !== 3) return undefined
    let header: Record<string, unknown>
    let payload: Record<string, unknown>
    try {
      ;[header, payload] = parts.slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')))
    } catch {
      return undefined
    }
    if (!header || !payload || typeof header !== 'object' || typeof payload !== 'object') return undefined
    if (header.alg !== 'ES256' || header.typ !== 'at+jwt' || header.kid !== this.deps.secrets.accessTokenJwk.kid) return undefined
    const issuer = this.issuerUrl(department.id)
    const now = nowSeconds()
    const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
    if (payload.iss !== issuer || !audience.includes(issuer) || typeof payload.sub !== 'string' || typeof payload.jti !== 'string')
      return undefined
    if (
      typeof payload.exp !== 'number' ||
      payload.exp <= now ||
      typeof payload.iat !== 'number' ||
      payload.iat > now + PROOF_MAX_SKEW_SECONDS
    )
      return undefined
    if (payload.cnf !== undefined || payload.token_type !== undefined || (payload.nbf !== undefined && !(Number(payload.nbf) <= now)))
      return undefined
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii')
    return (await this.deps.secrets.verifiesAccessToken(signed, Buffer.from(parts[2]!, 'base64url'))) ? payload : undefined
  }

  /** Issues the offer's credential and marks the offer redeemed, in the issuance's write transaction. */
  private async issue(department: Department, offer: OfferRecord, holder: string, jwk: PublicJwk): Promise<Record<string, unknown>> {
    const principal = await this.makerOf(department, offer)
    if (!principal) {
      const maker = offer.accountId ? 'account' : 'API key'
      throw new Oid4vciRefusal(
        400,
        'credential_request_denied',
        `the ${maker} that made this offer was disabled or revoked`,
        'ERR_AUTH_INVALID',
      )
    }
    let credential: string
    try {
      const request = parseIssueRequest({
        type: offer.type,
        holder,
        claims: offer.claims,
        ...(offer.validUntil ? { validUntil: offer.validUntil } : {}),
      })
      // The offer is redeemed in the issuance's own transaction, so that signing (and, for a type without a
      // policy, every check before it) happens outside the write lock.
      const onStored = async (m: EntityManager, record: { id: string }) => {
        if (!(await this.deps.offers.markRedeemed(m, offer.id, offer.tokenJti!, record.id, new Date().toISOString()))) {
          throw new Oid4vciRefusal(401, 'invalid_token', 'the offer was redeemed already: one offer, one credential', 'ERR_OFFER_REDEEMED')
        }
        await this.auditOffer(
          m,
          offer,
          'offer-redeem',
          { credentialId: record.id, holder: holder.startsWith('did:jwk:') ? 'did:jwk' : holder },
          record.id,
        )
      }
      const sdJwt = offer.format === 'dc+sd-jwt' ? this.deps.sdJwt : undefined
      credential = sdJwt
        ? (await issueSdJwtVc(sdJwt, principal, request, { jwk: jwk as JsonWebKey }, { onStored })).sdJwt
        : (await issueWithPolicies(this.deps.policies, principal, request, { onStored })).jwt
    } catch (error) {
      if (error instanceof Oid4vciRefusal) throw error
      if (isAppError(error) && error.status < 500) {
        throw new Oid4vciRefusal(400, 'credential_request_denied', error.message, error.code)
      }
      throw error
    }
    return { credentials: [{ credential }] }
  }

  /** Who an offer is issued in the name of: the API key or the portal account that made it, while it is still in force. */
  private async makerOf(department: Department, offer: OfferRecord): Promise<DepartmentPrincipal | undefined> {
    if (offer.accountId) return this.deps.accounts?.principalOf(department, offer.accountId)
    // The rule decided when the case was evaluated; its offer carries exactly the type it decided on.
    if (offer.onestopRule)
      return { department, scopes: [offer.type], actor: `onestop:${offer.onestopRule}`, onestopRule: offer.onestopRule }
    const key = (await this.deps.keys.list(department.id)).find((k) => k.id === offer.apiKeyId && !k.revokedAt)
    return key && { department, apiKeyId: key.id, scopes: key.scopes }
  }

  private async auditOffer(
    m: EntityManager,
    offer: OfferRecord,
    action: 'offer-void' | 'offer-redeem',
    details: Record<string, unknown>,
    credentialId: string | null = null,
  ): Promise<void> {
    await this.deps.audit.append(
      {
        departmentId: offer.departmentId,
        actor:
          action === 'offer-redeem'
            ? `wallet:offer:${offer.id}`
            : offer.onestopRule
              ? `onestop:${offer.onestopRule}`
              : offer.accountId
                ? `account:${offer.accountId}`
                : `api-key:${offer.apiKeyId}`,
        action,
        credentialId,
        details: {
          offerId: offer.id,
          type: offer.type,
          format: offer.format,
          ...(offer.onestopRule
            ? { onestopRule: offer.onestopRule }
            : offer.accountId
              ? { accountId: offer.accountId }
              : { apiKeyId: offer.apiKeyId }),
          ...details,
        },
      },
      m,
    )
  }
}

/** invalid_grant for an offer whose code can no longer be exchanged. */
function refuseSpentOffer(offer: OfferRecord): void {
  if (offer.voidedAt)
    throw new Oid4vciRefusal(400, 'invalid_grant', 'the offer was voided; ask the department for a new one', 'ERR_OFFER_VOIDED')
  if (offer.tokenJti || offer.redeemedAt) {
    throw new Oid4vciRefusal(400, 'invalid_grant', 'the pre-authorized code was used already', 'ERR_PRE_AUTHORIZED_CODE_USED')
  }
  if (Date.parse(offer.expiresAt) < Date.now()) {
    throw new Oid4vciRefusal(
      400,
      'invalid_grant',
      'the pre-authorized code has expired; ask the department for a new offer',
      'ERR_OFFER_EXPIRED',
    )
  }
}

/** The one jwt proof of `{credential_configuration_id, proofs: {jwt: [proof]}}`, nothing more; undefined for any other request. */
function plainProofs(input: Record<string, unknown>): string[] | undefined {
  const names = Object.keys(input)
  if (names.length !== 2 || !names.includes('credential_configuration_id') || !names.includes('proofs')) return undefined
  const proofs = input.proofs as Record<string, unknown> | null
  if (!proofs || typeof proofs !== 'object' || Array.isArray(proofs) || Object.keys(proofs).length !== 1) return undefined
  const jwt = proofs.jwt
  return Array.isArray(jwt) && jwt.length === 1 && typeof jwt[0] === 'string' && jwt[0].length > 0 ? [jwt[0]] : undefined
}

/** A JWT's header and payload without verifying it; invalid_proof when it is not a JWT. */
function decodeUnverified(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  try {
    const [header, payload] = jwt
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')))
    if (header && typeof header === 'object' && payload && typeof payload === 'object') return { header, payload }
  } catch {
    // below
  }
  throw new Oid4vciRefusal(400, 'invalid_proof', 'the key proof is not a JWT', 'ERR_PROOF_INVALID')
}

type GovcredCodeFor = 'ERR_PROOF_INVALID' | 'ERR_INVALID_REQUEST'

/** Runs a library call; its OAuth error responses become refusals with a govcred code. */
function libraryCall<T>(call: () => T, fallbackCode: GovcredCodeFor = 'ERR_INVALID_REQUEST'): T {
  const translate = (error: unknown): never => {
    if (error instanceof Oauth2ServerErrorResponseError) {
      const code = error.errorResponse.error as Oid4vciRefusal['error']
      const govcred =
        code === 'invalid_proof'
          ? 'ERR_PROOF_INVALID'
          : code === 'invalid_grant'
            ? 'ERR_PRE_AUTHORIZED_CODE_INVALID'
            : code === 'invalid_dpop_proof'
              ? 'ERR_PROOF_INVALID'
              : fallbackCode
      throw new Oid4vciRefusal(
        error.status >= 500 ? 400 : error.status,
        code,
        error.errorResponse.error_description ?? error.message,
        govcred,
      )
    }
    if (error instanceof Oid4vciRefusal) throw error
    if (isAppError(error)) throw error
    // The library's validation errors (zod) about a malformed request.
    if (error instanceof Error && /valid|parse|jwt|expected|required/i.test(`${error.name} ${error.message}`)) {
      throw new Oid4vciRefusal(
        400,
        fallbackCode === 'ERR_PROOF_INVALID' ? 'invalid_proof' : 'invalid_request',
        error.message.slice(0, 300),
        fallbackCode,
      )
    }
    throw error
  }
  try {
    const result = call()
    if (result instanceof Promise) return result.catch(translate) as T
    return result
  } catch (error) {
    return translate(error)
  }
}
