import { createHash, X509Certificate } from 'node:crypto'
import { Router } from 'express'
import type { AppDeps } from '../app-deps.js'
import { ISSUING_KEY_ATTRIBUTE } from '../../issuing/issuer-keys/issuer-keys.js'

/**
 * GET /v1/network: everything a verifier needs to configure a stock ethr-did-resolver and find our registries.
 * `rpcUrl` is govcred's read-only JSON-RPC endpoint (or GOVCRED_PUBLIC_RPC_URL), never the node's own URL.
 * `issuerTrust` (a full node): the consortium root certificate a wallet or verifier trusts for SD-JWT VCs (x5c
 * chains), and the on-chain attribute that ties each department's issuing key to its did:ethr.
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
      ...(deps.issuerKeys ? { issuerTrust: issuerTrust(deps.issuerKeys.rootCertificatePem()) } : {}),
    })
  })
  return router
}

function issuerTrust(pem: string) {
  const root = new X509Certificate(pem)
  return {
    x509RootCertificatePem: pem,
    x509RootCertificateSha256: createHash('sha256').update(root.raw).digest('hex'),
    subject: root.subject,
    validTo: new Date(root.validTo).toISOString(),
    sdJwtVc: {
      alg: 'ES256',
      // The SD-JWT VC header's x5c: the department's leaf certificate (SAN URI = its credential_issuer URL), signed by the root.
      x5c: 'leaf certificate signed by x509RootCertificatePem',
      onChainKey: `the leaf's P-256 key is an ERC-1056 attribute ${ISSUING_KEY_ATTRIBUTE} of the issuing department's did:ethr`,
    },
    // The same root certifies the relying parties' verifier identities (OpenID4VP signed request objects).
    openid4vpVerifiers: {
      clientIdPrefix: 'x509_san_dns',
      x5c: "the relying party's leaf certificate (SAN DNS = its client_id without the prefix), signed by x509RootCertificatePem",
    },
  }
}
