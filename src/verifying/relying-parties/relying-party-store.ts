import { randomUUID } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { ConflictError, ValidationError } from '../../shared/errors/app-error.js'
import { hashSecretKey, newSecretKey, sameSecretHash } from '../../shared/secret-keys.js'
import { writeExecute, writeTransaction } from '../../store/write-transaction.js'
import { normalizeDomain, relyingPartyIdProblem, relyingPartyNameProblem } from './relying-party-fields.js'

export { normalizeDomain } from './relying-party-fields.js'

/** A registered verifier (a bank, another department): the identity a holder's wallet shows. */
export interface RelyingParty {
  id: string
  /** Display name in Chinese (zh-CN). */
  nameZh: string
  /** Display name in English. */
  nameEn: string
  /**
   * The DNS name of its verifier identity (OpenID4VP client identifier `x509_san_dns:<domain>`); null until the
   * node gives it its own public host on first use.
   */
  domain: string | null
  createdAt: string
}

export interface RelyingPartyKeyRecord {
  id: string
  relyingPartyId: string
  label: string
  createdAt: string
  revokedAt: string | null
}

export interface CreatedRelyingPartyKey extends RelyingPartyKeyRecord {
  /** The secret itself: shown once, stored only as a hash. */
  key: string
}

/** The identity of a relying party as presentation requests carry it. */
export interface VerifierIdentity {
  id: string
  name: { 'zh-CN': string; en: string }
}

const KEY_PREFIX = 'grp_'

export const verifierIdentity = (party: RelyingParty): VerifierIdentity => ({
  id: party.id,
  name: { 'zh-CN': party.nameZh, en: party.nameEn },
})

/**
 * Relying parties and their API keys: random 256-bit secrets (`grp_…`), stored only as SHA-256 hashes,
 * revocable.
 *
 * @example
 * await parties.create({ id: 'bank-of-nanjing', nameZh: '南京银行', nameEn: 'Bank of Nanjing' })
 * const { key } = await parties.createKey('bank-of-nanjing', 'loan desk')
 */
export class RelyingPartyStore {
  constructor(private readonly db: DataSource) {}

  async create(input: { id: string; nameZh: string; nameEn: string; domain?: string }): Promise<RelyingParty> {
    const party: RelyingParty = {
      id: input.id,
      nameZh: input.nameZh.trim(),
      nameEn: input.nameEn.trim(),
      domain: input.domain === undefined ? null : normalizeDomain(input.domain),
      createdAt: new Date().toISOString(),
    }
    const idProblem = relyingPartyIdProblem(party.id)
    if (idProblem) throw new ValidationError('ERR_INVALID_REQUEST', idProblem)
    for (const [field, value] of [
      ['nameZh', party.nameZh],
      ['nameEn', party.nameEn],
    ] as const) {
      const problem = relyingPartyNameProblem(value)
      if (problem) throw new ValidationError('ERR_INVALID_REQUEST', `${field}: ${problem}`)
    }
    const inserted = await writeExecute(
      this.db,
      `INSERT OR IGNORE INTO govcred_relying_parties (id, nameZh, nameEn, domain, createdAt) VALUES (?, ?, ?, ?, ?)`,
      [party.id, party.nameZh, party.nameEn, party.domain, party.createdAt],
    )
    if (inserted === 0) throw new ConflictError('ERR_RELYING_PARTY_EXISTS', `relying party ${party.id} already exists`)
    return party
  }

  async get(id: string): Promise<RelyingParty | undefined> {
    const rows = await this.db.query(`SELECT id, nameZh, nameEn, domain, createdAt FROM govcred_relying_parties WHERE id = ?`, [id])
    return rows[0]
  }

  /** Gives a relying party without a domain the one given (the node's host); answers the party as it now is. */
  async assignDomainIfUnset(id: string, domain: string): Promise<RelyingParty | undefined> {
    await writeExecute(this.db, `UPDATE govcred_relying_parties SET domain = ? WHERE id = ? AND domain IS NULL`, [
      normalizeDomain(domain),
      id,
    ])
    return this.get(id)
  }

