import {
  Contract,
  ContractFactory,
  Wallet,
  encodeBytes32String,
  hexlify,
  id,
  randomBytes,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type JsonRpcProvider,
  type LogDescription,
  type Result,
} from 'ethers'
import { startAnvil, type AnvilNode } from '../../src/chain/anvil-node.js'
import { createProvider } from '../../src/chain/provider.js'
import { loadArtifact, type ContractName } from '../../src/chain/contract-artifacts.js'
import { waitForReceipt, withGasMargin } from '../../src/chain/chain-writer.js'

export const CHAIN_ID = 20191
export const VERI_KEY = encodeBytes32String('veriKey')
export const SIG_AUTH = encodeBytes32String('sigAuth')
export const REVOCATION = 0
export const SUSPENSION = 1
export const MAX_UINT64 = (1n << 64n) - 1n
export const IssuerStatus = { None: 0n, Active: 1n, Suspended: 2n, Revoked: 3n } as const
/** ConsortiumGovernance's proposal lifetime in these tests: 7 days, the deployment default. */
export const PROPOSAL_LIFETIME = 7 * 24 * 3600

/** keccak256 of a credential type name, as the TrustedIssuerRegistry stores it. */
export const credentialType = (name: string): string => id(name)

export interface Chain {
  node: AnvilNode
  provider: JsonRpcProvider
  stop(): Promise<void>
}

/** One throwaway Anvil per test file (zero gas price, so fresh accounts need no funding). */
export async function startChain(): Promise<Chain> {
  const node = await startAnvil({ chainId: CHAIN_ID })
  const provider = createProvider(node.rpcUrl, CHAIN_ID)
  // The margin the service's ChainWriter sends with: an exact estimate fails when the mining block is a second later.
  const estimateGas = provider.estimateGas.bind(provider)
  provider.estimateGas = async (tx) => withGasMargin(await estimateGas(tx))
  return {
    node,
    provider,
    stop: async () => {
      provider.destroy()
      await node.stop()
    },
  }
}

/** A fresh, unfunded account; transactions cost nothing on this chain. */
export function randomAccount(provider: JsonRpcProvider): Wallet {
  return new Wallet(Wallet.createRandom().privateKey, provider)
}

export function randomAccounts(provider: JsonRpcProvider, count: number): Wallet[] {
  return Array.from({ length: count }, () => randomAccount(provider))
}

export async function deploy(name: ContractName, signer: Wallet, ...args: unknown[]): Promise<Contract> {
  const { abi, bytecode } = loadArtifact(name)
  const deployed = await new ContractFactory(abi, bytecode, signer).deploy(...args)
  await waitForReceipt(signer.provider as JsonRpcProvider, deployed.deploymentTransaction()!.hash, 60_000)
  return new Contract(await deployed.getAddress(), abi, signer)
}

export interface System {
  deployer: Wallet
  members: Wallet[]
  didRegistry: Contract
  governance: Contract
  issuers: Contract
  schemas: Contract
  status: Contract
  anchors: Contract
}

/** Deploys the ERC-1056 registry, governance with `memberCount` fresh members, and the four registries. */
export async function deploySystem(provider: JsonRpcProvider, memberCount = 3, threshold = 2): Promise<System> {
  const deployer = randomAccount(provider)
  const members = randomAccounts(provider, memberCount)
  const didRegistry = await deploy('EthereumDIDRegistry', deployer)
  const governance = await deploy(
    'ConsortiumGovernance',
    deployer,
    members.map((m) => m.address),
    threshold,
    PROPOSAL_LIFETIME,
  )
  const governanceAddress = await governance.getAddress()
  const didAddress = await didRegistry.getAddress()
  // Sequential: one deployer, and each deployment needs the previous nonce to be used.
  const issuers = await deploy('TrustedIssuerRegistry', deployer, governanceAddress)
  const schemas = await deploy('SchemaRegistry', deployer, governanceAddress)
  const status = await deploy('CredentialStatusRegistry', deployer, didAddress)
  const anchors = await deploy('AnchorRegistry', deployer, didAddress)
  return { deployer, members, didRegistry, governance, issuers, schemas, status, anchors }
}

/** The contract bound to another signer. */
export function as(contract: Contract, signer: Wallet): Contract {
  return contract.connect(signer) as Contract
}

