import canonicalize from 'canonicalize'
import { keccak256, toUtf8Bytes } from 'ethers'

/**
 * Content hash of a JSON schema: `keccak256(utf8(JCS(schema)))`, where JCS is RFC 8785
 * canonical JSON. Key order and whitespace do not change the hash; any other edit does.
 * This is the value anchored on chain, so a verifier holding only the schema JSON can recompute it.
 *
 * @throws TypeError if `schema` has no JSON representation (e.g. `undefined`, a function).
 * @example
 * schemaContentHash({ b: 1, a: 2 }) === schemaContentHash({ a: 2, b: 1 }) // => true
 * schemaContentHash(schema) // => '0x3f…' (32 bytes, lower-case hex)
 */
export function schemaContentHash(schema: unknown): string {
  const canonical = canonicalize(schema)
  if (canonical === undefined) {
    throw new TypeError('schema has no JSON representation')
  }
  return keccak256(toUtf8Bytes(canonical))
}