  async list(): Promise<(RelyingParty & { webhookUrl: string | null; keys: RelyingPartyKeyRecord[] })[]> {
    const parties: (RelyingParty & { webhookUrl: string | null })[] = await this.db.query(
      `SELECT id, nameZh, nameEn, domain, webhookUrl, createdAt FROM govcred_relying_parties ORDER BY id`,
    )
    const keys: RelyingPartyKeyRecord[] = await this.db.query(
      `SELECT id, relyingPartyId, label, createdAt, revokedAt FROM govcred_relying_party_keys ORDER BY createdAt`,
    )
    return parties.map((party) => ({ ...party, keys: keys.filter((k) => k.relyingPartyId === party.id) }))
  }

  /**
   * Registers (or replaces, or with null removes) the party's webhook: its URL, checked by the caller
   * (webhook-url.ts), and its signing secret as WebhookSecrets sealed it. False when there is no such party.
   */
  async setWebhook(id: string, webhook: { url: string; sealedSecret: string } | null): Promise<boolean> {
    return (
      (await writeExecute(this.db, `UPDATE govcred_relying_parties SET webhookUrl = ?, webhookSecret = ? WHERE id = ?`, [
        webhook?.url ?? null,
        webhook?.sealedSecret ?? null,
        id,
      ])) > 0
    )
  }

  /** The party's webhook (URL and sealed secret), or undefined when it registered none. */
  async webhookOf(id: string): Promise<{ url: string; sealedSecret: string } | undefined> {
    const rows = await this.db.query(
      `SELECT webhookUrl, webhookSecret FROM govcred_relying_parties WHERE id = ? AND webhookUrl IS NOT NULL AND webhookSecret IS NOT NULL`,
      [id],
    )
    return rows[0] ? { url: rows[0].webhookUrl, sealedSecret: rows[0].webhookSecret } : undefined
  }

  async createKey(relyingPartyId: string, label: string): Promise<CreatedRelyingPartyKey> {
    const key = newSecretKey(KEY_PREFIX)
    const record: RelyingPartyKeyRecord = {
      id: randomUUID(),
      relyingPartyId,
      label,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    }
    await writeTransaction(this.db, async (m) => {
      const party = await m.query(`SELECT 1 FROM govcred_relying_parties WHERE id = ?`, [relyingPartyId])
      if (party.length === 0) throw new ValidationError('ERR_INVALID_REQUEST', `no relying party ${relyingPartyId}`)
      await m.query(`INSERT INTO govcred_relying_party_keys (id, relyingPartyId, keyHash, label, createdAt) VALUES (?, ?, ?, ?, ?)`, [
        record.id,
        relyingPartyId,
        hashSecretKey(key),
        label,
        record.createdAt,
      ])
    })
    return { ...record, key }
  }

  /** The relying party behind a presented key, or undefined when the key is malformed, unknown or revoked. */
  async authenticate(presented: string): Promise<{ party: RelyingParty; keyId: string } | undefined> {
    if (!presented.startsWith(KEY_PREFIX) || presented.length > 128) return undefined
    const hash = hashSecretKey(presented)
    const rows = await this.db.query(
      `SELECT k.id AS keyId, k.keyHash, p.id, p.nameZh, p.nameEn, p.domain, p.createdAt
         FROM govcred_relying_party_keys k JOIN govcred_relying_parties p ON p.id = k.relyingPartyId
        WHERE k.keyHash = ? AND k.revokedAt IS NULL`,
      [hash],
    )
    const row = rows[0]
    if (!row || !sameSecretHash(row.keyHash, hash)) return undefined
    return { keyId: row.keyId, party: { id: row.id, nameZh: row.nameZh, nameEn: row.nameEn, domain: row.domain, createdAt: row.createdAt } }
  }

  /** The party's keys (never their hashes), oldest first. */
  async keysOf(relyingPartyId: string): Promise<RelyingPartyKeyRecord[]> {
    return this.db.query(
      `SELECT id, relyingPartyId, label, createdAt, revokedAt FROM govcred_relying_party_keys WHERE relyingPartyId = ? ORDER BY createdAt`,
      [relyingPartyId],
    )
  }

  /** Revokes a key at once (only a key of `relyingPartyId`, when given); false when there is no such active key. */
  async revokeKey(keyId: string, relyingPartyId?: string): Promise<boolean> {
    return (
      (await writeExecute(
        this.db,
        `UPDATE govcred_relying_party_keys SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL AND (? IS NULL OR relyingPartyId = ?)`,
        [new Date().toISOString(), keyId, relyingPartyId ?? null, relyingPartyId ?? null],
      )) > 0
    )
  }
}
