import { Router } from 'express'
import type { AppDeps } from '../app-deps.js'
import type { AccreditedIssuer, ITrustRegistry } from '../../agent/plugins/trust-registry-plugin.js'
import { CREDENTIAL_TYPE_NAMES } from '../../catalog/credential-types.js'
import { credentialTypeHash } from '../../chain/registries/credential-type-hash.js'
import { toIssuerAddress } from '../../shared/identity/ethr-did.js'
import { BadRequestError, NotFoundError } from '../../shared/errors/app-error.js'

const TYPE_BY_HASH = new Map(CREDENTIAL_TYPE_NAMES.map((name) => [credentialTypeHash(name), name]))

/** GET /v1/issuers and /v1/issuers/{did}: accredited issuers as the chain has them. */
export function issuerRoutes(deps: {
  registry: Pick<ITrustRegistry, 'trustRegistryListIssuers' | 'trustRegistryGetIssuer'>
  deployments: AppDeps['deployments']
}): Router {
  const router = Router()
  const present = (issuer: AccreditedIssuer) => {
    const now = Math.floor(Date.now() / 1000)
    return {
      did: `did:ethr:${deps.deployments.name}:${issuer.account}`,
      account: issuer.account,
      name: issuer.name,
      unifiedSocialCreditCode: issuer.unifiedSocialCreditCode,
      credentialTypes: issuer.credentialTypeHashes.map((hash) => TYPE_BY_HASH.get(hash) ?? hash),
      status: issuer.status,
      accreditedNow: issuer.status === 'active' && issuer.validFrom <= now && now < issuer.validUntil,
      validFrom: new Date(issuer.validFrom * 1000).toISOString(),
      validUntil: issuer.validUntil >= 253402300799 ? null : new Date(issuer.validUntil * 1000).toISOString(),
      registeredAt: new Date(issuer.registeredAt * 1000).toISOString(),
      statusChangedAt: new Date(issuer.statusChangedAt * 1000).toISOString(),
    }
  }
  router.get('/v1/issuers', async (_req, res) => {
    const issuers = await deps.registry.trustRegistryListIssuers()
    res.json({ issuers: issuers.map(present) })
  })
  router.get('/v1/issuers/:did', async (req, res) => {
    const account = toIssuerAddress(req.params.did)
    if (!account) throw new BadRequestError('ERR_INVALID_DID', `${req.params.did} is not a did:ethr or an address`)
    const issuer = await deps.registry.trustRegistryGetIssuer({ issuer: account })
    if (!issuer) throw new NotFoundError('ERR_ISSUER_NOT_FOUND', `${req.params.did} is not in the trusted-issuer registry`)
    res.json(present(issuer))
  })
  return router
}
