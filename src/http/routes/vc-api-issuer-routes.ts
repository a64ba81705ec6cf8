import { Router, type RequestHandler } from 'express'
import { asksForGenericCredential, parseVcApiIssue } from '../../issuing/issuance/vc-api-credential.js'
import { issueWithPolicies, type PolicyDeps } from '../../issuing/policies/issue-with-policies.js'
import { assertGenericIssuance } from '../../issuing/departments/department-principal.js'
import { describedJwtProof } from '../../catalog/vc-jwt-json-form.js'
import { principalOf } from '../department-auth.js'

/**
 * The W3C VC-API issuer route: POST /credentials/issue {credential, options} → 201 {verifiableCredential}.
 * The credential is read as VCDM 1.1 requires (see parseVcApiIssue: each malformed case a 400 with its own
 * code). A govcred type goes through the same checks as POST /v1/credentials; a credential of the base type
 * only is issued as a generic, schema-less credential of an active accredited issuer — only where generic
 * issuance is on (GOVCRED_GENERIC_ISSUANCE) and for a key scoped for VerifiableCredential ('*' does not
 * imply it). The answer is the credential's JSON form with a described JwtProof2020 proof carrying the JWT.
 */
export function vcApiIssuerRoutes(deps: { policies: PolicyDeps; authenticate: RequestHandler; genericIssuance: boolean }): Router {
  const router = Router()
  router.post('/credentials/issue', deps.authenticate, async (req, res) => {
    const principal = principalOf(req)
    // Refused before the rest of the body is judged: a key that may not issue generic credentials learns nothing more.
    if (asksForGenericCredential(req.body)) assertGenericIssuance(principal, deps.genericIssuance)
    const request = parseVcApiIssue(req.body, principal.department.did)
    const issued = await issueWithPolicies(deps.policies, principal, request)
    const [header, payload] = issued.jwt.split('.', 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')))
    const proof = describedJwtProof({ jwt: issued.jwt, header, payload })
    res.status(201).json({ verifiableCredential: { ...issued.credential, proof } })
  })
  return router
}
