import type { Request, RequestHandler } from 'express'
import type { ApiKeyStore } from '../issuing/departments/api-keys/api-key-store.js'
import type { DepartmentStore } from '../issuing/departments/department-store.js'
import { UnauthorizedError } from '../shared/errors/app-error.js'
import type { DepartmentPrincipal } from '../issuing/departments/department-principal.js'

const PRINCIPAL = Symbol('govcred.principal')

/**
 * `Authorization: Bearer <key>` → the department behind it; 401 when missing or wrong.
 */
export function requireDepartment(keys: ApiKeyStore, departments: DepartmentStore): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization
    if (!header) throw new UnauthorizedError('ERR_AUTH_REQUIRED', 'send the department API key as "Authorization: Bearer <key>"')
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the Authorization header must be "Bearer <key>"')
    const record = await keys.authenticate(match[1])
    if (!record) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the API key is unknown or revoked')
    const department = await departments.get(record.departmentId)
    if (!department) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the API key belongs to no department')
    ;(req as Request & { [PRINCIPAL]?: DepartmentPrincipal })[PRINCIPAL] = { department, apiKeyId: record.id, scopes: record.scopes }
    next()
  }
}

/** The authenticated department of a request that passed requireDepartment. */
export function principalOf(req: Request): DepartmentPrincipal {
  const principal = (req as Request & { [PRINCIPAL]?: DepartmentPrincipal })[PRINCIPAL]
  if (!principal) throw new UnauthorizedError('ERR_AUTH_REQUIRED', 'authentication required')
  return principal
}
