import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * Relying parties (banks and other verifiers) with their hashed API keys; presentation requests get their
 * owner (NULL for an anonymous request) and the outcome of the presentation that used them; used VC-API
 * challenges get an expiry so that they can be purged.
 */
export class RelyingParties1764600000000 implements MigrationInterface {
  name = 'RelyingParties1764600000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "govcred_relying_parties" (
      "id" varchar PRIMARY KEY NOT NULL,
      "nameZh" text NOT NULL,
      "nameEn" text NOT NULL,
      "createdAt" varchar NOT NULL
    )`)
    await q.query(`CREATE TABLE "govcred_relying_party_keys" (
      "id" varchar PRIMARY KEY NOT NULL,
      "relyingPartyId" varchar NOT NULL REFERENCES "govcred_relying_parties" ("id"),
      "keyHash" varchar NOT NULL UNIQUE,
      "label" text NOT NULL,
      "createdAt" varchar NOT NULL,
      "revokedAt" varchar
    )`)
    await q.query(`CREATE INDEX "idx_govcred_relying_party_keys_party" ON "govcred_relying_party_keys" ("relyingPartyId")`)
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "relyingPartyId" varchar`)
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "resultVerified" integer`)
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "resultCode" varchar`)
    await q.query(`ALTER TABLE "govcred_presentation_requests" ADD COLUMN "resultHolder" varchar`)
    await q.query(
      `CREATE INDEX "idx_govcred_presentation_requests_open" ON "govcred_presentation_requests" ("relyingPartyId", "usedAt", "expiresAt")`,
    )
    await q.query(`ALTER TABLE "govcred_used_challenges" ADD COLUMN "expiresAt" varchar NOT NULL DEFAULT ''`)
    // Challenges used before this migration: kept for the same bound as new ones (one hour and the clock skew).
    await q.query(
      `UPDATE "govcred_used_challenges" SET "expiresAt" = strftime('%Y-%m-%dT%H:%M:%fZ', "usedAt", '+3660 seconds') WHERE "expiresAt" = ''`,
    )
    await q.query(`CREATE INDEX "idx_govcred_used_challenges_expiry" ON "govcred_used_challenges" ("expiresAt")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_govcred_used_challenges_expiry"`)
    await q.query(`ALTER TABLE "govcred_used_challenges" DROP COLUMN "expiresAt"`)
    await q.query(`DROP INDEX "idx_govcred_presentation_requests_open"`)
    for (const column of ['resultHolder', 'resultCode', 'resultVerified', 'relyingPartyId']) {
      await q.query(`ALTER TABLE "govcred_presentation_requests" DROP COLUMN "${column}"`)
    }
    await q.query(`DROP TABLE "govcred_relying_party_keys"`)
    await q.query(`DROP TABLE "govcred_relying_parties"`)
  }
}
