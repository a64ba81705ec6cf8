import { Router } from 'express'
import type { AppDeps } from '../app-deps.js'

/**
 * GET /v1/network: everything a verifier needs to configure a stock ethr-did-resolver and find our registries.
 */
export function networkRoutes(deps: AppDeps): Router {
  const router = Router()
  router.get('/v1/network', (_req, res) => {
    const { name, chainId, contracts } = deps.deployments
    res.json({
      name,
      chainId,
      rpcUrl: deps.publicRpcUrl,
      contracts: {
        didRegistry: contracts.didRegistry,
        trustedIssuers: contracts.trustedIssuers,
        schemas: contracts.schemas,
        status: contracts.status,
        anchors: contracts.anchors,
        governance: contracts.governance,
      },
    })
  })
  return router
}
