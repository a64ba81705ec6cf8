import type { DataSource } from 'typeorm'
import { Openid4vpVerifier } from '../verifying/openid4vp/openid4vp-verifier.js'
import { LocalVerifierKeys } from '../verifying/relying-parties/local-verifier-keys.js'
import type { VerifierService } from '../verifying/verifier-service.js'
import { createInstalledRelyingPartyIdentities } from './relying-party-identity-services.js'

export interface VerifierNodeOpenid4vpOptions {
  db: DataSource
  verifier: VerifierService
  /** DATA_DIR/kms-secret, read when a party's key is first opened (it sealed the keys `relying-party csr` made). */
  kmsSecret: () => string
  /** The node's public URL: request and response URIs live under it. */
  publicUrl: () => string
  /** GOVCRED_ISSUER_URLS: the issuing nodes under whose URLs the credential types (vct) are named. */
  issuerUrls: readonly string[]
}

/**
 * The OpenID4VP 1.0 verifier of a verifier-only node: request objects signed with the relying parties'
 * installed identities (their keys sealed in `verifier.sqlite`, their certificates from the consortium root),
 * responses verified against the chain alone by the node's verifier service; answers reach the parties'
 * webhooks through the same request store.
 *
 * @example
 * const openid4vp = createVerifierNodeOpenid4vp({ db, verifier, kmsSecret, publicUrl: () => url, issuerUrls: config.issuerUrls })
 */
export function createVerifierNodeOpenid4vp(options: VerifierNodeOpenid4vpOptions): Openid4vpVerifier {
  const { verifier } = options
  return new Openid4vpVerifier({
    requests: verifier.deps.requests,
    parties: verifier.relyingParties,
    identities: createInstalledRelyingPartyIdentities(options.db, new LocalVerifierKeys(options.db, options.kmsSecret)),
    ctx: verifier.deps,
    ensureFresh: () => verifier.watcher.ensureFresh(),
    publicUrl: options.publicUrl,
    // The credentials' vcts name their issuing nodes, not this one: none configured refuses requests (422).
    issuerUrls: () => options.issuerUrls,
  })
}
