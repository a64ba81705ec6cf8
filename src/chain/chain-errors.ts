import { Interface, isError } from 'ethers'
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
    if (isError(error, 'CALL_EXCEPTION')) return new ChainRevertError('Reverted', [], error.shortMessage, { cause: error })
    return undefined
  }
  for (const name of CONTRACTS) {
    let iface: Interface
    try {
      iface = new Interface(loadArtifact(name).abi)
    } catch {
      continue
    }
    const parsed = tryParse(iface, data)
    if (parsed) {
      const args = parsed.args.toArray().map(String)
      return new ChainRevertError(parsed.name, args, `${parsed.name}(${args.join(', ')})`, { cause: error })
    }
  }
  return new ChainRevertError('Reverted', [data], `reverted with data ${data.slice(0, 74)}`, { cause: error })
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
