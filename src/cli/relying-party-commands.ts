import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { relyingPartyDatabase } from '../config/verifier-access-settings.js'
import { isAppError } from '../shared/errors/app-error.js'
import { openDatabase } from '../store/open-database.js'
import { allMigrations, verifierMigrations } from '../store/migrations/index.js'
import { RelyingPartyStore, type RelyingParty } from '../verifying/relying-parties/relying-party-store.js'
import { VerifierIdentityStore } from '../verifying/relying-parties/verifier-identity-store.js'
import { clientIdOf } from '../verifying/relying-parties/verifier-identity.js'
import { certificateFingerprint } from '../verifying/relying-parties/verifier-certificate.js'
import { CliError } from './governance-commands.js'

export interface RelyingPartyFlags {
  id?: string
  name?: string
  'name-en'?: string
  label?: string
  /** The DNS name of its verifier identity (client_id `x509_san_dns:<domain>`); default the node's public host. */
  domain?: string
  verifier?: boolean
}

/**
 * `govcred relying-party create|list|key-create|key-revoke`: registers banks and other verifiers and their
 * API keys in this node's database (the full node's `govcred.sqlite`, or with `--verifier` the
 * verifier-only node's `verifier.sqlite`). Needs no chain; works while the node runs. The verifier identity
 * (request-object key and certificate) is made by the node on first use; `list` shows its client_id and the
 * certificate's SHA-256 fingerprint once it exists.
 *
 * @example
 * await relyingPartyCommand('create', undefined, { id: 'bank-of-nanjing', name: '南京银行', 'name-en': 'Bank of Nanjing' })
 */
export async function relyingPartyCommand(sub: string | undefined, arg: string | undefined, flags: RelyingPartyFlags): Promise<unknown> {
  const database = relyingPartyDatabase(process.env, { verifier: flags.verifier === true })
  mkdirSync(dirname(database.file), { recursive: true, mode: 0o700 })
  const db = await openDatabase(database.file, database.kind === 'full' ? allMigrations : verifierMigrations)
  try {
    const parties = new RelyingPartyStore(db)
    switch (sub) {
      case 'create': {
        const missing = ['id', 'name'].filter((f) => !flags[f as 'id' | 'name'])
        if (missing.length > 0) throw new CliError(`relying-party create needs --${missing.join(', --')}`)
        const party = await parties.create({
          id: flags.id!,
          nameZh: flags.name!,
          nameEn: flags['name-en'] ?? flags.name!,
          ...(flags.domain !== undefined ? { domain: flags.domain } : {}),
        })
        const key = await parties.createKey(party.id, flags.label ?? 'created with the CLI')
        process.stderr.write('Store this key now: it is shown once and kept only as a hash.\n')
        return { ...party, clientId: clientIdOf(party), apiKey: { id: key.id, key: key.key, label: key.label, createdAt: key.createdAt } }
      }
      case 'list': {
        const identities = new VerifierIdentityStore(db)
        const listed = []
        for (const party of await parties.list()) listed.push({ ...party, ...(await identityOf(party, identities)) })
        return listed
      }
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
