import { formatEther, formatUnits, getAddress, Interface, isError, type JsonRpcProvider } from 'ethers'
import { loadArtifact, type ContractName } from './contract-artifacts.js'

const CONTRACTS: ContractName[] = [
  'ConsortiumGovernance',
  'TrustedIssuerRegistry',
  'SchemaRegistry',
  'CredentialStatusRegistry',
  'AnchorRegistry',
]

/** The chain cannot be read (or not within the staleness bound): nothing can be decided from it now. */
export class ChainUnavailableError extends Error {
  readonly code = 'ERR_CHAIN_UNAVAILABLE'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ChainUnavailableError'
  }
}

/** A transaction or call the chain refused, with the contract's custom error decoded when we know it. */
export class ChainRevertError extends Error {
  constructor(
    readonly errorName: string,
    readonly errorArgs: readonly unknown[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ChainRevertError'
  }
}

/** Finds revert data in an ethers error and decodes it against our contracts' ABIs. */
export function decodeRevert(error: unknown): ChainRevertError | undefined {
  const data = findRevertData(error)
  if (!data || data === '0x') {
    if (isError(error, 'CALL_EXCEPTION')) return new ChainRevertError('Reverted', [], trimHex(error.shortMessage), { cause: error })
    return undefined
  }
  const decoded = decodeErrorData(data)
  return new ChainRevertError(decoded.name, decoded.args, decoded.message, { cause: error })
}

interface DecodedError {
  name: string
  args: string[]
  message: string
}

/**
 * Decodes revert data: our contracts' custom errors by name with their arguments, Error(string) and
 * Panic(uint256). Governance's `ExecutionFailed(proposalId, reason)` is unwrapped: the name and arguments
 * are those of the inner error (what the governed contract refused), the message says it was a proposal's.
 * Data nothing decodes is shown by its selector and length, never in full.
 */
function decodeErrorData(data: string, depth = 0): DecodedError {
  const parsed = parseErrorData(data)
  if (!parsed) return { name: 'Reverted', args: [data.slice(0, 10)], message: `reverted with unknown error data ${trimHex(data)}` }
  const values = parsed.args.toArray()
  if (parsed.name === 'ExecutionFailed' && depth < 3 && typeof values[1] === 'string') {
    const proposalId = String(values[0])
    const inner: DecodedError =
      values[1] === '0x' ? { name: 'Reverted', args: [], message: 'reverted without a reason' } : decodeErrorData(values[1], depth + 1)
    return { ...inner, message: `${inner.message} (when governance proposal ${proposalId} was executed)` }
  }
  const args = values.map((value) => trimHex(String(value)))
  return { name: parsed.name, args, message: `${parsed.name}(${args.join(', ')})` }
}

let interfaces: Interface[] | undefined
function parseErrorData(data: string) {
  interfaces ??= CONTRACTS.flatMap((name) => {
    try {
      return [new Interface(loadArtifact(name).abi)]
    } catch {
      return []
    }
  })
  for (const iface of interfaces) {
    const parsed = tryParse(iface, data)
    if (parsed) return parsed
  }
  return null
}

/**
 * Shortens every long hex string in a text (bytecode, calldata, revert data) to its first bytes and its
 * length; addresses and 32-byte hashes are kept whole.
 */
export function trimHex(text: string): string {
  return text.replace(/0x[0-9a-fA-F]{65,}/g, (hex) => `${hex.slice(0, 10)}…(${(hex.length - 2) / 2} bytes)`)
}

/** The chain refused a transaction because the sending account cannot pay for its gas. */
export class InsufficientFundsError extends Error {
  constructor(
    readonly account: string,
    readonly balanceWei: bigint,
    readonly gasPriceWei: bigint,
    what: string,
    options?: { cause?: unknown },
  ) {
    account = getAddress(account)
    super(
      `insufficient funds for ${what}: account ${account} has a balance of ${balanceWei} wei (${formatEther(balanceWei)} ether) ` +
        `and the chain's gas price is ${gasPriceWei} wei (${formatUnits(gasPriceWei, 'gwei')} gwei); fund ${account} on this chain ` +
        '(on a chain with a gas price: the deployer, each governance member and each department account need funds)',
      options,
    )
    this.name = 'InsufficientFundsError'
  }
}

/** True when the node refused a transaction for want of funds (ethers' INSUFFICIENT_FUNDS, or the node's words). */
export function isInsufficientFunds(error: unknown): boolean {
  return isError(error, 'INSUFFICIENT_FUNDS') || nodeSays(error, /insufficient funds/i)
}

/** The node's own words may be nested (ethers reports a refused eth_estimateGas as CALL_EXCEPTION). */
function nodeSays(error: unknown, pattern: RegExp, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 6) return false
  const record = error as Record<string, unknown>
  if (typeof record.message === 'string' && pattern.test(record.message)) return true
  return ['info', 'error', 'cause'].some((key) => nodeSays(record[key], pattern, depth + 1))
}

