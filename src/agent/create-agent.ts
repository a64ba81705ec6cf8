import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'
import type { TAgent, IKeyManager, IDIDManager, IResolver, IDataStore, IDataStoreORM, ICredentialPlugin } from '@veramo/core-types'
import type { DataSource } from 'typeorm'
import type { JsonRpcProvider } from 'ethers'
import { loadAgentConfig } from './agent-config-loader.js'
import { applyStoragePragmas } from '../store/open-database.js'
import type { ITrustRegistry } from './plugins/trust-registry-plugin.js'
import type { ISchemaRegistry } from './plugins/schema-registry-plugin.js'
import type { IStatusRegistry } from './plugins/status-registry-plugin.js'
import type { RegistryClients } from '../chain/registries/registry-clients.js'
import type { ContractAddresses } from '../config/deployments-file.js'

export type GovcredAgent = TAgent<
  IKeyManager &
    IDIDManager &
    IResolver &
    ICredentialPlugin &
    IDataStore &
    IDataStoreORM &
    ITrustRegistry &
    ISchemaRegistry &
    IStatusRegistry
>

export interface AgentSettings {
  databaseFile: string
  kmsSecret: string
  networkName: string
  chainId: number
  rpcUrl: string
  contracts: ContractAddresses
  /** Deadline of each JSON-RPC request (GOVCRED_RPC_TIMEOUT_MS); createProvider's default when absent. */
  rpcTimeoutMs?: number
  /** agent.yml to read; defaults to the one at the project root. */
  configFile?: string
}

export interface BuiltAgent {
  agent: GovcredAgent
  db: DataSource
  provider: JsonRpcProvider
  registries: RegistryClients
  close(): Promise<void>
}

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..')

/**
 * Builds the Veramo agent from agent.yml, passing every setting through `$env`, and makes sure the
 * database is migrated.
 *
 * @example
 * const { agent, close } = await createAgent({ databaseFile, kmsSecret, networkName: 'govcred', chainId: 20191, rpcUrl, contracts })
 */
export async function createAgent(settings: AgentSettings): Promise<BuiltAgent> {
  const env = {
    GOVCRED_DB_FILE: settings.databaseFile,
    GOVCRED_KMS_SECRET: settings.kmsSecret,
    GOVCRED_NETWORK_NAME: settings.networkName,
    GOVCRED_CHAIN_ID: String(settings.chainId),
    GOVCRED_RPC_URL: settings.rpcUrl,
    GOVCRED_RPC_TIMEOUT_MS: settings.rpcTimeoutMs === undefined ? undefined : String(settings.rpcTimeoutMs),
    GOVCRED_DID_REGISTRY: settings.contracts.didRegistry,
    GOVCRED_TRUSTED_ISSUERS: settings.contracts.trustedIssuers,
    GOVCRED_SCHEMA_REGISTRY: settings.contracts.schemas,
    GOVCRED_STATUS_REGISTRY: settings.contracts.status,
    GOVCRED_ANCHOR_REGISTRY: settings.contracts.anchors,
    GOVCRED_GOVERNANCE: settings.contracts.governance,
  }
  const objects = await loadAgentConfig(settings.configFile ?? resolve(PROJECT_ROOT, 'agent.yml'), { env })
  const db = (await objects.get('/dbConnection')) as DataSource
  if (!db.isInitialized) await db.initialize()
  await db.query('PRAGMA foreign_keys = ON')
  await applyStoragePragmas(db)
  const agent = (await objects.get('/agent')) as GovcredAgent
  const provider = (await objects.get('/chainProvider')) as JsonRpcProvider
  const registries = (await objects.get('/registries')) as RegistryClients
  return {
    agent,
    db,
    provider,
    registries,
    async close() {
      provider.destroy()
      if (db.isInitialized) await db.destroy()
    },
  }
}
