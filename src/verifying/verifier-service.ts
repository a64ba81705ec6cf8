import type { JsonRpcProvider } from 'ethers'
import type { DataSource } from 'typeorm'
import type { Deployments } from '../config/deployments-file.js'
import { DEFAULT_PRESENTATION_RESULT_TTL_SECONDS } from '../config/verifier-access-settings.js'
import { createRegistryClients, type RegistryClients } from '../chain/registries/registry-clients.js'
import { ChainRegistryCache } from './chain-registry-cache.js'
import { ChainWatcher, DEFAULT_WATCHER_OPTIONS, type ChainWatcherOptions } from './chain-watcher.js'
import {
  PresentationRequestStore,
  DEFAULT_ANONYMOUS_REQUESTS_MAX,
  DEFAULT_REQUEST_TTL_MS,
  DEFAULT_USED_CHALLENGE_TTL_MS,
} from './presentation-requests.js'
import { RelyingPartyStore } from './relying-parties/relying-party-store.js'
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
  /** Who may create presentation requests (GOVCRED_ANONYMOUS_REQUESTS…); anonymous and capped when absent. */
  access?: {
    anonymousRequests: boolean
    anonymousRequestsMax: number
    /** How long an answered OpenID4VP request's result is kept (GOVCRED_PRESENTATION_RESULT_TTL_SECONDS, default a day). */
    presentationResultTtlSeconds?: number
  }
  /** How long a used VC-API challenge is kept (and how old a presentation for one may be). */
  usedChallengeTtlMs?: number
}

/** What one purge removed. */
export interface PurgeOutcome {
  requests: number
  usedChallenges: number
  /** OpenID4VP results past GOVCRED_PRESENTATION_RESULT_TTL_SECONDS, forgotten. */
  results: number
}

export interface VerifierService {
  deps: PresentationVerifierDeps
  watcher: ChainWatcher
  domain: string
  /** The registered relying parties and their API keys. */
  relyingParties: RelyingPartyStore
  /** Whether presentation requests may be created without a relying party's key. */
  anonymousRequests: boolean
  /**
   * Forgets OpenID4VP results past their time, deletes requests expired more than a day ago and used
   * challenges past their expiry (run hourly).
   */
  purge(now?: number): Promise<PurgeOutcome>
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
    requests: new PresentationRequestStore(settings.db, settings.domain, settings.requestTtlMs ?? DEFAULT_REQUEST_TTL_MS, {
      anonymousMax: settings.access?.anonymousRequestsMax ?? DEFAULT_ANONYMOUS_REQUESTS_MAX,
      usedChallengeTtlMs: settings.usedChallengeTtlMs ?? DEFAULT_USED_CHALLENGE_TTL_MS,
    }),
  }
  const resultTtlMs = (settings.access?.presentationResultTtlSeconds ?? DEFAULT_PRESENTATION_RESULT_TTL_SECONDS) * 1000
  const purge = async (now = Date.now()): Promise<PurgeOutcome> => ({
    results: await deps.requests.purgeResults(resultTtlMs, now),
    requests: await deps.requests.purgeExpired(now),
    usedChallenges: await deps.requests.purgeUsedChallenges(now),
  })
  let timer: NodeJS.Timeout | undefined
  return {
    deps,
    watcher,
    domain: settings.domain,
    relyingParties: new RelyingPartyStore(settings.db),
    anonymousRequests: settings.access?.anonymousRequests ?? true,
    purge,
    async start() {
      await watcher.start()
      timer = setInterval(() => void purge().catch(() => undefined), 3_600_000)
      timer.unref()
    },
    stop() {
      clearInterval(timer)
      watcher.stop()
    },
  }
}
