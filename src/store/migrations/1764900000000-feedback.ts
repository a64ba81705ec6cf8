import type { MigrationInterface, QueryRunner } from 'typeorm'

/**
 * The portal's feedback box (full node): what visitors wrote, on which page, an optional rating and an optional
 * way to reach them. `seq` orders and pages the list; nothing about the sender (address, browser) is kept.
 */
export class Feedback1764900000000 implements MigrationInterface {
  name = 'Feedback1764900000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "govcred_feedback" (
      "seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
      "id" varchar NOT NULL UNIQUE,
      "page" varchar NOT NULL,
      "message" text NOT NULL,
      "rating" integer,
      "contact" varchar,
      "locale" varchar,
      "createdAt" varchar NOT NULL
    )`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "govcred_feedback"`)
  }
}
