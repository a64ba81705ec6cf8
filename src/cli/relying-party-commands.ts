import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { relyingPartyDatabase, type RelyingPartyDatabase } from '../config/verifier-access-settings.js'
import { webhookSettingsFromEnv } from '../config/webhook-settings.js'
import { isAppError } from '../shared/errors/app-error.js'
import { openDatabase } from '../store/open-database.js'
import { allMigrations, verifierMigrations } from '../store/migrations/index.js'
import { RelyingPartyStore, type RelyingParty } from '../verifying/relying-parties/relying-party-store.js'
import { VerifierIdentityStore } from '../verifying/relying-parties/verifier-identity-store.js'
import { clientIdOf } from '../verifying/relying-parties/verifier-identity.js'
import { certificateFingerprint } from '../verifying/relying-parties/verifier-certificate.js'
import { checkWebhookUrl } from '../verifying/relying-parties/webhook-url.js'
import { WebhookSecrets } from '../verifying/relying-parties/webhook-secrets.js'
import { WebhookOutbox } from '../verifying/relying-parties/webhook-outbox.js'
import { CliError } from './governance-commands.js'
import { certifyCsr, installCertificate, makeCsr, nodeKmsSecret, type CertificateFlags } from './relying-party-certificate-commands.js'

export interface RelyingPartyFlags extends CertificateFlags {
  id?: string
  name?: string
  'name-en'?: string
  label?: string
  /** The DNS name of its verifier identity (client_id `x509_san_dns:<domain>`); default the node's public host. */
  domain?: string
  verifier?: boolean
  /** Where its presentation results are announced (https; http only to this machine, when allowed). */
  'webhook-url'?: string
}

/**
 * `govcred relying-party create|list|key-create|key-revoke|webhook-set|webhook-remove|webhook-events`:
 * registers banks and other verifiers, their API keys and their webhooks in this node's database (the full
 * node's `govcred.sqlite`, or with `--verifier` the verifier-only node's `verifier.sqlite`). Needs no chain; works while the node runs. The verifier identity
 * (request-object key and certificate) is made by a full node on first use; a verifier-only node's is made
 * with `csr` (there), `certify` (on a full node) and `install-certificate` (there). `list` shows its client_id
 * and the certificate's SHA-256 fingerprint once it exists.
 *
 * @example
 * await relyingPartyCommand('create', undefined, { id: 'bank-of-nanjing', name: '南京银行', 'name-en': 'Bank of Nanjing' })
 */
