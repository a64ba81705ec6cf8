import { resolve } from 'node:path'
import { isAddress } from 'ethers'
import {
  readHttpSettings,
  readHttpUrl,
  readNetworkName,
  readVerifierSettings,
  type HttpSettings,
  type VerifierSettings,
} from './common-settings.js'
import { ConfigError } from './config-error.js'
import { readDeployments } from './deployments-file.js'
import { envReader } from './env-reader.js'
import { readRateLimitSettings, type RateLimitSettings } from './rate-limit-settings.js'
import { readVerifierAccessSettings, type VerifierAccessSettings } from './verifier-access-settings.js'
import { readChainTimeoutSettings, type ChainTimeoutSettings } from './chain-timeout-settings.js'
import { readWebhookSettings, type WebhookSettings } from './webhook-settings.js'
import { readIssuerUrls } from './issuer-url-settings.js'
import { readPortalSettings } from './portal-settings.js'
import { readAccountSettings, type AccountSettings } from './account-settings.js'

export interface VerifierConfig extends HttpSettings, VerifierSettings, ChainTimeoutSettings {
  readonly dataDir: string
  readonly rpcUrl: string
  readonly networkName: string
  /** From the deployments file when given; otherwise read from the chain at start. */
  readonly chainId?: number
  readonly contracts: { didRegistry: string; trustedIssuers: string; schemas: string; status: string }
  /** Per-client rate limits and the concurrency cap of the public routes (every route of this mode). */
  readonly rateLimits: RateLimitSettings
  /** Who may create presentation requests: registered relying parties only, unless GOVCRED_ANONYMOUS_REQUESTS=true. */
  readonly verifierAccess: VerifierAccessSettings
  /** Webhook deliveries to relying parties (GOVCRED_WEBHOOK_*; loopback refused unless GOVCRED_WEBHOOK_ALLOW_LOOPBACK=true). */
  readonly webhooks: WebhookSettings
  /** The consortium's issuing nodes (GOVCRED_ISSUER_URLS): OpenID4VP requests name the credential types (vct) under each. */
  readonly issuerUrls: readonly string[]
  /** The built portal: this mode serves `/`, the public pages and `/verify` (GOVCRED_PORTAL_DIR; default `<repo>/dist/portal`). */
  readonly portalDir: string
  /** Portal accounts of this node (bank officers, operators): sessions and sign-in lockout (GOVCRED_SESSION_*, GOVCRED_SIGNIN_*). */
  readonly accounts: AccountSettings
}

const ADDRESS_VARS = {
  didRegistry: 'GOVCRED_DID_REGISTRY',
  trustedIssuers: 'GOVCRED_TRUSTED_ISSUERS',
  schemas: 'GOVCRED_SCHEMA_REGISTRY',
  status: 'GOVCRED_STATUS_REGISTRY',
} as const

/**
 * Configuration of verifier-only mode: a chain RPC URL and the registries' addresses (from
 * GOVCRED_DEPLOYMENTS_FILE, or one variable each). No keys, no issuer database.
 */
export function loadVerifierConfig(env: NodeJS.ProcessEnv = process.env): VerifierConfig {
  const read = envReader(env)
  const { problems } = read
  const http = readHttpSettings(read, 8090)
  const rpcUrl = readHttpUrl(read, 'GOVCRED_RPC_URL') ?? ''
  if (!rpcUrl) problems.push('GOVCRED_RPC_URL (the consortium chain JSON-RPC URL) is required')
  let networkFromFile: string | undefined
  let chainId: number | undefined
  const contracts: Record<string, string> = {}
  const deploymentsFile = read.string('GOVCRED_DEPLOYMENTS_FILE')
  if (deploymentsFile) {
    try {
      const deployments = readDeployments(resolve(deploymentsFile))
      if (!deployments) problems.push(`GOVCRED_DEPLOYMENTS_FILE ${deploymentsFile} does not exist`)
      else {
        Object.assign(contracts, deployments.contracts)
        networkFromFile = deployments.name
        chainId = deployments.chainId
      }
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  const networkName = readNetworkName(read, networkFromFile ?? 'govcred')
  for (const [key, variable] of Object.entries(ADDRESS_VARS)) {
    const value = read.string(variable) ?? contracts[key]
    if (!value || !isAddress(value))
      problems.push(`${variable} must be the address of the ${key} contract (or set GOVCRED_DEPLOYMENTS_FILE)`)
    else contracts[key] = value
  }
  const verifier = readVerifierSettings(read, http.publicUrl)
  const rateLimits = readRateLimitSettings(read)
  const verifierAccess = readVerifierAccessSettings(read, false)
  const chainTimeouts = readChainTimeoutSettings(read)
  const webhooks = readWebhookSettings(read, false)
  const issuerUrls = readIssuerUrls(read)
  const { portalDir } = readPortalSettings(read)
  const accounts = readAccountSettings(read)
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze({
    ...http,
    ...verifier,
    ...chainTimeouts,
    dataDir: resolve(read.string('GOVCRED_DATA_DIR') ?? './data-verifier'),
    rpcUrl,
    networkName,
    chainId,
    contracts: Object.freeze(contracts as unknown as VerifierConfig['contracts']),
    rateLimits,
    verifierAccess: Object.freeze(verifierAccess),
    webhooks,
    issuerUrls,
    portalDir,
    accounts,
  })
}
