/**
 * A tiny typed client for the govcred HTTP API, for the examples. It knows the demo departments'
 * API keys (from `<dataDir>/demo.json`, written by `npm start`) and turns every non-2xx answer into
 * an {@link ApiError} carrying the API's `{ error: { code, message } }`.
 *
 * @example
 * const govcred = new GovcredClient({ baseUrl: 'http://127.0.0.1:8080', dataDir: './data' })
 * const market = govcred.department('market-supervision')
 * const issued = await market.issue({ type: 'BusinessLicenseCredential', holder: did, claims })
 * await market.revoke(issued.id)
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080'

/** The three departments the embedded demo creates. */
export type DemoDepartmentId = 'market-supervision' | 'real-estate-registration' | 'human-resources-social-security'

export type CredentialType = 'BusinessLicenseCredential' | 'PropertyCertificateCredential' | 'SocialSecurityStatusCredential'
export type CredentialState = 'active' | 'suspended' | 'revoked'

/** An answer of the API other than 2xx, or a problem reaching it (codes starting ERR_CLIENT_). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null = null,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface ClientOptions {
  /** Default: GOVCRED_URL, else http://127.0.0.1:8080. */
  baseUrl?: string
  /** Where demo.json is. Default: GOVCRED_DATA_DIR, else ./data. */
  dataDir?: string
}

/** Fills in the defaults of {@link ClientOptions} from the environment. */
export function resolveClientOptions(options: ClientOptions = {}): Required<ClientOptions> {
  return {
    baseUrl: (options.baseUrl ?? process.env.GOVCRED_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
    dataDir: resolve(options.dataDir ?? process.env.GOVCRED_DATA_DIR ?? './data'),
  }
}

export interface DemoDepartment {
  id: DemoDepartmentId
  name: string
  nameEn: string
  did: string
  credentialTypes: CredentialType[]
  apiKey: string
}

/** Reads the demo departments (with their API keys) that `npm start` writes into `<dataDir>/demo.json`. */
export function loadDemoDepartments(dataDir: string): DemoDepartment[] {
  const file = join(dataDir, 'demo.json')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new ApiError(
      'ERR_CLIENT_DEMO_FILE_MISSING',
      `${file} not found: start the service first (npm start), or set GOVCRED_DATA_DIR to the directory it uses`,
    )
  }
  const demo = JSON.parse(text) as { departments?: DemoDepartment[] }
  return demo.departments ?? []
}

/** The demo bank (a registered relying party) that `npm start` writes into `<dataDir>/demo.json`. */
export interface DemoRelyingParty {
  id: string
  name: string
  nameEn: string
  apiKey: string
  /** Its OpenID4VP client identifier, `x509_san_dns:<host>`. */
  clientId: string
}

/** Reads the demo relying parties (with their API keys) from `<dataDir>/demo.json`. */
export function loadDemoRelyingParties(dataDir: string): DemoRelyingParty[] {
  loadDemoDepartments(dataDir) // the same file; says clearly when it is missing
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { relyingParties?: DemoRelyingParty[] }
  return demo.relyingParties ?? []
}

export interface IssueInput {
  type: CredentialType
  holder: string
  claims: Record<string, unknown>
  validFrom?: string
  validUntil?: string
}

export interface IssuedCredential {
  id: string
  type: CredentialType
  holder: string
  status: CredentialState
  /** The signed credential (VC-JWT) to hand to the holder. */
  jwt: string
  credential: Record<string, any>
  /** Earlier credentials this one replaced (social-security status). */
  superseded?: string[]
  /** The property unit's new "current certificate" anchor. */
  anchor?: { unitNumber: string; sequence: number; txHash: string | null }
}

export interface OfferInput {
  type: CredentialType
  claims: Record<string, unknown>
  /** dc+sd-jwt (an SD-JWT VC, the default) or jwt_vc_json (a VC-JWT). */
  format?: 'dc+sd-jwt' | 'jwt_vc_json'
  holderHint?: string
}

