import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * A status change carries the reason the department gave for it (the clerk's "why", shown in the audit trail
 * and the status answer), and is found by its credential: the status answer reads the latest change's reason
 * through an index on (credentialId, createdAt) rather than a scan of every change.
 */
export class StatusChangeReason1764920000000 implements MigrationInterface {
  name = 'StatusChangeReason1764920000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_status_changes" ADD COLUMN "reason" text`)
    await q.query(`CREATE INDEX "idx_status_changes_credential_created" ON "govcred_status_changes" ("credentialId", "createdAt")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_status_changes_credential_created"`)
    await q.query(`ALTER TABLE "govcred_status_changes" DROP COLUMN "reason"`)
  }
}
