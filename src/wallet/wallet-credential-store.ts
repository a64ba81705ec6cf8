import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm'

/** How a credential received by OpenID4VCI is encoded. */
export type ReceivedFormat = 'dc+sd-jwt' | 'jwt_vc_json'

/** Display names in Chinese and English, as the issuer's metadata states them. */
export interface DisplayNames {
  'zh-CN'?: string
  en?: string
}

/** A credential the wallet received from an OpenID4VCI issuer, with what it learned about it on the way. */
export interface ReceivedCredentialRow {
  /** The wallet's own id for it (a random UUID). */
  id: string
  format: ReceivedFormat
  /** The compact SD-JWT VC (with all its disclosures) or the VC-JWT. */
  credential: string
  /** The Veramo key id (in the wallet's encrypted key store) of the key the credential is bound to. */
  holderKid: string
  credentialIssuer: string
  credentialConfigurationId: string
  issuerDisplay: DisplayNames
  credentialDisplay: DisplayNames
  /** Claim names in Chinese and English by claim path (dot-separated), from the type metadata (vct). */
  claimLabels: Record<string, DisplayNames>
  receivedAt: string
}

const TABLE = 'govcred_wallet_credentials'

/** The wallet's table of credentials received by OpenID4VCI (VC-JWTs imported by hand stay in Veramo's store). */
export class WalletCredentials1765100000000 implements MigrationInterface {
  name = 'WalletCredentials1765100000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${TABLE}" (
      "id" varchar PRIMARY KEY NOT NULL,
      "format" varchar NOT NULL,
      "credential" text NOT NULL,
      "holderKid" varchar NOT NULL,
      "credentialIssuer" text NOT NULL,
      "credentialConfigurationId" varchar NOT NULL,
      "issuerDisplay" text NOT NULL,
      "credentialDisplay" text NOT NULL,
      "claimLabels" text NOT NULL,
      "receivedAt" varchar NOT NULL
    )`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${TABLE}"`)
  }
}

/** The one store of the wallet's received credentials (the table's SQL lives only here). */
export class WalletCredentialStore {
  constructor(private readonly db: DataSource) {}

  async add(row: ReceivedCredentialRow): Promise<void> {
    await this.db.query(
      `INSERT INTO "${TABLE}" ("id", "format", "credential", "holderKid", "credentialIssuer", "credentialConfigurationId", "issuerDisplay", "credentialDisplay", "claimLabels", "receivedAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        row.id,
        row.format,
        row.credential,
        row.holderKid,
        row.credentialIssuer,
        row.credentialConfigurationId,
        JSON.stringify(row.issuerDisplay),
        JSON.stringify(row.credentialDisplay),
        JSON.stringify(row.claimLabels),
        row.receivedAt,
      ],
    )
  }

  /** Oldest first. */
  async list(): Promise<ReceivedCredentialRow[]> {
    const rows = (await this.db.query(`SELECT * FROM "${TABLE}" ORDER BY "receivedAt", "id"`)) as Record<string, string>[]
    return rows.map((r) => ({
      id: r.id!,
      format: r.format as ReceivedFormat,
      credential: r.credential!,
      holderKid: r.holderKid!,
      credentialIssuer: r.credentialIssuer!,
      credentialConfigurationId: r.credentialConfigurationId!,
      issuerDisplay: JSON.parse(r.issuerDisplay!) as DisplayNames,
      credentialDisplay: JSON.parse(r.credentialDisplay!) as DisplayNames,
      claimLabels: JSON.parse(r.claimLabels!) as Record<string, DisplayNames>,
      receivedAt: r.receivedAt!,
    }))
  }
}
