import type { MigrationInterface, QueryRunner } from 'typeorm'

const INDEXES: [name: string, definition: string][] = [
  // The hourly purges of expired requests and of kept OpenID4VP results (only answered requests carry one).
  ['idx_presentation_requests_expiry', `"govcred_presentation_requests" ("expiresAt")`],
  ['idx_presentation_requests_results', `"govcred_presentation_requests" ("answeredAt") WHERE resultJson IS NOT NULL`],
  ['idx_operator_keys_created', `"govcred_operator_keys" ("createdAt", "id")`],
  ['idx_relying_party_keys_created', `"govcred_relying_party_keys" ("createdAt")`],
  ['idx_relying_party_keys_party_created', `"govcred_relying_party_keys" ("relyingPartyId", "createdAt")`],
  // A party's webhook events in order (`relying-party webhook-events`), and the purge of finished ones.
  ['idx_webhook_outbox_party', `"govcred_webhook_outbox" ("relyingPartyId", "createdAt", "id")`],
  ['idx_webhook_outbox_finished', `"govcred_webhook_outbox" ("finishedAt")`],
]

/**
 * Indexes for the verifier side's queries that read a whole table (both kinds of node keep these tables; see
 * test/store/query-plans.test.ts).
 */
export class VerifierQueryIndexes1765000000001 implements MigrationInterface {
  name = 'VerifierQueryIndexes1765000000001'

  async up(q: QueryRunner): Promise<void> {
    for (const [name, definition] of INDEXES) await q.query(`CREATE INDEX "${name}" ON ${definition}`)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of [...INDEXES].reverse()) await q.query(`DROP INDEX "${name}"`)
  }
}
