import { createPublicKey, ECDH, verify, type KeyObject } from 'node:crypto'

/** Key-proof (and DPoP) algorithms the issuer accepts, with the JWK curve each needs. */
export const PROOF_ALGORITHMS = { ES256: 'P-256', ES256K: 'secp256k1', EdDSA: 'Ed25519' } as const
export type ProofAlgorithm = keyof typeof PROOF_ALGORITHMS

export interface PublicJwk {
  kty: string
  crv?: string
  x?: string
  y?: string
  [key: string]: unknown
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

function base58Decode(text: string): Buffer | undefined {
  let value = 0n
  for (const char of text) {
    const digit = BASE58.indexOf(char)
    if (digit < 0) return undefined
    value = value * 58n + BigInt(digit)
  }
  const hex = value === 0n ? '' : value.toString(16)
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')
  const zeros = /^1*/.exec(text)![0].length
  return Buffer.concat([Buffer.alloc(zeros), bytes])
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

/** An EC JWK from a compressed SEC1 point. */
function ecJwk(curve: 'prime256v1' | 'secp256k1', crv: string, compressed: Buffer): PublicJwk {
  const point = ECDH.convertKey(compressed, curve, undefined, undefined, 'uncompressed') as Buffer
  return { kty: 'EC', crv, x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) }
}

/**
 * The public key of a did:jwk or a did:key (Ed25519, P-256, secp256k1), or undefined for any other DID or
 * a malformed one. A DID URL's fragment is ignored.
 *
 * @example
 * jwkOfDid('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK') // => { kty: 'OKP', crv: 'Ed25519', x: '…' }
 */
export function jwkOfDid(didUrl: string): PublicJwk | undefined {
  const did = didUrl.split('#')[0]!
  try {
    if (did.startsWith('did:jwk:')) {
      const jwk = JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString('utf8'))
      return jwk && typeof jwk === 'object' && typeof jwk.kty === 'string' && !('d' in jwk) ? (jwk as PublicJwk) : undefined
    }
    if (did.startsWith('did:key:z')) {
      const bytes = base58Decode(did.slice('did:key:z'.length))
      if (!bytes) return undefined
      if (bytes[0] === 0xed && bytes[1] === 0x01 && bytes.length === 34) return { kty: 'OKP', crv: 'Ed25519', x: b64url(bytes.subarray(2)) }
      if (bytes[0] === 0x80 && bytes[1] === 0x24 && bytes.length === 35) return ecJwk('prime256v1', 'P-256', bytes.subarray(2))
      if (bytes[0] === 0xe7 && bytes[1] === 0x01 && bytes.length === 35) return ecJwk('secp256k1', 'secp256k1', bytes.subarray(2))
    }
  } catch {
    return undefined
  }
  return undefined
}

/** The did:jwk of a public JWK (only its public members, in a fixed order). */
export function didJwkOf(jwk: PublicJwk): string {
  const members = jwk.kty === 'OKP' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
  return `did:jwk:${Buffer.from(JSON.stringify(members)).toString('base64url')}`
}

/** Only the public members of a JWK (a holder's `cnf.jwk` carries no more). */
export function publicMembers(jwk: PublicJwk): PublicJwk {
  return jwk.kty === 'OKP' ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x } : { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }
}

/** Most distinct proof keys kept as KeyObjects (a wallet's key signs its proof and often its DPoP proofs); the oldest goes first. */
const MAX_CACHED_KEYS = 1024
const keys = new Map<string, KeyObject | null>()

function keyOf(jwk: PublicJwk): KeyObject | undefined {
  const members = publicMembers(jwk)
  const id = JSON.stringify(members)
  let key = keys.get(id)
  if (key === undefined) {
    try {
      key = createPublicKey({ key: members as import('node:crypto').JsonWebKey, format: 'jwk' })
    } catch {
      key = null
    }
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!)
    keys.set(id, key)
  }
  return key ?? undefined
}

/**
 * Verifies a compact JWS with `jwk` under `alg` (ES256, ES256K or EdDSA, the key's curve matching it);
 * false for anything else, `none` included. The signature is checked on libuv's thread pool.
 */
export async function verifyCompactJws(compact: string, alg: string, jwk: PublicJwk): Promise<boolean> {
  if (!Object.hasOwn(PROOF_ALGORITHMS, alg) || jwk.crv !== PROOF_ALGORITHMS[alg as ProofAlgorithm]) return false
  const parts = compact.split('.')
  if (parts.length !== 3) return false
  const key = keyOf(jwk)
  if (!key) return false
  const data = Buffer.from(`${parts[0]}.${parts[1]}`)
  const signature = Buffer.from(parts[2]!, 'base64url')
  if (alg !== 'EdDSA' && signature.length !== 64) return false
  return new Promise((resolve) => {
    const done = (error: Error | null, ok: boolean) => resolve(!error && ok)
    try {
      if (alg === 'EdDSA') verify(null, data, key, signature, done)
      else verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature, done)
    } catch {
      resolve(false)
    }
  })
}
