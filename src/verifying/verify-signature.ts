import { verifyJWS } from 'did-jwt'
import type { DIDDocument, VerificationMethod } from 'did-resolver'
import type { ChainRegistryCache } from './chain-registry-cache.js'
import { ChainUnavailableError } from '../chain/chain-errors.js'
import { verifyEs256kFast } from './es256k-fast-verify.js'

export type SignatureOutcome =
  | { ok: true; document: DIDDocument }
  | { ok: false; code: 'ERR_DID_NOT_RESOLVED' | 'ERR_SIGNATURE_INVALID' | 'ERR_DID_DEACTIVATED'; message: string }

/**
 * Verifies a compact JWS with the keys of the signer's DID document for one verification relationship.
 * Throws ChainUnavailableError when a did:ethr cannot be resolved because the chain cannot be read.
 */
export async function verifyJwtSignature(
  cache: ChainRegistryCache,
  jwt: string,
  did: string,
  relationship: 'assertionMethod' | 'authentication',
  alg: unknown,
): Promise<SignatureOutcome> {
  const resolution = await cache.resolveDid(did)
  if (resolution.didResolutionMetadata?.error === 'notFound' && did.startsWith('did:ethr:')) {
    // ethr-did-resolver has a document for every did:ethr of a network it knows; notFound means reading the
    // registry failed. Answering "not resolved" would refuse a good credential with a code that blames it.
    throw new ChainUnavailableError(
      `the DID registry cannot be read for ${did}: ${resolution.didResolutionMetadata.message ?? 'no answer'}`,
    )
  }
  const document = resolution.didDocument
  if (resolution.didResolutionMetadata?.error || !document) {
    return {
      ok: false,
      code: 'ERR_DID_NOT_RESOLVED',
      message: `${did} does not resolve: ${resolution.didResolutionMetadata?.error ?? 'no document'}`,
    }
  }
  if (resolution.didDocumentMetadata?.deactivated) return { ok: false, code: 'ERR_DID_DEACTIVATED', message: `${did} is deactivated` }
  const methods = keysFor(document, relationship)
  if (methods.length === 0) return { ok: false, code: 'ERR_SIGNATURE_INVALID', message: `${did} has no ${relationship} keys` }
  if (alg !== 'ES256K' && alg !== 'ES256K-R' && alg !== 'EdDSA' && alg !== 'Ed25519' && alg !== 'ES256') {
    return { ok: false, code: 'ERR_SIGNATURE_INVALID', message: `algorithm ${String(alg)} is not accepted` }
  }
  if (alg === 'ES256K' && (await verifyEs256kFast(jwt, methods))) return { ok: true, document }
  try {
    verifyJWS(jwt, methods)
    return { ok: true, document }
  } catch {
    return { ok: false, code: 'ERR_SIGNATURE_INVALID', message: `the signature does not verify with any ${relationship} key of ${did}` }
  }
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