/** A credential offer for a standard (OpenID4VCI) wallet: the deep link, its QR code and the transaction code. */
export interface CreatedOffer {
  id: string
  /** openid-credential-offer://?credential_offer_uri=… */
  offerUri: string
  qrSvg: string
  /** The code the applicant types into the wallet (shown once). */
  txCode: string
  expiresAt: string
}

export interface OfferState {
  id: string
  status: 'offered' | 'redeemed' | 'expired' | 'voided'
  credentialId?: string | null
}

export interface StatusChange {
  credentialId: string
  status: CredentialState
  changed: boolean
  txHash: string | null
  onChain: 'confirmed' | 'pending' | 'unchanged'
}

export interface OnChainStatus {
  id: string
  /** As read from the chain. */
  status: CredentialState
  onChain: { revoked: boolean; suspended: boolean }
  /** As recorded in the department's database. */
  recorded: CredentialState
  inSync: boolean
}

export interface CredentialSummary {
  id: string
  type: CredentialType
  holder: string
  status: CredentialState
  issuedAt: string
  validFrom: string | null
  validUntil: string | null
  supersededBy: string | null
}

export interface TransferInput {
  sellerCredentialId: string
  buyer: string
  claims: Record<string, unknown>
}

export interface TransferResult {
  buyerCredential: { id: string; jwt: string; credential: Record<string, any> }
  seller: { credentialId: string; status: 'revoked'; txHash: string | null }
  anchor: { unitNumber: string; sequence: number; txHash: string | null }
  onChain: 'confirmed' | 'pending'
}

export interface CurrentCertificateCheck {
  unitNumber: string
  /** Verified and anchored on chain as the unit's current certificate. */
  current: boolean
  /** Every check of a credential verification passed (issuer accredited, schema, status, validity). */
  verified: boolean
  issuer: { did: string; name: string | null }
  checks: VerificationCheck[]
  anchoredAt: string | null
  sequence: number | null
}

export interface AuditEntry {
  seq: number
  departmentId: string
  at: string
  actor: string
  action: string
  credentialId: string | null
  txHash: string | null
  details: Record<string, unknown>
  prevHash: string
  hash: string
}

export interface AuditVerification {
  ok: boolean
  departmentId: string
  entries: number
  head: { seq: number; hash: string } | null
  problems: { seq: number | null; code: string; message: string }[]
}

export interface PresentationRequest {
  id: string
  challenge: string
  domain: string
  credentialTypes: CredentialType[]
  purpose: string
  expiresAt: string
}

/** What a relying party asks for by OpenID4VP: per credential (a DCQL query id), its type and the claims wanted. */
export interface Openid4vpRequestInput {
  credentials: { id: string; type: CredentialType; claims: string[] }[]
  purpose: { 'zh-CN': string; en: string }
}

/** An OpenID4VP request: the link and QR code for the holder's wallet. */
export interface CreatedOpenid4vpRequest {
  id: string
  protocol: 'openid4vp'
  requestUri: string
  /** openid4vp://?client_id=…&request_uri=… */
  deepLink: string
  qrSvg: string
  expiresAt: string
  verifier: { id: string; name: { 'zh-CN': string; en: string } }
}

/** What the relying party reads back: the state and, once answered, the result check by check. */
export interface Openid4vpRequestState {
  id: string
  state: 'pending' | 'answered' | 'expired'
  result?: VerificationResult | null
}

export interface VerificationCheck {
  check: string
  ok: boolean
  code: string
  message: string
  /** Index of the credential in the presentation, for per-credential checks. */
  credential?: number
}

export interface VerifiedCredential {
  index: number
  id: string | null
  types: string[]
  issuer: string | null
  issuerName: string | null
  subject: string | null
  claims: Record<string, any>
  validFrom: string | null
  validUntil: string | null
  verified: boolean
}

export interface VerificationResult {
  verified: boolean
  checks: VerificationCheck[]
  credentials: VerifiedCredential[]
  holder?: string | null
  error?: { code: string; message: string }
}

type Method = 'GET' | 'POST'

/** The public side of govcred (verifiers, anyone holding a certificate) and the way to a department's side. */
export class GovcredClient {
  readonly baseUrl: string
  readonly dataDir: string
  private departments?: DemoDepartment[]

