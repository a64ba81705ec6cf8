import { Router } from 'express'
import type { DIDResolutionResult } from 'did-resolver'

const CONTENT_TYPE = 'application/ld+json;profile="https://w3id.org/did-resolution";charset=utf-8'

/** Longer than any did:ethr or did:key: refused as invalid without being resolved. */
const MAX_DID_LENGTH = 1024

/**
 * GET /1.0/identifiers/{did}: a Universal Resolver driver. Errors follow the DID Resolution spec
 * (invalidDid → 400, notFound → 404, representationNotSupported → 406, methodNotSupported → 501) and keep the
 * resolution-result shape; a did:ethr of a network this driver does not serve is not found here (404).
 *
 * `resolve` is the verifier's cache: only DIDs of registered issuers are kept in its main part, so anonymous
 * calls for any number of other DIDs cannot push them out (see ChainRegistryCache.resolveDid).
 */
export function resolverRoutes(resolve: (did: string) => Promise<DIDResolutionResult>): Router {
  const router = Router()
  router.get('/1.0/identifiers/:did', async (req, res) => {
    const did = req.params.did
    const result: DIDResolutionResult =
      did.length > MAX_DID_LENGTH
        ? {
            didResolutionMetadata: { error: 'invalidDid', message: `a DID of at most ${MAX_DID_LENGTH} characters` },
            didDocument: null,
            didDocumentMetadata: {},
          }
        : await resolve(did)
    const error = result.didResolutionMetadata?.error
    const status = !error
      ? 200
      : error === 'invalidDid'
        ? 400
        : error === 'notFound' || error === 'unknownNetwork'
          ? 404
          : error === 'representationNotSupported' || error === 'unsupportedFormat'
            ? 406
            : error === 'unsupportedDidMethod' || error === 'methodNotSupported'
              ? 501
              : 500
    res
      .status(status)
      .type(CONTENT_TYPE)
      .send(
        JSON.stringify({
          '@context': 'https://w3id.org/did-resolution/v1',
          didDocument: result.didDocument,
          didResolutionMetadata: { contentType: 'application/did+ld+json', ...result.didResolutionMetadata },
          didDocumentMetadata: result.didDocumentMetadata ?? {},
        }),
      )
  })
  return router
}
