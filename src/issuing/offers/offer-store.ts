import type { DataSource, EntityManager } from 'typeorm'
import { execute } from '../../store/execute.js'
import { writeExecute } from '../../store/write-transaction.js'

export type OfferFormat = 'dc+sd-jwt' | 'jwt_vc_json'

/** A credential offer as stored: secrets only as hashes. */
export interface OfferRecord {
  id: string
  departmentId: string
  /** The API key that made the offer (the credential is issued in its name), or null when a portal account did. */
  apiKeyId: string | null
  /** The portal account (a clerk's session) that made the offer, or null when an API key did. */
  accountId: string | null
  type: string
  format: OfferFormat
  /** The claims to issue; `{}` once the offer is redeemed (the credential's record holds them) or dead. */
  claims: Record<string, unknown>
  /** The validUntil the department asked for (ISO 8601), or null for the type's default. */
  validUntil: string | null
  holderHint: string | null
  refHash: string
  codeHash: string
  txCodeHash: string
  txCodeAttempts: number
  createdAt: string
  expiresAt: string
  tokenJti: string | null
  tokenIssuedAt: string | null
  tokenExpiresAt: string | null
  redeemedAt: string | null
  credentialId: string | null
  /** `<rule id>@<version>` when a one-stop rule made the offer with no clerk; null otherwise. */
  onestopRule: string | null
  voidedAt: string | null
  voidReason: string | null
}

type Db = DataSource | EntityManager

/** Offers whose claims are forgotten per statement. */
const FORGET_SLICE = 500

/** How often used nonces that have expired are deleted (at most). */
const NONCE_PURGE_INTERVAL_MS = 30_000

const COLUMNS = [
  'id',
  'departmentId',
  'apiKeyId',
  'accountId',
  'onestopRule',
  'type',
  'format',
  'claims',
  'validUntil',
  'holderHint',
  'refHash',
  'codeHash',
  'txCodeHash',
  'txCodeAttempts',
  'createdAt',
  'expiresAt',
] as const

/**
 * The credential offers (govcred_credential_offers) and the used proof nonces (govcred_oid4vci_used_nonces).
 * Writes that decide (the one token of an offer, its one credential, a counted wrong transaction code) are
 * single conditional statements, so that concurrent requests cannot both win.
 *
 * @example
 * await offers.insert(record, manager)
 * const offer = await offers.byCodeHash(hash)
 */
export class OfferStore {
  private lastNoncePurge = 0

  constructor(private readonly db: DataSource) {}

