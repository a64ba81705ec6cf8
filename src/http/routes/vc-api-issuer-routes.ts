import { Router, type RequestHandler } from 'express'
import { ValidationError } from '../../shared/errors/app-error.js'
import { GENERIC_TYPE, parseGenericIssueRequest, parseIssueRequest } from '../../issuing/issuance/issuance-request.js'
import { issueWithPolicies, type PolicyDeps } from '../../issuing/policies/issue-with-policies.js'
import { isCredentialTypeName } from '../../catalog/credential-types.js'
import { assertGenericIssuance } from '../../issuing/departments/department-principal.js'
import { principalOf } from '../department-auth.js'

/**
 * The W3C VC-API issuer route: POST /credentials/issue {credential, options} → 201 {verifiableCredential}.
 * A govcred type goes through the same checks as POST /v1/credentials; a credential of the base type only
 * is issued as a generic, schema-less credential of an active accredited issuer — only where generic issuance
 * is on (GOVCRED_GENERIC_ISSUANCE) and for a key scoped for VerifiableCredential ('*' does not imply it).
 */
export function vcApiIssuerRoutes(deps: { policies: PolicyDeps; authenticate: RequestHandler; genericIssuance: boolean }): Router {
  const router = Router()
  router.post('/credentials/issue', deps.authenticate, async (req, res) => {
    const principal = principalOf(req)
    const { credential } = (req.body ?? {}) as { credential?: Record<string, unknown> }
    if (!credential || typeof credential !== 'object' || Array.isArray(credential)) {
      throw new ValidationError('ERR_INVALID_REQUEST', 'body.credential must be an object')
    }
    const types = (Array.isArray(credential.type) ? credential.type : [credential.type]).filter((t) => t !== GENERIC_TYPE)
    if (types.length > 1 || (types.length === 1 && !isCredentialTypeName(types[0]))) {
      throw new ValidationError('ERR_UNKNOWN_TYPE', 'credential.type must be VerifiableCredential plus at most one govcred type')
    }
    // Refused before the rest of the body is judged: a key that may not issue generic credentials learns nothing more.
    if (types.length === 0) assertGenericIssuance(principal, deps.genericIssuance)
    const issuerId = typeof credential.issuer === 'string' ? credential.issuer : (credential.issuer as { id?: string } | undefined)?.id
    if (issuerId !== undefined && issuerId !== principal.department.did) {
      throw new ValidationError(
        'ERR_INVALID_ISSUER',
        `credential.issuer must be ${principal.department.did} (the authenticated department) or absent`,
      )
    }
    const subject = credential.credentialSubject
    if (!subject || typeof subject !== 'object' || Array.isArray(subject)) {
      throw new ValidationError('ERR_INVALID_HOLDER', 'credential.credentialSubject must be an object with the holder DID as id')
    }
    const { id: holder, ...claims } = subject as Record<string, unknown>
    const validFrom = credential.validFrom ?? credential.issuanceDate
    const validUntil = credential.validUntil ?? credential.expirationDate
    const request =
      types.length === 0
        ? parseGenericIssueRequest({ holder, claims, validFrom, validUntil })
        : parseIssueRequest({ type: types[0], holder, claims, validFrom, validUntil })
    const issued = await issueWithPolicies(deps.policies, principal, request)
    res.status(201).json({ verifiableCredential: issued.credential })
  })
  return router
}
