import type { MigrationInterface, QueryRunner } from 'typeorm'

/** govcred's first tables: the transaction outbox, departments and their API keys. */
export class ChainOutboxAndDepartments1764100000000 implements MigrationInterface {
  name = 'ChainOutboxAndDepartments1764100000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "govcred_chain_outbox" (
      "id" varchar PRIMARY KEY NOT NULL,
      "account" varchar NOT NULL,
      "contract" varchar NOT NULL,
      "target" varchar NOT NULL,
      "method" varchar NOT NULL,
      "args" text NOT NULL,
      "data" text NOT NULL,
      "label" varchar NOT NULL,
      "status" varchar NOT NULL,
      "txHash" varchar,
      "blockNumber" integer,
      "error" text,
      "attempts" integer NOT NULL DEFAULT 0,
      "createdAt" varchar NOT NULL,
      "updatedAt" varchar NOT NULL
    )`)
    await q.query(`CREATE INDEX "idx_outbox_status" ON "govcred_chain_outbox" ("status", "createdAt")`)
    await q.query(`CREATE TABLE "govcred_departments" (
      "id" varchar PRIMARY KEY NOT NULL,
      "name" varchar NOT NULL,
      "nameEn" varchar NOT NULL,
      "unifiedSocialCreditCode" varchar NOT NULL,
      "did" varchar NOT NULL UNIQUE,
      "account" varchar NOT NULL UNIQUE,
      "credentialTypes" text NOT NULL,
      "createdAt" varchar NOT NULL
    )`)
    await q.query(`CREATE TABLE "govcred_api_keys" (
      "id" varchar PRIMARY KEY NOT NULL,
      "departmentId" varchar NOT NULL REFERENCES "govcred_departments" ("id"),
      "keyHash" varchar NOT NULL UNIQUE,
      "scopes" text NOT NULL,
      "label" varchar NOT NULL,
      "createdAt" varchar NOT NULL,
      "revokedAt" varchar
    )`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "govcred_api_keys"`)
    await q.query(`DROP TABLE "govcred_departments"`)
    await q.query(`DROP TABLE "govcred_chain_outbox"`)
  }
}
