import { Router, type RequestHandler } from 'express'
import { visibleTypes } from '../../issuing/departments/department-principal.js'
import { credentialStats, type CredentialStatsDeps } from '../../issuing/records/credential-stats.js'
import { principalOf } from '../department-auth.js'
import { parseQuery, type QuerySpec } from '../query-params.js'

export interface CredentialStatsRouteDeps extends CredentialStatsDeps {
  /** Sets the department principal (requireDepartment). */
  authenticate: RequestHandler
}

/** Minutes east of UTC: UTC-12:00 to UTC+14:00. */
const isUtcOffset = (v: string) => /^-?(0|[1-9][0-9]{0,2})$/.test(v) && Number(v) >= -720 && Number(v) <= 840

const STATS_QUERY = {
  days: { kind: 'integer', min: 1, max: 366 },
  utcOffset: { kind: 'text', check: isUtcOffset, accepts: 'minutes east of UTC, -720 to 840 (480 for China Standard Time)' },
} as const satisfies QuerySpec

/**
 * GET /v1/credentials/stats?days=N&utcOffset=M: the console's dashboard, the department's credentials issued,
 * revoked and suspended per day and type over the last N days (1 to 366, default 30; days are local dates at
 * M minutes east of UTC, default 0), within the caller's scopes. Registered before the credential routes, whose
 * `/v1/credentials/{id}` would otherwise take `stats` for an id.
 *
 * @example
 * app.use(credentialStatsRoutes({ credentials, statusChanges: batcher, authenticate }))
 */
export function credentialStatsRoutes(deps: CredentialStatsRouteDeps): Router {
  const router = Router()
  router.get('/v1/credentials/stats', deps.authenticate, async (req, res) => {
    const principal = principalOf(req)
    const q = parseQuery(req.query, STATS_QUERY)
    const types = visibleTypes(principal)
    res.json(
      await credentialStats(deps, principal.department.id, {
        days: q.days ?? 30,
        utcOffsetMinutes: q.utcOffset === undefined ? 0 : Number(q.utcOffset),
        knownTypes: principal.department.credentialTypes,
        ...(types ? { types } : {}),
      }),
    )
  })
  return router
}
