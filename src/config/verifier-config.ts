import { resolve } from 'node:path'
import { isAddress } from 'ethers'
import { ConfigError } from './config.js'
import { envReader } from './env-reader.js'
import { readDeployments } from './deployments-file.js'

export interface VerifierConfig {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly rpcUrl: string
  readonly networkName: string
  /** From the deployments file when given; otherwise read from the chain at start. */
  readonly chainId?: number
  readonly contracts: { didRegistry: string; trustedIssuers: string; schemas: string; status: string }
  readonly domain: string
  readonly maxStalenessMs: number
  readonly pollMs: number
  readonly requireCurrentAccreditation: boolean
  readonly accessLog: boolean
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
  const { problems, int, bool } = envReader(env)
  const port = int('PORT', 8090, 0, 65535)
  const host = env.HOST || '127.0.0.1'
  const rpcUrl = env.GOVCRED_RPC_URL ?? ''
  if (!/^https?:\/\/.+/.test(rpcUrl)) problems.push('GOVCRED_RPC_URL (the consortium chain JSON-RPC URL) is required')
  let networkName = env.GOVCRED_NETWORK_NAME || 'govcred'
  let chainId: number | undefined
  const contracts: Record<string, string> = {}
  if (env.GOVCRED_DEPLOYMENTS_FILE) {
    try {
      const deployments = readDeployments(resolve(env.GOVCRED_DEPLOYMENTS_FILE))
      if (!deployments) problems.push(`GOVCRED_DEPLOYMENTS_FILE ${env.GOVCRED_DEPLOYMENTS_FILE} does not exist`)
      else {
        Object.assign(contracts, deployments.contracts)
        networkName = env.GOVCRED_NETWORK_NAME || deployments.name
        chainId = deployments.chainId
      }
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  for (const [key, variable] of Object.entries(ADDRESS_VARS)) {
    const value = env[variable] || contracts[key]
    if (!value || !isAddress(value)) problems.push(`${variable} must be the address of the ${key} contract (or set GOVCRED_DEPLOYMENTS_FILE)`)
    else contracts[key] = value
  }
  const publicUrl = env.GOVCRED_PUBLIC_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
  const maxStalenessMs = int('GOVCRED_MAX_STALENESS_MS', 15_000, 1000, 3_600_000)
  const pollMs = int('GOVCRED_CHAIN_POLL_MS', 250, 50, 60_000)
  const requireCurrentAccreditation = bool('GOVCRED_REQUIRE_CURRENT_ACCREDITATION', false)
  const accessLog = bool('GOVCRED_ACCESS_LOG', true)
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze({
    port,
    host,
    dataDir: resolve(env.GOVCRED_DATA_DIR || './data-verifier'),
    rpcUrl,
    networkName,
    chainId,
    contracts: Object.freeze(contracts as unknown as VerifierConfig['contracts']),
    domain: env.GOVCRED_VERIFIER_DOMAIN || new URL(publicUrl).host,
    maxStalenessMs,
    pollMs,
    requireCurrentAccreditation,
    accessLog,
  })
}
