import type { MigrationInterface, QueryRunner } from 'typeorm'

const INDEXES: [name: string, definition: string][] = [
  // A clerk's search by holder or by status reads that holder's (that status's) credentials newest first, not every
  // credential of the department until the page is full. The holder's index comes second: given both filters,
  // SQLite then takes it (a holder is the rarer), as test/store/query-plans.test.ts checks.
  ['idx_credentials_status', `"govcred_credentials" ("departmentId", "status", "issuedAt", "id")`],
  ['idx_credentials_holder', `"govcred_credentials" ("departmentId", "holder", "issuedAt", "id")`],
  // The batcher's queue, oldest first.
  ['idx_status_changes_state_created', `"govcred_status_changes" ("state", "createdAt", "id")`],
  // The outbox listing (`govcred outbox`), oldest first.
  ['idx_outbox_created', `"govcred_chain_outbox" ("createdAt")`],
  ['idx_departments_created', `"govcred_departments" ("createdAt", "id")`],
  ['idx_api_keys_department_created', `"govcred_api_keys" ("departmentId", "createdAt")`],
  ['idx_onestop_rules_state_id', `"govcred_onestop_rules" ("state", "id", "version")`],
  // Cases still running, oldest first (the resume at start).
  ['idx_onestop_cases_unfinished', `"govcred_onestop_cases" ("createdAt") WHERE state IN ('awaiting-presentation', 'in-progress')`],
]

/**
 * Indexes for the issuing side's list and search queries that read a whole table or sorted a whole list
 * (test/store/query-plans.test.ts runs EXPLAIN QUERY PLAN over every store query).
 */
export class QueryIndexes1765000000000 implements MigrationInterface {
  name = 'QueryIndexes1765000000000'

  async up(q: QueryRunner): Promise<void> {
    for (const [name, definition] of INDEXES) await q.query(`CREATE INDEX "${name}" ON ${definition}`)
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of [...INDEXES].reverse()) await q.query(`DROP INDEX "${name}"`)
  }
}
