import { Router, type Request, type RequestHandler } from 'express'
import {
  AUDIT_ACTIONS,
  AUDIT_LIST_MAX_LIMIT,
  type AuditAction,
  type AuditListOptions,
  type AuditLog,
} from '../../issuing/audit/audit-log.js'
import { principalOf } from '../department-auth.js'
import { BadRequestError } from '../../shared/errors/app-error.js'

export interface AuditRoutesDeps {
  log: AuditLog
  /** Sets the department principal (requireDepartment). */
  authenticate: RequestHandler
}

const LIST_PARAMS = new Set(['limit', 'before', 'action', 'credentialId'])
const POSITIVE_INT = /^[1-9][0-9]{0,14}$/

/**
 * GET /v1/audit (the caller's department's entries, newest first, paged with `before`) and
 * GET /v1/audit/verify (its chain check). A department never sees another department's entries.
 *
 * @example
 * app.use(auditRoutes({ log: new AuditLog(db), authenticate: requireDepartment(keys, departments) }))
 */
export function auditRoutes(deps: AuditRoutesDeps): Router {
  const router = Router()
  router.get('/v1/audit', deps.authenticate, async (req, res) => {
    const { department } = principalOf(req)
    res.json(await deps.log.list(department.id, parseListQuery(req)))
  })
  router.get('/v1/audit/verify', deps.authenticate, async (req, res) => {
    const { department } = principalOf(req)
    res.json(await deps.log.verify(department.id))
  })
  return router
}

function parseListQuery(req: Request): AuditListOptions {
  const query = (req.query ?? {}) as Record<string, unknown>
  const problems: { field: string; message: string }[] = []
  const options: AuditListOptions = {}
  for (const [name, value] of Object.entries(query)) {
    if (!LIST_PARAMS.has(name)) {
      problems.push({ field: name, message: 'unknown query parameter' })
      continue
    }
    if (typeof value !== 'string') {
      problems.push({ field: name, message: 'must be given once' })
      continue
    }
    switch (name) {
      case 'limit':
        if (!POSITIVE_INT.test(value) || Number(value) > AUDIT_LIST_MAX_LIMIT) {
          problems.push({ field: name, message: `must be an integer from 1 to ${AUDIT_LIST_MAX_LIMIT}` })
        } else options.limit = Number(value)
        break
      case 'before':
        if (!POSITIVE_INT.test(value)) problems.push({ field: name, message: 'must be a positive integer (a previous nextBefore)' })
        else options.before = Number(value)
        break
      case 'action':
        if (!AUDIT_ACTIONS.includes(value as AuditAction))
          problems.push({ field: name, message: `must be one of ${AUDIT_ACTIONS.join(', ')}` })
        else options.action = value as AuditAction
        break
      case 'credentialId':
        if (value === '' || value.length > 512) problems.push({ field: name, message: 'must be 1 to 512 characters' })
        else options.credentialId = value
        break
    }
  }
  if (problems.length > 0) {
    throw new BadRequestError('ERR_INVALID_QUERY', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { details: problems })
  }
  return options
}
