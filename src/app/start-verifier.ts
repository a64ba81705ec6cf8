import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Server } from 'node:http'
import { DataSource } from 'typeorm'
import { quietSqlite3 } from '../store/sqlite-driver.js'
import { ZeroAddress } from 'ethers'
import type { VerifierConfig } from '../config/verifier-config.js'
import { assertChainReachable, createProvider } from '../chain/provider.js'
import { verifierMigrations } from '../store/migrations/index.js'
import { createVerifierService, type VerifierService } from '../verifying/verifier-service.js'
import { createApp } from '../http/create-app.js'
import { TrustRegistryPlugin } from '../agent/plugins/trust-registry-plugin.js'
import type { Logger } from '../shared/logger.js'

export interface RunningVerifier {
  server: Server
  url: string
  verifier: VerifierService
  stop(): Promise<void>
}

/**
 * Verifier-only mode: the verification API with a chain RPC URL and the registries' addresses, a small
 * database of its own for challenges, and no issuer keys or issuer records.
 */
export async function startVerifier(config: VerifierConfig, logger: Logger): Promise<RunningVerifier> {
  const chainId = await assertChainReachable(config.rpcUrl, config.chainId)
  mkdirSync(config.dataDir, { recursive: true })
  const db = new DataSource({ type: 'sqlite', driver: quietSqlite3, database: join(config.dataDir, 'verifier.sqlite'), migrations: verifierMigrations, migrationsRun: true, synchronize: false, logging: false, enableWAL: true })
  await db.initialize()
  await db.query('PRAGMA synchronous = NORMAL')
  const provider = createProvider(config.rpcUrl, chainId)
  const deployments = {
    name: config.networkName,
    chainId,
    contracts: { ...config.contracts, governance: ZeroAddress, anchors: ZeroAddress },
  }
  const verifier = createVerifierService({
    provider,
    deployments,
    db,
    domain: config.domain,
    policy: { requireCurrentAccreditation: config.requireCurrentAccreditation },
    watcher: { pollMs: config.pollMs, freshnessMs: Math.min(100, config.pollMs), maxStalenessMs: config.maxStalenessMs },
  })
  try {
    await verifier.start()
  } catch (error) {
    await db.destroy()
    provider.destroy()
    throw new Error(`cannot read the registries at ${config.rpcUrl}: ${(error as Error).message}`, { cause: error })
  }
  const trustRegistry = new TrustRegistryPlugin({ rpcUrl: config.rpcUrl, chainId, address: config.contracts.trustedIssuers, provider }).methods
  const app = createApp({ provider, db, deployments, publicRpcUrl: config.rpcUrl, logger, verifier, trustRegistry, mode: 'verifier', accessLog: config.accessLog })
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(s)))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  let stopping: Promise<void> | undefined
  return {
    server,
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`,
    verifier,
    stop() {
      stopping ??= (async () => {
        verifier.stop()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        provider.destroy()
        await db.destroy()
      })()
      return stopping
    },
  }
}
