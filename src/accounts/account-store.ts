import { randomUUID } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { writeExecute } from '../store/write-transaction.js'
import { AccountError, normalizeUsername, type Account, type AccountKind, type NewAccount } from './account-model.js'

/** An account with its password hash: only sign-in and password changes see it. */
export interface AccountWithSecret extends Account {
  passwordHash: string
}

const PUBLIC_COLUMNS = 'id, kind, orgId, username, displayName, role, failedAttempts, lockedUntil, createdAt, disabledAt, passwordChangedAt'

/**
 * The portal accounts (govcred_accounts): who they are, their scrypt password hashes and their lockout state.
 * Every write is one statement under the process's write lock; a wrong password is counted by one
 * conditional UPDATE, so concurrent attempts cannot slip past the limit.
 *
 * @example
 * const account = await store.insert({ kind: 'department', orgId: 'market-supervision', username: 'li.na', role: 'clerk' }, hash)
 * await store.recordFailure(account.id, new Date(), 5, 900)
 */
export class AccountStore {
  constructor(private readonly db: DataSource) {}

  /** Adds an account; AccountError when the username is taken (usernames are never reused, disabled ones included). */
  async insert(input: NewAccount, passwordHash: string, now = new Date()): Promise<Account> {
    const at = now.toISOString()
    const account: Account = {
      id: randomUUID(),
      kind: input.kind,
      orgId: input.orgId,
      username: input.username,
      displayName: input.displayName ?? input.username,
      role: input.role,
      createdAt: at,
      disabledAt: null,
      passwordChangedAt: at,
      failedAttempts: 0,
      lockedUntil: null,
    }
    try {
      await writeExecute(
        this.db,
        `INSERT INTO govcred_accounts (id, kind, orgId, username, displayName, role, passwordHash, createdAt, passwordChangedAt)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [account.id, account.kind, account.orgId, account.username, account.displayName, account.role, passwordHash, at, at],
      )
    } catch (error) {
      if (/UNIQUE constraint failed: govcred_accounts\.username/.test(String((error as Error)?.message))) {
        throw new AccountError(`the username ${account.username} is taken`)
      }
      throw error
    }
    return account
  }

  /** The account and its hash for a username (any case), or undefined. */
  async withSecret(username: string): Promise<AccountWithSecret | undefined> {
    const rows = await this.db.query(`SELECT ${PUBLIC_COLUMNS}, passwordHash FROM govcred_accounts WHERE username = ?`, [
      normalizeUsername(username),
    ])
    return rows[0] && { ...fromRow(rows[0]), passwordHash: rows[0].passwordHash }
  }

  async get(id: string): Promise<Account | undefined> {
    const rows = await this.db.query(`SELECT ${PUBLIC_COLUMNS} FROM govcred_accounts WHERE id = ?`, [id])
    return rows[0] && fromRow(rows[0])
  }

  async byUsername(username: string): Promise<Account | undefined> {
    const rows = await this.db.query(`SELECT ${PUBLIC_COLUMNS} FROM govcred_accounts WHERE username = ?`, [normalizeUsername(username)])
    return rows[0] && fromRow(rows[0])
  }

  /** Every account (of a kind, of an organisation), by organisation and username. */
  async list(filter: { kind?: AccountKind; orgId?: string } = {}): Promise<Account[]> {
    const where: string[] = []
    const params: string[] = []
    if (filter.kind) {
      where.push('kind = ?')
      params.push(filter.kind)
    }
    if (filter.orgId) {
      where.push('orgId = ?')
      params.push(filter.orgId)
    }
    const rows = await this.db.query(
      `SELECT ${PUBLIC_COLUMNS} FROM govcred_accounts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY kind, orgId, username`,
      params,
    )
    return rows.map(fromRow)
  }

  /**
   * Counts one wrong password. The `maxFailures`-th in a row locks the account for `lockoutSeconds` and starts
   * the count again. Answers the account's lock (null while it is not locked).
   */
  async recordFailure(id: string, now: Date, maxFailures: number, lockoutSeconds: number): Promise<{ lockedUntil: string | null }> {
    const until = new Date(now.getTime() + lockoutSeconds * 1000).toISOString()
    await writeExecute(
      this.db,
      `UPDATE govcred_accounts SET
         lockedUntil = CASE WHEN failedAttempts + 1 >= ? THEN ? ELSE lockedUntil END,
         failedAttempts = CASE WHEN failedAttempts + 1 >= ? THEN 0 ELSE failedAttempts + 1 END
       WHERE id = ?`,
      [maxFailures, until, maxFailures, id],
    )
    const lockedUntil = (await this.get(id))?.lockedUntil ?? null
    return { lockedUntil: lockedUntil !== null && lockedUntil > now.toISOString() ? lockedUntil : null }
  }

  /** A successful sign-in: the count of wrong passwords starts again. */
  async recordSuccess(id: string): Promise<void> {
    await writeExecute(
      this.db,
      `UPDATE govcred_accounts SET failedAttempts = 0, lockedUntil = NULL WHERE id = ? AND (failedAttempts != 0 OR lockedUntil IS NOT NULL)`,
      [id],
    )
  }

  /** Ends a lockout and the count of wrong passwords; false when there is no such account. */
  async unlock(id: string): Promise<boolean> {
    return (await writeExecute(this.db, `UPDATE govcred_accounts SET failedAttempts = 0, lockedUntil = NULL WHERE id = ?`, [id])) > 0
  }

  /** A new password hash (a change or a reset); the lockout ends with it. */
  async setPassword(id: string, passwordHash: string, now = new Date()): Promise<boolean> {
    return (
      (await writeExecute(
        this.db,
        `UPDATE govcred_accounts SET passwordHash = ?, passwordChangedAt = ?, failedAttempts = 0, lockedUntil = NULL WHERE id = ?`,
        [passwordHash, now.toISOString(), id],
      )) > 0
    )
  }

  /** The same password's hash with today's parameters (after a sign-in); passwordChangedAt stays. */
  async rehash(id: string, passwordHash: string): Promise<void> {
    await writeExecute(this.db, `UPDATE govcred_accounts SET passwordHash = ? WHERE id = ?`, [passwordHash, id])
  }

  /** Disables an account for good; false when there is no such account or it was disabled already. */
  async disable(id: string, now = new Date()): Promise<boolean> {
    return (
      (await writeExecute(this.db, `UPDATE govcred_accounts SET disabledAt = ? WHERE id = ? AND disabledAt IS NULL`, [
        now.toISOString(),
        id,
      ])) > 0
    )
  }
}

function fromRow(row: Record<string, unknown>): Account {
  return {
    id: String(row.id),
    kind: row.kind as Account['kind'],
    orgId: String(row.orgId),
    username: String(row.username),
    displayName: String(row.displayName),
    role: row.role as Account['role'],
    createdAt: String(row.createdAt),
    disabledAt: (row.disabledAt as string | null) ?? null,
    passwordChangedAt: String(row.passwordChangedAt),
    failedAttempts: Number(row.failedAttempts),
    lockedUntil: (row.lockedUntil as string | null) ?? null,
  }
}
