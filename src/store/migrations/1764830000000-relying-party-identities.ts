import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The verifier identity of each relying party (OpenID4VP `x509_san_dns` client identifier): its DNS name
 * (`domain`, NULL until the node fills in its public host on first use), and its signing keys, each a key in
 * the node's KMS with a leaf certificate from the consortium root CA.
 */
export class RelyingPartyIdentities1764830000000 implements MigrationInterface {
  name = 'RelyingPartyIdentities1764830000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_relying_parties" ADD COLUMN "domain" varchar`)
    await q.query(`CREATE TABLE "govcred_relying_party_identities" (
      "kid" varchar PRIMARY KEY NOT NULL,
      "relyingPartyId" varchar NOT NULL REFERENCES "govcred_relying_parties" ("id"),
      "domain" varchar NOT NULL,
      "kmsKeyId" varchar NOT NULL,
      "publicKeyHex" varchar NOT NULL,
      "certificate" text NOT NULL,
      "notAfter" varchar NOT NULL,
      "createdAt" varchar NOT NULL
    )`)
    await q.query(
      `CREATE INDEX "idx_govcred_relying_party_identities_party" ON "govcred_relying_party_identities" ("relyingPartyId", "createdAt")`,
    )
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_govcred_relying_party_identities_party"`)
    await q.query(`DROP TABLE "govcred_relying_party_identities"`)
    await q.query(`ALTER TABLE "govcred_relying_parties" DROP COLUMN "domain"`)
  }
}
