import { unopenedSummary, type Check, type VerifiedCredentialSummary } from '../verification-result.js'
import { verifyPresentation, type PresentationVerifierDeps } from '../verify-presentation.js'

/** What a VP-JWT answering one `jwt_vc_json` credential query is checked against. */
export interface VpJwtExpectation {
  /** The request's nonce: the VP-JWT's `nonce`. */
  nonce: string
  /** The client identifier: the VP-JWT's `aud`. */
  audience: string
  /** The claims the query asks for: the only ones of the credential's subject the relying party is given. */
  claims: readonly string[]
}

/**
 * Verifies the VP-JWT of a `jwt_vc_json` credential query (OpenID4VP 1.0 Appendix B.1.3) with the one
 * presentation verifier every VP-JWT goes through: the holder's signature, `nonce` and `aud` against the
 * request, its validity, at most one credential, and that credential's signature by the issuer's key on chain,
 * accreditation, anchored schema, status and validity, the holder being its subject. Every check is reported
 * against the presentation's place in the vp_token. A VC-JWT cannot disclose selectively, so the verifier sees
 * every claim; the summary keeps only those the query asks for, which is all the relying party is given.
 */
export async function verifyVpJwtPresentation(
  deps: PresentationVerifierDeps,
  presentation: string,
  index: number,
  expected: VpJwtExpectation,
  nowSeconds: number,
): Promise<{ checks: Check[]; summary: VerifiedCredentialSummary }> {
  const result = await verifyPresentation(
    deps,
    presentation,
    { kind: 'openid4vp', nonce: expected.nonce, audience: expected.audience },
    nowSeconds,
  )
  const checks = result.checks.map((check) => ({ ...check, credential: index }))
  const verified = result.credentials[0]
  const summary: VerifiedCredentialSummary = verified
    ? { ...verified, index, claims: onlyAsked(verified.claims, expected.claims), verified: verified.verified && result.verified }
    : unopenedSummary(index)
  return { checks, summary }
}

function onlyAsked(claims: Record<string, unknown>, asked: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(asked.filter((name) => Object.hasOwn(claims, name)).map((name) => [name, claims[name]]))
}