export async function relyingPartyCommand(sub: string | undefined, arg: string | undefined, flags: RelyingPartyFlags): Promise<unknown> {
  const database = relyingPartyDatabase(process.env, { verifier: flags.verifier === true })
  mkdirSync(dirname(database.file), { recursive: true, mode: 0o700 })
  // Checked before anything is stored: a refused webhook URL registers nothing.
  const webhookUrl = flags['webhook-url'] === undefined ? undefined : checkWebhookUrlFlag(flags['webhook-url'], database)
  // The consortium operator's: reads the root CA of the data directory, not the database.
  if (sub === 'certify') return certifyCsr(database, flags)
  const db = await openDatabase(database.file, database.kind === 'full' ? allMigrations : verifierMigrations)
  try {
    const parties = new RelyingPartyStore(db)
    switch (sub) {
      case 'create': {
        const missing = ['id', 'name'].filter((f) => !flags[f as 'id' | 'name'])
        if (missing.length > 0) throw new CliError(`relying-party create needs --${missing.join(', --')}`)
        const secrets = webhookUrl === undefined ? undefined : webhookSecrets(database)
        const party = await parties.create({
          id: flags.id!,
          nameZh: flags.name!,
          nameEn: flags['name-en'] ?? flags.name!,
          ...(flags.domain !== undefined ? { domain: flags.domain } : {}),
        })
        const key = await parties.createKey(party.id, flags.label ?? 'created with the CLI')
        const webhook = webhookUrl === undefined ? undefined : await setWebhook(parties, secrets!, party.id, webhookUrl)
        process.stderr.write(`Store this key${webhook ? ' and the webhook secret' : ''} now: shown once, never again.\n`)
        return {
          ...party,
          clientId: clientIdOf(party),
          apiKey: { id: key.id, key: key.key, label: key.label, createdAt: key.createdAt },
          ...(webhook ? { webhook } : {}),
        }
      }
      case 'webhook-set': {
        if (!flags.id || webhookUrl === undefined) throw new CliError('relying-party webhook-set needs --id and --webhook-url')
        if (!(await parties.get(flags.id))) throw new CliError(`no relying party ${flags.id}`)
        const webhook = await setWebhook(parties, webhookSecrets(database), flags.id, webhookUrl)
        process.stderr.write('Store this webhook secret now: it is shown once (the previous one no longer signs).\n')
        return { id: flags.id, webhook }
      }
      case 'webhook-remove': {
        if (!flags.id) throw new CliError('relying-party webhook-remove needs --id')
        if (!(await parties.setWebhook(flags.id, null))) throw new CliError(`no relying party ${flags.id}`)
        return { id: flags.id, webhook: null }
      }
      case 'webhook-events': {
        if (!flags.id) throw new CliError('relying-party webhook-events needs --id')
        return (await new WebhookOutbox(db).list(flags.id)).map(({ body: _body, ...event }) => event)
      }
      case 'list': {
        const identities = new VerifierIdentityStore(db)
        const listed = []
        for (const party of await parties.list()) listed.push({ ...party, ...(await identityOf(party, identities)) })
        return listed
      }
      case 'csr':
        return await makeCsr(db, database, flags)
      case 'install-certificate':
        return await installCertificate(db, database, flags)
      case 'key-create': {
        if (!flags.id) throw new CliError('relying-party key-create needs --id')
        const key = await parties.createKey(flags.id, flags.label ?? 'created with the CLI')
        process.stderr.write('Store this key now: it is shown once and kept only as a hash.\n')
        return key
      }
      case 'key-revoke':
        if (!arg) throw new CliError('relying-party key-revoke needs a KEY_ID')
        if (!(await parties.revokeKey(arg))) throw new CliError(`no active relying-party key ${arg}`)
        return { id: arg, revoked: true }
      default:
        throw new CliError(`unknown relying-party command "${sub ?? ''}"`)
    }
  } catch (error) {
    if (isAppError(error)) throw new CliError(error.message)
    throw error
  } finally {
    await db.destroy()
  }
}

/** A --webhook-url as the node will deliver to it (GOVCRED_WEBHOOK_ALLOW_LOOPBACK decides on loopback). */
function checkWebhookUrlFlag(url: string, database: RelyingPartyDatabase): string {
  const { allowLoopback } = webhookSettingsFromEnv(process.env, { verifier: database.kind === 'verifier' })
  try {
    return checkWebhookUrl(url, { allowLoopback })
  } catch (error) {
    if (isAppError(error)) throw new CliError(error.message)
    throw error
  }
}

/**
 * The sealer of webhook secrets under the node's KMS secret: GOVCRED_KMS_SECRET, or the data directory's
 * `kms-secret` file (the verifier-only node keeps one there); never a new one beside a full node's database.
 */
function webhookSecrets(database: RelyingPartyDatabase): WebhookSecrets {
  return new WebhookSecrets(nodeKmsSecret(database))
}

/** Registers the webhook with a new secret; answers what is shown once. */
async function setWebhook(parties: RelyingPartyStore, secrets: WebhookSecrets, id: string, url: string) {
  const { secret, sealed } = secrets.create(id)
  await parties.setWebhook(id, { url, sealedSecret: sealed })
  return { url, secret, signature: 'Govcred-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>' }
}

/** What `list` shows of a party's verifier identity: its client_id and its newest certificate for that domain. */
async function identityOf(party: RelyingParty, identities: VerifierIdentityStore) {
  const newest = party.domain ? (await identities.list(party.id)).filter((r) => r.domain === party.domain).pop() : undefined
  return {
    clientId: clientIdOf(party),
    verifierCertificate: newest
      ? {
          sha256: await certificateFingerprint(newest.certificate),
          kid: newest.kid,
          notAfter: newest.notAfter,
          createdAt: newest.createdAt,
        }
      : null,
  }
}
