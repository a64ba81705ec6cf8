import { verifyJWS } from 'did-jwt'
import type { DIDDocument, VerificationMethod } from 'did-resolver'
import type { ChainRegistryCache } from './chain-registry-cache.js'
import { ChainUnavailableError, isConnectivityError } from '../chain/chain-errors.js'
import { hasHighS, verifyWithNodeCrypto } from './node-crypto-verify.js'

export type SignatureOutcome =
  | { ok: true; document: DIDDocument }
  | { ok: false; code: 'ERR_DID_NOT_RESOLVED' | 'ERR_SIGNATURE_INVALID' | 'ERR_DID_DEACTIVATED'; message: string }

/**
 * Verifies a compact JWS with the keys of the signer's DID document for one verification relationship.
 * Throws ChainUnavailableError only when a did:ethr cannot be resolved because the chain cannot be read; a DID
 * that cannot have a document (malformed, a public key that is not a curve point, …) is ERR_DID_NOT_RESOLVED.
 * ES256K signatures must be low-S: n − S verifies as well, and accepting both would let anyone make a second,
 * different JWT of every credential and presentation.
 */
export async function verifyJwtSignature(
  cache: ChainRegistryCache,
  jwt: string,
  did: string,
  relationship: 'assertionMethod' | 'authentication',
  alg: unknown,
): Promise<SignatureOutcome> {
  const resolution = await cache.resolveDid(did)
  const metadata = resolution.didResolutionMetadata
  if (metadata?.error === 'notFound' && did.startsWith('did:ethr:') && registryUnreadable(metadata.message)) {
    // ethr-did-resolver answers notFound for any error while building the document, reading the registry
    // included. Answering "not resolved" for that would refuse a good credential with a code that blames it.
    throw new ChainUnavailableError(`the DID registry cannot be read for ${did}: ${metadata.message ?? 'no answer'}`)
  }
  const document = resolution.didDocument
  if (metadata?.error || !document) {
    return {
      ok: false,
      code: 'ERR_DID_NOT_RESOLVED',
      message: `${did} does not resolve: ${metadata?.error ?? 'no document'}${metadata?.message ? ` (${metadata.message.slice(0, 200)})` : ''}`,
    }
  }
  if (resolution.didDocumentMetadata?.deactivated) return { ok: false, code: 'ERR_DID_DEACTIVATED', message: `${did} is deactivated` }
  const methods = keysFor(document, relationship)
  if (methods.length === 0) return { ok: false, code: 'ERR_SIGNATURE_INVALID', message: `${did} has no ${relationship} keys` }
  if (alg !== 'ES256K' && alg !== 'ES256K-R' && alg !== 'EdDSA' && alg !== 'Ed25519' && alg !== 'ES256') {
    return { ok: false, code: 'ERR_SIGNATURE_INVALID', message: `algorithm ${String(alg)} is not accepted` }
  }
  if ((alg === 'ES256K' || alg === 'ES256K-R') && hasHighS(jwt)) {
    return { ok: false, code: 'ERR_SIGNATURE_INVALID', message: 'the ES256K signature is not in low-S form (S > n/2)' }
  }
  // OpenSSL on libuv's pool first; did-jwt (pure JS, on this thread) judges whatever that does not accept.
  if (await verifyWithNodeCrypto(jwt, alg, methods)) return { ok: true, document }
  try {
    verifyJWS(jwt, methods)
    return { ok: true, document }
  } catch {
    return { ok: false, code: 'ERR_SIGNATURE_INVALID', message: `the signature does not verify with any ${relationship} key of ${did}` }
  }
}

/**
 * Whether the resolver's notFound came from not reaching the chain (or a registry that does not answer, as
 * readRegistry treats it) rather than from the DID itself. The resolver keeps only the error's message, in
 * which ethers writes its code as `code=…`.
 */
export function registryUnreadable(message: string | undefined): boolean {
  if (!message) return true
  const code = /\bcode=([A-Z_]+)/.exec(message)?.[1]
  if (isConnectivityError({ code, message })) return true
  if (code === 'BAD_DATA' || code === 'CALL_EXCEPTION') return true
  return /could not detect network|Ensure the RPC endpoint is reachable|timeout/i.test(message)
}

function keysFor(document: DIDDocument, relationship: 'assertionMethod' | 'authentication'): VerificationMethod[] {
  const all = [...(document.verificationMethod ?? [])]
  const refs = document[relationship] ?? []
  const methods: VerificationMethod[] = []
  for (const ref of refs) {
    if (typeof ref === 'string') {
      const found = all.find((m) => m.id === ref || (ref.startsWith('#') && m.id.endsWith(ref)))
      if (found) methods.push(found)
    } else {
      methods.push(ref)
    }
  }
  return methods
}
