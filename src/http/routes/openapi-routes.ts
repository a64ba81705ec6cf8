import { Router } from 'express'
import { openApiDocument, type OpenApiOptions } from '../openapi/openapi-document.js'

/**
 * GET /openapi.json: the OpenAPI 3.1 description of what this app serves in its mode, with the server URL
 * the caller used.
 *
 * @example
 * app.use(openApiRoutes({ mode: 'verifier' }))
 */
export function openApiRoutes(options: Pick<OpenApiOptions, 'mode'>): Router {
  const router = Router()
  router.get('/openapi.json', (req, res) => {
    const host = req.get('host')
    res.json(openApiDocument({ mode: options.mode, serverUrl: host ? `${req.protocol}://${host}` : undefined }))
  })
  return router
}
