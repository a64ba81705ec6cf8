import { Router, type RequestHandler } from 'express'
import { decodeJWT } from 'did-jwt'
import { AppError, BadRequestError } from '../../shared/errors/app-error.js'
import type { VerifierService } from '../../verifying/verifier-service.js'
import { verifyStandaloneCredential } from '../../verifying/verify-presentation.js'
import { transferProperty } from '../../issuing/policies/transfer-property.js'
import type { PolicyDeps } from '../../issuing/policies/issue-with-policies.js'
import type { PropertyAnchoring } from '../../issuing/property/property-anchoring.js'
import type { PropertyAnchorClaim } from '../../issuing/property/property-anchor.js'
import { PROPERTY_UNIT_NUMBER_PATTERN } from '../../catalog/schemas/property-unit.js'
import { toIssuerAddress } from '../../shared/identity/ethr-did.js'
import { principalOf } from '../department-auth.js'
import { parseQuery, type QuerySpec } from '../query-params.js'
import { assertScope } from '../../issuing/departments/department-principal.js'

const PROPERTY_TYPE = 'PropertyCertificateCredential'
const CURRENT_PATH = '/v1/property/units/:unitNumber/current'
const MAX_CERTIFICATE_LENGTH = 20_000
/** The check takes no query; a certificate there, in any form (`certificate[]=…` too), has its own code. */
const CURRENT_QUERY = {
  certificate: {
    kind: 'refused',
    code: 'ERR_CERTIFICATE_IN_QUERY',
    message: 'a certificate never goes in a URL: send {"certificate": "<VC-JWT>"} as the body',
  },
} as const satisfies QuerySpec

/**
 * POST /v1/property/transfers (the registration centre) and
 * POST /v1/property/units/{unitNumber}/current {certificate} (anyone holding the certificate): the certificate is
 * verified in full (issuer accredited for property certificates at issuance, schema, status, validity) and
 * then its anchor is read from the chain. The old GET with the certificate in the query string answers 405.
 */
export function propertyRoutes(deps: {
  policies: PolicyDeps
  property: PropertyAnchoring
  authenticate: RequestHandler
  verifier?: VerifierService
}): Router {
  const router = Router()
  router.post('/v1/property/transfers', deps.authenticate, async (req, res) => {
    const principal = principalOf(req)
    assertScope(principal, 'PropertyCertificateCredential')
    const result = await transferProperty(deps.policies, principal, req.body)
    res.status(result.onChain === 'confirmed' ? 201 : 202).json({
      buyerCredential: { id: result.buyerCredential.id, jwt: result.buyerCredential.jwt, credential: result.buyerCredential.credential },
      seller: result.seller,
      anchor: result.anchor,
      onChain: result.onChain,
    })
  })

  // A certificate in a URL ends up in gateway and proxy logs: the check takes it in a POST body only.
  router.get(CURRENT_PATH, (_req, res) => {
    res.set('Allow', 'POST')
    throw new AppError(
      'ERR_METHOD_NOT_ALLOWED',
      'POST the certificate as {"certificate": "<VC-JWT>"} to this path; it is never read from a query string',
      { status: 405 },
    )
  })

  const verifier = deps.verifier
  if (!verifier) return router
  router.post(CURRENT_PATH, async (req, res) => {
    const { unitNumber } = req.params
    if (!PROPERTY_UNIT_NUMBER_PATTERN.test(unitNumber))
      throw new BadRequestError('ERR_INVALID_UNIT_NUMBER', 'a property unit number has 28 characters (GB/T 37346)')
    parseQuery(req.query, CURRENT_QUERY)
    const certificate = (req.body as { certificate?: unknown } | undefined)?.certificate
    if (typeof certificate !== 'string' || certificate.length === 0 || certificate.length > MAX_CERTIFICATE_LENGTH)
      throw new BadRequestError('ERR_INVALID_REQUEST', 'body.certificate (the property certificate VC-JWT) is required')
    const claimed = propertyCertificateOf(certificate)
    if (claimed.unitNumber !== unitNumber) throw new BadRequestError('ERR_UNIT_MISMATCH', 'the certificate is for another unit')

    await verifier.watcher.ensureFresh()
    const result = await verifyStandaloneCredential(verifier.deps, certificate)
    const summary = result.credentials[0]
    const issuer = toIssuerAddress(claimed.issuer)
    // Only a certificate that verifies is looked up: its anchor, key and issuer are then the accredited centre's.
    const anchor =
      result.verified && issuer && summary?.id ? await deps.property.anchorMatches(issuer, unitNumber, summary.id, claimed.anchor) : null
    res.json({
      unitNumber,
      current: result.verified && anchor?.current === true,
      verified: result.verified,
      issuer: { did: claimed.issuer, name: summary?.issuerName ?? null },
      checks: result.checks,
      anchoredAt: anchor?.anchoredAt ?? null,
      sequence: anchor ? anchor.sequence : null,
    })
  })
  return router
}

/** The parts of a property certificate the check needs, as the JWT states them (verified afterwards). */
function propertyCertificateOf(certificate: string): { issuer: string; unitNumber: unknown; anchor: PropertyAnchorClaim } {
  let payload: Record<string, any>
  try {
    payload = decodeJWT(certificate).payload as Record<string, any>
  } catch {
    throw new BadRequestError('ERR_MALFORMED_JWT', 'certificate is not a JWT')
  }
  const vc = payload.vc && typeof payload.vc === 'object' ? payload.vc : {}
  const types: unknown[] = Array.isArray(vc.type) ? vc.type : [vc.type]
  // did-jwt-vc keeps properties it does not know at the top of the JWT payload, beside vc.
  const anchor = vc.propertyAnchor ?? payload.propertyAnchor
  const subject = Array.isArray(vc.credentialSubject) ? vc.credentialSubject[0] : vc.credentialSubject
  const wellFormed =
    types.includes(PROPERTY_TYPE) &&
    typeof payload.iss === 'string' &&
    anchor &&
    typeof anchor === 'object' &&
    typeof anchor.salt === 'string' &&
    Number.isSafeInteger(anchor.sequence) &&
    (anchor.keySalt === undefined || typeof anchor.keySalt === 'string')
  if (!wellFormed) throw new BadRequestError('ERR_NOT_A_PROPERTY_CERTIFICATE', 'the JWT is not a govcred property certificate')
  return {
    issuer: payload.iss,
    unitNumber: subject?.propertyUnitNumber,
    anchor: { sequence: anchor.sequence, salt: anchor.salt, ...(anchor.keySalt === undefined ? {} : { keySalt: anchor.keySalt }) },
  }
}
