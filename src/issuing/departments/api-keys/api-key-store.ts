import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { execute } from '../../../store/execute.js'
import { writeTransaction } from '../../../store/write-transaction.js'

export interface ApiKeyRecord {
  id: string
  departmentId: string
  scopes: string[]
  label: string
  createdAt: string
  revokedAt: string | null
}

export interface CreatedApiKey extends ApiKeyRecord {
  /** The secret itself: shown once, stored only as a hash. */
  key: string
}

const PREFIX = 'gck_'

/** SHA-256 suffices: keys are 256-bit random, so there is nothing to brute-force. */
const RECENT_KEY_MS = 1000
const RECENT_KEYS_MAX = 10_000

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex')

/**
 * Department API keys: random 256-bit secrets, stored only as hashes, scoped to credential types.
 *
 * @example
 * const { key } = await store.create('market-supervision', ['BusinessLicenseCredential'], 'clerk system')
 */
export class ApiKeyStore {
  /**
   * Keys that authenticated in the last second, by hash: a busy caller costs no read per request. A revocation
   * through this store forgets them all at once; one made by another process is seen within RECENT_KEY_MS.
   */
  private readonly recent = new Map<string, { record: ApiKeyRecord; at: number }>()

  constructor(private readonly db: DataSource) {}

  async create(departmentId: string, scopes: string[], label: string): Promise<CreatedApiKey> {
    const key = `${PREFIX}${randomBytes(32).toString('base64url')}`
    const record: ApiKeyRecord = {
      id: randomUUID(),
      departmentId,
      scopes: [...scopes],
      label,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    }
    // Through the write queue: a plain write on the shared SQLite connection would be undone by another
    // request's transaction rolling back at the same time.
    await writeTransaction(this.db, (m) =>
      m.query(`INSERT INTO govcred_api_keys (id, departmentId, keyHash, scopes, label, createdAt) VALUES (?, ?, ?, ?, ?, ?)`, [
        record.id,
        departmentId,
        hashApiKey(key),
        JSON.stringify(scopes),
        label,
        record.createdAt,
      ]),
    )
    return { ...record, key }
  }

  /** The active key record for a presented secret, or undefined. */
  async authenticate(presented: string): Promise<ApiKeyRecord | undefined> {
    if (!presented.startsWith(PREFIX) || presented.length > 128) return undefined
    const hash = hashApiKey(presented)
    const remembered = this.recent.get(hash)
    if (remembered && performance.now() - remembered.at < RECENT_KEY_MS) return structuredClone(remembered.record)
    const record = await this.lookup(hash)
    if (this.recent.size >= RECENT_KEYS_MAX) this.recent.clear()
    if (record) this.recent.set(hash, { record: structuredClone(record), at: performance.now() })
    else this.recent.delete(hash)
    return record
  }

  private async lookup(hash: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query(`SELECT * FROM govcred_api_keys WHERE keyHash = ? AND revokedAt IS NULL`, [hash])
    const row = rows[0]
    if (!row || !timingSafeEqual(Buffer.from(row.keyHash, 'hex'), Buffer.from(hash, 'hex'))) return undefined
    return toRecord(row)
  }

  async revoke(id: string): Promise<boolean> {
    this.recent.clear()
    const changed = await writeTransaction(this.db, (m) =>
      execute(m, `UPDATE govcred_api_keys SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL`, [new Date().toISOString(), id]),
    )
    // Again once committed: an authentication that read the key meanwhile must not keep it.
    this.recent.clear()
    return changed > 0
  }

  async list(departmentId?: string): Promise<ApiKeyRecord[]> {
    const rows = departmentId
      ? await this.db.query(`SELECT * FROM govcred_api_keys WHERE departmentId = ? ORDER BY createdAt`, [departmentId])
      : await this.db.query(`SELECT * FROM govcred_api_keys ORDER BY departmentId, createdAt`)
    return rows.map(toRecord)
  }
}

function toRecord(row: Record<string, string | null>): ApiKeyRecord {
  return {
    id: row.id!,
    departmentId: row.departmentId!,
    scopes: JSON.parse(row.scopes!),
    label: row.label!,
    createdAt: row.createdAt!,
    revokedAt: row.revokedAt,
  }
}
