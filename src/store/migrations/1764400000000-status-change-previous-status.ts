import type { MigrationInterface, QueryRunner } from 'typeorm'

/** A status change remembers the record's status before it, so a change the chain refuses can be undone. */
export class StatusChangePreviousStatus1764400000000 implements MigrationInterface {
  name = 'StatusChangePreviousStatus1764400000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_status_changes" ADD COLUMN "previousStatus" varchar`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_status_changes" DROP COLUMN "previousStatus"`)
  }
}