  constructor(options: ClientOptions = {}) {
    const resolved = resolveClientOptions(options)
    this.baseUrl = resolved.baseUrl
    this.dataDir = resolved.dataDir
  }

  /** Fails fast, before an example starts, when the service is not running or cannot reach its chain or database. */
  async ensureReady(): Promise<void> {
    type Health = { status: string; chain?: { ok: boolean; error?: string }; database?: { ok: boolean; error?: string } }
    const health = await this.request<Health>('GET', '/healthz', { resultStatuses: [503] })
    if (health?.status === 'ok') return
    const problems = [
      health?.chain?.ok === false && `chain: ${health.chain.error ?? 'unreachable'}`,
      health?.database?.ok === false && `database: ${health.database.error ?? 'unreachable'}`,
    ]
    throw new ApiError(
      'ERR_CLIENT_SERVICE_UNAVAILABLE',
      `govcred at ${this.baseUrl} is running but not ready (${problems.filter(Boolean).join('; ') || 'unknown'})`,
      503,
    )
  }

  /** The client of one demo department, authenticated with its API key from demo.json. */
  department(id: DemoDepartmentId): DepartmentClient {
    this.departments ??= loadDemoDepartments(this.dataDir)
    const found = this.departments.find((d) => d.id === id)
    if (!found?.apiKey) throw new ApiError('ERR_CLIENT_DEMO_DEPARTMENT_MISSING', `demo.json in ${this.dataDir} has no API key for ${id}`)
    return new DepartmentClient(this, found)
  }

  /**
   * Verifies `certificateJwt` and asks the chain whether it is the current certificate of the property unit
   * (sent in the body: a certificate never goes in a URL).
   */
  isCurrentCertificate(unitNumber: string, certificateJwt: string): Promise<CurrentCertificateCheck> {
    return this.request('POST', `/v1/property/units/${encodeURIComponent(unitNumber)}/current`, { body: { certificate: certificateJwt } })
  }

  /** A verifier (e.g. a bank) asks for credentials; the answer carries a one-time challenge. */
  createPresentationRequest(input: { credentialTypes: CredentialType[]; purpose: string }): Promise<PresentationRequest> {
    return this.request('POST', '/v1/presentation-requests', { body: input })
  }

  /** The client of the demo bank (a registered relying party), authenticated with its API key from demo.json. */
  relyingParty(id = 'demo-bank-of-nanjing'): RelyingPartyClient {
    const found = loadDemoRelyingParties(this.dataDir).find((p) => p.id === id)
    if (!found?.apiKey) throw new ApiError('ERR_CLIENT_DEMO_RELYING_PARTY_MISSING', `demo.json in ${this.dataDir} has no API key for ${id}`)
    return new RelyingPartyClient(this, found)
  }

  /** Verifies a presentation; a refusal (HTTP 422) is a result, not an error. */
  verifyPresentation(presentation: string, requestId: string): Promise<VerificationResult> {
    return this.request('POST', '/v1/presentations/verify', { body: { presentation, requestId }, resultStatuses: [422] })
  }

  /** Verifies one credential on its own (W3C VC-API); a refusal (HTTP 422) is a result, not an error. */
  verifyCredential(jwt: string): Promise<VerificationResult> {
    return this.request('POST', '/credentials/verify', { body: { verifiableCredential: jwt }, resultStatuses: [400, 422] })
  }

  /** @internal JSON in, JSON out; throws {@link ApiError} on any status not 2xx (nor listed in resultStatuses). */
  async request<T>(method: Method, path: string, init: { body?: unknown; apiKey?: string; resultStatuses?: number[] } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    if (init.apiKey) headers.authorization = `Bearer ${init.apiKey}`
    let response: Response
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      })
    } catch (cause) {
      throw new ApiError(
        'ERR_CLIENT_SERVICE_UNREACHABLE',
        `cannot reach govcred at ${this.baseUrl} (${(cause as Error).message}): is it running (npm start)? Set GOVCRED_URL if it listens elsewhere`,
      )
    }
    const text = await response.text()
    let body: any
    try {
      body = text ? JSON.parse(text) : undefined
    } catch {
      body = undefined
    }
    if (response.ok || init.resultStatuses?.includes(response.status)) return body as T
    const error = body?.error
    throw new ApiError(
      typeof error?.code === 'string' ? error.code : `ERR_CLIENT_HTTP_${response.status}`,
      typeof error?.message === 'string' ? error.message : `${method} ${path} answered HTTP ${response.status}`,
      response.status,
      error?.details,
    )
  }
}

