import { Router } from 'express'
import type { DIDResolutionResult } from 'did-resolver'

const CONTENT_TYPE = 'application/ld+json;profile="https://w3id.org/did-resolution";charset=utf-8'

/**
 * GET /1.0/identifiers/{did}: a Universal Resolver driver. Errors follow the DID Resolution spec
 * (invalidDid → 400, notFound → 404, methodNotSupported → 501) and keep the resolution-result shape.
 */
export function resolverRoutes(resolve: (did: string) => Promise<DIDResolutionResult>): Router {
  const router = Router()
  router.get('/1.0/identifiers/:did', async (req, res) => {
    const did = req.params.did
    const result = await resolve(did)
    const error = result.didResolutionMetadata?.error
    const status = !error
      ? 200
      : error === 'invalidDid'
        ? 400
        : error === 'notFound'
          ? 404
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
