import type { Resolvable } from 'did-resolver'
import { p256PointOfJwk, uncompressedP256 } from '../shared/identity/p256-keys.js'

/**
 * Is `publicJwk` (an SD-JWT VC's x5c leaf key) one of the issuing keys the department registered on chain: a
 * P-256 key listed in the verification methods of its did:ethr document (the ERC-1056 attribute
 * `did/pub/Secp256r1/veriKey/hex`, while its validity lasts)? A key that was never registered, or whose
 * attribute expired or was revoked, is not.
 */
export async function isRegisteredIssuingKey(resolver: Resolvable, did: string, publicJwk: JsonWebKey): Promise<boolean> {
  const point = p256PointOfJwk(publicJwk)
  if (!point) return false
  const { didDocument } = await resolver.resolve(did)
  for (const method of didDocument?.verificationMethod ?? []) {
    const hex = (method as { publicKeyHex?: string }).publicKeyHex
    if (!hex || !/^(04[0-9a-f]{128}|0[23][0-9a-f]{64})$/i.test(hex)) continue
    if (!/Secp256r1|P256|EcdsaSecp256r1/i.test(method.type)) continue
    try {
      if (uncompressedP256(hex) === point) return true
    } catch {
      // not a point on P-256
    }
  }
  return false
}
