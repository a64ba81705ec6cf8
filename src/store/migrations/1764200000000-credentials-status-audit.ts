import type { MigrationInterface, QueryRunner } from 'typeorm'

/** Issued credential records, queued status changes, the hash-chained audit log, property unit sequences. */
export class CredentialsStatusAudit1764200000000 implements MigrationInterface {
  name = 'CredentialsStatusAudit1764200000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "govcred_credentials" (
      "id" varchar PRIMARY KEY NOT NULL,
      "departmentId" varchar NOT NULL REFERENCES "govcred_departments" ("id"),
      "issuerDid" varchar NOT NULL,
      "type" varchar NOT NULL,
      "holder" varchar NOT NULL,
      "subjectKey" varchar,
      "statusIndex" integer NOT NULL,
      "status" varchar NOT NULL DEFAULT 'active',
      "jwt" text NOT NULL,
      "issuedAt" varchar NOT NULL,
      "validFrom" varchar NOT NULL,
      "validUntil" varchar,
      "supersededBy" varchar,
      "updatedAt" varchar NOT NULL,
      CONSTRAINT "uq_credential_status_index" UNIQUE ("issuerDid", "statusIndex")
    )`)
    await q.query(`CREATE INDEX "idx_credentials_department" ON "govcred_credentials" ("departmentId", "issuedAt")`)
    await q.query(`CREATE INDEX "idx_credentials_subject" ON "govcred_credentials" ("departmentId", "type", "subjectKey")`)
    await q.query(`CREATE TABLE "govcred_status_changes" (
      "id" varchar PRIMARY KEY NOT NULL,
      "credentialId" varchar NOT NULL REFERENCES "govcred_credentials" ("id"),
      "departmentId" varchar NOT NULL,
      "action" varchar NOT NULL,
      "issuerAccount" varchar NOT NULL,
      "purpose" integer NOT NULL,
      "statusIndex" integer NOT NULL,
      "operation" varchar NOT NULL,
      "actor" varchar NOT NULL,
      "state" varchar NOT NULL DEFAULT 'queued',
      "outboxId" varchar,
      "txHash" varchar,
      "error" text,
      "createdAt" varchar NOT NULL,
      "updatedAt" varchar NOT NULL
    )`)
    await q.query(`CREATE INDEX "idx_status_changes_state" ON "govcred_status_changes" ("state", "issuerAccount", "purpose")`)
    await q.query(`CREATE TABLE "govcred_audit_log" (
      "seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "departmentId" varchar NOT NULL,
      "at" varchar NOT NULL,
      "actor" varchar NOT NULL,
      "action" varchar NOT NULL,
      "credentialId" varchar,
      "txHash" varchar,
      "details" text NOT NULL,
      "prevHash" varchar NOT NULL,
      "hash" varchar NOT NULL UNIQUE
    )`)
    await q.query(`CREATE INDEX "idx_audit_department" ON "govcred_audit_log" ("departmentId", "seq")`)
    await q.query(`CREATE TABLE "govcred_audit_anchors" (
      "departmentId" varchar NOT NULL,
      "seq" integer NOT NULL,
      "hash" varchar NOT NULL,
      "txHash" varchar,
      "anchoredAt" varchar NOT NULL,
      PRIMARY KEY ("departmentId", "seq")
    )`)
    await q.query(`CREATE TABLE "govcred_property_units" (
      "unitNumber" varchar NOT NULL,
      "departmentId" varchar NOT NULL REFERENCES "govcred_departments" ("id"),
      "sequence" integer NOT NULL,
      "credentialId" varchar NOT NULL REFERENCES "govcred_credentials" ("id"),
      "salt" varchar NOT NULL,
      "anchorValue" varchar NOT NULL,
      "outboxId" varchar,
      "createdAt" varchar NOT NULL,
      PRIMARY KEY ("unitNumber", "sequence")
    )`)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'govcred_property_units',
      'govcred_audit_anchors',
      'govcred_audit_log',
      'govcred_status_changes',
      'govcred_credentials',
    ]) {
      await q.query(`DROP TABLE "${table}"`)
    }
  }
}
