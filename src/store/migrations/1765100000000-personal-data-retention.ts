import type { MigrationInterface, QueryRunner } from 'typeorm'

const INDEXES: [name: string, definition: string][] = [
  // Offers that still hold claims (live ones, and dead ones until the hourly pass forgets theirs).
  ['idx_credential_offers_claims_kept', `"govcred_credential_offers" ("expiresAt") WHERE "claims" != '{}'`],
  // The open-case limit (cases waiting for a wallet) and the purge of finished and unanswered cases.
  ['idx_onestop_cases_waiting_expiry', `"govcred_onestop_cases" ("expiresAt") WHERE state = 'awaiting-presentation'`],
  [
    'idx_onestop_cases_answered_updated',
    `"govcred_onestop_cases" ("updatedAt") WHERE state IN ('in-progress', 'completed', 'refused', 'failed')`,
  ],
]

/**
 * Personal data only as long as it is needed: a redeemed offer's claims are forgotten (the credential's record
 * keeps them, and nothing reads an offer's claims after it is redeemed), and the indexes the retention pass and
 * the one-stop open-case limit read.
 */
export class PersonalDataRetention1765100000000 implements MigrationInterface {
  name = 'PersonalDataRetention1765100000000'

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "govcred_credential_offers" SET "claims" = '{}' WHERE "redeemedAt" IS NOT NULL`)
    for (const [name, definition] of INDEXES) await q.query(`CREATE INDEX "${name}" ON ${definition}`)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of [...INDEXES].reverse()) await q.query(`DROP INDEX "${name}"`)
  }
}
