import { X509Certificate, createPublicKey, verify, type JsonWebKey as NodeJwk, type KeyObject } from 'node:crypto'
import { hasHighS } from '../es256k-fast-verify.js'
import { p256PointOfJwk } from '../../shared/identity/p256-keys.js'

/** A public key ready to verify with, and what the algorithm checks ask of it (read once: the getters are not free). */
export interface VerificationKey {
  key: KeyObject
  /** `ec`, `ed25519`, `rsa`, … */
  type: string | undefined
  /** An EC key's curve: `prime256v1`, `secp256k1`, `secp384r1`. */
  curve: string | undefined
}

/** An x5c leaf certificate as the SD-JWT VC checks read it. */
export interface LeafCertificate {
  certificate: X509Certificate
  key: VerificationKey
  /** The key as a public JWK, and its uncompressed P-256 point (hex) when it is one. */
  jwk: JsonWebKey
  p256Point: string | undefined
  /** The subjectAltName URIs. */
  uris: string[]
}

/** How many distinct certificates and holder keys are kept; the oldest goes first. */
export const MAX_CACHED_CERTIFICATES = 256
export const MAX_CACHED_HOLDER_KEYS = 4096

/** A Map that forgets its oldest entry past `max` (insertion order). */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super()
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value as K)
    return super.set(key, value)
  }
}

const certificates = new BoundedMap<string, LeafCertificate | null>(MAX_CACHED_CERTIFICATES)
const holderKeys = new BoundedMap<string, VerificationKey | null>(MAX_CACHED_HOLDER_KEYS)

export function verificationKey(key: KeyObject): VerificationKey {
  return { key, type: key.asymmetricKeyType, curve: key.asymmetricKeyDetails?.namedCurve }
}

/**
 * The leaf certificate of an x5c chain (base64 DER), parsed once per distinct certificate: the same
 * department's certificate arrives with every credential it issued. Null when it is not a certificate.
 */
export function leafCertificate(x5c0: string): LeafCertificate | null {
  const cached = certificates.get(x5c0)
  if (cached !== undefined) return cached
  let leaf: LeafCertificate | null
  try {
    const certificate = new X509Certificate(Buffer.from(x5c0, 'base64'))
    const key = certificate.publicKey
    const jwk = key.export({ format: 'jwk' })
    leaf = { certificate, key: verificationKey(key), jwk, p256Point: p256PointOfJwk(jwk), uris: sanUris(certificate) }
  } catch {
    leaf = null
  }
  certificates.set(x5c0, leaf)
  return leaf
}

/** A holder's public JWK (`cnf.jwk`) as a key, made once per distinct JWK; null when it is not a public key. */
export function holderKey(jwk: Record<string, unknown>): VerificationKey | null {
  if ('d' in jwk) return null
  const id = JSON.stringify(jwk)
  const cached = holderKeys.get(id)
  if (cached !== undefined) return cached
  let key: VerificationKey | null
  try {
    key = verificationKey(createPublicKey({ key: jwk as NodeJwk, format: 'jwk' }))
  } catch {
    key = null
  }
  holderKeys.set(id, key)
  return key
}

/** The URIs of a certificate's subjectAltName (Node writes a value with a separator in it as a JSON string). */
function sanUris(certificate: X509Certificate): string[] {
  const text = certificate.subjectAltName ?? ''
  const uris: string[] = []
  for (const match of text.matchAll(/(?:^|, )URI:("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    const raw = match[1]!
    try {
      uris.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw)
    } catch {
      // not a URI we can read
    }
  }
  return uris
}

/**
 * A compact JWS's signature with a public key, for the algorithms a holder key may use. The signature is
 * checked on libuv's thread pool (node:crypto's callback form), so the event loop goes on meanwhile.
 */
export function jwsVerifies(jws: string, verificationKey: VerificationKey, alg: unknown): Promise<boolean> {
  const dot = jws.lastIndexOf('.')
  const data = Buffer.from(jws.slice(0, dot), 'ascii')
  const signature = Buffer.from(jws.slice(dot + 1), 'base64url')
  const { key, curve, type } = verificationKey
  const ecdsa = { key, dsaEncoding: 'ieee-p1363' as const }
  switch (alg) {
    case 'ES256':
      return curve === 'prime256v1' ? verified('sha256', data, ecdsa, signature) : Promise.resolve(false)
    case 'ES256K':
      // Low S only, as everywhere else a secp256k1 signature is taken: one valid encoding per signature.
      return curve === 'secp256k1' && !hasHighS(jws) ? verified('sha256', data, ecdsa, signature) : Promise.resolve(false)
    case 'ES384':
      return curve === 'secp384r1' ? verified('sha384', data, ecdsa, signature) : Promise.resolve(false)
    case 'EdDSA':
    case 'Ed25519':
      return type === 'ed25519' ? verified(null, data, key, signature) : Promise.resolve(false)
    case 'RS256':
      return type === 'rsa' ? verified('sha256', data, key, signature) : Promise.resolve(false)
    default:
      return Promise.resolve(false)
  }
}

/** node:crypto's verify on the thread pool; false (never a rejection) for a key or signature it cannot use. */
function verified(
  algorithm: string | null,
  data: Buffer,
  key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' },
  signature: Buffer,
): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      verify(algorithm, data, key, signature, (error, ok) => resolve(!error && ok))
    } catch {
      resolve(false)
    }
  })
}
