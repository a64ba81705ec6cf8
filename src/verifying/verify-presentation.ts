import { isCheck, openJwtEnvelope } from './jwt-envelope.js'
import { matchChallenge, type ChallengeOutcome, type PresentationRequestStore } from './presentation-requests.js'
import { fail, pass, summarize, type Check, type VerificationResult, type VerifiedCredentialSummary } from './verification-result.js'
import { isPlainDid } from '../shared/identity/did.js'
import { verifyCredentialEnvelope, type VerifierContext } from './verify-credential.js'
import { verifyJwtSignature } from './verify-signature.js'
import type { CheckSelection } from './check-selection.js'
import { looksLikeSdJwt } from './sd-jwt/sd-jwt-envelope.js'
import { verifySdJwtVc } from './sd-jwt/verify-sd-jwt-vc.js'

/**
 * Where the expected challenge comes from: a stored presentation request, the caller (VC-API), or an OpenID4VP
 * request's nonce and client_id (one credential query per VP-JWT; the request itself is used up when its
 * response is recorded, so nothing is consumed here).
 */
export type ChallengeSource =
  | { kind: 'request'; requestId: string }
  | { kind: 'caller'; challenge: string; domain?: string }
  | { kind: 'openid4vp'; nonce: string; audience: string }

export interface PresentationVerifierDeps extends VerifierContext {
  requests: PresentationRequestStore
}

/** Most credentials in one presentation: a presentation request names at most 10 types, one credential each. */
export const MAX_CREDENTIALS = 10

/**
 * Verifies a VP-JWT and each credential in it, using only the presentation and the chain.
 *
 * Cheapest checks first, so that a presentation refused early costs no credential work and no chain read
 * for credentials: the request (known, unused, unexpired), its challenge and audience, then at most as many
 * credentials as it asks for, then the holder's signature (its DID's one resolution; none for a did:key),
 * and only then the credentials. Checks that were not run are absent from the result.
 *
 * The challenge is used up once the holder's signature and the challenge check out, whatever the
 * credentials' fate, so the same presentation can never be accepted twice.
 */
export async function verifyPresentation(
  deps: PresentationVerifierDeps,
  presentation: unknown,
  source: ChallengeSource,
  nowSeconds = Math.floor(Date.now() / 1000),
  selection: CheckSelection = null,
): Promise<VerificationResult> {
  const opened = openJwtEnvelope(presentation, 'proof')
  if (isCheck(opened)) return summarize([opened], [])
  const { payload, header, jwt } = opened
  const holder = isPlainDid(payload.iss) ? payload.iss : null
  const vp = payload.vp
  if (!holder || !vp || typeof vp !== 'object')
    return summarize([fail('proof', 'ERR_PRESENTATION_MALFORMED', 'the JWT is not a verifiable presentation (no vp or iss)')], [])
  const embedded: unknown[] = Array.isArray(vp.verifiableCredential)
    ? vp.verifiableCredential
    : vp.verifiableCredential
      ? [vp.verifiableCredential]
      : []
  if (embedded.length === 0)
    return summarize(
      [pass('proof', 'JWT-secured presentation'), fail('proof', 'ERR_EMPTY_PRESENTATION', 'the presentation contains no credential')],
      [],
      holder,
    )
  if (embedded.length > MAX_CREDENTIALS)
    return summarize([fail('proof', 'ERR_PRESENTATION_TOO_LARGE', `at most ${MAX_CREDENTIALS} credentials per presentation`)], [], holder)

  // 1. The request or the caller's challenge, and the audience: database reads only.
  const expected = await expectedChallenge(deps, source, payload)
  if (!expected.outcome.ok) {
    const which = expected.outcome.code === 'ERR_DOMAIN_MISMATCH' ? 'domain' : 'challenge'
    return summarize([pass('proof', 'JWT-secured presentation'), fail(which, expected.outcome.code, expected.outcome.message)], [], holder)
  }
  const challengeChecks = [pass('challenge', 'the challenge matches and was not used before'), pass('domain', 'addressed to this verifier')]

  // 2. No more credentials than the request asks for (one per type).
  const requested = expected.outcome.request?.credentialTypes ?? []
  const allowed = source.kind === 'openid4vp' ? 1 : requested.length > 0 ? requested.length : MAX_CREDENTIALS
  if (embedded.length > allowed)
    return summarize(
      [
        fail(
          'proof',
          'ERR_PRESENTATION_TOO_LARGE',
          `the request asks for ${allowed} credential${allowed === 1 ? '' : 's'}; the presentation carries ${embedded.length}`,
        ),
        ...challengeChecks,
      ],
      [],
      holder,
    )
  const checks: Check[] = [pass('proof', 'JWT-secured presentation')]

  // 3. The holder's signature: one resolution of the holder's DID.
  const signature = await verifyJwtSignature(deps.cache, jwt, holder, 'authentication', header.alg)
  checks.push(
    signature.ok
      ? pass('holderSignature', `signed by ${holder}`)
      : fail('holderSignature', 'ERR_HOLDER_SIGNATURE_INVALID', signature.message),
  )
  if (!signature.ok) return summarize([...checks, ...challengeChecks], [], holder)
  const validity = presentationValidity(payload, nowSeconds, deps.policy.skewSeconds)
  checks.push(validity, ...challengeChecks)

  // 4. The credentials, side by side; none when the presentation itself is refused.
  const results = validity.ok
    ? await Promise.all(embedded.map((vc, i) => verifyCredentialEnvelope(deps, vc, i, holder, nowSeconds, selection)))
    : []
  // Used up only once the credentials were checked too: a chain outage (503) midway leaves it usable.
  if (!(await expected.consume())) {
    checks.push(fail('challenge', 'ERR_CHALLENGE_REPLAYED', 'this challenge was used by another presentation just now'))
  }
  const credentials: VerifiedCredentialSummary[] = []
  for (const result of results) {
    checks.push(...result.checks)
    credentials.push(result.summary)
  }
  if (requested.length > 0 && validity.ok) {
    const present = new Set(credentials.flatMap((c) => c.types))
    const missing = requested.filter((t) => !present.has(t))
    checks.push(
      missing.length === 0
        ? pass('requestedTypes', `all requested types present: ${requested.join(', ')}`)
        : fail('requestedTypes', 'ERR_REQUESTED_TYPE_MISSING', `missing: ${missing.join(', ')}`),
    )
  }
  return summarize(checks, credentials, holder, selection)
}

