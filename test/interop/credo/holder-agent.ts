/**
 * A stock credo-ts 0.6.3 holder agent: OpenID4VC holder module, X509 module trusting the given root
 * certificates (PEM or base64 DER) — which is how credo verifies an SD-JWT VC's x5c chain — an in-memory KMS on
 * node:crypto and in-memory storage. `allowInsecureHttpUrls` lets it talk to a service on http://127.0.0.1,
 * the only departure from a production wallet's configuration.
 */
import { Agent, InjectionSymbols, Kms, X509Module } from '@credo-ts/core'
import type { DependencyManager, Module } from '@credo-ts/core'
import { OpenId4VcModule } from '@credo-ts/openid4vc'
import { InMemoryKeyManagementService } from './in-memory-kms.js'
import { InMemoryStorageService } from './in-memory-storage.js'
import { nodeAgentDependencies } from './node-agent-dependencies.js'

class InMemoryStorageModule implements Module {
  register(dependencyManager: DependencyManager): void {
    dependencyManager.registerInstance(InjectionSymbols.StorageService, new InMemoryStorageService())
  }
}

/**
 * `responseEncryption` (off by default) lets the agent's KMS encrypt by ECDH-ES, so that it can answer an
 * OpenID4VP request with response_mode direct_post.jwt; without it credo refuses such a request.
 */
export function createHolderAgent(options: { trustedCertificates: string[]; responseEncryption?: boolean }) {
  return new Agent({
    config: { allowInsecureHttpUrls: true },
    dependencies: nodeAgentDependencies,
    modules: {
      storage: new InMemoryStorageModule(),
      kms: new Kms.KeyManagementModule({
        backends: [new InMemoryKeyManagementService({ ecdhEs: options.responseEncryption ?? false })],
      }),
      x509: new X509Module({ trustedCertificates: options.trustedCertificates }),
      openid4vc: new OpenId4VcModule(),
    },
  })
}

export type HolderAgent = ReturnType<typeof createHolderAgent>
