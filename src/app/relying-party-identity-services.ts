import type { DataSource } from 'typeorm'
import type { ServiceContext } from './service-context.js'
import type { LocalVerifierKeys } from '../verifying/relying-parties/local-verifier-keys.js'
import { RelyingPartyStore } from '../verifying/relying-parties/relying-party-store.js'
import { RelyingPartyIdentities } from '../verifying/relying-parties/verifier-identity.js'
import { VerifierIdentityStore } from '../verifying/relying-parties/verifier-identity-store.js'

/**
 * The relying parties' verifier identities of a full node: keys in its Veramo KMS (encrypted at rest with the
 * KMS secret), certificates from the consortium root CA that also certifies the departments' issuing keys, and
 * the host of GOVCRED_PUBLIC_URL as the domain of a party registered without one.
 */
export function createRelyingPartyIdentities(
  ctx: Pick<ServiceContext, 'agent' | 'db' | 'issuerRootCa' | 'config'>,
): RelyingPartyIdentities {
  const { agent } = ctx
  const host = new URL(ctx.config.publicUrl).hostname.replace(/^\[|\]$/g, '')
  return new RelyingPartyIdentities({
    parties: new RelyingPartyStore(ctx.db),
    store: new VerifierIdentityStore(ctx.db),
    selfCertification: { authority: ctx.issuerRootCa, defaultDomain: () => host },
    keys: {
      async createP256Key(meta) {
        const managed = await agent.keyManagerCreate({ kms: 'local', type: 'Secp256r1', meta })
        return { kmsKeyId: managed.kid, publicKeyHex: managed.publicKeyHex }
      },
      async signEs256(kmsKeyId, data) {
        const signature = await agent.keyManagerSign({
          keyRef: kmsKeyId,
          algorithm: 'ES256',
          data: Buffer.from(data).toString('hex'),
          encoding: 'base16',
        })
        return new Uint8Array(Buffer.from(signature, 'base64url'))
      },
    },
  })
}

/**
 * The relying parties' verifier identities of a verifier-only node: it holds no root CA and makes nothing on
 * its own. Each party's key was made here (`govcred relying-party csr`, sealed in `verifier.sqlite` under
 * DATA_DIR/kms-secret) and its certificate, from the consortium root, installed by the operator
 * (`install-certificate`); until then its OpenID4VP requests are refused with the commands that fix it.
 */
export function createInstalledRelyingPartyIdentities(db: DataSource, keys: LocalVerifierKeys): RelyingPartyIdentities {
  return new RelyingPartyIdentities({ parties: new RelyingPartyStore(db), store: new VerifierIdentityStore(db), keys })
}
