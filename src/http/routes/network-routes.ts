import { Router } from 'express'
import type { AppDeps } from '../app-deps.js'

/**
 * GET /v1/network: everything a verifier needs to configure a stock ethr-did-resolver and find our registries.
 * `rpcUrl` is govcred's read-only JSON-RPC endpoint (or GOVCRED_PUBLIC_RPC_URL), never the node's own URL.
 */
export function networkRoutes(deps: AppDeps): Router {
  const router = Router()
  router.get('/v1/network', (_req, res) => {
    const { name, chainId, contracts } = deps.deployments
    const rpcUrl = typeof deps.publicRpcUrl === 'function' ? deps.publicRpcUrl() : deps.publicRpcUrl
    res.json({
      name,
      chainId,
      rpcUrl,
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
