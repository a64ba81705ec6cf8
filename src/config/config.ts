import { resolve } from 'node:path'
import {
  readHttpSettings,
  readHttpUrl,
  readNetworkName,
  readVerifierSettings,
  type HttpSettings,
  type VerifierSettings,
} from './common-settings.js'
import { ConfigError } from './config-error.js'
import { envReader } from './env-reader.js'
import { readRateLimitSettings, type RateLimitSettings } from './rate-limit-settings.js'
import { readVerifierAccessSettings, type VerifierAccessSettings } from './verifier-access-settings.js'
import { readIssuanceSettings, type IssuanceSettings } from './issuance-settings.js'
import { readGovernanceSettings, type GovernanceSettings } from './governance-settings.js'
import { readChainTimeoutSettings, type ChainTimeoutSettings } from './chain-timeout-settings.js'
import { readOfferSettings, type OfferSettings } from './offer-settings.js'
import { readWebhookSettings, type WebhookSettings } from './webhook-settings.js'
import { readFeedbackSettings, readPortalSettings, type FeedbackSettings } from './portal-settings.js'
import { readOnestopSettings, type OnestopSettings } from './onestop-settings.js'
import { readAccountSettings, type AccountSettings } from './account-settings.js'

export { ConfigError }

export type ChainMode = 'embedded' | 'external'

export interface Config extends HttpSettings {
  readonly dataDir: string
  readonly databaseFile: string
  readonly chain: {
    readonly mode: ChainMode
    /** Required in external mode; set once the embedded node is up in embedded mode. */
    readonly rpcUrl?: string
    /** The RPC URL advertised to verifiers and wallets (GOVCRED_PUBLIC_RPC_URL); ours when absent. */
    readonly publicRpcUrl?: string
    readonly chainId: number
    readonly networkName: string
    /** Deployments file: contract addresses (written by deploy, read on every start). */
    readonly deploymentsFile: string
    readonly stateFile: string
    readonly stateIntervalSeconds: number
    readonly embeddedPort: number
  } & ChainTimeoutSettings
  /** 64 hex digits; when absent in embedded mode a secret is generated into the data directory. */
  readonly kmsSecret?: string
  readonly demo: boolean
  readonly issuance: IssuanceSettings & {
    /** Most status bits per status-registry transaction (GOVCRED_STATUS_BATCH_MAX). */
    readonly statusBatchMax: number
  }
  readonly verifier: VerifierSettings
  /** Per-client rate limits and the concurrency cap of the public routes (GOVCRED_RATE_LIMIT_*, GOVCRED_PUBLIC_CONCURRENCY, GOVCRED_TRUST_PROXY). */
  readonly rateLimits: RateLimitSettings
  /** Who may create presentation requests (anonymous callers by default only with the embedded chain). */
  readonly verifierAccess: VerifierAccessSettings
  /** The founding consortium for `govcred deploy` (GOVCRED_GOVERNANCE_*). */
  readonly governance: GovernanceSettings
  /** Credential offers of the OpenID4VCI issuer (GOVCRED_OFFER_TTL_SECONDS, GOVCRED_OFFER_TX_CODE_ATTEMPTS). */
  readonly offers: OfferSettings
  /** Webhook deliveries to relying parties (GOVCRED_WEBHOOK_MAX_ATTEMPTS, _BACKOFF_MS, _TIMEOUT_MS, _ALLOW_LOOPBACK). */
  readonly webhooks: WebhookSettings
  /** The built portal served at `/` (GOVCRED_PORTAL_DIR; default `<repo>/dist/portal`). */
  readonly portalDir: string
  /** The one-stop service: bundles, how long finished cases are kept, how many may wait at once (GOVCRED_ONESTOP_*). */
  readonly onestop: OnestopSettings
  /** Anonymous feedback (POST /v1/feedback): per-client budget and how many are kept (GOVCRED_FEEDBACK_*). */
  readonly feedback: FeedbackSettings
  /** Portal accounts: session idle and absolute lifetimes, sign-in lockout (GOVCRED_SESSION_*, GOVCRED_SIGNIN_*). */
  readonly accounts: AccountSettings
}