/**
 * The InsufficientFundsError an error from sending or estimating a transaction of `account` stands for,
 * if any: the node said so, or its estimate ran out of gas because the balance pays for almost none at
 * the chain's gas price (Anvil: "gas required exceeds allowance: 0").
 */
export async function explainInsufficientFunds(
  provider: Pick<JsonRpcProvider, 'getBalance' | 'send'>,
  account: string,
  what: string,
  error: unknown,
): Promise<InsufficientFundsError | undefined> {
  if (isInsufficientFunds(error)) return insufficientFunds(provider, account, what, error)
  if (!nodeSays(error, /exceeds allowance|out of gas/i)) return undefined
  const funds = await insufficientFunds(provider, account, what, error)
  return funds.gasPriceWei > 0n && funds.balanceWei < funds.gasPriceWei * 30_000_000n ? funds : undefined
}

/**
 * An InsufficientFundsError naming the account, its balance and the gas price, read from the chain
 * (zero where the chain does not answer: the refusal itself is what matters).
 */
export async function insufficientFunds(
  provider: Pick<JsonRpcProvider, 'getBalance' | 'send'>,
  account: string,
  what: string,
  cause: unknown,
): Promise<InsufficientFundsError> {
  const [balance, gasPrice] = await Promise.all([
    provider.getBalance(account).catch(() => 0n),
    provider.send('eth_gasPrice', []).then(
      (price: string) => BigInt(price),
      () => 0n,
    ),
  ])
  return new InsufficientFundsError(account, balance, gasPrice, what, { cause })
}

/**
 * One line an operator can act on, for any error from the chain: the contract's error decoded by name,
 * or ethers' short message (without the transaction it carries, whose data may be kilobytes of bytecode),
 * with long hex shortened.
 */
export function describeChainError(error: unknown): string {
  if (error instanceof ChainRevertError || error instanceof InsufficientFundsError || error instanceof ChainUnavailableError) {
    return trimHex(error.message)
  }
  const revert = findRevertData(error) ? decodeRevert(error) : undefined
  if (revert) return revert.message
  const record = error as { shortMessage?: unknown; message?: unknown; code?: unknown } | undefined
  if (typeof record?.shortMessage === 'string') {
    const from = (error as { transaction?: { from?: unknown } }).transaction?.from
    const account = isInsufficientFunds(error) && typeof from === 'string' ? `: fund the account ${from}` : ''
    return trimHex(record.shortMessage) + (typeof record.code === 'string' ? ` (${record.code})` : '') + account
  }
  return trimHex(String(record?.message ?? error))
}

function tryParse(iface: Interface, data: string) {
  try {
    return iface.parseError(data)
  } catch {
    return null
  }
}

function findRevertData(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== 'object' || depth > 6) return undefined
  const record = error as Record<string, unknown>
  if (typeof record.data === 'string' && record.data.startsWith('0x')) return record.data
  for (const key of ['info', 'error', 'cause', 'data']) {
    const found = findRevertData(record[key], depth + 1)
    if (found) return found
  }
  return undefined
}

/** True for errors that mean "could not talk to the chain" rather than "the chain said no". */
export function isConnectivityError(error: unknown): boolean {
  if (isError(error, 'NETWORK_ERROR') || isError(error, 'TIMEOUT') || isError(error, 'SERVER_ERROR')) return true
  const message = String((error as Error)?.message ?? '')
  return /ECONNREFUSED|ECONNRESET|fetch failed|socket hang up|ETIMEDOUT/.test(message)
}

/**
 * Runs one read of a registry and turns "no answer" into ChainUnavailableError: the node cannot be reached,
 * or nothing at the address answers as the contract would (no code there, e.g. a chain reset under us).
 * A revert with data is the contract's answer and is left to the caller.
 */
export async function readRegistry<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (isConnectivityError(error)) throw new ChainUnavailableError(`the chain cannot be read (${what})`, { cause: error })
    if (isError(error, 'BAD_DATA') || (isError(error, 'CALL_EXCEPTION') && !findRevertData(error))) {
      throw new ChainUnavailableError(`the registry does not answer (${what}): is it deployed on this chain?`, { cause: error })
    }
    throw error
  }
}
