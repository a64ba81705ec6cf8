import { Router, type RequestHandler } from 'express'
import { decodeJWT } from 'did-jwt'
import { BadRequestError, ValidationError } from '../../shared/errors/app-error.js'
import { verifyJwtSignature } from '../../verifying/verify-signature.js'
import type { VerifierService } from '../../verifying/verifier-service.js'
import { transferProperty } from '../../issuing/policies/transfer-property.js'
import type { PolicyDeps } from '../../issuing/policies/issue-with-policies.js'
import type { PropertyAnchoring } from '../../issuing/property/property-anchoring.js'
import { PROPERTY_UNIT_NUMBER_PATTERN } from '../../catalog/schemas/property-unit.js'
import { toIssuerAddress } from '../../shared/identity/ethr-did.js'
import { principalOf } from '../department-auth.js'
import { assertScope } from '../../issuing/departments/department-principal.js'

/**
 * POST /v1/property/transfers (the registration centre) and
 * GET /v1/property/units/{unitNumber}/current?certificate=<VC-JWT> (anyone holding the certificate).
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

  router.get('/v1/property/units/:unitNumber/current', async (req, res) => {
    const { unitNumber } = req.params
    if (!PROPERTY_UNIT_NUMBER_PATTERN.test(unitNumber))
      throw new BadRequestError('ERR_INVALID_UNIT_NUMBER', 'a property unit number has 28 characters (GB/T 37346)')
    const certificate = req.query.certificate
    if (typeof certificate !== 'string' || certificate.length > 20_000)
      throw new BadRequestError('ERR_INVALID_QUERY', 'certificate=<the property certificate VC-JWT> is required')
    let payload: Record<string, any>
    try {
      payload = decodeJWT(certificate).payload as Record<string, any>
    } catch {
      throw new BadRequestError('ERR_MALFORMED_JWT', 'certificate is not a JWT')
    }
    const vc = payload.vc ?? {}
    // did-jwt-vc keeps properties it does not know at the top of the JWT payload, beside vc.
    const anchor = vc.propertyAnchor ?? payload.propertyAnchor
    const credentialId = vc.id ?? payload.jti
    const issuer = toIssuerAddress(String(payload.iss ?? ''))
    if (!anchor?.salt || !credentialId || !issuer)
      throw new BadRequestError('ERR_NOT_A_PROPERTY_CERTIFICATE', 'the JWT is not a govcred property certificate')
    if (vc.credentialSubject?.propertyUnitNumber !== unitNumber)
      throw new BadRequestError('ERR_UNIT_MISMATCH', 'the certificate is for another unit')
    if (deps.verifier) {
      // "Current" speaks for the whole certificate: a copy with another holder or other claims must not pass.
      const header = JSON.parse(Buffer.from(certificate.split('.')[0], 'base64url').toString('utf8')) as { alg?: unknown }
      const signature = await verifyJwtSignature(deps.verifier.deps.cache, certificate, String(payload.iss), 'assertionMethod', header.alg)
      if (!signature.ok) throw new ValidationError('ERR_CERTIFICATE_SIGNATURE_INVALID', 'the certificate is not signed by its issuer')
    }
    res.json(await deps.property.isCurrent(issuer, unitNumber, credentialId, anchor))
  })
  return router
}
