import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import { keccak256, toUtf8Bytes } from 'ethers'

/**
 * The canonical hash of a rule document: SHA-256 over its RFC 8785 (JCS) serialization, as `0x…` bytes32.
 * Key order and number spelling do not change it; any change of content does.
 *
 * @example
 * ruleHash({ id: 'open-a-business', version: '1.0.0', … }) // => '0x…' (32 bytes)
 */
export function ruleHash(document: unknown): string {
  const canonical = canonicalize(document)
  if (canonical === undefined) throw new TypeError('a rule document has a JSON form')
  return `0x${createHash('sha256').update(canonical, 'utf8').digest('hex')}`
}

/**
 * The AnchorRegistry key under which the department anchors a rule version's hash:
 * `keccak256("govcred.onestop.rule:" + id + "@" + version)`.
 *
 * @example
 * ruleAnchorKey('open-a-business', '1.0.0') // => '0x…'
 */
export function ruleAnchorKey(id: string, version: string): string {
  return keccak256(toUtf8Bytes(`govcred.onestop.rule:${id}@${version}`))
}
