import type { DataSource } from 'typeorm'
import { OperatorKeyStore } from '../accounts/operator-keys.js'
import type { WebhookSettings } from '../config/webhook-settings.js'
import type { AppDeps } from '../http/app-deps.js'
import type { RelyingPartyStore } from '../verifying/relying-parties/relying-party-store.js'
import { VerifierIdentityStore } from '../verifying/relying-parties/verifier-identity-store.js'
import { WebhookSecrets } from '../verifying/relying-parties/webhook-secrets.js'

/**
 * What the HTTP app needs for the relying-party API of a node (full or verifier-only): the operator keys in
 * `db`, the node's relying parties and their identities, and webhook secrets sealed with the node's KMS secret
 * (or a function that reads it when a webhook is first registered).
 *
 * @example
 * createApp({ …, ...relyingPartyApiDeps(ctx.db, verifier.relyingParties, ctx.kmsSecret.secret, config.webhooks) })
 */
export function relyingPartyApiDeps(
  db: DataSource,
  parties: RelyingPartyStore,
  kmsSecretHex: string | (() => string),
  webhooks: Pick<WebhookSettings, 'allowLoopback'>,
): Pick<AppDeps, 'operatorKeys' | 'relyingPartyApi'> {
  return {
    operatorKeys: new OperatorKeyStore(db),
    relyingPartyApi: {
      parties,
      identities: new VerifierIdentityStore(db),
      webhookSecrets: new WebhookSecrets(kmsSecretHex),
      allowLoopbackWebhooks: webhooks.allowLoopback,
    },
  }
}
