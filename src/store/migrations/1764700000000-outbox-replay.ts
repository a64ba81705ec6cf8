import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * What replaying the outbox onto a chain that lost writes needs beyond the recorded intent (account, target, call
 * data): each mined write's place in the chain's order (block, then index in it) and its block's timestamp, so
 * that writes are re-applied in their order and, where the chain allows, at their original time.
 */
export class OutboxReplay1764700000000 implements MigrationInterface {
  name = 'OutboxReplay1764700000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_chain_outbox" ADD COLUMN "blockTimestamp" integer`)
    await q.query(`ALTER TABLE "govcred_chain_outbox" ADD COLUMN "transactionIndex" integer`)
    await q.query(`CREATE INDEX "idx_outbox_mined_order" ON "govcred_chain_outbox" ("status", "blockNumber", "transactionIndex")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_outbox_mined_order"`)
    await q.query(`ALTER TABLE "govcred_chain_outbox" DROP COLUMN "transactionIndex"`)
    await q.query(`ALTER TABLE "govcred_chain_outbox" DROP COLUMN "blockTimestamp"`)
  }
}
