import { DcqlPresentationResult, DcqlQuery } from 'dcql'
import { isCredentialTypeName, type CredentialTypeName } from '../../catalog/credential-types.js'
import { typeOfVct } from '../../catalog/sd-jwt/sd-jwt-types.js'
import { verifySdJwtVc } from '../sd-jwt/verify-sd-jwt-vc.js'
import { fail, pass, summarize, type Check, type VerificationResult, type VerifiedCredentialSummary } from '../verification-result.js'
import type { PresentationVerifierDeps } from '../verify-presentation.js'
import { SD_JWT_VC_FORMAT, VC_JWT_FORMAT, type RequestedFormat } from './dcql-request.js'
import { verifyVpJwtPresentation } from './verify-vp-jwt-presentation.js'
import type { QueryPresentation } from './vp-token.js'

/** The query of a request, as stored: what verifying an answer needs of it. */
export interface AnsweredRequest {
  /** The request's nonce: every key-binding JWT and VP-JWT must carry it. */
  nonce: string
  /** The client identifier (`x509_san_dns:<domain>`): every key-binding JWT's and VP-JWT's `aud`. */
  clientId: string
  dcqlQuery: Record<string, unknown>
}

interface CredentialQueryView {
  id: string
  format: RequestedFormat
  /** The govcred type asked for (from the `vct`, or the `type_values`); undefined when the query names none. */
  type: CredentialTypeName | undefined
  /** An SD-JWT VC query's `vct` (empty for a VC-JWT query). */
  vct: string
  /** The claim names asked for (top-level; under `credentialSubject` for a VC-JWT). */
  claims: string[]
}

const BASE_TYPE = 'VerifiableCredential'

/**
 * Verifies the presentations of an OpenID4VP response against the chain and the request, by the format of the
 * credential query each answers: an SD-JWT VC with verifySdJwtVc (issuer key registered on chain, accreditation
 * for its type, disclosures, schema, status, validity, and a key-binding JWT with the request's nonce and
 * client_id as audience); a VP-JWT with the presentation verifier (holder signature, nonce and aud, then its
 * VC-JWT's own checks). Then per credential query of the DCQL query: a presentation of the type asked for
 * (`requestedTypes`) holding every claim asked for (`requestedClaims`, matched with the dcql library). The
 * result's credentials hold only the claims asked for (an SD-JWT VC discloses no more; a VC-JWT's are cut down).
 */
