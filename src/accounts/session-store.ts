import type { DataSource } from 'typeorm'
import { writeExecute } from '../store/write-transaction.js'

/** A session row: known by the SHA-256 of its cookie value (`idHash`), never the value. */
export interface SessionRecord {
  idHash: string
  accountId: string
  /** Sent back in X-CSRF-Token on every unsafe request of the session. */
  csrfToken: string
  createdAt: string
  /** The absolute end (createdAt + GOVCRED_SESSION_MAX_SECONDS). */
  expiresAt: string
  /** The last request seen (to within a small step), for the idle timeout. */
  lastSeenAt: string
}

/**
 * The portal's sessions (govcred_sessions). A stolen database holds no usable session: the cookie value is
 * 256 random bits and only its hash is kept.
 *
 * @example
 * await sessions.insert(record)
 * const found = await sessions.get(idHash)
 */
export class SessionStore {
  constructor(private readonly db: DataSource) {}

  async insert(record: SessionRecord): Promise<void> {
    await writeExecute(
      this.db,
      `INSERT INTO govcred_sessions (idHash, accountId, csrfToken, createdAt, expiresAt, lastSeenAt) VALUES (?, ?, ?, ?, ?, ?)`,
      [record.idHash, record.accountId, record.csrfToken, record.createdAt, record.expiresAt, record.lastSeenAt],
    )
  }

  async get(idHash: string): Promise<SessionRecord | undefined> {
    const rows: SessionRecord[] = await this.db.query(
      `SELECT idHash, accountId, csrfToken, createdAt, expiresAt, lastSeenAt FROM govcred_sessions WHERE idHash = ?`,
      [idHash],
    )
    return rows[0]
  }

  /** Records activity; only moves forward. */
  async touch(idHash: string, at: string): Promise<void> {
    await writeExecute(this.db, `UPDATE govcred_sessions SET lastSeenAt = ? WHERE idHash = ? AND lastSeenAt < ?`, [at, idHash, at])
  }

  async delete(idHash: string): Promise<boolean> {
    return (await writeExecute(this.db, `DELETE FROM govcred_sessions WHERE idHash = ?`, [idHash])) > 0
  }

  /** Ends every session of an account (disabled, password reset), or every other one (`except`, a password change). */
  async deleteForAccount(accountId: string, except?: string): Promise<number> {
    return except === undefined
      ? writeExecute(this.db, `DELETE FROM govcred_sessions WHERE accountId = ?`, [accountId])
      : writeExecute(this.db, `DELETE FROM govcred_sessions WHERE accountId = ? AND idHash != ?`, [accountId, except])
  }

  /** Forgets sessions past their absolute end or idle since before `idleSince`; answers how many. */
  async purgeExpired(now: string, idleSince: string): Promise<number> {
    return writeExecute(this.db, `DELETE FROM govcred_sessions WHERE expiresAt <= ? OR lastSeenAt <= ?`, [now, idleSince])
  }

  async countForAccount(accountId: string): Promise<number> {
    const rows = await this.db.query(`SELECT COUNT(*) AS n FROM govcred_sessions WHERE accountId = ?`, [accountId])
    return Number(rows[0]?.n ?? 0)
  }
}
