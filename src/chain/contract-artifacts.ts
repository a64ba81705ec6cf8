import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Interface, type InterfaceAbi } from 'ethers'

/** Contracts with an artifact in build/contracts (written by scripts/compile-contracts.mjs). */
export type ContractName =
  | 'ConsortiumGovernance'
  | 'TrustedIssuerRegistry'
  | 'SchemaRegistry'
  | 'CredentialStatusRegistry'
  | 'AnchorRegistry'
  | 'EthereumDIDRegistry'

export interface ContractArtifact {
  abi: InterfaceAbi
  /** 0x-prefixed creation bytecode. */
  bytecode: string
}

const buildDir = new URL('../../build/contracts/', import.meta.url)
const cache = new Map<ContractName, ContractArtifact>()
const interfaces = new Map<ContractName, Interface>()

/**
 * Reads a compiled contract's ABI and creation bytecode, once per name.
 *
 * @example
 * const { abi, bytecode } = loadArtifact('CredentialStatusRegistry')
 * const factory = new ContractFactory(abi, bytecode, signer)
 */
export function loadArtifact(name: ContractName): ContractArtifact {
  const cached = cache.get(name)
  if (cached) return cached
  const path = fileURLToPath(new URL(`${name}.json`, buildDir))
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`Artifact for ${name} not found at ${path}: contracts are not compiled; run npm run compile:contracts`, { cause })
    }
    throw new Error(`Artifact for ${name} at ${path} cannot be read: ${(cause as Error).message}`, { cause })
  }
  const artifact = parseArtifact(name, path, text)
  cache.set(name, artifact)
  return artifact
}

function parseArtifact(name: ContractName, path: string, text: string): ContractArtifact {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new Error(`Artifact for ${name} at ${path} is not valid JSON; run npm run compile:contracts`, { cause })
  }
  const { abi, bytecode } = (json ?? {}) as { abi?: unknown; bytecode?: unknown }
  if (!Array.isArray(abi) || typeof bytecode !== 'string' || !/^0x[0-9a-fA-F]+$/.test(bytecode)) {
    throw new Error(`Artifact for ${name} at ${path} lacks an abi array or 0x-prefixed bytecode; run npm run compile:contracts`)
  }
  return { abi: abi as InterfaceAbi, bytecode }
}

/** The ABI interface of a compiled contract, once per name. */
export function contractInterface(name: ContractName): Interface {
  let iface = interfaces.get(name)
  if (!iface) {
    iface = new Interface(loadArtifact(name).abi)
    interfaces.set(name, iface)
  }
  return iface
}

/**
 * The calldata of one contract call.
 *
 * @example
 * const data = encodeCall('TrustedIssuerRegistry', 'suspendIssuer', [account])
 */
export function encodeCall(contract: ContractName, method: string, args: readonly unknown[]): string {
  return contractInterface(contract).encodeFunctionData(method, args as unknown[])
}
