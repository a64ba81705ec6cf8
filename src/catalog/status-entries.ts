import { getAddress } from 'ethers'

export const STATUS_ENTRY_TYPE = 'GovcredStatusRegistry2026'
export const STATUS_PURPOSES = { revocation: 0, suspension: 1 } as const
export type StatusPurpose = keyof typeof STATUS_PURPOSES
/** Must match CredentialStatusRegistry.LIST_SIZE. */
export const STATUS_LIST_SIZE = 1 << 20

export interface StatusEntry {
  id: string
  type: typeof STATUS_ENTRY_TYPE
  statusPurpose: StatusPurpose
  statusListIndex: string
  /** The CredentialStatusRegistry contract; the list is the issuer's (its did:ethr account). */
  statusRegistry: string
  chainId: number
}

/**
 * The credentialStatus entries of a credential: one index in the issuer's revocation list and the
 * same index in its suspension list, both read with one eth_call (statusOf).
 */
export function statusEntries(registry: string, chainId: number, issuerAccount: string, index: number): StatusEntry[] {
  const registryAddress = checksummed(registry)
  const issuerAddress = checksummed(issuerAccount)
  return (Object.keys(STATUS_PURPOSES) as StatusPurpose[]).map((purpose) => ({
    id: `eip155:${chainId}:${registryAddress}/${issuerAddress}/${purpose}#${index}`,
    type: STATUS_ENTRY_TYPE,
    statusPurpose: purpose,
    statusListIndex: String(index),
    statusRegistry: registryAddress,
    chainId,
  }))
}

/** EIP-55 forms of the few addresses issuance names (a keccak each), kept: the registry's and the issuers'. */
const CHECKSUMMED_MAX = 1000
const checksummedAddresses = new Map<string, string>()

function checksummed(address: string): string {
  let known = checksummedAddresses.get(address)
  if (known === undefined) {
    known = getAddress(address)
    if (checksummedAddresses.size >= CHECKSUMMED_MAX) checksummedAddresses.clear()
    checksummedAddresses.set(address, known)
  }
  return known
}

/** Reads our status entries back out of a (decoded, signed) credential; undefined when absent or foreign. */
export function parseStatusEntries(
  credentialStatus: unknown,
): { index: number; registry: string; chainId: number; purposes: StatusPurpose[] } | undefined {
  const list = Array.isArray(credentialStatus) ? credentialStatus : credentialStatus ? [credentialStatus] : []
  const ours = list.filter((e): e is StatusEntry => !!e && typeof e === 'object' && (e as StatusEntry).type === STATUS_ENTRY_TYPE)
  if (ours.length === 0) return undefined
  if (typeof ours[0].statusRegistry !== 'string' || typeof ours[0].statusListIndex !== 'string') return undefined
  const index = Number(ours[0].statusListIndex)
  if (!Number.isInteger(index) || index < 0 || index >= STATUS_LIST_SIZE) return undefined
  if (ours.some((e) => e.statusListIndex !== ours[0].statusListIndex || e.statusRegistry !== ours[0].statusRegistry)) return undefined
  return { index, registry: ours[0].statusRegistry, chainId: Number(ours[0].chainId), purposes: ours.map((e) => e.statusPurpose) }
}
