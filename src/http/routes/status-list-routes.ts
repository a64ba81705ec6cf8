import { Router } from 'express'
import { STATUS_LIST_PATH, type StatusListTokens } from '../../issuing/status-list/status-list-tokens.js'

export const STATUS_LIST_MEDIA_TYPE = 'application/statuslist+jwt'

export interface StatusListRouteDeps {
  tokens: Pick<StatusListTokens, 'token'>
}

/**
 * GET /status-lists/{departmentId}: the department's IETF Token Status List (draft-ietf-oauth-status-list) as a
 * signed JWT, public (a wallet or any verifier fetches it; CORS open), cacheable for what is left of its `ttl`.
 * 404 ERR_DEPARTMENT_NOT_FOUND for a department this node does not issue for; 503 ERR_CHAIN_UNAVAILABLE when the
 * chain has not been reached within the staleness bound.
 */
export function statusListRoutes(deps: StatusListRouteDeps): Router {
  const router = Router()
  router.get(`${STATUS_LIST_PATH}/:departmentId`, async (req, res) => {
    const token = await deps.tokens.token(req.params.departmentId)
    const age = Math.max(0, Math.floor(Date.now() / 1000) - token.iat)
    res.set('Content-Type', STATUS_LIST_MEDIA_TYPE)
    res.set('Cache-Control', `public, max-age=${Math.max(0, token.ttl - age)}`)
    res.set('Access-Control-Allow-Origin', '*')
    // A Buffer, so that express adds no charset to the media type.
    res.send(Buffer.from(token.jwt))
  })
  return router
}
