import express, { Router, type ErrorRequestHandler, type Response } from 'express'
import { Openid4vpRefusal } from '../../verifying/openid4vp/openid4vp-errors.js'
import type { Openid4vpVerifier } from '../../verifying/openid4vp/openid4vp-verifier.js'
import { REQUEST_OBJECT_TYP } from '../../verifying/relying-parties/verifier-identity.js'
import { translateError } from '../error-middleware.js'

export interface Openid4vpRouteDeps {
  openid4vp: Openid4vpVerifier
}

/** Largest direct_post body read (a vp_token of a few SD-JWT VCs is a few kB; its JWE, a third more). */
export const RESPONSE_BODY_LIMIT = '128kb'

const PROTOCOL_PATHS = ['/oid4vp/requests/:id', '/oid4vp/responses/:id']

const noStore = (res: Response) => res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })

/**
 * OpenID4VP 1.0, the wallet's side (public): the request object by reference (`request_uri`, GET) and the
 * response endpoint (`response_uri`, `direct_post` with vp_token and state, or `direct_post.jwt` with `response`). Refusals are answered as the specifications do,
 * `{"error","error_description"}`, with govcred's stable code in `govcred_code`; never a 5xx for bad input.
 */
export function openid4vpRoutes(deps: Openid4vpRouteDeps): Router {
  const { openid4vp } = deps
  const router = Router()

  router.get('/oid4vp/requests/:id', async (req, res) => {
    const jwt = await openid4vp.requestObject(req.params.id)
    noStore(res).type(`application/${REQUEST_OBJECT_TYP}`).send(jwt)
  })

  router.post(
    '/oid4vp/responses/:id',
    express.urlencoded({ extended: false, limit: RESPONSE_BODY_LIMIT, parameterLimit: 10 }),
    async (req, res) => {
      noStore(res)
      if (!req.is('application/x-www-form-urlencoded') || !req.body || typeof req.body !== 'object') {
        throw new Openid4vpRefusal(
          400,
          'invalid_request',
          'a direct_post response is application/x-www-form-urlencoded (vp_token and state; direct_post.jwt: response)',
          'ERR_INVALID_REQUEST',
        )
      }
      res.json(await openid4vp.respond(req.params.id, req.body as Record<string, unknown>))
    },
  )

  router.use(PROTOCOL_PATHS, oauthErrors)
  return router
}

/** Refusals in the specifications' shape; a failure of the chain or the database (5xx) goes on to the app's handler. */
const oauthErrors: ErrorRequestHandler = (error, _req, res, next) => {
  if (error instanceof Openid4vpRefusal) {
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
