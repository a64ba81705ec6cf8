import { Router, type Request, type RequestHandler } from 'express'
import { AUDIT_ACTIONS, AUDIT_LIST_MAX_LIMIT, type AuditListOptions, type AuditLog, visibleToTypes } from '../../issuing/audit/audit-log.js'
import { assertPermission, visibleTypes } from '../../issuing/departments/department-principal.js'
import type { CredentialStore } from '../../issuing/records/credential-store.js'
import { principalOf } from '../department-auth.js'
import { NotFoundError } from '../../shared/errors/app-error.js'
import { parseQuery, type QuerySpec } from '../query-params.js'

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

const AUDIT_QUERY = {
  limit: { kind: 'integer', min: 1, max: AUDIT_LIST_MAX_LIMIT },
  before: { kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, accepts: 'a positive integer (a previous nextBefore)' },
  action: { kind: 'enum', values: AUDIT_ACTIONS },
  credentialId: { kind: 'text', minLength: 1, maxLength: 512 },
} as const satisfies QuerySpec

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
    assertPermission(principal, 'audit')
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
    const principal = principalOf(req)
    assertPermission(principal, 'audit')
    res.json(await deps.log.verify(principal.department.id))
  })
  return router
}

function parseListQuery(req: Request): AuditListOptions {
  const q = parseQuery(req.query, AUDIT_QUERY)
  const options: AuditListOptions = {}
  if (q.limit !== undefined) options.limit = q.limit
  if (q.before !== undefined) options.before = q.before
  if (q.action !== undefined) options.action = q.action
  if (q.credentialId !== undefined) options.credentialId = q.credentialId
  return options
}
