import type { JsonRpcProvider } from 'ethers'
import type { DataSource } from 'typeorm'
import type { Deployments } from '../config/deployments-file.js'
import { createRegistryClients, type RegistryClients } from '../chain/registries/registry-clients.js'
import { ChainRegistryCache } from './chain-registry-cache.js'
import { ChainWatcher, DEFAULT_WATCHER_OPTIONS, type ChainWatcherOptions } from './chain-watcher.js'
import { PresentationRequestStore, DEFAULT_REQUEST_TTL_MS } from './presentation-requests.js'
import { SchemaSource } from './schema-source.js'
import { DEFAULT_POLICY, type VerifierPolicy } from './verify-credential.js'
import type { PresentationVerifierDeps } from './verify-presentation.js'

export interface VerifierSettings {
  provider: JsonRpcProvider
  deployments: Deployments
  /** The process's registry clients; built from provider and deployments when absent. */
  registries?: Pick<RegistryClients, 'trustedIssuers' | 'schemas' | 'status'>
  /** Where presentation requests and used challenges are kept. */
  db: DataSource
  /** The domain presentations must be addressed to (aud). */
  domain: string
  policy?: Partial<VerifierPolicy>
  watcher?: Partial<ChainWatcherOptions>
  requestTtlMs?: number
  schemas?: SchemaSource
}

export interface VerifierService {
  deps: PresentationVerifierDeps
  watcher: ChainWatcher
  domain: string
  start(): Promise<void>
  stop(): void
}

/**
 * The verifying side: needs only a chain (RPC and contract addresses) and a small database of its own.
 */
export function createVerifierService(settings: VerifierSettings): VerifierService {
  const watcher = new ChainWatcher(settings.provider, settings.deployments.contracts, { ...DEFAULT_WATCHER_OPTIONS, ...settings.watcher })
  const registries = settings.registries ?? createRegistryClients(settings.provider, settings.deployments.contracts)
  const cache = new ChainRegistryCache(settings.provider, settings.deployments, registries, watcher)
  const deps: PresentationVerifierDeps = {
    cache,
    schemas: settings.schemas ?? new SchemaSource(),
    deployments: settings.deployments,
    policy: { ...DEFAULT_POLICY, ...settings.policy },
    requests: new PresentationRequestStore(settings.db, settings.domain, settings.requestTtlMs ?? DEFAULT_REQUEST_TTL_MS),
  }
  let purge: NodeJS.Timeout | undefined
  return {
    deps,
    watcher,
    domain: settings.domain,
    async start() {
      await watcher.start()
      purge = setInterval(() => void deps.requests.purgeExpired().catch(() => undefined), 3_600_000)
      purge.unref()
    },
    stop() {
      clearInterval(purge)
      watcher.stop()
    },
  }
}
