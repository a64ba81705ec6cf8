import type { MigrationInterface, QueryRunner } from 'typeorm'

/** Verifier state: presentation requests (challenges, used once) and caller-supplied challenges seen. */
export class PresentationRequests1764300000000 implements MigrationInterface {
  name = 'PresentationRequests1764300000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "govcred_presentation_requests" (
      "id" varchar PRIMARY KEY NOT NULL,
      "challenge" varchar NOT NULL UNIQUE,
      "domain" varchar NOT NULL,
      "credentialTypes" text NOT NULL,
      "purpose" text NOT NULL,
      "createdAt" varchar NOT NULL,
      "expiresAt" varchar NOT NULL,
      "usedAt" varchar
    )`)
    await q.query(`CREATE TABLE "govcred_used_challenges" (
      "challenge" varchar PRIMARY KEY NOT NULL,
      "domain" varchar NOT NULL,
      "usedAt" varchar NOT NULL
    )`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "govcred_used_challenges"`)
    await q.query(`DROP TABLE "govcred_presentation_requests"`)
  }
}
