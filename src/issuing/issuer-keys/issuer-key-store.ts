import type { DataSource } from 'typeorm'
import { writeQuery } from '../../store/write-transaction.js'

/** A department's ES256 issuing key: its KMS key, its leaf certificate and its registration on chain. */
export interface IssuerKeyRecord {
  /** RFC 7638 thumbprint of the public JWK. */
  kid: string
  departmentId: string
  /** The key's id in the Veramo key manager (its private key is encrypted there). */
  kmsKeyId: string
  /** Uncompressed SEC1 point, hex without 0x. */
  publicKeyHex: string
  /** The leaf certificate, base64 DER. */
  certificate: string
  notAfter: string
  /** The ChainWriter outbox id of the ERC-1056 setAttribute that registers the key. */
  outboxId: string
  /** When the registration was mined; null until then (the key is not used before). */
  registeredAt: string | null
  createdAt: string
}

/** The issuing keys of this node's departments (newest last). */
export class IssuerKeyStore {
  constructor(private readonly db: DataSource) {}

  async insert(record: IssuerKeyRecord): Promise<void> {
    await writeQuery(
      this.db,
      `INSERT INTO govcred_issuer_keys (kid, departmentId, kmsKeyId, publicKeyHex, certificate, notAfter, outboxId, registeredAt, createdAt)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        record.kid,
        record.departmentId,
        record.kmsKeyId,
        record.publicKeyHex,
        record.certificate,
        record.notAfter,
        record.outboxId,
        record.registeredAt,
        record.createdAt,
      ],
    )
  }

  async markRegistered(kid: string, at: string): Promise<void> {
    await writeQuery(this.db, `UPDATE govcred_issuer_keys SET registeredAt = ? WHERE kid = ?`, [at, kid])
  }

  /** The department's keys, oldest first. */
  async list(departmentId: string): Promise<IssuerKeyRecord[]> {
    return this.db.query(`SELECT * FROM govcred_issuer_keys WHERE departmentId = ? ORDER BY createdAt, kid`, [departmentId])
  }
}
