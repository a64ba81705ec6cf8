import { Router, type Request, type RequestHandler } from 'express'
import {
  AUDIT_ACTIONS,
  AUDIT_LIST_MAX_LIMIT,
  type AuditAction,
  type AuditListOptions,
  type AuditLog,
  visibleToTypes,
} from '../../issuing/audit/audit-log.js'
import { visibleTypes } from '../../issuing/departments/department-principal.js'
import type { CredentialStore } from '../../issuing/records/credential-store.js'
import { principalOf } from '../department-auth.js'
import { BadRequestError, NotFoundError } from '../../shared/errors/app-error.js'

export interface AuditRoutesDeps {
  log: AuditLog
  /** Sets the department principal (requireDepartment). */
  authenticate: RequestHandler
  /**
   * The types of the department's credentials, to apply a key's scopes. Without it a key restricted to some
   * types sees no entry (fail closed); an unrestricted ('*') key needs nothing.
   */
  credentials?: Pick<CredentialStore, 'typesOf'>
}

const LIST_PARAMS = new Set(['limit', 'before', 'action', 'credentialId'])
const POSITIVE_INT = /^[1-9][0-9]{0,14}$/

/**
 * GET /v1/audit (the caller's department's entries, newest first, paged with `before`) and
 * GET /v1/audit/verify (its chain check). A department never sees another department's entries, and a key
 * restricted to some credential types sees only the entries about its department's credentials of those
 * types: entries about no credential (API keys created or revoked) are for unrestricted ('*') keys, and
 * `credentialId` of a credential the key may not see answers 404 ERR_CREDENTIAL_NOT_FOUND, as another
 * department's does for such a key.
 *
 * @example
 * app.use(auditRoutes({ log: new AuditLog(db), authenticate: requireDepartment(keys, departments), credentials: new CredentialStore(db) }))
 */
export function auditRoutes(deps: AuditRoutesDeps): Router {
  const router = Router()
  router.get('/v1/audit', deps.authenticate, async (req, res) => {
    const principal = principalOf(req)
    const options = parseListQuery(req)
    const types = visibleTypes(principal)
    if (types === undefined) return void res.json(await deps.log.list(principal.department.id, options))
    const typesOf = (ids: string[]) =>
      deps.credentials ? deps.credentials.typesOf(principal.department.id, ids) : Promise.resolve(new Map())
    if (options.credentialId !== undefined) {
      const type = (await typesOf([options.credentialId])).get(options.credentialId)
      if (type === undefined || !types.includes(type)) {
        throw new NotFoundError('ERR_CREDENTIAL_NOT_FOUND', `no credential ${options.credentialId} visible to this API key`)
      }
    }
    res.json(await deps.log.list(principal.department.id, options, visibleToTypes(types, typesOf)))
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
