import { resolve } from 'node:path'
import { envReader } from './env-reader.js'

export type ChainMode = 'embedded' | 'external'

export interface Config {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly databaseFile: string
  readonly chain: {
    readonly mode: ChainMode
    /** Required in external mode; set once the embedded node is up in embedded mode. */
    readonly rpcUrl?: string
    readonly chainId: number
    readonly networkName: string
    /** Deployments file: contract addresses (written by deploy, read on every start). */
    readonly deploymentsFile: string
    readonly stateFile: string
    readonly stateIntervalSeconds: number
    readonly embeddedPort: number
  }
  /** 64 hex digits; when absent in embedded mode a secret is generated into the data directory. */
  readonly kmsSecret?: string
  readonly demo: boolean
  readonly publicUrl: string
  /** One log line per HTTP request. */
  readonly accessLog: boolean
  readonly verifier: {
    /** The domain presentations must be addressed to (their aud). */
    readonly domain: string
    readonly maxStalenessMs: number
    readonly pollMs: number
    readonly requireCurrentAccreditation: boolean
  }
}

export class ConfigError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Reads and validates the environment once; lists every problem at once.
 *
 * @example
 * const config = loadConfig(process.env)
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read = envReader(env)
  const { problems, int, bool } = read
  const port = int('PORT', 8080, 0, 65535)
  const host = env.HOST || '127.0.0.1'
  const dataDir = resolve(env.GOVCRED_DATA_DIR || './data')
  const mode = (env.GOVCRED_CHAIN_MODE || (env.GOVCRED_RPC_URL ? 'external' : 'embedded')) as ChainMode
  if (mode !== 'embedded' && mode !== 'external') {
    problems.push(`GOVCRED_CHAIN_MODE must be "embedded" or "external" (got "${mode}")`)
  }
  const rpcUrl = env.GOVCRED_RPC_URL || undefined
  if (mode === 'external') {
    if (!rpcUrl) problems.push('GOVCRED_RPC_URL is required when GOVCRED_CHAIN_MODE=external')
    else if (!/^https?:\/\/.+/.test(rpcUrl)) problems.push(`GOVCRED_RPC_URL must be an http(s) URL (got "${rpcUrl}")`)
  }
  const chainId = int('GOVCRED_CHAIN_ID', 20191, 1, 2 ** 31 - 1)
  const networkName = env.GOVCRED_NETWORK_NAME || 'govcred'
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(networkName)) {
    problems.push(`GOVCRED_NETWORK_NAME must be lowercase letters, digits and dashes (got "${networkName}")`)
  }
  const kmsSecret = env.GOVCRED_KMS_SECRET || undefined
  if (kmsSecret !== undefined && !/^[0-9a-fA-F]{64}$/.test(kmsSecret)) {
    problems.push('GOVCRED_KMS_SECRET must be 64 hex digits (32 bytes); generate one with "npx govcred secret"')
  }
  if (mode === 'external' && kmsSecret === undefined) {
    problems.push('GOVCRED_KMS_SECRET is required with an external chain (keys are encrypted at rest with it)')
  }
  const stateIntervalSeconds = int('GOVCRED_STATE_INTERVAL', 5, 1, 3600)
  const embeddedPort = int('GOVCRED_ANVIL_PORT', 0, 0, 65535)
  const demo = bool('GOVCRED_DEMO', mode === 'embedded')
  const accessLog = bool('GOVCRED_ACCESS_LOG', true)
  const publicUrl = env.GOVCRED_PUBLIC_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
  const maxStalenessMs = int('GOVCRED_MAX_STALENESS_MS', 15_000, 1000, 3_600_000)
  const pollMs = int('GOVCRED_CHAIN_POLL_MS', 250, 50, 60_000)
  const requireCurrentAccreditation = bool('GOVCRED_REQUIRE_CURRENT_ACCREDITATION', false)
  let domain = env.GOVCRED_VERIFIER_DOMAIN || ''
  if (!domain) {
    try {
      domain = new URL(publicUrl).host
    } catch {
      problems.push(`GOVCRED_PUBLIC_URL must be a URL (got "${publicUrl}")`)
    }
  }

  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze({
    port,
    host,
    dataDir,
    databaseFile: resolve(dataDir, 'govcred.sqlite'),
    chain: Object.freeze({
      mode,
      rpcUrl,
      chainId,
      networkName,
      deploymentsFile: resolve(env.GOVCRED_DEPLOYMENTS_FILE || resolve(dataDir, 'deployments.json')),
      stateFile: resolve(dataDir, 'chain', 'anvil-state.json'),
      stateIntervalSeconds,
      embeddedPort,
    }),
    kmsSecret,
    demo,
    publicUrl,
    accessLog,
    verifier: Object.freeze({ domain, maxStalenessMs, pollMs, requireCurrentAccreditation }),
  })
}
