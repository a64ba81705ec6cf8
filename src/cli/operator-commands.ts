import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { OperatorKeyStore } from '../accounts/operator-keys.js'
import { relyingPartyDatabase } from '../config/verifier-access-settings.js'
import { openDatabase } from '../store/open-database.js'
import { allMigrations, verifierMigrations } from '../store/migrations/index.js'
import { CliError } from './governance-commands.js'

export interface OperatorFlags {
  label?: string
  /** The verifier-only node's database (`$GOVCRED_DATA_DIR/verifier.sqlite`, default ./data-verifier). */
  verifier?: boolean
}

/**
 * `govcred operator key-create|key-list|key-revoke`: the platform operator's API keys in this node's database
 * (the full node's `govcred.sqlite`, or with `--verifier` the verifier-only node's `verifier.sqlite`). An
 * operator key registers relying parties over HTTP (`/v1/relying-parties`); it is printed once, kept only as
 * a hash, and a revoked key is refused at once. Needs no chain; works while the node runs.
 *
 * @example
 * await operatorCommand('key-create', undefined, { label: 'platform desk' }) // { id, key: 'gop_…', label, createdAt, revokedAt: null }
 */
export async function operatorCommand(sub: string | undefined, arg: string | undefined, flags: OperatorFlags): Promise<unknown> {
  const database = relyingPartyDatabase(process.env, { verifier: flags.verifier === true })
  mkdirSync(dirname(database.file), { recursive: true, mode: 0o700 })
  const db = await openDatabase(database.file, database.kind === 'full' ? allMigrations : verifierMigrations)
  try {
    const keys = new OperatorKeyStore(db)
    switch (sub) {
      case 'key-create': {
        const label = flags.label?.trim() || 'created with the CLI'
        if (label.length > 200 || /\p{Cc}/u.test(label)) throw new CliError('--label is at most 200 characters, without control characters')
        const created = await keys.create(label)
        process.stderr.write('Store this operator key now: it is shown once and kept only as a hash.\n')
        return created
      }
      case 'key-list':
        return await keys.list()
      case 'key-revoke':
        if (!arg) throw new CliError('operator key-revoke needs a KEY_ID')
        if (!(await keys.revoke(arg))) throw new CliError(`no active operator key ${arg}`)
        return { id: arg, revoked: true }
      default:
        throw new CliError(`unknown operator command "${sub ?? ''}" (key-create, key-list, key-revoke)`)
    }
  } finally {
    await db.destroy()
  }
}
