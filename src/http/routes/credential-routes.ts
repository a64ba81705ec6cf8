import { Router, type RequestHandler } from 'express'
import { BadRequestError, NotFoundError } from '../../shared/errors/app-error.js'
import { parseQuery, type QuerySpec } from '../query-params.js'
import { parseIssueRequest } from '../../issuing/issuance/issuance-request.js'
import type { IssuerDeps } from '../../issuing/issuance/issue-credential.js'
import { issueWithPolicies, type PolicyDeps } from '../../issuing/policies/issue-with-policies.js'
import { changeCredentialStatus, type StatusAction, type StatusDeps } from '../../issuing/status/change-status.js'
import type { CredentialRecord, CredentialState } from '../../issuing/records/credential-store.js'
import { CREDENTIAL_TYPE_NAMES } from '../../catalog/credential-types.js'
import { principalOf } from '../department-auth.js'
import { assertRecordScope, visibleTypes, type DepartmentPrincipal } from '../../issuing/departments/department-principal.js'

export interface CredentialRouteDeps {
  issuer: IssuerDeps
  policies: PolicyDeps
  status: StatusDeps
  authenticate: RequestHandler
}

const STATES: readonly CredentialState[] = ['active', 'suspended', 'revoked']
const ISO_DATE = { kind: 'text', check: (v: string) => !Number.isNaN(Date.parse(v)), accepts: 'an ISO 8601 date or date-time' } as const

/** GET /v1/credentials's query (see parseQuery: anything else, repeated or structured is a 400 ERR_INVALID_QUERY). */
const LIST_QUERY = {
  limit: { kind: 'integer', min: 1, max: 200 },
  type: { kind: 'enum', values: CREDENTIAL_TYPE_NAMES },
  status: { kind: 'enum', values: STATES },
  holder: { kind: 'text' },
  subject: { kind: 'text' },
  issuedFrom: ISO_DATE,
  issuedUntil: ISO_DATE,
  // A cursor is the previous page's nextCursor (issuedAt|id); anything else would silently page from the wrong place.
  cursor: { kind: 'text', check: isCursor, accepts: 'a nextCursor returned by this endpoint' },
} as const satisfies QuerySpec

/** Longest reason a status change may carry, in characters (code points), after trimming; the console's limit too. */
export const STATUS_REASON_MAX = 200
/**
 * What a reason may not contain: control characters (line breaks, tabs, NUL…), line and paragraph separators,
 * the bidirectional overrides and isolates (which would make an audit line read other than it is stored), and
 * lone surrogates (not text).
 */
const REASON_FORBIDDEN = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u202A-\u202E\u2066-\u2069]/u

/** The department-facing credential API: issue, list, read, change status. */
export function credentialRoutes(deps: CredentialRouteDeps): Router {
  const router = Router()
  router.use('/v1/credentials', deps.authenticate)

  router.post('/v1/credentials', async (req, res) => {
    const principal = principalOf(req)
    const request = parseIssueRequest(req.body)
    const issued = await issueWithPolicies(deps.policies, principal, request)
    res
      .status(201)
      .location(`/v1/credentials/${encodeURIComponent(issued.id)}`)
      .json({
        id: issued.id,
        type: issued.record.type,
        holder: issued.record.holder,
        status: issued.record.status,
        jwt: issued.jwt,
        credential: issued.credential,
        ...(issued.superseded.length > 0 ? { superseded: issued.superseded } : {}),
        ...(issued.anchor ? { anchor: issued.anchor } : {}),
      })
  })

  router.get('/v1/credentials', async (req, res) => {
    const principal = principalOf(req)
    const q = parseQuery(req.query, LIST_QUERY)
    const page = await deps.issuer.credentials.search(principal.department.id, {
      type: q.type,
      types: visibleTypes(principal),
      status: q.status,
      holder: q.holder,
      subjectKey: q.subject,
      issuedFrom: q.issuedFrom && new Date(q.issuedFrom).toISOString(),
      issuedUntil: q.issuedUntil && new Date(q.issuedUntil).toISOString(),
      limit: q.limit ?? 50,
      cursor: q.cursor,
    })
    res.json({ items: page.items.map(summary), nextCursor: page.nextCursor })
  })

  router.get('/v1/credentials/:id', async (req, res) => {
    const record = await owned(deps, req.params.id, principalOf(req))
    res.json({ ...summary(record), jwt: record.jwt })
  })

  router.get('/v1/credentials/:id/status', async (req, res) => {
    const record = await owned(deps, req.params.id, principalOf(req))
    const bits = await deps.issuer.agent.statusRegistryRead({ issuer: record.issuerDid, index: record.statusIndex })
    const onChain: CredentialState = bits.revoked ? 'revoked' : bits.suspended ? 'suspended' : 'active'
    const reason = await deps.status.batcher.latestReason(record.id)
    res.json({ id: record.id, status: onChain, onChain: bits, recorded: record.status, inSync: onChain === record.status, reason })
  })

  for (const action of ['revoke', 'suspend', 'reinstate'] as StatusAction[]) {
    router.post(`/v1/credentials/:id/${action}`, async (req, res) => {
      // RFC 7240 `Prefer: respond-async`: answer once the change is recorded, not once it is mined (bursts batch better).
      const respondAsync = /(?:^|[,;\s])respond-async(?:$|[,;\s])/i.test(req.get('prefer') ?? '')
      const { reason } = parseStatusChangeBody(req.body)
      const result = await changeCredentialStatus(
        deps.status,
        principalOf(req),
        req.params.id,
        action,
        respondAsync ? 0 : undefined,
        reason,
      )
      if (respondAsync) res.set('Preference-Applied', 'respond-async')
      if (result.onChain === 'pending') res.location(`/v1/credentials/${encodeURIComponent(result.credentialId)}/status`)
      res.status(result.onChain === 'pending' ? 202 : 200).json(result)
    })
  }
  return router
}