  async insert(
    offer: Omit<
      OfferRecord,
      'tokenJti' | 'tokenIssuedAt' | 'tokenExpiresAt' | 'redeemedAt' | 'credentialId' | 'voidedAt' | 'voidReason' | 'onestopRule'
    > & {
      onestopRule?: string | null
    },
    manager: EntityManager,
  ): Promise<void> {
    const values = COLUMNS.map((c) => (c === 'claims' ? JSON.stringify(offer.claims) : (offer[c] ?? null)))
    await manager.query(
      `INSERT INTO govcred_credential_offers (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
      values,
    )
  }

  async get(id: string, db: Db = this.db): Promise<OfferRecord | undefined> {
    return toRecord((await db.query(`SELECT * FROM govcred_credential_offers WHERE id = ?`, [id]))[0])
  }

  async byRefHash(refHash: string): Promise<OfferRecord | undefined> {
    return toRecord((await this.db.query(`SELECT * FROM govcred_credential_offers WHERE refHash = ?`, [refHash]))[0])
  }

  async byCodeHash(codeHash: string): Promise<OfferRecord | undefined> {
    return toRecord((await this.db.query(`SELECT * FROM govcred_credential_offers WHERE codeHash = ?`, [codeHash]))[0])
  }

  /**
   * Counts one wrong transaction code; at `limit` the offer is voided. Answers the attempts so far and
   * whether this attempt voided it (false when it was void or used already).
   */
  async countWrongTxCode(manager: EntityManager, id: string, limit: number, at: string): Promise<{ attempts: number; voidedNow: boolean }> {
    const changed = await execute(
      manager,
      `UPDATE govcred_credential_offers SET txCodeAttempts = txCodeAttempts + 1,
         voidedAt = CASE WHEN txCodeAttempts + 1 >= ? THEN ? ELSE NULL END,
         voidReason = CASE WHEN txCodeAttempts + 1 >= ? THEN 'tx_code_attempts' ELSE NULL END
       WHERE id = ? AND voidedAt IS NULL AND tokenJti IS NULL`,
      [limit, at, limit, id],
    )
    const row = await this.get(id, manager)
    return { attempts: row?.txCodeAttempts ?? 0, voidedNow: changed > 0 && row?.voidedAt === at }
  }

  /** Binds the offer's one access token; false when its code was exchanged already, or the offer is void. */
  async bindToken(id: string, jti: string, issuedAt: string, expiresAt: string): Promise<boolean> {
    const changed = await writeExecute(
      this.db,
      `UPDATE govcred_credential_offers SET tokenJti = ?, tokenIssuedAt = ?, tokenExpiresAt = ?
       WHERE id = ? AND tokenJti IS NULL AND voidedAt IS NULL AND redeemedAt IS NULL`,
      [jti, issuedAt, expiresAt, id],
    )
    return changed > 0
  }

  /** Marks the offer redeemed by the credential, in the issuance's transaction; false when it was redeemed (or voided) already. */
  async markRedeemed(manager: EntityManager, id: string, jti: string, credentialId: string, at: string): Promise<boolean> {
    const changed = await execute(
      manager,
      `UPDATE govcred_credential_offers SET redeemedAt = ?, credentialId = ?, claims = '{}'
       WHERE id = ? AND tokenJti = ? AND redeemedAt IS NULL AND voidedAt IS NULL`,
      [at, credentialId, id, jti],
    )
    return changed > 0
  }

  /**
   * Forgets the claims of offers that can no longer be redeemed: expired, and no access token of theirs still
   * live (a voided offer's once it expires). In slices, so the write lock is never held long; returns how many.
   */
  async forgetClaimsOfDeadOffers(now: string): Promise<number> {
    let total = 0
    for (;;) {
      const changed = await writeExecute(
        this.db,
        `UPDATE govcred_credential_offers SET claims = '{}' WHERE id IN (
           SELECT id FROM govcred_credential_offers
           WHERE claims != '{}' AND expiresAt < ? AND redeemedAt IS NULL AND (tokenExpiresAt IS NULL OR tokenExpiresAt < ?)
           LIMIT ${FORGET_SLICE})`,
        [now, now],
      )
      total += changed
      if (changed < FORGET_SLICE) return total
    }
  }

  /** Records a proof nonce as used (forgetting expired ones now and then); false when it was used before. */
  async useNonce(nonceHash: string, expiresAt: string, now: string): Promise<boolean> {
    // An expired nonce is refused before it is looked up, so forgetting the expired ones can wait a little.
    if (Date.parse(now) - this.lastNoncePurge >= NONCE_PURGE_INTERVAL_MS) {
      this.lastNoncePurge = Date.parse(now)
      await writeExecute(this.db, `DELETE FROM govcred_oid4vci_used_nonces WHERE expiresAt < ?`, [now])
    }
    const inserted = await writeExecute(this.db, `INSERT OR IGNORE INTO govcred_oid4vci_used_nonces (nonceHash, expiresAt) VALUES (?, ?)`, [
      nonceHash,
      expiresAt,
    ])
    return inserted > 0
  }
}

function toRecord(row: Record<string, unknown> | undefined): OfferRecord | undefined {
  if (!row) return undefined
  return { ...(row as unknown as OfferRecord), claims: JSON.parse(String(row.claims)), txCodeAttempts: Number(row.txCodeAttempts) }
}