export async function verifyOpenid4vpResponse(
  deps: PresentationVerifierDeps,
  request: AnsweredRequest,
  presentations: QueryPresentation[],
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<VerificationResult> {
  const queries = credentialQueries(request.dcqlQuery)
  const checks: Check[] = []
  const credentials: VerifiedCredentialSummary[] = []
  const byQuery = new Map<string, number>()
  const readable = new Set<number>()
  for (const [index, { queryId, presentation }] of presentations.entries()) {
    const query = queries.find((q) => q.id === queryId)
    const { checks: own, summary } =
      query?.format === VC_JWT_FORMAT
        ? await verifyVpJwtPresentation(
            deps,
            presentation,
            index,
            { nonce: request.nonce, audience: request.clientId, claims: query.claims },
            nowSeconds,
          )
        : await verifySdJwtVc(
            deps,
            presentation,
            index,
            { nonce: request.nonce, audience: request.clientId, requireKeyBinding: true },
            nowSeconds,
          )
    checks.push(...own)
    // Claims that cannot be read (a disclosure failed, the VP-JWT was refused) are not reported missing as well.
    const opened = query?.format === VC_JWT_FORMAT ? summary.types.length > 0 : own.some((c) => c.check === 'disclosures' && c.ok)
    if (opened) readable.add(index)
    credentials.push(summary)
    byQuery.set(queryId, index)
  }
  const dcqlQuery = parsedDcqlQuery(request.dcqlQuery)
  for (const query of queries) {
    const index = byQuery.get(query.id)
    if (index === undefined) {
      checks.push(fail('requestedTypes', 'ERR_REQUESTED_TYPE_MISSING', `nothing was presented for the credential query "${query.id}"`))
      continue
    }
    const summary = credentials[index]!
    // A presentation that could not be opened has failed its own checks already.
    if (summary.types.length === 0) continue
    const presented = summary.types.filter((t) => t !== BASE_TYPE)
    if (!query.type || !summary.types.includes(query.type)) {
      checks.push(
        fail(
          'requestedTypes',
          'ERR_REQUESTED_TYPE_MISSING',
          `the credential presented for "${query.id}" is a ${presented.join(', ') || 'credential of no type'}, not a ${query.type ?? 'type this verifier knows'}`,
          index,
        ),
      )
      continue
    }
    checks.push(pass('requestedTypes', `a ${query.type} for "${query.id}"`, index))
    if (!readable.has(index)) continue
    const matched = DcqlPresentationResult.fromDcqlPresentation({ [query.id]: [asDcqlPresentation(query, summary)] }, { dcqlQuery })
      .credential_matches[query.id]
    const missing = query.claims.filter((name) => summary.claims[name] === undefined)
    if (matched?.success && missing.length === 0)
      checks.push(
        pass(
          'requestedClaims',
          `every claim "${query.id}" asked for is ${query.format === VC_JWT_FORMAT ? 'present' : 'disclosed'}`,
          index,
        ),
      )
    else
      checks.push(
        fail(
          'requestedClaims',
          'ERR_REQUESTED_CLAIM_MISSING',
          missing.length > 0
            ? `the presentation for "${query.id}" does not ${query.format === VC_JWT_FORMAT ? 'hold' : 'disclose'} ${missing.join(', ')}`
            : `the presentation for "${query.id}" does not match its DCQL credential query`,
          index,
        ),
      )
  }
  return summarize(checks, credentials, null)
}

/**
 * A verified presentation as the dcql library matches it. An SD-JWT VC's `vct` names the type on the issuing
 * node's URL and the query on this one's: it is matched by type (checked above), so the query's own vct stands in.
 */
function asDcqlPresentation(query: CredentialQueryView, summary: VerifiedCredentialSummary) {
  return query.format === VC_JWT_FORMAT
    ? {
        credential_format: VC_JWT_FORMAT,
        type: summary.types,
        claims: { credentialSubject: summary.claims } as never,
        cryptographic_holder_binding: true,
      }
    : { credential_format: SD_JWT_VC_FORMAT, vct: query.vct, claims: summary.claims as never, cryptographic_holder_binding: true }
}

/** Most distinct DCQL queries kept parsed (a relying party asks the same few again and again); the oldest goes first. */
const MAX_PARSED_QUERIES = 256
const parsedQueries = new Map<string, DcqlQuery>()

/** The dcql library's parse of a stored query, once per distinct query. */
function parsedDcqlQuery(stored: Record<string, unknown>): DcqlQuery {
  const id = JSON.stringify(stored)
  let parsed = parsedQueries.get(id)
  if (!parsed) {
    parsed = DcqlQuery.parse(stored as DcqlQuery.Input)
    if (parsedQueries.size >= MAX_PARSED_QUERIES) parsedQueries.delete(parsedQueries.keys().next().value!)
    parsedQueries.set(id, parsed)
  }
  return parsed
}

/** The credential queries of a stored DCQL query (the shape dcqlQueryOf wrote). */
export function credentialQueries(dcqlQuery: Record<string, unknown>): CredentialQueryView[] {
  const list = Array.isArray(dcqlQuery.credentials) ? (dcqlQuery.credentials as Record<string, any>[]) : []
  return list.map((c) => {
    const paths: unknown[][] = Array.isArray(c.claims) ? c.claims.map((claim: { path: unknown[] }) => claim.path) : []
    if (c.format === VC_JWT_FORMAT) {
      const named = (c.meta?.type_values?.[0] ?? []).find((t: unknown) => t !== BASE_TYPE)
      return {
        id: String(c.id),
        format: VC_JWT_FORMAT,
        type: isCredentialTypeName(named) ? named : undefined,
        vct: '',
        claims: paths.map((path) => String(path[1])),
      }
    }
    const vct = String(c.meta?.vct_values?.[0] ?? '')
    return { id: String(c.id), format: SD_JWT_VC_FORMAT, type: typeOfVct(vct), vct, claims: paths.map((path) => String(path[0])) }
  })
}
