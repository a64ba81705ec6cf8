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
import { portalBuilt } from '../http/routes/portal-routes.js'
import { readOnlyRpcUrl } from '../http/routes/chain-rpc-routes.js'
import { createPrivateFile, prepareDataDirectory } from './data-permissions.js'
import { serve } from './serve.js'
import { healthProbes } from './health-probes.js'
import { createRegistryClients } from '../chain/registries/registry-clients.js'
import { TrustRegistryPlugin } from '../agent/plugins/trust-registry-plugin.js'
import type { Logger } from '../shared/logger.js'
import { resolveKmsSecret } from '../config/kms-secret.js'
import { createWebhookDispatcher, notifyAnswersByWebhook } from './webhook-services.js'
import { createVerifierNodeOpenid4vp } from './verifier-node-openid4vp.js'
import { relyingPartyApiDeps } from './relying-party-api-services.js'
import { PortalAccounts } from '../accounts/portal-accounts.js'

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
  // DATA_DIR/kms-secret (0600) seals the relying parties' webhook secrets and request-signing keys: `govcred
  // relying-party … --verifier --webhook-url` or `relying-party csr` creates it; read only when a webhook is
  // delivered or a request signed (a node without either holds no secret).
  const kmsSecretFile = join(config.dataDir, 'kms-secret')
  const kmsSecret = () => {
    if (!existsSync(kmsSecretFile))
      throw new Error(`${kmsSecretFile} is missing: register the webhook again, or make a new key with relying-party csr`)
    return resolveKmsSecret(undefined, config.dataDir).secret
  }
  const webhooks = createWebhookDispatcher(db, kmsSecret, config.webhooks, logger)
  notifyAnswersByWebhook(verifier.deps.requests, webhooks, logger)
  webhooks.start()
  // GOVCRED_PUBLIC_URL, or where the server listens when it names port 0.
  let publicUrl = config.publicUrl
  const openid4vp = createVerifierNodeOpenid4vp({ db, verifier, kmsSecret, publicUrl: () => publicUrl, issuerUrls: config.issuerUrls })
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
    openid4vp,
    schemaRegistry: registries.schemas,
    portal: { dir: config.portalDir },
    // Bank officers sign in to the /verify page (govcred account create --kind relying-party … --verifier).
    accounts: { portal: new PortalAccounts(db, config.accounts), publicUrl: () => publicUrl },
    // Webhook secrets sealed with DATA_DIR/kms-secret (created 0600 when the first webhook is registered).
    ...relyingPartyApiDeps(db, verifier.relyingParties, () => resolveKmsSecret(undefined, config.dataDir).secret, config.webhooks),
  })
  const serving = await serve(app, config)
  if (!(await portalBuilt(config.portalDir)))
    logger.warn(`the portal is not built in ${config.portalDir}: / says how to build it (npm run build)`)
  publicRpcUrl = readOnlyRpcUrl(config.publicUrl, serving.url)
  if (new URL(config.publicUrl).port === '0') publicUrl = serving.url
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
