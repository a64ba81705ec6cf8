import { Router, type RequestHandler } from 'express'
import { createOffer, describeOffer, type CredentialOfferDeps } from '../../issuing/offers/credential-offers.js'
import { principalOf } from '../department-auth.js'

export interface CredentialOfferRouteDeps {
  offers: CredentialOfferDeps
  authenticate: RequestHandler
}

/** The department-facing credential offers (OpenID4VCI): make one, see what became of it. */
export function credentialOfferRoutes(deps: CredentialOfferRouteDeps): Router {
  const router = Router()
  router.use('/v1/credential-offers', deps.authenticate)

  router.post('/v1/credential-offers', async (req, res) => {
    const created = await createOffer(deps.offers, principalOf(req), req.body)
    // The transaction code is in this answer only.
    res
      .status(201)
      .set('Cache-Control', 'no-store')
      .location(`/v1/credential-offers/${encodeURIComponent(created.id)}`)
      .json(created)
  })

  router.get('/v1/credential-offers/:id', async (req, res) => {
    res.json(await describeOffer(deps.offers, principalOf(req), req.params.id))
  })
  return router
}
