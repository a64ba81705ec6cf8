import { getAddress, type ParamType } from 'ethers'
import { contractInterface, type ContractName } from '../../chain/contract-artifacts.js'
import { credentialTypeHash } from '../../chain/registries/credential-type-hash.js'
import { CREDENTIAL_TYPE_NAMES } from '../../catalog/credential-types.js'
import type { ContractAddresses } from '../../config/deployments-file.js'

/** One argument of a proposal's call, decoded. */
export interface DescribedArgument {
  name: string
  type: string
  /** The value as text: addresses checksummed, numbers in decimal. */
  value: string
  /** What the value means, when known: whose address, which credential types, which date. */
  meaning?: string
}

/** What a proposal does, decoded from its target and calldata. */
export interface ProposalDescription {
  /** The target's contract name, or the address when it is none of the deployment's registries. */
  contract: string
  method: string
  args: DescribedArgument[]
  /** E.g. `TrustedIssuerRegistry.suspendIssuer(0x… = Nanjing Tax Bureau)`. */
  text: string
}

/** Names an account (a department, a consortium member, a registered issuer), or undefined when unknown. */
export type AccountNamer = (address: string) => Promise<string | undefined>

const CONTRACT_KEYS: [keyof ContractAddresses, ContractName][] = [
  ['governance', 'ConsortiumGovernance'],
  ['trustedIssuers', 'TrustedIssuerRegistry'],
  ['schemas', 'SchemaRegistry'],
  ['status', 'CredentialStatusRegistry'],
  ['anchors', 'AnchorRegistry'],
  ['didRegistry', 'EthereumDIDRegistry'],
]

const OPEN_ENDED = 2n ** 64n - 1n
const TYPE_BY_HASH = new Map(CREDENTIAL_TYPE_NAMES.map((name) => [credentialTypeHash(name).toLowerCase(), name]))

/**
 * Decodes a proposal's call against the deployment's contracts: which contract, which method, and each argument
 * in words (whose address it is, which credential types a hash list names, which date a timestamp is).
 *
 * @example
 * const d = await describeProposal(deployments.contracts, proposal.target, proposal.data, nameOf)
 * d.text // 'TrustedIssuerRegistry.suspendIssuer(0x… = Nanjing Tax Bureau)'
 */
export async function describeProposal(
  contracts: ContractAddresses,
  target: string,
  data: string,
  nameOf: AccountNamer = async () => undefined,
): Promise<ProposalDescription> {
  const known = CONTRACT_KEYS.find(([key]) => contracts[key]?.toLowerCase() === target.toLowerCase())
  const parsed = known ? tryParse(known[1], data) : null
  if (!known || !parsed) {
    const contract = known?.[1] ?? getAddress(target)
    const method = data.slice(0, 10)
    return { contract, method, args: [], text: `${contract}: call ${method} (${(data.length - 2) / 2} bytes, not decoded)` }
  }
  const args: DescribedArgument[] = []
  for (const [i, input] of parsed.fragment.inputs.entries()) {
    args.push(await describeArgument(input, parsed.args[i], nameOf))
  }
  const shown = args.map((a) => (a.meaning ? `${a.value} = ${a.meaning}` : a.value))
  return { contract: known[1], method: parsed.name, args, text: `${known[1]}.${parsed.name}(${shown.join(', ')})` }
}

function tryParse(contract: ContractName, data: string) {
  try {
    return contractInterface(contract).parseTransaction({ data })
  } catch {
    return null
  }
}

async function describeArgument(input: ParamType, value: unknown, nameOf: AccountNamer): Promise<DescribedArgument> {
  const base = { name: input.name || `arg`, type: input.type }
  if (input.type === 'address') {
    const address = getAddress(value as string)
    return { ...base, value: address, meaning: await nameOf(address).catch(() => undefined) }
  }
  if (input.type === 'bytes32[]') {
    const hashes = [...(value as string[])]
    const names = hashes.map((h) => TYPE_BY_HASH.get(h.toLowerCase()))
    const meaning = names.every((n) => n !== undefined) ? names.join(', ') || '(none)' : undefined
    return { ...base, value: `[${hashes.join(', ')}]`, meaning }
  }
  if (input.type.startsWith('uint')) {
    const n = BigInt(value as bigint)
    let meaning: string | undefined
    if (input.type === 'uint64' && n === OPEN_ENDED) meaning = 'open-ended'
    else if (input.type === 'uint64' && /valid|at|time/i.test(input.name) && n === 0n) meaning = 'from the start'
    else if (input.type === 'uint64' && /valid|at|time/i.test(input.name)) meaning = new Date(Number(n) * 1000).toISOString()
    return { ...base, value: n.toString(), meaning }
  }
  if (input.type === 'string') return { ...base, value: JSON.stringify(value) }
  return { ...base, value: Array.isArray(value) ? `[${value.map(String).join(', ')}]` : String(value) }
}
