import { createHash, ECDH } from 'node:crypto'

/** The uncompressed SEC1 point (04 || x || y, hex) of a P-256 public key given compressed or uncompressed. */
export function uncompressedP256(publicKeyHex: string): string {
  const hex = publicKeyHex.replace(/^0x/, '').toLowerCase()
  return hex.length === 130 ? hex : (ECDH.convertKey(hex, 'prime256v1', 'hex', 'hex', 'uncompressed') as string)
}

/** The public JWK (kty EC, crv P-256) of a P-256 public key in hex (compressed or uncompressed). */
export function p256PublicJwk(publicKeyHex: string): JsonWebKey {
  const point = Buffer.from(uncompressedP256(publicKeyHex), 'hex')
  return {
    kty: 'EC',
    crv: 'P-256',
    x: point.subarray(1, 33).toString('base64url'),
    y: point.subarray(33, 65).toString('base64url'),
  }
}

/** The uncompressed SEC1 point (hex) of a P-256 public JWK; undefined for another kind of key. */
export function p256PointOfJwk(jwk: JsonWebKey): string | undefined {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return undefined
  const x = Buffer.from(jwk.x, 'base64url')
  const y = Buffer.from(jwk.y, 'base64url')
  if (x.length !== 32 || y.length !== 32) return undefined
  return `04${x.toString('hex')}${y.toString('hex')}`
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of an EC public key. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })
  return createHash('sha256').update(canonical).digest('base64url')
}
