import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Property anchors under keys not guessable from the unit number: each certificate's anchor key is derived with
 * a random key salt (null for certificates issued before, which keep the legacy key), and each anchor has a
 * state (set while its certificate is the unit's current, active one; cleared when it is suspended, revoked or
 * transferred) and a version that names the outbox write of that state.
 *
 * Rows already superseded are marked cleared; the latest row of a unit whose certificate is already suspended
 * or revoked gets a new version, so the next start clears its anchor on chain.
 */
export class PropertyAnchorKeys1764500000000 implements MigrationInterface {
  name = 'PropertyAnchorKeys1764500000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "govcred_property_units" ADD COLUMN "keySalt" varchar`)
    await q.query(`ALTER TABLE "govcred_property_units" ADD COLUMN "anchorState" varchar NOT NULL DEFAULT 'set'`)
    await q.query(`ALTER TABLE "govcred_property_units" ADD COLUMN "anchorVersion" integer NOT NULL DEFAULT 0`)
    await q.query(`CREATE INDEX "idx_property_units_credential" ON "govcred_property_units" ("credentialId")`)
    await q.query(`UPDATE "govcred_property_units" SET "anchorState" = 'cleared'
      WHERE "sequence" < (SELECT MAX(p."sequence") FROM "govcred_property_units" p WHERE p."unitNumber" = "govcred_property_units"."unitNumber")`)
    await q.query(`UPDATE "govcred_property_units" SET "anchorState" = 'cleared', "anchorVersion" = 1, "outboxId" = "outboxId" || ':1'
      WHERE "anchorState" = 'set'
        AND "credentialId" IN (SELECT c."id" FROM "govcred_credentials" c WHERE c."status" IN ('suspended', 'revoked'))`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_property_units_credential"`)
    await q.query(`ALTER TABLE "govcred_property_units" DROP COLUMN "anchorVersion"`)
    await q.query(`ALTER TABLE "govcred_property_units" DROP COLUMN "anchorState"`)
    await q.query(`ALTER TABLE "govcred_property_units" DROP COLUMN "keySalt"`)
  }
}
