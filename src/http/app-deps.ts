import type { DIDResolutionResult } from 'did-resolver'
import type { ITrustRegistry } from '../agent/plugins/trust-registry-plugin.js'
import type { Deployments } from '../config/deployments-file.js'
import type { RateLimitSettings } from '../config/rate-limit-settings.js'
import type { ClientIdentity } from './rate-limits.js'
import type { Logger } from '../shared/logger.js'
import type { AuditLog } from '../issuing/audit/audit-log.js'
import type { ApiKeyStore } from '../issuing/departments/api-keys/api-key-store.js'
import type { DepartmentStore } from '../issuing/departments/department-store.js'
import type { IssuerDeps } from '../issuing/issuance/issue-credential.js'
import type { PolicyDeps } from '../issuing/policies/issue-with-policies.js'
import type { PropertyAnchoring } from '../issuing/property/property-anchoring.js'
import type { OnestopRules } from '../issuing/onestop/publish-rule.js'
import type { OnestopCases } from '../cases/onestop-cases.js'
import type { ReviewQueue } from '../cases/review-queue.js'
import type { StatusDeps } from '../issuing/status/change-status.js'
import type { StatusListTokens } from '../issuing/status-list/status-list-tokens.js'
import type { VerifierService } from '../verifying/verifier-service.js'
import type { IssuerKeys } from '../issuing/issuer-keys/issuer-keys.js'
import type { CredentialOfferDeps } from '../issuing/offers/credential-offers.js'
import type { Oid4vciIssuerService } from '../issuing/offers/oid4vci-issuer.js'
import type { Openid4vpVerifier } from '../verifying/openid4vp/openid4vp-verifier.js'
import type { OperatorKeyStore } from '../accounts/operator-keys.js'
import type { PortalAccounts } from '../accounts/portal-accounts.js'
import type { SchemaRegistryClient } from '../chain/registries/schema-registry.js'
import type { FeedbackSettings } from '../config/portal-settings.js'
import type { FeedbackStore } from '../feedback/feedback-store.js'
import type { RelyingPartyRouteDeps } from './routes/relying-party-routes.js'

/** What the department routes need from the issuing side. */
export interface IssuingRouteDeps {
  issuer: IssuerDeps
  status: StatusDeps
  policies: PolicyDeps
  property: PropertyAnchoring
  keys: ApiKeyStore
  audit: AuditLog
  departments: DepartmentStore
  /** Generic (VerifiableCredential-only) issuance on POST /credentials/issue; off when absent. */
  genericIssuance?: boolean
  /** One-stop rules (/v1/onestop/rules); absent disables the routes. */
  onestopRules?: OnestopRules
  /** One-stop cases and the review queue (/v1/onestop/bundles, cases, reviews); absent disables the routes. */
  onestopCases?: { cases: OnestopCases; reviews: ReviewQueue }
}

/** What /healthz probes. */
export interface HealthProbes {
  /** The chain's latest block number. */
  blockNumber(): Promise<number>
  /** A trivial database query; absent when the node has no database. */
  database?(): Promise<unknown>
}

/** What the HTTP app needs; tests build it from a real context without listening on a port. */
export interface AppDeps {
  mode?: 'full' | 'verifier'
  deployments: Deployments
  /**
   * The RPC URL /v1/network advertises to verifiers and wallets: govcred's read-only endpoint, or
   * GOVCRED_PUBLIC_RPC_URL. A function when it is known only once the server listens.
   */
  publicRpcUrl: string | (() => string)
  /** The read-only JSON-RPC endpoint (POST /v1/chain/rpc) and the node it forwards to; absent disables it. */
  chainRpc?: { upstreamUrl: string; timeoutMs?: number }
  logger: Logger
  /** Log one line per request (GOVCRED_ACCESS_LOG). */
  accessLog?: boolean
  health: HealthProbes
  /** The Universal Resolver route; absent disables it. */
  resolveDid?: (did: string) => Promise<DIDResolutionResult>
  /** Reads of the trusted-issuer registry for /v1/issuers. */
  trustRegistry?: Pick<ITrustRegistry, 'trustRegistryListIssuers' | 'trustRegistryGetIssuer'>
  /** The issuing side; absent in verifier-only mode. */
  issuance?: IssuingRouteDeps
  /** The OpenID4VCI issuer (public protocol endpoints) and the department API's credential offers; absent in verifier-only mode. */
  oid4vci?: { protocol: Oid4vciIssuerService; offers: CredentialOfferDeps }
  /** The verifying side (always present in a running node). */
  verifier?: VerifierService
  /** The OpenID4VP 1.0 verifier (relying parties' signed requests, direct_post responses); absent where no identities sign requests. */
  openid4vp?: Openid4vpVerifier
  /** GET /vct/{TypeName}: SD-JWT VC type metadata under the node's public URL; absent in verifier-only mode. */
  vct?: { publicUrl: () => string }
  /** The departments' SD-JWT issuing keys; GET /v1/network publishes their root certificate (issuerTrust). */
  issuerKeys?: Pick<IssuerKeys, 'rootCertificatePem'>
  /** The departments' IETF Token Status Lists (GET /status-lists/{departmentId}); absent in verifier-only mode. */
  statusLists?: Pick<StatusListTokens, 'token'>
  /** Limits of the public routes (GOVCRED_RATE_LIMIT_*, GOVCRED_PUBLIC_CONCURRENCY); the documented defaults when absent. */
  rateLimits?: RateLimitSettings
  /** Who a public request counts against (a relying party's key, say); the remote address when absent or undefined. */
  rateLimitClient?: ClientIdentity
  /** The platform operator's API keys (requireOperator, src/http/operator-auth.ts); absent: no operator routes. */
  operatorKeys?: OperatorKeyStore
  /**
   * The relying-party API: registration by the operator (needs operatorKeys) and the parties' self-service;
   * absent disables it.
   */
  relyingPartyApi?: Omit<RelyingPartyRouteDeps, 'authenticateOperator' | 'logger'>
  /** The chain's schema registry, for GET /v1/schemas (the catalogue with each schema's anchor state); absent disables it. */
  schemaRegistry?: Pick<SchemaRegistryClient, 'get'>
  /** The portal's feedback box (full node): POST /v1/feedback, and GET for the operator (needs operatorKeys); absent disables it. */
  feedback?: { store: FeedbackStore; settings: Pick<FeedbackSettings, 'perHour'> }
  /** The built portal (GOVCRED_PORTAL_DIR) served at `/` and its pages, per `mode`; absent: the API alone. */
  portal?: { dir: string }
  /**
   * Portal accounts: sign-in (/v1/session), the session cookie taken by the department, relying-party and operator
   * routes, and the app-wide CSRF check; `publicUrl` (GOVCRED_PUBLIC_URL, or where the server listens) gives the
   * cookie's name and the origin unsafe requests must come from. Absent: no portal sign-in.
   */
  accounts?: { portal: PortalAccounts; publicUrl: () => string }
}
