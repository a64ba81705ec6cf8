import { Router, type Response } from 'express'
import { BadRequestError, NotFoundError } from '../../shared/errors/app-error.js'
import type { VerificationResult } from '../../verifying/verification-result.js'
import type { VerifierService } from '../../verifying/verifier-service.js'
import { verifyPresentation, verifyStandaloneCredential } from '../../verifying/verify-presentation.js'

/**
 * The verifier API (banks and other third parties): presentation requests and verification, plus the
 * W3C VC-API verifier routes. Needs nothing from the issuing department.
 */
export function verifierRoutes(verifier: VerifierService): Router {
  const router = Router()
  const { deps } = verifier

  router.post('/v1/presentation-requests', async (req, res) => {
    const request = await deps.requests.create(req.body)
    res.status(201).json({
      id: request.id,
      challenge: request.challenge,
      domain: request.domain,
      credentialTypes: request.credentialTypes,
      purpose: request.purpose,
      expiresAt: request.expiresAt,
    })
  })

  router.get('/v1/presentation-requests/:id', async (req, res) => {
    const request = await deps.requests.get(req.params.id)
    if (!request) throw new NotFoundError('ERR_UNKNOWN_REQUEST', 'no such presentation request')
    res.json({ ...request, used: request.usedAt !== null })
  })

  router.post('/v1/presentations/verify', async (req, res) => {
    const { presentation, requestId } = (req.body ?? {}) as Record<string, unknown>
    if (presentation === undefined) throw new BadRequestError('ERR_INVALID_REQUEST', 'body.presentation (a VP-JWT) is required')
    if (typeof requestId !== 'string')
      throw new BadRequestError('ERR_INVALID_REQUEST', 'body.requestId (from POST /v1/presentation-requests) is required')
    respond(res, await withFreshChain(verifier, () => verifyPresentation(deps, presentation, { kind: 'request', requestId })))
  })

  router.post('/presentations/verify', async (req, res) => {
    const { verifiablePresentation, options } = (req.body ?? {}) as {
      verifiablePresentation?: unknown
      options?: { challenge?: unknown; domain?: unknown }
    }
    if (verifiablePresentation === undefined) throw new BadRequestError('ERR_INVALID_REQUEST', 'body.verifiablePresentation is required')
    if (typeof options?.challenge !== 'string' || options.challenge.length < 8 || options.challenge.length > 200) {
      throw new BadRequestError(
        'ERR_INVALID_REQUEST',
        'options.challenge is required (8 to 200 characters): presentations are accepted only for a challenge, once',
      )
    }
    const domain = typeof options.domain === 'string' ? options.domain : undefined
    respond(
      res,
      await withFreshChain(verifier, () =>
        verifyPresentation(deps, verifiablePresentation, { kind: 'caller', challenge: options.challenge as string, domain }),
      ),
    )
  })

  router.post('/credentials/verify', async (req, res) => {
    const { verifiableCredential } = (req.body ?? {}) as { verifiableCredential?: unknown }
    if (verifiableCredential === undefined) throw new BadRequestError('ERR_INVALID_REQUEST', 'body.verifiableCredential is required')
    respond(res, await withFreshChain(verifier, () => verifyStandaloneCredential(deps, verifiableCredential)))
  })
  return router
}

async function withFreshChain(verifier: VerifierService, run: () => Promise<VerificationResult>): Promise<VerificationResult> {
  await verifier.watcher.ensureFresh()
  return run()
}

function respond(res: Response, result: VerificationResult): void {
  res.status(result.verified ? 200 : 422).json(result)
}
