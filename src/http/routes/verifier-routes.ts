import { Router, type Request, type Response } from 'express'
import { AppError, BadRequestError, NotFoundError, UnauthorizedError } from '../../shared/errors/app-error.js'
import { isOpenid4vpBody, type Openid4vpVerifier } from '../../verifying/openid4vp/openid4vp-verifier.js'
import { TooManyOpenRequestsError, type PresentationRequest } from '../../verifying/presentation-requests.js'
import { verifierIdentity, type RelyingParty } from '../../verifying/relying-parties/relying-party-store.js'
import type { VerificationResult } from '../../verifying/verification-result.js'
import type { VerifierService } from '../../verifying/verifier-service.js'
import { verifyPresentation, verifyStandaloneCredential } from '../../verifying/verify-presentation.js'
import { openJwtEnvelope } from '../../verifying/jwt-envelope.js'
import { fail, summarize } from '../../verifying/verification-result.js'
import { relyingPartyOf } from '../relying-party-auth.js'
import { parseCheckSelection } from '../../verifying/check-selection.js'

/**
 * The verifier API (banks and other third parties): presentation requests and verification, plus the
 * W3C VC-API verifier routes. Needs nothing from the issuing department.
 *
 * A registered relying party sends its key (`Authorization: Bearer grp_…`): its requests carry its
 * display names (`verifier`), and only it reads their result or verifies their answers. Anonymous
 * requests are taken only where configured (GOVCRED_ANONYMOUS_REQUESTS), and capped.
 */
