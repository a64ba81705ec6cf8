import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { extractPublicKeyBytes } from 'did-jwt'
import type { VerificationMethod } from 'did-resolver'

// DER prefixes of a secp256k1 SubjectPublicKeyInfo, for a compressed (33-byte) or uncompressed (65-byte) point.
const SPKI_COMPRESSED = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex')
const SPKI_UNCOMPRESSED = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex')
const HALF_ORDER = BigInt('0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0')
const MAX_KEYS = 10_000

const keys = new Map<string, KeyObject | null>()

/**
 * Whether a compact JWS's ES256K (64 bytes r‖s) or ES256K-R (65 bytes r‖s‖v) signature has S above n/2.
 * Both S and n − S verify; only the low-S form is accepted (as Bitcoin and Ethereum do), so that a signed
 * credential or presentation has exactly one valid encoding. The caller refuses high S before verifying:
 * did-jwt's verification accepts it.
 */
export function hasHighS(jwt: string): boolean {
  const signature = Buffer.from(jwt.slice(jwt.lastIndexOf('.') + 1), 'base64url')
  if (signature.length !== 64 && signature.length !== 65) return false
  return BigInt(`0x${signature.subarray(32, 64).toString('hex')}`) > HALF_ORDER
}

/**
 * ES256K verification with OpenSSL (node:crypto), about five times faster than the pure-JS curve code
 * did-jwt uses, run on libuv's thread pool so signatures of concurrent requests verify on every core. Answers
 * true only for a valid low-S signature by one of the methods' public keys; any other case (no usable key,
 * high S, invalid) returns false and the caller falls back to did-jwt, so nothing did-jwt would refuse is
 * accepted here. did-jwt accepts high S: the caller refuses it first (hasHighS), this check only keeps the
 * fast path safe on its own.
 */
export async function verifyEs256kFast(jwt: string, methods: VerificationMethod[]): Promise<boolean> {
  const lastDot = jwt.lastIndexOf('.')
  const signature = Buffer.from(jwt.slice(lastDot + 1), 'base64url')
  if (signature.length !== 64) return false
  if (hasHighS(jwt)) return false
  const signingInput = Buffer.from(jwt.slice(0, lastDot))
  for (const method of methods) {
    const key = keyOf(method)
    if (key && (await verifyOnThreadPool(signingInput, key, signature))) return true
  }
  return false
}

function keyOf(method: VerificationMethod): KeyObject | null {
  const id = `${method.id}|${method.publicKeyHex ?? method.publicKeyBase58 ?? method.publicKeyMultibase ?? JSON.stringify(method.publicKeyJwk ?? null)}`
  let key = keys.get(id)
  if (key === undefined) {
    key = buildKey(method)
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value as string)
    keys.set(id, key)
  }
  return key
}

function buildKey(method: VerificationMethod): KeyObject | null {
  try {
    const { keyBytes, keyType } = extractPublicKeyBytes(method)
    if (keyType !== undefined && keyType !== 'Secp256k1') return null
    const prefix = keyBytes.length === 33 ? SPKI_COMPRESSED : keyBytes.length === 65 ? SPKI_UNCOMPRESSED : undefined
    if (!prefix) return null
    return createPublicKey({ key: Buffer.concat([prefix, Buffer.from(keyBytes)]), format: 'der', type: 'spki' })
  } catch {
    return null
  }
}

function verifyOnThreadPool(data: Buffer, key: KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature, (error, ok) => resolve(!error && ok))
  })
}
