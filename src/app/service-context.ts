import { dirname } from 'node:path'
import type { JsonRpcProvider } from 'ethers'
import type { DataSource } from 'typeorm'
import type { Config } from '../config/config.js'
import { resolveKmsSecret, deployerWallet, type KmsSecret } from '../config/kms-secret.js'
import { createAgent, type GovcredAgent } from '../agent/create-agent.js'
import { openEmbeddedChain, type ChainEvent, type EmbeddedChain } from '../chain/embedded-chain.js'
import { catchUpChain } from '../chain/chain-reconciler.js'
import { assertChainReachable } from '../chain/provider.js'
import { readDeployments, writeDeployments, type Deployments } from '../config/deployments-file.js'
import { deployContracts, predictAddresses } from '../chain/deploy-contracts.js'
import { ChainWriter } from '../chain/chain-writer.js'
import type { RegistryClients } from '../chain/registries/registry-clients.js'
import { foundingConsortium, localGovernanceMembers, signerFor, type GovernanceMember } from '../issuing/governance/governance-members.js'
import { Governance } from '../issuing/governance/governance-proposals.js'
import { DepartmentStore } from '../issuing/departments/department-store.js'
import type { Logger } from '../shared/logger.js'
import { createPrivateFile, makePrivate, prepareDataDirectory } from './data-permissions.js'
import { loadOrCreateRootCa, rootCaFiles, type RootCa } from '../issuing/issuer-keys/root-ca.js'

export interface ServiceContext {
  config: Config
  agent: GovcredAgent
  db: DataSource
  provider: JsonRpcProvider
  /** The registry clients, built once over `provider` and shared by every feature. */
  registries: RegistryClients
  rpcUrl: string
  deployments: Deployments
  writer: ChainWriter
  governance: Governance
  members: GovernanceMember[]
  departments: DepartmentStore
  kmsSecret: KmsSecret
  /** The consortium root CA that certifies the departments' SD-JWT issuing keys (DATA_DIR/issuer-ca/). */
  issuerRootCa: RootCa
  chain?: EmbeddedChain
  close(): Promise<void>
}

export interface OpenOptions {
  logger: Logger
  /** Deploy the registries when the deployments file is missing (embedded default, or the deploy command). */
  deployIfMissing?: boolean
  /** Demo only (no GOVCRED_GOVERNANCE_MEMBERS): number of member keys this node creates and holds when it deploys. */
  governanceMembers?: number
  governanceThreshold?: number
}

/** This node's key store alone, without a chain: what `governance member-key` needs before any deployment exists. */
export interface KeyStoreContext {
  agent: GovcredAgent
  /** The did:ethr network name: the deployment's, or GOVCRED_NETWORK_NAME before one exists. */
  networkName: string
  close(): Promise<void>
}

/** Opens the Veramo key store of the data directory; nothing is sent to or read from the chain. */
export async function openKeyStore(config: Config, options: Pick<OpenOptions, 'logger'>): Promise<KeyStoreContext> {
  prepareDataDirectory(config.dataDir, options.logger)
  const kmsSecret = resolveKmsSecret(config.kmsSecret, config.dataDir)
  if (kmsSecret.source === 'generated') {
    options.logger.warn(`generated a key-encryption secret into ${kmsSecret.file} (mode 0600); set GOVCRED_KMS_SECRET in production`)
  }
  const existing = readDeployments(config.chain.deploymentsFile)
  const networkName = existing?.name ?? config.chain.networkName
  createPrivateFile(config.databaseFile)
  const built = await createAgent({
    databaseFile: config.databaseFile,
    kmsSecret: kmsSecret.secret,
    networkName,
    chainId: existing?.chainId ?? config.chain.chainId,
    // Never contacted here (static network, no reads); the agent's configuration needs a URL.
    rpcUrl: config.chain.rpcUrl ?? 'http://127.0.0.1:8545',
    contracts: existing?.contracts ?? predictAddresses(deployerWallet(kmsSecret.secret).address),
  })
  return { agent: built.agent, networkName, close: () => built.close() }
}

/**
 * Connects everything a command needs: chain (embedded or external), registries (deployed if asked),
 * the Veramo agent, the outbox (reconciled), governance and departments.
 */
