import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Server } from 'node:http'
import { openDatabase } from '../store/open-database.js'
import { ZeroAddress } from 'ethers'
import type { VerifierConfig } from '../config/verifier-config.js'
import { assertChainReachable, createProvider } from '../chain/provider.js'
import { verifierMigrations } from '../store/migrations/index.js'
import { createVerifierService, type VerifierService } from '../verifying/verifier-service.js'
import { createApp } from '../http/create-app.js'
import { readOnlyRpcUrl } from '../http/routes/chain-rpc-routes.js'
import { createPrivateFile, prepareDataDirectory } from './data-permissions.js'
import { serve } from './serve.js'
import { healthProbes } from './health-probes.js'
import { createRegistryClients } from '../chain/registries/registry-clients.js'
import { TrustRegistryPlugin } from '../agent/plugins/trust-registry-plugin.js'
import type { Logger } from '../shared/logger.js'
import { resolveKmsSecret } from '../config/kms-secret.js'
import { createWebhookDispatcher, notifyAnswersByWebhook } from './webhook-services.js'

export interface RunningVerifier {
  server: Server
  url: string
  /** What /v1/network advertises: this verifier's read-only endpoint (POST /v1/chain/rpc) over GOVCRED_RPC_URL. */
  publicRpcUrl: string
  verifier: VerifierService
  stop(): Promise<void>
}

/**
 * Verifier-only mode: the verification API with a chain RPC URL and the registries' addresses, a small
 * database of its own for challenges, and no issuer keys or issuer records.
 */
export async function startVerifier(config: VerifierConfig, logger: Logger): Promise<RunningVerifier> {
  const chainId = await assertChainReachable(config.rpcUrl, config.chainId)
  prepareDataDirectory(config.dataDir, logger, { subdirectories: [] })
  const databaseFile = join(config.dataDir, 'verifier.sqlite')
  createPrivateFile(databaseFile)
  const db = await openDatabase(databaseFile, verifierMigrations)
  const provider = createProvider(config.rpcUrl, chainId, config.rpcTimeoutMs)
  const deployments = {
    name: config.networkName,
    chainId,
    contracts: { ...config.contracts, governance: ZeroAddress, anchors: ZeroAddress },
  }
  const registries = createRegistryClients(provider, deployments.contracts)
  const verifier = createVerifierService({
    provider,
    deployments,
    registries,
    db,
    domain: config.domain,
    access: config.verifierAccess,
    policy: { requireCurrentAccreditation: config.requireCurrentAccreditation },
    watcher: {
      pollMs: config.pollMs,
      freshnessMs: Math.min(100, config.pollMs),
      maxStalenessMs: config.maxStalenessMs,
      syncWaitMs: config.rpcTimeoutMs,
    },
  })
  try {
    await verifier.start()
  } catch (error) {
    await db.destroy()
    provider.destroy()
    throw new Error(`cannot read the registries at ${config.rpcUrl}: ${(error as Error).message}`, { cause: error })
  }
  // DATA_DIR/kms-secret (0600) seals the relying parties' webhook secrets: `govcred relying-party … --verifier
  // --webhook-url` creates it; read only when a webhook is delivered (a node without webhooks holds no secret).
  const kmsSecretFile = join(config.dataDir, 'kms-secret')
  const kmsSecret = () => {
    if (!existsSync(kmsSecretFile)) throw new Error(`${kmsSecretFile} is missing: register the webhook again`)
    return resolveKmsSecret(undefined, config.dataDir).secret
  }
  const webhooks = createWebhookDispatcher(db, kmsSecret, config.webhooks, logger)
  notifyAnswersByWebhook(verifier.deps.requests, webhooks, logger)
  webhooks.start()
  const trustRegistry = new TrustRegistryPlugin(registries).methods
  let publicRpcUrl = readOnlyRpcUrl(config.publicUrl, config.publicUrl)
  const app = createApp({
    deployments,
    publicRpcUrl: () => publicRpcUrl,
    chainRpc: { upstreamUrl: config.rpcUrl, timeoutMs: config.rpcTimeoutMs },
    logger,
    accessLog: config.accessLog,
    rateLimits: config.rateLimits,
    health: healthProbes(provider, db),
    resolveDid: (did) => verifier.deps.cache.resolveDid(did),
    trustRegistry,
    verifier,
    mode: 'verifier',
  })
  const serving = await serve(app, config)
  publicRpcUrl = readOnlyRpcUrl(config.publicUrl, serving.url)
  let stopping: Promise<void> | undefined
  return {
    server: serving.server,
    url: serving.url,
    publicRpcUrl,
    verifier,
    stop() {
      stopping ??= (async () => {
        verifier.stop()
        await serving.close()
        await webhooks.stop()
        provider.destroy()
        await db.destroy()
      })()
      return stopping
    },
  }
}
