import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Webhooks of the relying parties: each party's URL and signing secret (encrypted with the node's KMS secret),
 * and the outbox of events still to deliver (one per answered request and type; no claims).
 */
export class RelyingPartyWebhooks1764860000000 implements MigrationInterface {
  name = 'RelyingPartyWebhooks1764860000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_relying_parties" ADD COLUMN "webhookUrl" varchar`)
    await q.query(`ALTER TABLE "govcred_relying_parties" ADD COLUMN "webhookSecret" text`)
    await q.query(`CREATE TABLE "govcred_webhook_outbox" (
      "id" varchar PRIMARY KEY NOT NULL,
      "relyingPartyId" varchar NOT NULL,
      "type" varchar NOT NULL,
      "subject" varchar NOT NULL,
      "body" text NOT NULL,
      "state" varchar NOT NULL DEFAULT 'pending',
      "attempts" integer NOT NULL DEFAULT 0,
      "nextAttemptAt" varchar NOT NULL,
      "lastError" text,
      "createdAt" varchar NOT NULL,
      "finishedAt" varchar,
      UNIQUE ("type", "subject")
    )`)
    await q.query(`CREATE INDEX "idx_govcred_webhook_outbox_due" ON "govcred_webhook_outbox" ("state", "nextAttemptAt")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_govcred_webhook_outbox_due"`)
    await q.query(`DROP TABLE "govcred_webhook_outbox"`)
    await q.query(`ALTER TABLE "govcred_relying_parties" DROP COLUMN "webhookSecret"`)
    await q.query(`ALTER TABLE "govcred_relying_parties" DROP COLUMN "webhookUrl"`)
  }
}
