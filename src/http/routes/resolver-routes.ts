import { Router, type Response } from 'express'
import { parse, type DIDResolutionResult } from 'did-resolver'
import { ChainUnavailableError, isConnectivityError } from '../../chain/chain-errors.js'
import { registryUnreadable } from '../../verifying/verify-signature.js'

/** The resolution result's media type as the Universal Resolver serves it (and asks for it). */
const RESULT_TYPE = 'application/ld+json;profile="https://w3id.org/did-resolution"'
/** The DID Resolution spec's own media type for a complete resolution result. */
const SPEC_RESULT_TYPE = 'application/did-resolution'
/** Representations of the DID document alone. */
const DOCUMENT_TYPES = ['application/did+ld+json', 'application/did+json'] as const
const OFFERED = [RESULT_TYPE, SPEC_RESULT_TYPE, 'application/json', ...DOCUMENT_TYPES]

/** Longer than any did:ethr or did:key: refused as invalid without being resolved. */
const MAX_DID_LENGTH = 1024

/**
 * The HTTP status of a resolution error, by the DID Resolution spec's HTTP(S) binding (W3C DID Resolution,
 * "HTTP(S) Binding"): invalid input 400, not found 404, representation not supported 406, method or feature
 * not supported 501, the resolver's own failure 500. The drivers' own names map to the spec's:
 * ethr-did-resolver's `unknownNetwork` is a syntactically valid did:ethr whose network this resolver has no
 * registry for, so its document cannot be found here (NOT_FOUND, 404), not an invalid DID; did-resolver's
 * `unsupportedDidMethod` is METHOD_NOT_SUPPORTED; ethr's `unsupportedFormat` is REPRESENTATION_NOT_SUPPORTED.
 * An error no driver documents is about the DID asked for (the drivers catch their own failures), never a 500:
 * `invalid…` is 400, anything else 404.
 */
export function resolutionErrorStatus(error: string): number {
  switch (error) {
    case 'invalidDid':
    case 'invalidDidUrl':
    case 'invalidOptions':
      return 400
    case 'notFound':
    case 'unknownNetwork':
      return 404
    case 'representationNotSupported':
    case 'unsupportedFormat':
      return 406
    case 'methodNotSupported':
    case 'unsupportedDidMethod':
    case 'featureNotSupported':
      return 501
    case 'internalError':
    case 'invalidDidDocument':
      return 500
  }
  return error.startsWith('invalid') ? 400 : 404
}

/**
 * GET /1.0/identifiers/{did}: a Universal Resolver driver, answering by the DID Resolution spec's HTTP(S)
 * binding. 200 with the resolution result; 410 (with the result) for a deactivated DID; each resolution error
 * its status (resolutionErrorStatus); a DID URL (path, query or fragment: DID URL dereferencing, which this
 * driver does not do) 501 `featureNotSupported`; an `Accept` it cannot serve 406 `representationNotSupported`;
 * a chain that does not answer 503 `internalError` (the DID is not known not to exist). Every answer keeps the
 * resolution-result shape, except that an `Accept` of only `application/did+ld+json` or `application/did+json`
 * gets the DID document alone, as the binding says.
 *
 * `resolve` is the verifier's cache: only DIDs of registered issuers are kept in its main part, so anonymous
 * calls for any number of other DIDs cannot push them out (see ChainRegistryCache.resolveDid).
 */
export function resolverRoutes(resolve: (did: string) => Promise<DIDResolutionResult>): Router {
  const router = Router()
  router.get('/1.0/identifiers/:did', async (req, res) => {
    const did = req.params.did
    const accepted = req.accepts(OFFERED)
    if (!accepted) {
      return send(res, 406, RESULT_TYPE, failed('representationNotSupported', `this resolver serves ${OFFERED.join(', ')}`))
    }
    const resultType = accepted === SPEC_RESULT_TYPE ? SPEC_RESULT_TYPE : RESULT_TYPE
    const result = await resolved(resolve, did)
    const error = result.didResolutionMetadata?.error
    if (error) {
      const status =
        error === 'notFound' && did.startsWith('did:ethr:') && registryUnreadable(result.didResolutionMetadata.message)
          ? 503
          : resolutionErrorStatus(error)
      return send(res, status, resultType, status === 503 ? chainDown(result.didResolutionMetadata.message) : result)
    }
    const status = result.didDocumentMetadata?.deactivated === true ? 410 : 200
    if (accepted === DOCUMENT_TYPES[0] || accepted === DOCUMENT_TYPES[1]) {
      const document = { ...result.didDocument }
      if (accepted === 'application/did+json') delete (document as { '@context'?: unknown })['@context']
      return void res.status(status).type(`${accepted};charset=utf-8`).send(JSON.stringify(document))
    }
    send(res, status, resultType, result)
  })
  return router
}

/** The resolution of `did`, or why it has none; a chain that does not answer is `chainDown`. */
async function resolved(resolve: (did: string) => Promise<DIDResolutionResult>, did: string): Promise<DIDResolutionResult> {
  if (did.length > MAX_DID_LENGTH) return failed('invalidDid', `a DID of at most ${MAX_DID_LENGTH} characters`)
  const parsed = parse(did)
  if (!parsed) return failed('invalidDid', 'not a DID (did:<method>:<method-specific-id>)')
  if (parsed.did !== did) {
    return failed(
      'featureNotSupported',
      'this resolver resolves DIDs: DID URL dereferencing (a path, query, fragment or parameter) is not supported',
    )
  }
  try {
    return await resolve(did)
  } catch (error) {
    if (error instanceof ChainUnavailableError || isConnectivityError(error)) return chainDown((error as Error).message)
    throw error
  }
}

function chainDown(detail: string | undefined): DIDResolutionResult {
  return failed(
    'internalError',
    `ERR_CHAIN_UNAVAILABLE: the chain cannot be read right now; nothing was decided about this DID${detail ? ` (${detail.slice(0, 200)})` : ''}`,
  )
}

function failed(error: string, message: string): DIDResolutionResult {
  return {
    didResolutionMetadata: { error, message },
    didDocument: null,
    didDocumentMetadata: {},
  }
}

function send(res: Response, status: number, type: string, result: DIDResolutionResult): void {
  res
    .status(status)
    .type(`${type};charset=utf-8`)
    .send(
      JSON.stringify({
        '@context': 'https://w3id.org/did-resolution/v1',
        didDocument: result.didDocument,
        didResolutionMetadata: { contentType: 'application/did+ld+json', ...result.didResolutionMetadata },
        didDocumentMetadata: result.didDocumentMetadata ?? {},
      }),
    )
}
