import type { Request, RequestHandler } from 'express'
import type { OperatorKeyStore } from '../accounts/operator-keys.js'
import { ForbiddenError, UnauthorizedError } from '../shared/errors/app-error.js'
import { authenticatingSession } from './portal-session.js'

/** Who acts on an operator route: the operator key's id, and the actor the logs name. */
export interface OperatorPrincipal {
  /** The operator key's id; null when the operator signed in otherwise (a portal session). */
  keyId: string | null
  /** `operator-key:<id>` for an operator key, `operator:<username>` for a platform operator's portal session. */
  actor: string
}

const OPERATOR = Symbol('govcred.operator')

type WithOperator = Request & { [OPERATOR]?: OperatorPrincipal }

/**
 * The platform operator's routes: `Authorization: Bearer <operator key>` (`gop_…`, `govcred operator
 * key-create`) → the operator principal (operatorOf); 401 ERR_AUTH_REQUIRED without the header, 401
 * ERR_AUTH_INVALID for a malformed header or a key that is unknown or revoked (a department's or a relying
 * party's key included: they are not operator keys). Without the header, the portal session of a platform
 * operator account does too (401 ERR_SESSION_EXPIRED when it ended, 403 ERR_ROLE_FORBIDDEN for another kind of
 * account's session, 403 ERR_CSRF for an unsafe request without the session's token).
 *
 * @example
 * router.use('/v1/relying-parties', requireOperator(operatorKeys))
 */
export function requireOperator(keys: OperatorKeyStore): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization
    if (!header) {
      const active = await authenticatingSession(req)
      if (!active) throw new UnauthorizedError('ERR_AUTH_REQUIRED', 'send the platform operator key as "Authorization: Bearer <key>"')
      if (active.account.kind !== 'platform' || active.account.role !== 'operator') {
        throw new ForbiddenError('ERR_ROLE_FORBIDDEN', "this portal session is not a platform operator's")
      }
      ;(req as WithOperator)[OPERATOR] = { keyId: null, actor: `operator:${active.account.username}` }
      return next()
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the Authorization header must be "Bearer <operator key>"')
    const record = await keys.authenticate(match[1])
    if (!record) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the operator key is unknown or revoked')
    ;(req as WithOperator)[OPERATOR] = { keyId: record.id, actor: `operator-key:${record.id}` }
    next()
  }
}

/** The operator behind a request that passed requireOperator. */
export function operatorOf(req: Request): OperatorPrincipal {
  const principal = (req as WithOperator)[OPERATOR]
  if (!principal) throw new UnauthorizedError('ERR_AUTH_REQUIRED', 'send the platform operator key as "Authorization: Bearer <key>"')
  return principal
}
