/**
 * Limits for verification: the signature work of exactly the JWTs govcred verifies (the VP-JWT and each
 * VC-JWT in it), with the verification methods already in hand: no resolution, no HTTP. With node:crypto
 * (OpenSSL; ES256K and Ed25519) on one thread or on every core at once, and with did-jwt's pure-JS verifyJWS.
 *
 * @example
 * const keys = await resolveKeys(resolver, holder.did, 'authentication')
 * const perJwt = timeVerifyJws(vpJwt, keys, 1500)   // seconds per verification, did-jwt
 * const limit = await parallelNodeCryptoRate([{ jwt: vpJwt, key: nodeCryptoKey(keys)! }, …], availableParallelism(), 1500)
 */
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { extractPublicKeyBytes, verifyJWS } from 'did-jwt'
import type { DIDDocument, Resolvable, VerificationMethod } from 'did-resolver'
import { callsPerSecond } from './section.js'

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
  return 1 / callsPerSecond(() => void verifyJWS(jwt, methods), minMs)
}

// SubjectPublicKeyInfo DER prefixes: secp256k1 (id-ecPublicKey, secp256k1) for a compressed and an uncompressed point; Ed25519.
const SPKI_COMPRESSED = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex')
const SPKI_UNCOMPRESSED = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex')
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex')

/**
 * A node:crypto key for the first method that carries a full secp256k1 key (publicKeyHex) or an Ed25519 key
 * (publicKeyBase58 or publicKeyMultibase, as did:key documents carry it), if any.
 */
export function nodeCryptoKey(methods: VerificationMethod[]): KeyObject | undefined {
  for (const method of methods) {
    const hex = method.publicKeyHex?.replace(/^0x/, '')
    if (hex) {
      const point = Buffer.from(hex, 'hex')
      const prefix = point.length === 33 ? SPKI_COMPRESSED : point.length === 65 ? SPKI_UNCOMPRESSED : undefined
      if (prefix) return createPublicKey({ key: Buffer.concat([prefix, point]), format: 'der', type: 'spki' })
      continue
    }
    if (method.publicKeyBase58 || method.publicKeyMultibase) {
      const { keyBytes, keyType } = extractPublicKeyBytes(method)
      if (keyType === 'Ed25519' && keyBytes.length === 32)
        return createPublicKey({ key: Buffer.concat([SPKI_ED25519, keyBytes]), format: 'der', type: 'spki' })
    }
  }
  return undefined
}

/** One JWT's signature with node:crypto: ES256K (ECDSA P1363 over SHA-256) or, for an Ed25519 key, EdDSA. */
function nodeCryptoVerifier(jwt: string, key: KeyObject): () => boolean {
  const dot = jwt.lastIndexOf('.')
  const data = Buffer.from(jwt.slice(0, dot), 'latin1')
  const signature = Buffer.from(jwt.slice(dot + 1), 'base64url')
  return key.asymmetricKeyType === 'ed25519'
    ? () => cryptoVerify(null, data, key, signature)
    : () => cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
}

/** Seconds per verification of the same JWT with OpenSSL through node:crypto, on this thread (one core). */
export function timeVerifyNodeCrypto(jwt: string, key: KeyObject, minMs: number): number {
  const verify = nodeCryptoVerifier(jwt, key)
  const verifyOnce = () => {
    if (!verify()) throw new Error('node:crypto does not verify a JWT that did-jwt verifies')
  }
  return 1 / callsPerSecond(verifyOnce, minMs)
}

export interface ParallelRate {
  /** Sets of signatures (e.g. one presentation: the VP and its VCs) verified per second, all threads together. */
  perSecond: number
  threads: number
  perThread: number[]
}

/**
 * The signatures of one presentation verified over and over on `threads` worker threads at once, each on its
 * own core, for `ms`: the machine's node:crypto limit for them, measured rather than multiplied.
 */
export async function parallelNodeCryptoRate(
  signed: { jwt: string; key: KeyObject }[],
  threads: number,
  ms: number,
): Promise<ParallelRate> {
  const items = signed.map(({ jwt, key }) => ({
    jwt,
    spki: key.export({ format: 'der', type: 'spki' }),
    ed: key.asymmetricKeyType === 'ed25519',
  }))
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { items } }))
  try {
    await Promise.all(workers.map((w) => once(w, 'message')))
    const answers = await Promise.all(
      workers.map((w) => {
        const answer = once(w, 'message') as Promise<[{ count: number; seconds: number }]>
        w.postMessage({ ms })
        return answer
      }),
    )
    const perThread = answers.map(([{ count, seconds }]) => count / seconds)
    return { perSecond: perThread.reduce((a, b) => a + b, 0), threads, perThread }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

// Plain CommonJS, evaluated in each worker: verifies every item once per round, a few rounds to warm up, then
// rounds until `ms` have passed once the main thread says go (so all threads measure at the same time).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { createPublicKey, verify } = require('node:crypto')
const items = workerData.items.map(({ jwt, spki, ed }) => {
  const dot = jwt.lastIndexOf('.')
  return { ed, data: Buffer.from(jwt.slice(0, dot), 'latin1'), signature: Buffer.from(jwt.slice(dot + 1), 'base64url'),
    key: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }) }
})
const round = () => {
  for (const it of items) {
    const ok = it.ed ? verify(null, it.data, it.key, it.signature)
      : verify('sha256', it.data, { key: it.key, dsaEncoding: 'ieee-p1363' }, it.signature)
    if (!ok) throw new Error('node:crypto does not verify a JWT that did-jwt verifies')
  }
}
for (let i = 0; i < 30; i++) round()
parentPort.once('message', ({ ms }) => {
  let count = 0
  const started = performance.now()
  let elapsed = 0
  do {
    for (let i = 0; i < 10; i++) round()
    count += 10
    elapsed = performance.now() - started
  } while (elapsed < ms)
  parentPort.postMessage({ count, seconds: elapsed / 1000 })
})
parentPort.postMessage('ready')
`
