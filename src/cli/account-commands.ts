import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import type { DataSource } from 'typeorm'
import { ACCOUNT_KINDS, AccountError, type Account, type AccountKind, type AccountRole } from '../accounts/account-model.js'
import { PortalAccounts } from '../accounts/portal-accounts.js'
import { readAccountSettings } from '../config/account-settings.js'
import { ConfigError } from '../config/config-error.js'
import { envReader } from '../config/env-reader.js'
import { relyingPartyDatabase, type RelyingPartyDatabase } from '../config/verifier-access-settings.js'
import { DepartmentStore } from '../issuing/departments/department-store.js'
import { openDatabase } from '../store/open-database.js'
import { allMigrations, verifierMigrations } from '../store/migrations/index.js'
import { RelyingPartyStore } from '../verifying/relying-parties/relying-party-store.js'
import { CliError } from './governance-commands.js'

export interface AccountFlags {
  kind?: string
  org?: string
  username?: string
  role?: string
  /** The display name (`--name`). */
  name?: string
  /** The verifier-only node's database (bank officers and operators of a bank's own node). */
  verifier?: boolean
  /** Read the password from standard input instead of generating one. */
  'password-stdin'?: boolean
}

/**
 * `govcred account create|list|disable|reset-password|unlock`: the portal's accounts in this node's database
 * (the full node's `govcred.sqlite`, or with `--verifier` the verifier-only node's `verifier.sqlite`). Needs no
 * chain and works while the node runs. A password is generated (24 characters, printed once) unless
 * `--password-stdin` gives it; only its scrypt hash is kept.
 *
 * @example
 * await accountCommand('create', undefined, { kind: 'department', org: 'market-supervision', username: 'li.na', role: 'clerk' })
 */
export async function accountCommand(
  sub: string | undefined,
  arg: string | undefined,
  flags: AccountFlags,
  stdin: Readable = process.stdin,
): Promise<unknown> {
  const read = envReader(process.env)
  const settings = readAccountSettings(read)
  if (read.problems.length > 0) throw new ConfigError(read.problems)
  const database = relyingPartyDatabase(process.env, { verifier: flags.verifier === true })
  mkdirSync(dirname(database.file), { recursive: true, mode: 0o700 })
  const db = await openDatabase(database.file, database.kind === 'full' ? allMigrations : verifierMigrations)
  try {
    const portal = new PortalAccounts(db, settings)
    const password = flags['password-stdin'] ? await readPassword(stdin) : undefined
    switch (sub) {
      case 'create': {
        const missing = ['kind', 'username', 'role'].filter((f) => !flags[f as keyof AccountFlags])
        if (flags.kind !== 'platform' && !flags.org) missing.push('org')
        if (missing.length > 0) throw new CliError(`account create needs --${missing.join(', --')}`)
        if (!ACCOUNT_KINDS.includes(flags.kind as AccountKind)) throw new CliError(`--kind must be one of ${ACCOUNT_KINDS.join(', ')}`)
        await assertOrganization(db, database, flags.kind as AccountKind, flags.org)
        const created = await portal.create(
          {
            kind: flags.kind as AccountKind,
            orgId: flags.org ?? '',
            username: flags.username!,
            role: flags.role as AccountRole,
            ...(flags.name !== undefined ? { displayName: flags.name } : {}),
          },
          password,
        )
        process.stderr.write(password ? 'Account created.\n' : 'Hand this password over now: it is shown once and kept only as a hash.\n')
        return { ...listed(created.account), ...(password ? {} : { password: created.password }) }
      }
      case 'list':
        return (await portal.accounts.list({ kind: flags.kind as AccountKind | undefined, orgId: flags.org })).map(listed)
      case 'disable':
        return listed(await portal.disable(usernameOf(sub, arg)))
      case 'reset-password': {
        const reset = await portal.resetPassword(usernameOf(sub, arg), password)
        process.stderr.write(
          password
            ? 'Password set; the account’s sessions ended.\n'
            : 'Hand this password over now: it is shown once. The account’s sessions ended.\n',
        )
        return { ...listed(reset.account), ...(password ? {} : { password: reset.password }) }
      }
      case 'unlock':
        return listed(await portal.unlock(usernameOf(sub, arg)))
      default:
        throw new CliError(`unknown account command "${sub ?? ''}"`)
    }
  } catch (error) {
    if (error instanceof AccountError) throw new CliError(error.message)
    throw error
  } finally {
    await db.destroy()
  }
}

/** An account as `list` shows it: its state in words beside the fields (never a hash). */
function listed(account: Account) {
  const locked = account.lockedUntil !== null && Date.parse(account.lockedUntil) > Date.now()
  return { ...account, state: account.disabledAt ? 'disabled' : locked ? 'locked' : 'active' }
}

function usernameOf(sub: string, arg: string | undefined): string {
  if (!arg) throw new CliError(`account ${sub} needs a USERNAME`)
  return arg
}

/** The organisation an account belongs to must be on this node (where its database knows of such organisations). */
async function assertOrganization(
  db: DataSource,
  database: RelyingPartyDatabase,
  kind: AccountKind,
  orgId: string | undefined,
): Promise<void> {
  if (kind === 'department') {
    if (database.kind === 'verifier')
      throw new CliError('a verifier-only node has no departments: create department accounts on the full node')
    if (!(await new DepartmentStore(db).get(orgId!))) throw new CliError(`no department ${orgId} on this node ("govcred department list")`)
  }
  if (kind === 'relying-party' && !(await new RelyingPartyStore(db).get(orgId!))) {
    throw new CliError(
      `no relying party ${orgId} on this node ("govcred relying-party list${database.kind === 'verifier' ? ' --verifier' : ''}")`,
    )
  }
}

/** The password on standard input (one line; the line break is not part of it). */
async function readPassword(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin) {
    chunks.push(Buffer.from(chunk))
    if (Buffer.concat(chunks).length > 4096) throw new CliError('--password-stdin: the password is too long')
  }
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
  if (password.length === 0) throw new CliError('--password-stdin: no password on standard input')
  return password
}
