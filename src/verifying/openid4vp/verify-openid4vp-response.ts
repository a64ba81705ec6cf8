import { DcqlPresentationResult, DcqlQuery } from 'dcql'
import { typeOfVct } from '../../catalog/sd-jwt/sd-jwt-types.js'
import { verifySdJwtVc } from '../sd-jwt/verify-sd-jwt-vc.js'
import { fail, pass, summarize, type Check, type VerificationResult, type VerifiedCredentialSummary } from '../verification-result.js'
import type { VerifierContext } from '../verify-credential.js'
import { SD_JWT_VC_FORMAT } from './dcql-request.js'
import type { QueryPresentation } from './vp-token.js'

/** The query of a request, as stored: what verifying an answer needs of it. */
export interface AnsweredRequest {
  /** The request's nonce: every key-binding JWT must carry it. */
  nonce: string
  /** The client identifier (`x509_san_dns:<domain>`): every key-binding JWT's `aud`. */
  clientId: string
  dcqlQuery: Record<string, unknown>
}

interface CredentialQueryView {
  id: string
  vct: string
  claims: string[]
}

/**
 * Verifies the presentations of an OpenID4VP response against the chain and the request: each SD-JWT VC with
 * verifySdJwtVc (issuer key registered on chain, accreditation for its type, disclosures, schema, status,
 * validity, and a key-binding JWT with the request's nonce and client_id as audience), then per credential
 * query of the DCQL query: a presentation of the type asked for (`requestedTypes`) that discloses every claim
 * asked for (`requestedClaims`, matched with the dcql library). The result's credentials hold only what was
 * disclosed.
 */
export async function verifyOpenid4vpResponse(
  ctx: VerifierContext,
  request: AnsweredRequest,
  presentations: QueryPresentation[],
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<VerificationResult> {
  const queries = credentialQueries(request.dcqlQuery)
  const checks: Check[] = []
  const credentials: VerifiedCredentialSummary[] = []
  const byQuery = new Map<string, number>()
  const disclosed = new Set<number>()
  for (const [index, { queryId, presentation }] of presentations.entries()) {
    const { checks: own, summary } = await verifySdJwtVc(
      ctx,
      presentation,
      index,
      { nonce: request.nonce, audience: request.clientId, requireKeyBinding: true },
      nowSeconds,
    )
    checks.push(...own)
    if (own.some((c) => c.check === 'disclosures' && c.ok)) disclosed.add(index)
    credentials.push(summary)
    byQuery.set(queryId, index)
  }
  const dcqlQuery = DcqlQuery.parse(request.dcqlQuery as DcqlQuery.Input)
  for (const query of queries) {
    const index = byQuery.get(query.id)
    if (index === undefined) {
      checks.push(fail('requestedTypes', 'ERR_REQUESTED_TYPE_MISSING', `nothing was presented for the credential query "${query.id}"`))
      continue
    }
    const summary = credentials[index]!
    // A presentation that could not be opened has failed its own checks already.
    if (summary.types.length === 0) continue
    const wanted = typeOfVct(query.vct)
    if (summary.types[0] !== wanted) {
      checks.push(
        fail(
          'requestedTypes',
          'ERR_REQUESTED_TYPE_MISSING',
          `the credential presented for "${query.id}" is a ${summary.types[0]}, not a ${wanted}`,
          index,
        ),
      )
      continue
    }
    checks.push(pass('requestedTypes', `a ${wanted} for "${query.id}"`, index))
    // Claims that cannot be read (a disclosure failed) are not reported missing as well.
    if (!disclosed.has(index)) continue
    // The vct names the type on the issuing node's URL; the query names it on this one's: matched by type.
    const matched = DcqlPresentationResult.fromDcqlPresentation(
      {
        [query.id]: [
          { credential_format: SD_JWT_VC_FORMAT, vct: query.vct, claims: summary.claims as never, cryptographic_holder_binding: true },
        ],
      },
      { dcqlQuery },
    ).credential_matches[query.id]
    const missing = query.claims.filter((name) => summary.claims[name] === undefined)
    if (matched?.success && missing.length === 0)
      checks.push(pass('requestedClaims', `every claim "${query.id}" asked for is disclosed`, index))
    else
      checks.push(
        fail(
          'requestedClaims',
          'ERR_REQUESTED_CLAIM_MISSING',
          missing.length > 0
            ? `the presentation for "${query.id}" does not disclose ${missing.join(', ')}`
            : `the presentation for "${query.id}" does not match its DCQL credential query`,
          index,
        ),
      )
  }
  return summarize(checks, credentials, null)
}

/** The credential queries of a stored DCQL query (the shape dcqlQueryOf wrote). */
export function credentialQueries(dcqlQuery: Record<string, unknown>): CredentialQueryView[] {
  const list = Array.isArray(dcqlQuery.credentials) ? (dcqlQuery.credentials as Record<string, any>[]) : []
  return list.map((c) => ({
    id: String(c.id),
    vct: String(c.meta?.vct_values?.[0] ?? ''),
    claims: Array.isArray(c.claims) ? c.claims.map((claim: { path: unknown[] }) => String(claim.path[0])) : [],
  }))
}