export async function openServiceContext(config: Config, options: OpenOptions): Promise<ServiceContext> {
  const { logger } = options
  // 0700 directories, 0600 files; looser ones from before are tightened, with a warning.
  prepareDataDirectory(config.dataDir, logger)
  const kmsSecret = resolveKmsSecret(config.kmsSecret, config.dataDir)
  if (kmsSecret.source === 'generated') {
    logger.warn(`generated a key-encryption secret into ${kmsSecret.file} (mode 0600); set GOVCRED_KMS_SECRET in production`)
  }

  const chain =
    config.chain.mode === 'embedded'
      ? await openEmbeddedChain({
          dataDir: config.dataDir,
          chainId: config.chain.chainId,
          port: config.chain.embeddedPort,
          stateFile: config.chain.stateFile,
          genesisTimestamp: deployedAtSeconds(config.chain.deploymentsFile),
          stateIntervalSeconds: config.chain.stateIntervalSeconds,
          onEvent: (event) => logChainEvent(logger, event),
        })
      : undefined
  const rpcUrl = chain?.rpcUrl ?? config.chain.rpcUrl!
  const cleanup: (() => Promise<void>)[] = []
  if (chain?.owned) cleanup.push(() => chain.stop())
  try {
    const chainId = await assertChainReachable(rpcUrl, config.chain.mode === 'embedded' ? config.chain.chainId : undefined)

    const existing = readDeployments(config.chain.deploymentsFile)
    if (existing && existing.chainId !== chainId) {
      throw new Error(`${config.chain.deploymentsFile} is for chain ${existing.chainId}, but ${rpcUrl} is chain ${chainId}`)
    }
    const deployer = deployerWallet(kmsSecret.secret)
    const deployIfMissing = options.deployIfMissing ?? config.chain.mode === 'embedded'
    if (!existing && !deployIfMissing) {
      throw new Error(`no deployments file at ${config.chain.deploymentsFile}: run "govcred deploy" or set GOVCRED_DEPLOYMENTS_FILE`)
    }
    const contracts = existing?.contracts ?? predictAddresses(deployer.address)
    const networkName = existing?.name ?? config.chain.networkName

    // Created 0600 before SQLite opens it: its -wal and -shm files take the database file's mode.
    createPrivateFile(config.databaseFile)
    const built = await createAgent({
      databaseFile: config.databaseFile,
      kmsSecret: kmsSecret.secret,
      networkName,
      chainId,
      rpcUrl,
      contracts,
      rpcTimeoutMs: config.chain.rpcTimeoutMs,
    })
    cleanup.unshift(() => built.close())
    // Confirmed means durable: on the embedded chain each mined write is saved to the state file before it counts.
    const durable = chain ? () => chain.persist() : undefined
    const writer = new ChainWriter(built.db, built.provider, { durable })

    let deployments = existing
    let members: GovernanceMember[]
    const deploy = async () => {
      const consortium = await foundingConsortium(built.agent, networkName, config.governance, {
        demo: config.demo,
        demoKeys: options.governanceMembers,
        demoThreshold: options.governanceThreshold,
      })
      if (consortium.source === 'demo-local-keys' && config.chain.mode !== 'embedded') {
        logger.warn("demo: every governance member key is in this node's key store (one operator); not for production")
      }
      await deployContracts(deployer, built.provider, consortium, (line) => logger.info(line), { durable })
    }
    if (!deployments) {
      const started = Date.now()
      await deploy()
      deployments = { name: networkName, chainId, contracts, deployedAt: new Date().toISOString(), deployer: deployer.address }
      writeDeployments(config.chain.deploymentsFile, deployments)
      if (dirname(config.chain.deploymentsFile) === config.dataDir) makePrivate(config.chain.deploymentsFile)
      logger.info(`registries deployed in ${Date.now() - started} ms`, { deploymentsFile: config.chain.deploymentsFile })
    }
    members = await localGovernanceMembers(built.agent)
    for (const member of members) await writer.addSigner(member.signer)
    const departments = new DepartmentStore(built.db)
    for (const department of await departments.list()) {
      const identifier = await built.agent.didManagerGet({ did: department.did })
      await writer.addSigner(signerFor(built.agent, identifier))
    }
    if (chain?.owned) {
      // The embedded chain may be behind the database (a state saved before the last writes, or none): catch it up.
      const predicted = predictAddresses(deployer.address)
      const catchUp = () =>
        catchUpChain({
          writer,
          provider: built.provider,
          contracts: deployments!.contracts,
          redeploy: async () => {
            const foreign = (Object.keys(predicted) as (keyof typeof predicted)[]).filter(
              (key) => predicted[key].toLowerCase() !== deployments!.contracts[key].toLowerCase(),
            )
            if (foreign.length > 0) {
              throw new Error(
                `the embedded chain lacks the registries of ${config.chain.deploymentsFile}, which were not deployed by this ` +
                  `node's deployer key (${foreign.join(', ')}): they cannot be deployed again at those addresses`,
              )
            }
            await deploy()
          },
          durable: () => chain.persist(),
          log: (line, fields) => logger.info(line, fields),
          warn: (line, fields) => logger.warn(line, fields),
        })
      const report = await catchUp()
      if (report.open.confirmed + report.open.failed + report.open.resent > 0) logger.info('reconciled chain outbox', { ...report.open })
      chain.onRestart(async () => {
        try {
          const after = await catchUp()
          logger.warn('the embedded chain is back and caught up with the outbox', {
            redeployed: after.redeployed.length,
            replayed: after.replayed.reduce((sum, kind) => sum + kind.replayed, 0),
            ...after.open,
            ms: after.ms,
          })
        } catch (error) {
          logger.error(`catching up the restarted embedded chain failed: ${(error as Error).message}`)
        }
      })
    } else {
      const report = await writer.reconcile()
      if (report.confirmed + report.failed + report.resent > 0) logger.info('reconciled chain outbox', { ...report })
    }

    const root = await loadOrCreateRootCa({
      dataDir: config.dataDir,
      kmsSecret: kmsSecret.secret,
      commonName: `govcred consortium root CA (${networkName})`,
    })
    if (root.created) {
      const where = rootCaFiles(config.dataDir).certificate
      if (config.chain.mode === 'embedded') logger.info(`created the issuer root CA of the embedded consortium: ${where}`)
      else {
        logger.warn(
          `created a root CA of this node only (${where}); a consortium shares one root: stop, and put the consortium's ` +
            'root certificate and key in its place before issuing SD-JWT VCs (see README, "Standard wallets")',
        )
      }
    }

    return {
      config,
      agent: built.agent,
      db: built.db,
      provider: built.provider,
      registries: built.registries,
      rpcUrl,
      deployments,
      writer,
      governance: new Governance(built.registries.governance, writer),
      members,
      departments,
      kmsSecret,
      issuerRootCa: root.ca,
      chain,
      async close() {
        for (const step of cleanup) await step().catch((error) => logger.error(`shutdown step failed: ${(error as Error).message}`))
      },
    }
  } catch (error) {
    for (const step of cleanup) await step().catch(() => undefined)
    throw error
  }
}

/** The supervisor's reports about the embedded Anvil, for the operator. */
function logChainEvent(logger: Logger, event: ChainEvent): void {
  switch (event.kind) {
    case 'crashed':
      logger.error(`the embedded Anvil (pid ${event.pid}) stopped unexpectedly; restarting it on the same state file and port`, {
        code: event.code,
        signal: event.signal,
        ...(event.stderr ? { stderr: event.stderr } : {}),
      })
      break
    case 'restarted':
      logger.warn(`restarted the embedded Anvil (pid ${event.pid}) on ${event.rpcUrl} in ${event.inMs} ms; catching up`)
      break
    case 'gave-up':
      logger.error(`${event.error}: chain operations answer 503 until govcred is restarted`)
      break
  }
}

/** A second before the recorded deployment: where a chain rebuilt after its state was lost starts its clock. */
function deployedAtSeconds(deploymentsFile: string): number | undefined {
  try {
    const deployedAt = readDeployments(deploymentsFile)?.deployedAt
    const ms = deployedAt ? Date.parse(deployedAt) : NaN
    return Number.isFinite(ms) ? Math.floor(ms / 1000) - 1 : undefined
  } catch {
    return undefined
  }
}
