import { computeAddress, getAddress, isAddress } from 'ethers'

const ETHR_DID = /^did:ethr:(?:([a-zA-Z0-9-]+):)?(0x[0-9a-fA-F]{40}|0x[0-9a-fA-F]{66})$/

/**
 * The account behind a did:ethr: the address itself, or the address of its (compressed) public key.
 * Returns undefined for anything that is not a did:ethr.
 *
 * @example
 * ethrDidToAddress('did:ethr:govcred:0x02b9…') // '0x5Ab…'
 */
export function ethrDidToAddress(did: string): string | undefined {
  const known = addresses.get(did)
  if (known !== undefined || addresses.has(did)) return known
  const address = computeEthrAddress(did)
  if (addresses.size >= 10_000) addresses.delete(addresses.keys().next().value as string)
  addresses.set(did, address)
  return address
}

/** Deriving the address unpacks the key and hashes it; verifiers ask for the same few DIDs again and again. */
const addresses = new Map<string, string | undefined>()

function computeEthrAddress(did: string): string | undefined {
  const match = ETHR_DID.exec(did)
  if (!match) return undefined
  const id = match[2]
  try {
    return id.length === 42 ? getAddress(id) : computeAddress(id)
  } catch {
    return undefined
  }
}

/** The network part of a did:ethr ("govcred" in did:ethr:govcred:0x…), or "mainnet" when absent. */
export function ethrDidNetwork(did: string): string | undefined {
  const match = ETHR_DID.exec(did)
  if (!match) return undefined
  return match[1] ?? 'mainnet'
}

/** Accepts an address or a did:ethr and returns the checksummed address, or undefined. */
export function toIssuerAddress(didOrAddress: string): string | undefined {
  if (isAddress(didOrAddress)) return getAddress(didOrAddress)
  return ethrDidToAddress(didOrAddress)
}
