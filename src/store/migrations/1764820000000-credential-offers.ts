import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Credential offers of the OpenID4VCI issuer (pre-authorized code flow): what will be issued, the hashes of
 * the offer reference, the pre-authorized code and the transaction code, the attempts, and what became of
 * the offer; and the proof nonces already used (until they expire).
 */
export class CredentialOffers1764820000000 implements MigrationInterface {
  name = 'CredentialOffers1764820000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "govcred_credential_offers" (
      "id" varchar PRIMARY KEY NOT NULL,
      "departmentId" varchar NOT NULL,
      "apiKeyId" varchar NOT NULL,
      "type" varchar NOT NULL,
      "format" varchar NOT NULL,
      "claims" text NOT NULL,
      "validUntil" varchar,
      "holderHint" text,
      "refHash" varchar NOT NULL UNIQUE,
      "codeHash" varchar NOT NULL UNIQUE,
      "txCodeHash" varchar NOT NULL,
      "txCodeAttempts" integer NOT NULL DEFAULT 0,
      "createdAt" varchar NOT NULL,
      "expiresAt" varchar NOT NULL,
      "tokenJti" varchar,
      "tokenIssuedAt" varchar,
      "tokenExpiresAt" varchar,
      "redeemedAt" varchar,
      "credentialId" varchar,
      "voidedAt" varchar,
      "voidReason" varchar
    )`)
    await q.query(`CREATE INDEX "idx_govcred_credential_offers_department" ON "govcred_credential_offers" ("departmentId", "createdAt")`)
    await q.query(`CREATE TABLE "govcred_oid4vci_used_nonces" (
      "nonceHash" varchar PRIMARY KEY NOT NULL,
      "expiresAt" varchar NOT NULL
    )`)
    await q.query(`CREATE INDEX "idx_govcred_oid4vci_used_nonces_expiry" ON "govcred_oid4vci_used_nonces" ("expiresAt")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "govcred_oid4vci_used_nonces"`)
    await q.query(`DROP TABLE "govcred_credential_offers"`)
  }
}
