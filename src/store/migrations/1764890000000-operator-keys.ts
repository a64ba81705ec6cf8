import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The platform operator's API keys (`gop_…`, kept only as SHA-256 hashes): they register relying parties over
 * HTTP, on a full node and on a bank's verifier-only node alike.
 */
export class OperatorKeys1764890000000 implements MigrationInterface {
  name = 'OperatorKeys1764890000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "govcred_operator_keys" (
      "id" varchar PRIMARY KEY NOT NULL,
      "keyHash" varchar NOT NULL UNIQUE,
      "label" text NOT NULL,
      "createdAt" varchar NOT NULL,
      "revokedAt" varchar
    )`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "govcred_operator_keys"`)
  }
}