async function expectedChallenge(
  deps: PresentationVerifierDeps,
  source: ChallengeSource,
  payload: Record<string, unknown>,
): Promise<{ outcome: ChallengeOutcome; consume: () => Promise<boolean> }> {
  if (source.kind === 'request') {
    return {
      outcome: await deps.requests.check(source.requestId, payload.nonce, payload.aud),
      consume: () => deps.requests.consume(source.requestId),
    }
  }
  if (source.kind === 'openid4vp')
    return { outcome: matchChallenge(source.nonce, source.audience, payload.nonce, payload.aud), consume: async () => true }
  // Otherwise the answer to a stored request could be accepted a second time through the VC-API route.
  if (await deps.requests.isRequestChallenge(source.challenge)) {
    return {
      outcome: {
        ok: false,
        code: 'ERR_CHALLENGE_REPLAYED',
        message: 'this challenge belongs to a presentation request: verify the answer with its requestId',
      },
      consume: async () => false,
    }
  }
  if (await deps.requests.isExternalUsed(source.challenge)) {
    return {
      outcome: { ok: false, code: 'ERR_CHALLENGE_REPLAYED', message: 'this challenge was already used' },
      consume: async () => false,
    }
  }
  return {
    // Without options.domain, a presentation addressed to some verifier must at least be addressed to this one.
    outcome: matchChallenge(
      source.challenge,
      source.domain ?? (payload.aud === undefined ? undefined : deps.requests.domain),
      payload.nonce,
      payload.aud,
    ),
    consume: () => deps.requests.consumeExternal(source.challenge, source.domain ?? ''),
  }
}

function presentationValidity(payload: Record<string, unknown>, now: number, skew: number): Check {
  if (typeof payload.exp === 'number' && payload.exp <= now - skew)
    return fail('presentationValidity', 'ERR_PRESENTATION_EXPIRED', 'the presentation expired')
  if (typeof payload.nbf === 'number' && payload.nbf > now + skew)
    return fail('presentationValidity', 'ERR_PRESENTATION_NOT_YET_VALID', 'the presentation is not valid yet')
  return pass('presentationValidity', 'within its validity period')
}

/**
 * A single credential (VC-API POST /credentials/verify): the same checks, without a holder. An SD-JWT VC (a
 * compact string with `~`) is verified as one, its key-binding JWT checked when it has one but not required.
 */
export async function verifyStandaloneCredential(
  deps: VerifierContext,
  credential: unknown,
  selection: CheckSelection = null,
): Promise<VerificationResult> {
  const result = looksLikeSdJwt(credential)
    ? await verifySdJwtVc(deps, credential, 0, {}, undefined, selection)
    : await verifyCredentialEnvelope(deps, credential, 0, undefined, undefined, selection)
  return summarize(result.checks, [result.summary], undefined, selection)
}