export function verifierRoutes(verifier: VerifierService, openid4vp?: Openid4vpVerifier): Router {
  const router = Router()
  const { deps, relyingParties } = verifier

  /** What the holder's wallet needs (and shows): the request and who asks. */
  const holderView = async (request: PresentationRequest) => {
    const owner = request.relyingPartyId ? await relyingParties.get(request.relyingPartyId) : undefined
    return {
      id: request.id,
      challenge: request.challenge,
      domain: request.domain,
      credentialTypes: request.credentialTypes,
      purpose: request.purpose,
      expiresAt: request.expiresAt,
      ...(owner ? { verifier: verifierIdentity(owner) } : {}),
    }
  }
  const resultView = (request: PresentationRequest) => ({
    createdAt: request.createdAt,
    usedAt: request.usedAt,
    used: request.usedAt !== null,
    result: request.result,
  })

  /**
   * A request as `caller` may see it: an anonymous request is anyone's; a relying party's request is
   * unknown (404) to another party, and `requireOwner` refuses a caller without a key (401).
   */
  const requestFor = async (id: string, caller: RelyingParty | null, requireOwner: boolean) => {
    const request = await deps.requests.lookup(id)
    if (!request) throw new NotFoundError('ERR_UNKNOWN_REQUEST', 'no such presentation request')
    if (request.relyingPartyId === null) return { request, owner: true }
    if (caller === null) {
      if (requireOwner)
        throw new UnauthorizedError(
          'ERR_AUTH_REQUIRED',
          'send the relying-party key that created this request as "Authorization: Bearer <key>"',
        )
      return { request, owner: false }
    }
    if (caller.id !== request.relyingPartyId) throw new NotFoundError('ERR_UNKNOWN_REQUEST', 'no such presentation request')
    return { request, owner: true }
  }

  router.post('/v1/presentation-requests', async (req, res) => {
    const caller = await relyingPartyOf(req, relyingParties)
    // OpenID4VP: a relying party's request only (its verifier identity signs the request object).
    if (isOpenid4vpBody(req.body)) {
      if (caller === null)
        throw new UnauthorizedError(
          'ERR_RELYING_PARTY_REQUIRED',
          'an OpenID4VP request is made by a registered relying party: send its key as "Authorization: Bearer <key>"',
        )
      if (!openid4vp)
        throw new AppError('ERR_OPENID4VP_UNAVAILABLE', 'this node does not sign OpenID4VP request objects: use the JSON flow', {
          status: 422,
        })
      res.status(201).json(await openid4vp.create(caller, req.body))
      return
    }
    if (caller === null && !verifier.anonymousRequests) {
      throw new UnauthorizedError(
        'ERR_RELYING_PARTY_REQUIRED',
        'this verifier takes presentation requests from registered relying parties only: send your key as "Authorization: Bearer <key>"',
      )
    }
    let request: PresentationRequest
    try {
      request = await deps.requests.create(req.body, caller?.id ?? null)
    } catch (error) {
      if (error instanceof TooManyOpenRequestsError) res.set('Retry-After', String(error.retryAfterSeconds))
      throw error
    }
    res.status(201).json(await holderView(request))
  })

  router.get('/v1/presentation-requests/:id', async (req, res) => {
    const caller = await relyingPartyOf(req, relyingParties)
    // An OpenID4VP request's state and result are its relying party's only (the wallet reads the request object).
    const found = await deps.requests.lookup(req.params.id)
    if (found?.protocol === 'openid4vp' && openid4vp) {
      const { request } = await requestFor(req.params.id, caller, true)
      res.set('Cache-Control', 'no-store').json(await openid4vp.view(request))
      return
    }
    const { request, owner } = await requestFor(req.params.id, caller, false)
    res.json({ ...(await holderView(request)), ...(owner ? resultView(request) : {}) })
  })

  router.get('/v1/presentation-requests/:id/result', async (req, res) => {
    const { request } = await requestFor(req.params.id, await relyingPartyOf(req, relyingParties), true)
    if (request.protocol === 'openid4vp' && openid4vp) {
      res.set('Cache-Control', 'no-store').json(await openid4vp.view(request))
      return
    }
    res.json({ id: request.id, ...resultView(request) })
  })

  router.post('/v1/presentations/verify', async (req, res) => {
    const { presentation, requestId } = (req.body ?? {}) as Record<string, unknown>
    if (presentation === undefined) throw new BadRequestError('ERR_INVALID_REQUEST', 'body.presentation (a VP-JWT) is required')
    if (typeof requestId !== 'string')
      throw new BadRequestError('ERR_INVALID_REQUEST', 'body.requestId (from POST /v1/presentation-requests) is required')
    // A relying party's request is answered to that party only; an unknown request is a failed check below.
    const request = requestId.length <= 100 ? await deps.requests.lookup(requestId) : undefined
    if (request) await requestFor(requestId, await relyingPartyOf(req, relyingParties), true)
    const result = await withFreshChain(verifier, () => verifyPresentation(deps, presentation, { kind: 'request', requestId }))
    // The outcome is kept for its relying party to read; an anonymous request's answer goes to its caller only.
    if (request?.relyingPartyId) {
      await deps.requests.recordOutcome(requestId, {
        verified: result.verified,
        code: result.error?.code ?? 'OK',
        holder: result.holder ?? null,
      })
    }
    respond(res, result)
  })

  router.post('/presentations/verify', async (req, res) => {
    const { verifiablePresentation, options } = (req.body ?? {}) as {
      verifiablePresentation?: unknown
      options?: { challenge?: unknown; domain?: unknown; checks?: unknown }
    }
    if (verifiablePresentation === undefined) throw new BadRequestError('ERR_INVALID_REQUEST', 'body.verifiablePresentation is required')
    const selection = parseCheckSelection(isObject(options) ? options.checks : undefined)
    if (typeof options?.challenge !== 'string' || options.challenge.length < 8 || options.challenge.length > 200) {
      throw new BadRequestError(
        'ERR_INVALID_REQUEST',
        'options.challenge is required (8 to 200 characters): presentations are accepted only for a challenge, once',
      )
    }
    const domain = typeof options.domain === 'string' ? options.domain : undefined
    // A used challenge is kept for a bounded time only: a presentation it could stop must not outlive it.
    const opened = openJwtEnvelope(verifiablePresentation, 'proof')
    const tooOld = 'payload' in opened ? deps.requests.callerPresentationAge(opened.payload) : undefined
    if (tooOld) return respond(res, summarize([fail('presentationValidity', 'ERR_PRESENTATION_EXPIRED', tooOld)], []))
    respond(
      res,
      await withFreshChain(verifier, () =>
        verifyPresentation(
          deps,
          verifiablePresentation,
          { kind: 'caller', challenge: options.challenge as string, domain },
          undefined,
          selection,
        ),
      ),
    )
  })

  router.post('/credentials/verify', async (req, res) => {
    const { verifiableCredential, options } = (req.body ?? {}) as { verifiableCredential?: unknown; options?: unknown }
    if (verifiableCredential === undefined) throw new BadRequestError('ERR_INVALID_REQUEST', 'body.verifiableCredential is required')
    if (options !== undefined && !isObject(options)) throw new BadRequestError('ERR_INVALID_REQUEST', 'body.options must be an object')
    const selection = parseCheckSelection(isObject(options) ? options.checks : undefined)
    respond(res, await withFreshChain(verifier, () => verifyStandaloneCredential(deps, verifiableCredential, selection)))
  })
  return router
}

async function withFreshChain(verifier: VerifierService, run: () => Promise<VerificationResult>): Promise<VerificationResult> {
  await verifier.watcher.ensureFresh()
  return run()
}

const isObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value)

function respond(res: Response, result: VerificationResult): void {
  res.status(result.verified ? 200 : 422).json(result)
}
