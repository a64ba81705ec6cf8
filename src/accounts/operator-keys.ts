import { randomUUID } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { hashSecretKey, newSecretKey, sameSecretHash } from '../shared/secret-keys.js'
import { writeExecute } from '../store/write-transaction.js'

/** An operator key as it is listed: never its secret, never its hash. */
export interface OperatorKeyRecord {
  id: string
  label: string
  createdAt: string
  revokedAt: string | null
}

export interface CreatedOperatorKey extends OperatorKeyRecord {
  /** The secret itself: shown once, stored only as a hash. */
  key: string
}

/** The prefix of an operator key: tells it apart from a department's (`gck_`) and a relying party's (`grp_`). */
export const OPERATOR_KEY_PREFIX = 'gop_'
/** Longest label kept. */
export const OPERATOR_KEY_LABEL_MAX = 200

/**
 * The platform operator's API keys: random 256-bit secrets (`gop_…`), stored only as SHA-256 hashes,
 * revocable at once. An operator key registers relying parties (banks) and their keys over HTTP
 * (`requireOperator` in src/http/operator-auth.ts); it issues nothing and reads no credential.
 *
 * @example
 * const keys = new OperatorKeyStore(db)
 * const { id, key } = await keys.create('platform desk')   // show `key` once
 * await keys.authenticate(key)                              // { id, label, createdAt, revokedAt: null }
 * await keys.revoke(id)
 */
export class OperatorKeyStore {
  constructor(private readonly db: DataSource) {}

  async create(label: string): Promise<CreatedOperatorKey> {
    const key = newSecretKey(OPERATOR_KEY_PREFIX)
    const record: OperatorKeyRecord = {
      id: randomUUID(),
      label: label.slice(0, OPERATOR_KEY_LABEL_MAX),
      createdAt: new Date().toISOString(),
      revokedAt: null,
    }
    await writeExecute(this.db, `INSERT INTO govcred_operator_keys (id, keyHash, label, createdAt) VALUES (?, ?, ?, ?)`, [
      record.id,
      hashSecretKey(key),
      record.label,
      record.createdAt,
    ])
    return { ...record, key }
  }

  /** The active key behind a presented secret, or undefined when it is malformed, unknown or revoked. */
  async authenticate(presented: string): Promise<OperatorKeyRecord | undefined> {
    if (!presented.startsWith(OPERATOR_KEY_PREFIX) || presented.length > 128) return undefined
    const hash = hashSecretKey(presented)
    const rows = await this.db.query(
      `SELECT id, keyHash, label, createdAt, revokedAt FROM govcred_operator_keys WHERE keyHash = ? AND revokedAt IS NULL`,
      [hash],
    )
    const row = rows[0]
    if (!row || !sameSecretHash(row.keyHash, hash)) return undefined
    return { id: row.id, label: row.label, createdAt: row.createdAt, revokedAt: row.revokedAt }
  }

  /** Every operator key, oldest first (revoked ones too, with when). */
  async list(): Promise<OperatorKeyRecord[]> {
    return this.db.query(`SELECT id, label, createdAt, revokedAt FROM govcred_operator_keys ORDER BY createdAt, id`)
  }

  /** Revokes a key at once; false when there is no such active key. */
  async revoke(id: string): Promise<boolean> {
    return (
      (await writeExecute(this.db, `UPDATE govcred_operator_keys SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL`, [
        new Date().toISOString(),
        id,
      ])) > 0
    )
  }
}
