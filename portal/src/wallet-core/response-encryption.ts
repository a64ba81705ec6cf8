import { CompactEncrypt, importJWK, type JWK } from 'jose'
import { isRecord, utf8 } from './encoding.js'
import { WalletCoreError } from './errors.js'

/** Content encryptions the wallet can use, in its order of preference when the verifier takes several. */
const SUPPORTED_ENC = ['A128GCM', 'A256GCM'] as const
/** The enc of OpenID4VP 1.0 §8.3 when client_metadata names none. */
const DEFAULT_ENC = 'A128GCM'

/**
 * An authorization response for `direct_post.jwt` (OpenID4VP 1.0 §8.3): the response parameters as a JSON
 * object (`vp_token` an object, not a string), encrypted as a compact JWE with ECDH-ES to the verifier's key in
 * `client_metadata.jwks` (an EC P-256 key for encryption), `enc` the first of
 * `encrypted_response_enc_values_supported` the wallet supports (A128GCM when the list is absent), `kid` the key's.
 */
export async function encryptResponse(clientMetadata: Record<string, unknown>, parameters: Record<string, unknown>): Promise<string> {
  const unsupported = (detail: string) => new WalletCoreError('REQUEST_UNSUPPORTED', { reason: 'encryption', detail })
  const keys = isRecord(clientMetadata.jwks) && Array.isArray(clientMetadata.jwks.keys) ? clientMetadata.jwks.keys : []
  const jwk = keys.find(
    (k): k is Record<string, unknown> =>
      isRecord(k) &&
      k.kty === 'EC' &&
      k.crv === 'P-256' &&
      typeof k.x === 'string' &&
      typeof k.y === 'string' &&
      (k.use === undefined || k.use === 'enc') &&
      (k.alg === undefined || k.alg === 'ECDH-ES'),
  )
  if (!jwk) throw unsupported('client_metadata.jwks has no P-256 ECDH-ES key')
  const offered = clientMetadata.encrypted_response_enc_values_supported
  const enc = Array.isArray(offered) ? SUPPORTED_ENC.find((e) => offered.includes(e)) : DEFAULT_ENC
  if (!enc) throw unsupported(`none of ${JSON.stringify(offered)} is supported`)
  const publicJwk: JWK = { kty: 'EC', crv: 'P-256', x: jwk.x as string, y: jwk.y as string }
  let key
  try {
    key = await importJWK(publicJwk, 'ECDH-ES')
  } catch {
    throw unsupported("the verifier's encryption key cannot be used")
  }
  return new CompactEncrypt(utf8(JSON.stringify(parameters)))
    .setProtectedHeader({ alg: 'ECDH-ES', enc, ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}) })
    .encrypt(key)
}