/** What a department's back office does: issue, change status, list, transfer, read its audit trail. */
export class DepartmentClient {
  constructor(
    private readonly client: GovcredClient,
    readonly department: DemoDepartment,
  ) {}

  issue(input: IssueInput): Promise<IssuedCredential> {
    return this.call('POST', '/v1/credentials', input)
  }

  /** Offers a credential to a standard wallet (OpenID4VCI pre-authorized code with a transaction code). */
  offer(input: OfferInput): Promise<CreatedOffer> {
    return this.call('POST', '/v1/credential-offers', input)
  }

  /** Whether the offer was redeemed, and the credential it became. */
  offerState(offerId: string): Promise<OfferState> {
    return this.call('GET', `/v1/credential-offers/${encodeURIComponent(offerId)}`)
  }

  /** The status as read from the chain right now. */
  status(credentialId: string): Promise<OnChainStatus> {
    return this.call('GET', `/v1/credentials/${encodeURIComponent(credentialId)}/status`)
  }

  suspend(credentialId: string): Promise<StatusChange> {
    return this.call('POST', `/v1/credentials/${encodeURIComponent(credentialId)}/suspend`)
  }

  reinstate(credentialId: string): Promise<StatusChange> {
    return this.call('POST', `/v1/credentials/${encodeURIComponent(credentialId)}/reinstate`)
  }

  revoke(credentialId: string): Promise<StatusChange> {
    return this.call('POST', `/v1/credentials/${encodeURIComponent(credentialId)}/revoke`)
  }

  list(
    query: { type?: CredentialType; status?: CredentialState; holder?: string; limit?: number } = {},
  ): Promise<{ items: CredentialSummary[]; nextCursor: string | null }> {
    return this.call('GET', `/v1/credentials${queryString(query)}`)
  }

  transfer(input: TransferInput): Promise<TransferResult> {
    return this.call('POST', '/v1/property/transfers', input)
  }

  /** The department's audit entries, newest first. */
  audit(
    query: { credentialId?: string; action?: string; limit?: number } = {},
  ): Promise<{ entries: AuditEntry[]; nextBefore: number | null }> {
    return this.call('GET', `/v1/audit${queryString(query)}`)
  }

  /** Recomputes the department's audit hash chain and compares it with the anchors on the chain. */
  verifyAudit(): Promise<AuditVerification> {
    return this.call('GET', '/v1/audit/verify')
  }

  private call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    return this.client.request<T>(method, path, { body: method === 'POST' ? (body ?? {}) : undefined, apiKey: this.department.apiKey })
  }
}

/** What a bank's system does: ask for credentials by OpenID4VP and read the result. */
export class RelyingPartyClient {
  constructor(
    private readonly client: GovcredClient,
    readonly party: DemoRelyingParty,
  ) {}

  /** A signed OpenID4VP request (DCQL, direct_post) for the holder's wallet: deep link and QR code. */
  requestPresentation(input: Openid4vpRequestInput): Promise<CreatedOpenid4vpRequest> {
    return this.client.request('POST', '/v1/presentation-requests', {
      body: { protocol: 'openid4vp', ...input },
      apiKey: this.party.apiKey,
    })
  }

  /** The request's state and, once the wallet answered, the verification result (only the disclosed claims). */
  readRequest(id: string): Promise<Openid4vpRequestState> {
    return this.client.request('GET', `/v1/presentation-requests/${encodeURIComponent(id)}`, { apiKey: this.party.apiKey })
  }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value))
  const text = params.toString()
  return text ? `?${text}` : ''
}
