import type { MigrationInterface, QueryRunner } from 'typeorm'

const OFFER_COLUMNS = [
  'id',
  'departmentId',
  'apiKeyId',
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
  'tokenJti',
  'tokenIssuedAt',
  'tokenExpiresAt',
  'redeemedAt',
  'credentialId',
  'voidedAt',
  'voidReason',
]
  .map((c) => `"${c}"`)
  .join(', ')

/**
 * What the department console needs of the issuing side (full node only):
 * - status changes carry their credential's type, so that the dashboard counts revocations and suspensions
 *   per day and type from this table alone, through an index on (departmentId, createdAt);
 * - a credential offer is made by an API key or by a portal account (a clerk's session): `apiKeyId` becomes
 *   optional and `accountId` names the account (SQLite cannot drop NOT NULL in place: the table is rebuilt).
 */
export class PortalIssuing1764910000001 implements MigrationInterface {
  name = 'PortalIssuing1764910000001'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_status_changes" ADD COLUMN "credentialType" varchar`)
    await q.query(
      `UPDATE "govcred_status_changes" SET "credentialType" =
         (SELECT "type" FROM "govcred_credentials" c WHERE c."id" = "govcred_status_changes"."credentialId")`,
    )
    await q.query(`CREATE INDEX "idx_status_changes_department_created" ON "govcred_status_changes" ("departmentId", "createdAt")`)

    await q.query(`CREATE TABLE "govcred_credential_offers_next" (
      "id" varchar PRIMARY KEY NOT NULL,
      "departmentId" varchar NOT NULL,
      "apiKeyId" varchar,
      "accountId" varchar,
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
      "voidReason" varchar,
      CHECK ("apiKeyId" IS NOT NULL OR "accountId" IS NOT NULL)
    )`)
    await q.query(
      `INSERT INTO "govcred_credential_offers_next" (${OFFER_COLUMNS}) SELECT ${OFFER_COLUMNS} FROM "govcred_credential_offers"`,
    )
    await q.query(`DROP TABLE "govcred_credential_offers"`)
    await q.query(`ALTER TABLE "govcred_credential_offers_next" RENAME TO "govcred_credential_offers"`)
    await q.query(`CREATE INDEX "idx_govcred_credential_offers_department" ON "govcred_credential_offers" ("departmentId", "createdAt")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "govcred_credential_offers" WHERE "apiKeyId" IS NULL`)
    await q.query(`CREATE TABLE "govcred_credential_offers_previous" (
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
    await q.query(
      `INSERT INTO "govcred_credential_offers_previous" (${OFFER_COLUMNS}) SELECT ${OFFER_COLUMNS} FROM "govcred_credential_offers"`,
    )
    await q.query(`DROP TABLE "govcred_credential_offers"`)
    await q.query(`ALTER TABLE "govcred_credential_offers_previous" RENAME TO "govcred_credential_offers"`)
    await q.query(`CREATE INDEX "idx_govcred_credential_offers_department" ON "govcred_credential_offers" ("departmentId", "createdAt")`)
    await q.query(`DROP INDEX "idx_status_changes_department_created"`)
    await q.query(`ALTER TABLE "govcred_status_changes" DROP COLUMN "credentialType"`)
  }
}
