import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { extractPublicKeyBytes } from 'did-jwt'
import type { VerificationMethod } from 'did-resolver'

type Curve = 'secp256k1' | 'P-256' | 'Ed25519'

/**
 * A method's key for one curve: usable; `skip`, one did-jwt would not accept a signature by either, so the next
 * method is tried; or `undecided`, one only did-jwt judges (it may throw on it, or its curve rules may differ).
 */
type KeyStatus = KeyObject | 'skip' | 'undecided'

// SubjectPublicKeyInfo DER prefixes, followed by the raw point (compressed or uncompressed) or the Ed25519 key.
const SPKI_PREFIX = {
  secp256k1: {
    33: Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex'),
    65: Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex'),
  },
  'P-256': {
    33: Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
    65: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'),
  },
  Ed25519: { 32: Buffer.from('302a300506032b6570032100', 'hex') },
} as const
const HALF_ORDER = Buffer.from('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0', 'hex')
const ED25519_P = 2n ** 255n - 19n
const ED25519_Y_MASK = 2n ** 255n - 1n

// Keyed by the method object: resolved documents are cached, so a DID's methods are the same objects from one
// request to the next, and their keys go when the document leaves the DID cache.
const keys = new WeakMap<VerificationMethod, Partial<Record<Curve, KeyStatus>>>()

/**
 * Whether a compact JWS's ES256K (64 bytes r‖s) or ES256K-R (65 bytes r‖s‖v) signature has S above n/2.
 * Both S and n − S verify; only the low-S form is accepted (as Bitcoin and Ethereum do), so that a signed
 * credential or presentation has exactly one valid encoding. The caller refuses high S before verifying:
 * did-jwt's verification accepts it.
 */
export function hasHighS(jwt: string): boolean {
  const signature = Buffer.from(jwt.slice(jwt.lastIndexOf('.') + 1), 'base64url')
  return (signature.length === 64 || signature.length === 65) && isHighS(signature)
}

// S as a 32-byte big-endian number above n/2 (compare answers 1 when the target, n/2, sorts before it).
const isHighS = (signature: Buffer) => signature.compare(HALF_ORDER, 0, 32, 32, 64) > 0

/**
 * ES256K, ES256 and EdDSA verification with OpenSSL (node:crypto), several times faster than the pure-JS curve
 * code did-jwt uses, run on libuv's thread pool so that signatures of concurrent requests verify on every core.
 * Answers true only where did-jwt's verifyJWS(jwt, methods) would accept too; every other case (no usable key,
 * high S, a base64url form did-jwt refuses, a key did-jwt would choke on, an invalid signature) answers false,
 * and the caller asks did-jwt, so nothing did-jwt refuses is ever accepted here.
 */
export async function verifyWithNodeCrypto(jwt: string, alg: unknown, methods: VerificationMethod[]): Promise<boolean> {
  const curve = curveOf(alg)
  if (!curve) return false
  const firstDot = jwt.indexOf('.')
  const lastDot = jwt.lastIndexOf('.')
  if (firstDot < 0 || firstDot === lastDot) return false
  const encodedSignature = jwt.slice(lastDot + 1)
  const signature = Buffer.from(encodedSignature, 'base64url')
  // did-jwt decodes strictly: a segment with non-zero padding bits, which Node decodes to the same bytes, is
  // refused there. Accepting it here would make a second valid encoding of every signed JWT.
  if (signature.length !== 64 || signature.toString('base64url') !== encodedSignature) return false
  if (!canonicalBase64url(jwt.slice(0, firstDot))) return false
  if (curve === 'secp256k1' && isHighS(signature)) return false
  const signingInput = Buffer.from(jwt.slice(0, lastDot), 'utf8')
  for (const method of methods) {
    const key = keyOf(method, curve)
    if (key === 'undecided') return false
    if (key !== 'skip' && (await verifyOnThreadPool(curve, signingInput, key, signature))) return true
  }
  return false
}

