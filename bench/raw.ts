/**
 * The limit: did-jwt's ES256K signature work over exactly the JWTs govcred verifies (the VP-JWT and
 * each VC-JWT in it), with the verification methods already in hand: no resolution, no HTTP.
 *
 * @example
 * const keys = await resolveKeys(resolver, holder.did, 'authentication')
 * const perJwt = timeVerifyJws(vpJwt, keys, 1500)   // seconds per verification
 *
 * Also, for reference, the same signatures with node:crypto (OpenSSL), which is several times faster
 * than did-jwt's pure-JS secp256k1.
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { verifyJWS } from 'did-jwt'
import type { DIDDocument, Resolvable, VerificationMethod } from 'did-resolver'

/** The methods of a DID for one relationship, picked as govcred's verifier picks them (src/verification/verify-signature.ts). */
export async function resolveKeys(
  resolver: Resolvable,
  did: string,
  relationship: 'assertionMethod' | 'authentication',
): Promise<VerificationMethod[]> {
  const result = await resolver.resolve(did)
  if (!result.didDocument) throw new Error(`${did} does not resolve: ${result.didResolutionMetadata?.error ?? 'no document'}`)
  const methods = keysFor(result.didDocument, relationship)
  if (methods.length === 0) throw new Error(`${did} has no ${relationship} keys`)
  return methods
}

function keysFor(document: DIDDocument, relationship: 'assertionMethod' | 'authentication'): VerificationMethod[] {
  const all = document.verificationMethod ?? []
  const methods: VerificationMethod[] = []
  for (const ref of document[relationship] ?? []) {
    if (typeof ref === 'string') {
      const found = all.find((m) => m.id === ref || (ref.startsWith('#') && m.id.endsWith(ref)))
      if (found) methods.push(found)
    } else {
      methods.push(ref)
    }
  }
  return methods
}

/** Seconds per `verifyJWS(jwt, methods)`, measured for at least `minMs` after a short warm-up. */
export function timeVerifyJws(jwt: string, methods: VerificationMethod[], minMs: number): number {
  verifyJWS(jwt, methods) // throws if the bench built something that does not verify
  for (let i = 0; i < 50; i++) verifyJWS(jwt, methods)
  let count = 0
  const started = performance.now()
  let elapsed = 0
  do {
    for (let i = 0; i < 25; i++) verifyJWS(jwt, methods)
    count += 25
    elapsed = performance.now() - started
  } while (elapsed < minMs)
  return elapsed / 1000 / count
}

// secp256k1 SubjectPublicKeyInfo DER prefixes (id-ecPublicKey, secp256k1) for a compressed and an uncompressed point.
const SPKI_COMPRESSED = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex')
const SPKI_UNCOMPRESSED = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex')

/** A node:crypto key for the first method that carries a full secp256k1 key (publicKeyHex), if any. */
export function nodeCryptoKey(methods: VerificationMethod[]): KeyObject | undefined {
  for (const method of methods) {
    const hex = method.publicKeyHex?.replace(/^0x/, '')
    if (!hex) continue
    const point = Buffer.from(hex, 'hex')
    const prefix = point.length === 33 ? SPKI_COMPRESSED : point.length === 65 ? SPKI_UNCOMPRESSED : undefined
    if (prefix) return createPublicKey({ key: Buffer.concat([prefix, point]), format: 'der', type: 'spki' })
  }
  return undefined
}

/**
 * For reference only (not the brief's "raw"): seconds per ES256K verification of the same JWT with
 * OpenSSL through node:crypto, the machine's real limit for this signature.
 */
export function timeVerifyNodeCrypto(jwt: string, key: KeyObject, minMs: number): number {
  const verifyOnce = () => {
    const dot = jwt.lastIndexOf('.')
    const ok = cryptoVerify(
      'sha256',
      Buffer.from(jwt.slice(0, dot), 'latin1'),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(jwt.slice(dot + 1), 'base64url'),
    )
    if (!ok) throw new Error('node:crypto does not verify a JWT that did-jwt verifies')
  }
  for (let i = 0; i < 50; i++) verifyOnce()
  let count = 0
  const started = performance.now()
  let elapsed = 0
  do {
    for (let i = 0; i < 25; i++) verifyOnce()
    count += 25
    elapsed = performance.now() - started
  } while (elapsed < minMs)
  return elapsed / 1000 / count
}