/** Status bits per transaction: 1,000 scattered bits stay well inside a 30M-gas block. */
export const MAX_STATUS_BATCH = 1000

/**
 * Reads and validates the environment once; lists every problem at once.
 *
 * @example
 * const config = loadConfig(process.env)
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = envReader(env)
  const { problems, int, bool } = read
  const http = readHttpSettings(read, 8080)
  const dataDir = resolve(read.string('GOVCRED_DATA_DIR') ?? './data')
  const mode = (read.string('GOVCRED_CHAIN_MODE') ?? (read.string('GOVCRED_RPC_URL') ? 'external' : 'embedded')) as ChainMode
  if (mode !== 'embedded' && mode !== 'external') {
    problems.push(`GOVCRED_CHAIN_MODE must be "embedded" or "external" (got "${mode}")`)
  }
  const rpcUrl = readHttpUrl(read, 'GOVCRED_RPC_URL')
  if (mode === 'external' && !rpcUrl) problems.push('GOVCRED_RPC_URL is required when GOVCRED_CHAIN_MODE=external')
  const publicRpcUrl = readHttpUrl(read, 'GOVCRED_PUBLIC_RPC_URL')
  const chainId = int('GOVCRED_CHAIN_ID', 20191, 1, 2 ** 31 - 1)
  const networkName = readNetworkName(read, 'govcred')
  const kmsSecret = read.string('GOVCRED_KMS_SECRET')
  if (kmsSecret !== undefined && !/^[0-9a-fA-F]{64}$/.test(kmsSecret)) {
    problems.push('GOVCRED_KMS_SECRET must be 64 hex digits (32 bytes); generate one with "npx govcred secret"')
  }
  if (mode === 'external' && kmsSecret === undefined) {
    problems.push('GOVCRED_KMS_SECRET is required with an external chain (keys are encrypted at rest with it)')
  }
  const stateIntervalSeconds = int('GOVCRED_STATE_INTERVAL', 5, 1, 3600)
  const embeddedPort = int('GOVCRED_ANVIL_PORT', 0, 0, 65535)
  const demo = bool('GOVCRED_DEMO', mode === 'embedded')
  const statusBatchMax = int('GOVCRED_STATUS_BATCH_MAX', 1000, 1, MAX_STATUS_BATCH)
  const issuanceSettings = readIssuanceSettings(read, { embeddedDemo: mode === 'embedded' && demo })
  const verifier = readVerifierSettings(read, http.publicUrl)
  const rateLimits = readRateLimitSettings(read)
  const verifierAccess = readVerifierAccessSettings(read, mode === 'embedded')
  const deploymentsFile = resolve(read.string('GOVCRED_DEPLOYMENTS_FILE') ?? resolve(dataDir, 'deployments.json'))
  const governance = readGovernanceSettings(read)
  const chainTimeouts = readChainTimeoutSettings(read)
  const offers = readOfferSettings(read)
  const webhooks = readWebhookSettings(read, mode === 'embedded')
  const { portalDir } = readPortalSettings(read)
  const onestop = readOnestopSettings(read)
  const feedback = readFeedbackSettings(read)
  const accounts = readAccountSettings(read)

  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze({
    ...http,
    dataDir,
    databaseFile: resolve(dataDir, 'govcred.sqlite'),
    chain: Object.freeze({
      mode,
      rpcUrl,
      publicRpcUrl,
      chainId,
      networkName,
      deploymentsFile,
      stateFile: resolve(dataDir, 'chain', 'anvil-state.json'),
      stateIntervalSeconds,
      embeddedPort,
      ...chainTimeouts,
    }),
    kmsSecret,
    demo,
    issuance: Object.freeze({ statusBatchMax, ...issuanceSettings }),
    verifier: Object.freeze(verifier),
    rateLimits,
    verifierAccess: Object.freeze(verifierAccess),
    governance,
    offers,
    webhooks,
    portalDir,
    onestop,
    feedback,
    accounts,
  })
}