function curveOf(alg: unknown): Curve | null {
  if (alg === 'ES256K') return 'secp256k1'
  if (alg === 'ES256') return 'P-256'
  if (alg === 'EdDSA' || alg === 'Ed25519') return 'Ed25519'
  return null
}

function canonicalBase64url(segment: string): boolean {
  return Buffer.from(segment, 'base64url').toString('base64url') === segment
}

function keyOf(method: VerificationMethod, curve: Curve): KeyStatus {
  let byCurve = keys.get(method)
  if (!byCurve) keys.set(method, (byCurve = {}))
  return (byCurve[curve] ??= buildKey(method, curve))
}

/**
 * did-jwt's Ed25519 verification throws, refusing the JWT, at a method whose key does not decode or is not
 * 32 bytes long, before it tries the methods after it; its ECDSA verifications skip such a method. Ed25519
 * keys are used here only in canonical form (y < p) and not of the two small orders whose encodings OpenSSL
 * and did-jwt's ZIP-215 rules may treat differently, so that OpenSSL accepting implies did-jwt accepting.
 */
function buildKey(method: VerificationMethod, curve: Curve): KeyStatus {
  let extracted: ReturnType<typeof extractPublicKeyBytes>
  try {
    extracted = extractPublicKeyBytes(method)
  } catch {
    return curve === 'Ed25519' ? 'undecided' : 'skip'
  }
  const bytes = Buffer.from(extracted.keyBytes)
  if (curve === 'Ed25519') {
    if (extracted.keyType !== 'Ed25519') return 'skip'
    if (bytes.length !== 32) return 'undecided'
    const y = BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`) & ED25519_Y_MASK
    if (y >= ED25519_P || y === 1n || y === ED25519_P - 1n) return 'undecided'
    return spkiKey(SPKI_PREFIX.Ed25519[32], bytes)
  }
  // did-jwt's ECDSA verifications try these methods by address recovery only.
  if (method.ethereumAddress || method.blockchainAccountId) return 'skip'
  const expectedType = curve === 'secp256k1' ? 'Secp256k1' : 'P-256'
  if (extracted.keyType !== undefined && extracted.keyType !== expectedType) return 'skip'
  const prefixes: Partial<Record<number, Buffer>> = SPKI_PREFIX[curve]
  const prefix = prefixes[bytes.length]
  // The uncompressed and compressed forms only: OpenSSL would also take the hybrid form (0x06, 0x07).
  const firstByteOk = bytes.length === 65 ? bytes[0] === 0x04 : bytes[0] === 0x02 || bytes[0] === 0x03
  if (!prefix || !firstByteOk) return 'skip'
  return spkiKey(prefix, bytes)
}

function spkiKey(prefix: Buffer, bytes: Buffer): KeyObject | 'skip' {
  try {
    return createPublicKey({ key: Buffer.concat([prefix, bytes]), format: 'der', type: 'spki' })
  } catch {
    return 'skip'
  }
}

// At most one signature per core on libuv's pool at a time: more would not verify faster, and a database
// statement (the challenge's one-time use, serialised by the write lock) queued behind a dozen of them would
// wait for all, and with it every presentation after it.
const MAX_IN_POOL = Math.max(1, availableParallelism())
let inPool = 0
const waiting: (() => void)[] = []

async function verifyOnThreadPool(curve: Curve, data: Buffer, key: KeyObject, signature: Buffer): Promise<boolean> {
  if (inPool >= MAX_IN_POOL) await new Promise<void>((resolve) => waiting.push(resolve))
  else inPool++
  try {
    return await new Promise((resolve) => {
      const done = (error: Error | null, ok: boolean) => resolve(!error && ok)
      try {
        if (curve === 'Ed25519') cryptoVerify(null, data, key, signature, done)
        else cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature, done)
      } catch {
        resolve(false)
      }
    })
  } finally {
    // The slot passes straight to the next waiter, if any.
    const next = waiting.shift()
    if (next) next()
    else inPool--
  }
}
