import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * SD-JWT VC: each credential record states its format (the VC-JWTs issued before are `jwt_vc_json`), and each
 * department's ES256 issuing keys with their leaf certificates and the on-chain registration of each key.
 */
export class CredentialFormatIssuerKeys1764810000000 implements MigrationInterface {
  name = 'CredentialFormatIssuerKeys1764810000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_credentials" ADD COLUMN "format" varchar NOT NULL DEFAULT 'jwt_vc_json'`)
    await q.query(
      `CREATE TABLE "govcred_issuer_keys" (
        "kid" varchar PRIMARY KEY NOT NULL,
        "departmentId" varchar NOT NULL,
        "kmsKeyId" varchar NOT NULL,
        "publicKeyHex" varchar NOT NULL,
        "certificate" text NOT NULL,
        "notAfter" varchar NOT NULL,
        "outboxId" varchar NOT NULL,
        "registeredAt" varchar,
        "createdAt" varchar NOT NULL
      )`,
    )
    await q.query(`CREATE INDEX "idx_issuer_keys_department" ON "govcred_issuer_keys" ("departmentId", "createdAt")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_issuer_keys_department"`)
    await q.query(`DROP TABLE "govcred_issuer_keys"`)
    await q.query(`ALTER TABLE "govcred_credentials" DROP COLUMN "format"`)
  }
}
