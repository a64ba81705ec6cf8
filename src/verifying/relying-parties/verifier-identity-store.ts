import type { DataSource } from 'typeorm'
import { writeExecute } from '../../store/write-transaction.js'

/** One signing key of a relying party's verifier identity: its KMS key and its certificate. */
export interface VerifierIdentityRecord {
  /** RFC 7638 thumbprint of the public JWK. */
  kid: string
  relyingPartyId: string
  /** The DNS name the certificate names (SAN DNS). */
  domain: string
  /** The key's id in the node's key manager (its private key is encrypted there). */
  kmsKeyId: string
  /** Uncompressed SEC1 point, hex without 0x. */
  publicKeyHex: string
  /** The leaf certificate, base64 DER. */
  certificate: string
  notAfter: string
  createdAt: string
}

/** The verifier identities of the relying parties (newest last). */
export class VerifierIdentityStore {
  constructor(private readonly db: DataSource) {}

  async insert(record: VerifierIdentityRecord): Promise<void> {
    await writeExecute(
      this.db,
      `INSERT INTO govcred_relying_party_identities (kid, relyingPartyId, domain, kmsKeyId, publicKeyHex, certificate, notAfter, createdAt)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        record.kid,
        record.relyingPartyId,
        record.domain,
        record.kmsKeyId,
        record.publicKeyHex,
        record.certificate,
        record.notAfter,
        record.createdAt,
      ],
    )
  }

  /** The relying party's identities, oldest first. */
  async list(relyingPartyId: string): Promise<VerifierIdentityRecord[]> {
    return this.db.query(`SELECT * FROM govcred_relying_party_identities WHERE relyingPartyId = ? ORDER BY createdAt, kid`, [
      relyingPartyId,
    ])
  }
}
