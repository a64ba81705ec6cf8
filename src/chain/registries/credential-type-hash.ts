import { keccak256, toUtf8Bytes } from 'ethers'

const memo = new Map<string, string>()
const MEMO_MAX = 1000

/**
 * How the trusted-issuer registry names a credential type: keccak256 of its UTF-8 name.
 *
 * @example
 * credentialTypeHash('BusinessLicenseCredential') // '0x…' (32 bytes)
 */
export function credentialTypeHash(typeName: string): string {
  let hash = memo.get(typeName)
  if (!hash) {
    hash = keccak256(toUtf8Bytes(typeName))
    if (memo.size < MEMO_MAX) memo.set(typeName, hash)
  }
  return hash
}