/** Sends, waits for the receipt and fails if the transaction reverted. */
export async function mined(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const sent = await tx
  // Poll instead of tx.wait(): its block listener can miss the block on an idle automining chain.
  const polled = await waitForReceipt(sent.provider as JsonRpcProvider, sent.hash, 60_000)
  if (!polled) throw new Error('transaction was not mined')
  const receipt = await sent.wait()
  if (!receipt) throw new Error('transaction was not mined')
  return receipt
}

export function randomSalt(): string {
  return hexlify(randomBytes(32))
}

export interface Governed {
  proposalId: string
  receipts: ContractTransactionReceipt[]
}

/**
 * Runs `target.fn(...args)` through governance: the first member proposes, the next ones approve until the
 * current threshold is met (the last approval executes it).
 */
export async function governed(
  system: Pick<System, 'governance' | 'members'>,
  target: Contract,
  fn: string,
  args: unknown[],
): Promise<Governed> {
  const { governance, members } = system
  const threshold = Number(await governance.threshold())
  const data = target.interface.encodeFunctionData(fn, args)
  const targetAddress = await target.getAddress()
  const salt = randomSalt()
  const proposer = members[0]!
  const proposalId: string = await as(governance, proposer).propose.staticCall(targetAddress, data, salt)
  const receipts = [await mined(as(governance, proposer).propose(targetAddress, data, salt))]
  for (const member of members.slice(1, threshold)) {
    receipts.push(await mined(as(governance, member).approve(proposalId)))
  }
  return { proposalId, receipts }
}

export interface DecodedRevert {
  name: string
  args: Result
  /** For ExecutionFailed: the target's own error, decoded with the same interfaces. */
  inner?: DecodedRevert
}

/** Awaits a call that must revert and decodes its custom error with the given contracts' interfaces. */
export async function revertOf(action: Promise<unknown>, ...contracts: Contract[]): Promise<DecodedRevert> {
  let error: unknown
  try {
    await action
  } catch (e) {
    error = e
  }
  if (error === undefined) throw new Error('expected a revert, but the call succeeded')
  const data = revertData(error)
  if (!data) throw new Error(`expected a custom-error revert, got: ${(error as Error).message}`)
  const decoded = decodeError(data, contracts)
  if (!decoded) throw new Error(`revert data ${data} matches no error of the given contracts`)
  return decoded
}

function revertData(error: unknown): string | undefined {
  const e = error as { data?: unknown; info?: { error?: { data?: unknown } } }
  const data = e.data ?? e.info?.error?.data
  return typeof data === 'string' && data.length >= 10 ? data : undefined
}

function decodeError(data: string, contracts: Contract[]): DecodedRevert | undefined {
  for (const contract of contracts) {
    const parsed = contract.interface.parseError(data)
    if (!parsed) continue
    const decoded: DecodedRevert = { name: parsed.name, args: parsed.args }
    if (parsed.name === 'ExecutionFailed') decoded.inner = decodeError(parsed.args[1] as string, contracts)
    return decoded
  }
  return undefined
}

/** The events named `name` that `contract` emitted in the receipt (also when another contract made the call). */
export function eventsOf(receipt: ContractTransactionReceipt, contract: Contract, name: string, address?: string): LogDescription[] {
  const target = (address ?? (contract.target as string)).toLowerCase()
  return receipt.logs
    .filter((log) => log.address.toLowerCase() === target)
    .map((log) => contract.interface.parseLog(log))
    .filter((parsed): parsed is LogDescription => parsed !== null && parsed.name === name)
}

/** Block timestamp of the block that included the receipt. */
export async function blockTime(receipt: ContractTransactionReceipt): Promise<bigint> {
  const block = await receipt.getBlock()
  return BigInt(block.timestamp)
}

export async function latestTime(provider: JsonRpcProvider): Promise<bigint> {
  const block = await provider.getBlock('latest')
  if (!block) throw new Error('no latest block')
  return BigInt(block.timestamp)
}

/** Moves chain time forward; the next block is at least `seconds` later. */
export async function increaseTime(provider: JsonRpcProvider, seconds: number): Promise<void> {
  await provider.send('evm_increaseTime', [seconds])
  await provider.send('evm_mine', [])
}
