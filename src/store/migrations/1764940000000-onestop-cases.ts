import type { MigrationInterface, QueryRunner } from 'typeorm'

const OFFER_COLUMNS = [
  'id',
  'departmentId',
  'apiKeyId',
  'accountId',
  'type',
  'format',
  'claims',
  'validUntil',
  'holderHint',
  'refHash',
  'codeHash',
  'txCodeHash',
  'txCodeAttempts',
  'createdAt',
  'expiresAt',
  'tokenJti',
  'tokenIssuedAt',
  'tokenExpiresAt',
  'redeemedAt',
  'credentialId',
  'voidedAt',
  'voidReason',
]
  .map((c) => `"${c}"`)
  .join(', ')

/** The offers table as of 1764910000001, with `extraColumn` and the maker CHECK widened by `extraMaker`. */
async function rebuildOffers(q: QueryRunner, extraColumn: string, extraMaker: string, columns: string): Promise<void> {
  await q.query(`CREATE TABLE "govcred_credential_offers_next" (
    "id" varchar PRIMARY KEY NOT NULL,
    "departmentId" varchar NOT NULL,
    "apiKeyId" varchar,
    "accountId" varchar,
    ${extraColumn}
    "type" varchar NOT NULL,
    "format" varchar NOT NULL,
    "claims" text NOT NULL,
    "validUntil" varchar,
    "holderHint" text,
    "refHash" varchar NOT NULL UNIQUE,
    "codeHash" varchar NOT NULL UNIQUE,
    "txCodeHash" varchar NOT NULL,
    "txCodeAttempts" integer NOT NULL DEFAULT 0,
    "createdAt" varchar NOT NULL,
    "expiresAt" varchar NOT NULL,
    "tokenJti" varchar,
    "tokenIssuedAt" varchar,
    "tokenExpiresAt" varchar,
    "redeemedAt" varchar,
    "credentialId" varchar,
    "voidedAt" varchar,
    "voidReason" varchar,
    CHECK ("apiKeyId" IS NOT NULL OR "accountId" IS NOT NULL ${extraMaker})
  )`)
  await q.query(`INSERT INTO "govcred_credential_offers_next" (${columns}) SELECT ${columns} FROM "govcred_credential_offers"`)
  await q.query(`DROP TABLE "govcred_credential_offers"`)
  await q.query(`ALTER TABLE "govcred_credential_offers_next" RENAME TO "govcred_credential_offers"`)
  await q.query(`CREATE INDEX "idx_govcred_credential_offers_department" ON "govcred_credential_offers" ("departmentId", "createdAt")`)
}

/**
 * One-stop cases: an applicant's run through a bundle of rules (its form, the verified inputs, each step's
 * decision and offer), and the review tasks a failed step leaves for a clerk of the step's department.
 * Personal data stays here, never on chain; the access token is stored only as its SHA-256.
 */
export class OnestopCases1764940000000 implements MigrationInterface {
  name = 'OnestopCases1764940000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "govcred_onestop_cases" (
        "id" varchar PRIMARY KEY NOT NULL,
        "bundleId" varchar NOT NULL,
        "tokenHash" varchar NOT NULL,
        "state" varchar NOT NULL,
        "form" text NOT NULL,
        "steps" text NOT NULL,
        "inputs" text,
        "presentationRequestId" varchar NOT NULL UNIQUE,
        "presentation" text NOT NULL,
        "presentationError" text,
        "createdAt" varchar NOT NULL,
        "updatedAt" varchar NOT NULL,
        "expiresAt" varchar NOT NULL
      )`,
    )
    await q.query(
      `CREATE TABLE "govcred_onestop_reviews" (
        "id" varchar PRIMARY KEY NOT NULL,
        "caseId" varchar NOT NULL REFERENCES "govcred_onestop_cases" ("id"),
        "stepIndex" integer NOT NULL,
        "departmentId" varchar NOT NULL,
        "state" varchar NOT NULL CHECK ("state" IN ('open', 'approved', 'refused')),
        "reason" text,
        "decidedBy" varchar,
        "decidedAt" varchar,
        "createdAt" varchar NOT NULL,
        UNIQUE ("caseId", "stepIndex")
      )`,
    )
    // An offer a one-stop rule made with no clerk is redeemed in the rule's name: a third kind of maker, so the
    // table is rebuilt with the widened CHECK (SQLite cannot alter a constraint).
    await rebuildOffers(q, 'onestopRule varchar,', 'OR "onestopRule" IS NOT NULL', OFFER_COLUMNS)
    await q.query(`CREATE INDEX "idx_onestop_reviews_queue" ON "govcred_onestop_reviews" ("departmentId", "state", "createdAt")`)
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "idx_onestop_reviews_queue"`)
    await q.query(`DELETE FROM "govcred_credential_offers" WHERE "onestopRule" IS NOT NULL`)
    await rebuildOffers(q, '', '', OFFER_COLUMNS)
    await q.query(`DROP TABLE "govcred_onestop_reviews"`)
    await q.query(`DROP TABLE "govcred_onestop_cases"`)
  }
}