async function owned(deps: CredentialRouteDeps, id: string, principal: DepartmentPrincipal): Promise<CredentialRecord> {
  const departmentId = principal.department.id
  const record = await deps.issuer.credentials.getOwned(departmentId, id)
  if (!record) throw new NotFoundError('ERR_CREDENTIAL_NOT_FOUND', `no credential ${id} issued by ${departmentId}`)
  assertRecordScope(principal, record.type)
  return record
}

/**
 * The optional body of a status change: nothing, `{}`, or `{"reason"}` (a trimmed text of 1 to STATUS_REASON_MAX
 * characters). Anything else is a 400 ERR_INVALID_REQUEST with field details, before anything is recorded. The
 * messages never repeat the reason: it is free text, and a refusal may be logged.
 */
export function parseStatusChangeBody(body: unknown): { reason?: string } {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) throw new BadRequestError('ERR_INVALID_REQUEST', 'the body must be a JSON object')
  const input = body as Record<string, unknown>
  const details = Object.keys(input)
    .filter((field) => field !== 'reason')
    .map((field) => ({ field: `/${field}`, code: 'ERR_FIELD_UNKNOWN', message: 'not allowed' }))
  const reason = input.reason
  const problem = reason === undefined ? undefined : reasonProblem(reason)
  if (problem) details.push({ field: '/reason', ...problem })
  const listed = details.map((d) => `${d.field} ${d.message}`).join('; ')
  if (details.length > 0) throw new BadRequestError('ERR_INVALID_REQUEST', `send no body, or {"reason"}: ${listed}`, { details })
  return typeof reason === 'string' ? { reason: reason.trim() } : {}
}

function reasonProblem(reason: unknown): { code: string; message: string } | undefined {
  if (typeof reason !== 'string') return { code: 'ERR_FIELD_TYPE', message: 'must be a string' }
  if (REASON_FORBIDDEN.test(reason)) return { code: 'ERR_FIELD_FORMAT', message: 'must not contain control characters' }
  const length = [...reason.trim()].length
  if (length === 0 || length > STATUS_REASON_MAX)
    return { code: 'ERR_FIELD_LENGTH', message: `1 to ${STATUS_REASON_MAX} characters after trimming` }
  return undefined
}

function isCursor(cursor: string): boolean {
  const [issuedAt, id, ...rest] = cursor.split('|')
  return (
    rest.length === 0 &&
    !!id &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(issuedAt ?? '') &&
    !Number.isNaN(Date.parse(issuedAt!))
  )
}

function summary(record: CredentialRecord) {
  return {
    id: record.id,
    type: record.type,
    format: record.format,
    holder: record.holder,
    status: record.status,
    issuedAt: record.issuedAt,
    validFrom: record.validFrom,
    validUntil: record.validUntil,
    supersededBy: record.supersededBy,
  }
}
