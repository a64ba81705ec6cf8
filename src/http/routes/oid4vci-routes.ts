import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express'
import type { HttpMethod, RequestLike } from '@openid4vc/oauth2'
import { NotFoundError } from '../../shared/errors/app-error.js'
import { Oid4vciRefusal } from '../../issuing/offers/oid4vci-errors.js'
import type { Oid4vciIssuerService } from '../../issuing/offers/oid4vci-issuer.js'
import { translateError } from '../error-middleware.js'

export interface Oid4vciRouteDeps {
  protocol: Oid4vciIssuerService
}

/** The OAuth endpoints (token, nonce, credential): answers are never cached. */
const PROTOCOL_PATHS = ['/oid4vci/:departmentId/token', '/oid4vci/:departmentId/nonce', '/oid4vci/:departmentId/credential']

/** The request as the @openid4vc libraries read it (DPoP's htu is the public URL the client used). */
function requestLike(req: Request, protocol: Oid4vciIssuerService): RequestLike {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value)
    else if (Array.isArray(value)) headers.set(name, value.join(', '))
  }
  return { headers, method: req.method as HttpMethod, url: protocol.publicUrlOf(req.originalUrl) }
}

const noStore = (res: Response) => res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })

/**
 * OpenID4VCI 1.0 per department (the pre-authorized code flow): the issuer and authorization-server metadata
 * (RFC 8414 path insertion), the access-token keys, offers by reference, and the token, nonce and credential
 * endpoints. The last three answer refusals as the specifications do, `{"error","error_description"}`, with
 * govcred's stable code in `govcred_code`; the others in govcred's `{"error":{"code","message"}}`.
 */
export function oid4vciRoutes(deps: Oid4vciRouteDeps): Router {
  const { protocol } = deps
  const router = Router()
  const unknownDepartment = (id: string) => new NotFoundError('ERR_DEPARTMENT_NOT_FOUND', `no credential issuer ${id} on this node`)

  router.get('/.well-known/openid-credential-issuer/oid4vci/:departmentId', async (req, res) => {
    const metadata = await protocol.credentialIssuerMetadata(req.params.departmentId)
    if (!metadata) throw unknownDepartment(req.params.departmentId)
    res.set('Cache-Control', 'public, max-age=300').json(metadata)
  })

  router.get('/.well-known/oauth-authorization-server/oid4vci/:departmentId', async (req, res) => {
    const metadata = await protocol.authorizationServerMetadata(req.params.departmentId)
    if (!metadata) throw unknownDepartment(req.params.departmentId)
    res.set('Cache-Control', 'public, max-age=300').json(metadata)
  })

  router.get('/oid4vci/:departmentId/jwks', async (req, res) => {
    if (!(await protocol.credentialIssuerMetadata(req.params.departmentId))) throw unknownDepartment(req.params.departmentId)
    res.set('Cache-Control', 'public, max-age=300').type('application/jwk-set+json').send(JSON.stringify(protocol.jwks()))
  })

  router.get('/oid4vci/:departmentId/offers/:reference', async (req, res) => {
    const offer = await protocol.resolveOffer(req.params.departmentId, req.params.reference)
    if (!offer) throw new NotFoundError('ERR_OFFER_NOT_FOUND', 'no open credential offer at this address (unknown, used, void or expired)')
    noStore(res).json(offer)
  })

  router.post(
    '/oid4vci/:departmentId/token',
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),
    async (req, res) => {
      noStore(res)
      if (!req.is('application/x-www-form-urlencoded') || !req.body || typeof req.body !== 'object') {
        throw new Oid4vciRefusal(400, 'invalid_request', 'the token request is application/x-www-form-urlencoded', 'ERR_INVALID_REQUEST')
      }
      res.json(await protocol.token(req.params.departmentId, req.body as Record<string, unknown>, requestLike(req, protocol)))
    },
  )

  router.post('/oid4vci/:departmentId/nonce', async (req, res) => {
    noStore(res)
    if (!(await protocol.hasIssuer(req.params.departmentId))) {
      throw new Oid4vciRefusal(
        404,
        'invalid_request',
        `no credential issuer ${req.params.departmentId} on this node`,
        'ERR_DEPARTMENT_NOT_FOUND',
      )
    }
    res.json(protocol.nonce())
  })

  router.post('/oid4vci/:departmentId/credential', async (req, res) => {
    noStore(res)
    res.json(await protocol.credential(req.params.departmentId, req.body, requestLike(req, protocol)))
  })

  router.use(PROTOCOL_PATHS, oauthErrors)
  return router
}

/**
 * Refusals of the OAuth endpoints in the specifications' shape; a failure of the chain or the database (5xx)
 * goes on to the app's error handler.
 */
const oauthErrors: ErrorRequestHandler = (error, _req, res, next) => {
  if (error instanceof Oid4vciRefusal) {
    if (error.wwwAuthenticate) res.set('WWW-Authenticate', error.wwwAuthenticate)
    res.status(error.status).json(error.body())
    return
  }
  const answer = translateError(error)
  if (!answer || answer.status >= 500) {
    next(error)
    return
  }
  res.status(answer.status).json({ error: 'invalid_request', error_description: answer.message, govcred_code: answer.code })
}
