import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * One-stop rules: one row per (rule id, version), the document as submitted, its canonical hash and its life
 * (draft → published → retired). A published version is never changed; a change is a new version.
 */
export class OnestopRules1764930000000 implements MigrationInterface {
  name = 'OnestopRules1764930000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "govcred_onestop_rules" (
        "id" varchar NOT NULL,
        "version" varchar NOT NULL,
        "departmentId" varchar NOT NULL,
        "document" text NOT NULL,
        "hash" varchar NOT NULL,
        "state" varchar NOT NULL CHECK ("state" IN ('draft', 'published', 'retired')),
        "createdAt" varchar NOT NULL,
        "publishedAt" varchar,
        "retiredAt" varchar,
        "anchorTx" varchar,
        PRIMARY KEY ("id", "version")
      )`,
    )
    await q.query(`CREATE INDEX "idx_onestop_rules_state" ON "govcred_onestop_rules" ("state")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_onestop_rules_state"`)
    await q.query(`DROP TABLE "govcred_onestop_rules"`)
  }
}
