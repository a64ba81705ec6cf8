import type { DataSource, EntityManager } from 'typeorm'
import { execute } from '../store/execute.js'
import { writeExecute, writeTransaction } from '../store/write-transaction.js'
import { UNANSWERED_KEPT_MS } from './case-limits.js'
import type { CaseState, ReviewState, StoredCase, StoredReview } from './case-model.js'

type Db = DataSource | EntityManager

/** Cases deleted per write transaction by a purge. */
const PURGE_SLICE = 500

interface CaseRow extends Omit<StoredCase, 'form' | 'steps' | 'inputs' | 'presentation' | 'presentationError'> {
  form: string
  presentation: string
  steps: string
  inputs: string | null
  presentationError: string | null
}

const CASE_COLUMNS = [
  'id',
  'bundleId',
  'tokenHash',
  'state',
  'form',
  'steps',
  'inputs',
  'presentationRequestId',
  'presentation',
  'presentationError',
  'createdAt',
  'updatedAt',
  'expiresAt',
] as const

/** The tables `govcred_onestop_cases` and `govcred_onestop_reviews`: the only code with their SQL. */
export class CaseStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores a new case unless `maxOpen` cases already wait for a wallet (the check and the insert are one
   * statement); false when it was not stored.
   */
  async insertOpen(c: StoredCase, maxOpen: number): Promise<boolean> {
    const row = toRow(c)
    const inserted = await writeExecute(
      this.db,
      `INSERT INTO govcred_onestop_cases (${CASE_COLUMNS.join(', ')}) SELECT ${CASE_COLUMNS.map(() => '?').join(', ')}
       WHERE (SELECT COUNT(*) FROM govcred_onestop_cases WHERE state = 'awaiting-presentation' AND expiresAt > ?) < ?`,
      [...CASE_COLUMNS.map((k) => row[k]), c.createdAt, maxOpen],
    )
    return inserted > 0
  }

  /** How many cases wait for a wallet, and when the first of them expires (null when none waits). */
  async openCases(now: string): Promise<{ count: number; nextExpiry: string | null }> {
    const rows: { count: number; nextExpiry: string | null }[] = await this.db.query(
      `SELECT COUNT(*) AS count, MIN(expiresAt) AS nextExpiry FROM govcred_onestop_cases WHERE state = 'awaiting-presentation' AND expiresAt > ?`,
      [now],
    )
    return { count: Number(rows[0]?.count ?? 0), nextExpiry: rows[0]?.nextExpiry ?? null }
  }

  /**
   * Deletes, with their decided review tasks, the cases that have done their work: finished (or stuck) ones last
   * changed before `finishedBefore`, and unanswered ones expired before `unansweredBefore`. A case with an open
   * review task stays until a clerk decides it. Deletes in slices so that the write lock is never held long;
   * returns how many cases went.
   */
  async purge(finishedBefore: string, unansweredBefore: string): Promise<number> {
    const purgeable = `SELECT c.id FROM govcred_onestop_cases c
       WHERE ((c.state IN ('in-progress', 'completed', 'refused', 'failed') AND c.updatedAt < ?)
              OR (c.state = 'awaiting-presentation' AND c.expiresAt < ?))
         AND NOT EXISTS (SELECT 1 FROM govcred_onestop_reviews r WHERE r.caseId = c.id AND r.state = 'open')
       LIMIT ${PURGE_SLICE}`
    let total = 0
    for (;;) {
      const deleted = await writeTransaction(this.db, async (m) => {
        const ids = ((await m.query(purgeable, [finishedBefore, unansweredBefore])) as { id: string }[]).map((r) => r.id)
        if (ids.length === 0) return 0
        const marks = ids.map(() => '?').join(', ')
        await m.query(`DELETE FROM govcred_onestop_reviews WHERE caseId IN (${marks})`, ids)
        return execute(m, `DELETE FROM govcred_onestop_cases WHERE id IN (${marks})`, ids)
      })
      total += deleted
      if (deleted < PURGE_SLICE) return total
    }
  }

  async get(id: string, manager: Db = this.db): Promise<StoredCase | undefined> {
    const rows: CaseRow[] = await manager.query(`SELECT * FROM govcred_onestop_cases WHERE id = ?`, [id])
    return rows[0] && fromRow(rows[0])
  }

  async byPresentationRequest(requestId: string): Promise<StoredCase | undefined> {
    const rows: CaseRow[] = await this.db.query(`SELECT * FROM govcred_onestop_cases WHERE presentationRequestId = ?`, [requestId])
    return rows[0] && fromRow(rows[0])
  }

  /** Cases a restart may have interrupted: waiting for the wallet (its answer may be recorded) or running. */
  async unfinished(limit: number): Promise<StoredCase[]> {
    const rows: CaseRow[] = await this.db.query(
      `SELECT * FROM govcred_onestop_cases WHERE state IN ('awaiting-presentation', 'in-progress') AND expiresAt > ? ORDER BY createdAt LIMIT ?`,
      [new Date(Date.now() - UNANSWERED_KEPT_MS).toISOString(), limit],
    )
    return rows.map(fromRow)
  }

  /** Writes the case's mutable parts (state, steps, inputs, presentation error). */
  async update(c: StoredCase, manager: Db): Promise<void> {
    await manager.query(
      `UPDATE govcred_onestop_cases SET state = ?, steps = ?, inputs = ?, presentationError = ?, updatedAt = ? WHERE id = ?`,
      [
        c.state,
        JSON.stringify(c.steps),
        c.inputs && JSON.stringify(c.inputs),
        c.presentationError && JSON.stringify(c.presentationError),
        c.updatedAt,
        c.id,
      ],
    )
  }

  /** Runs `work` on the case inside one write transaction, so two answers to one case are applied one after the other. */
  async change<T>(id: string, work: (c: StoredCase, manager: EntityManager) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, async (manager) => {
      const c = await this.get(id, manager)
      if (!c) throw new Error(`case ${id} vanished`)
      return work(c, manager)
    })
  }

  async insertReview(review: StoredReview, manager: Db): Promise<void> {
    await manager.query(
      `INSERT INTO govcred_onestop_reviews (id, caseId, stepIndex, departmentId, state, reason, decidedBy, decidedAt, createdAt)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        review.id,
        review.caseId,
        review.stepIndex,
        review.departmentId,
        review.state,
        review.reason,
        review.decidedBy,
        review.decidedAt,
        review.createdAt,
      ],
    )
  }

  async getReview(id: string, manager: Db = this.db): Promise<StoredReview | undefined> {
    const rows: StoredReview[] = await manager.query(`SELECT * FROM govcred_onestop_reviews WHERE id = ?`, [id])
    return rows[0]
  }

  /** A department's review tasks in one state, oldest first (the queue index). */
  async listReviews(departmentId: string, state: ReviewState, limit: number): Promise<StoredReview[]> {
    return this.db.query(`SELECT * FROM govcred_onestop_reviews WHERE departmentId = ? AND state = ? ORDER BY createdAt, id LIMIT ?`, [
      departmentId,
      state,
      limit,
    ])
  }

  /** open → approved|refused; false when it was no longer open. */
  async decideReview(
    id: string,
    decision: { state: Exclude<ReviewState, 'open'>; reason: string | null; by: string; at: string },
    manager: Db,
  ): Promise<boolean> {
    const changed = await execute(
      manager,
      `UPDATE govcred_onestop_reviews SET state = ?, reason = ?, decidedBy = ?, decidedAt = ? WHERE id = ? AND state = 'open'`,
      [decision.state, decision.reason, decision.by, decision.at, id],
    )
    return changed > 0
  }
}

function toRow(c: StoredCase): CaseRow {
  return {
    ...c,
    form: JSON.stringify(c.form),
    steps: JSON.stringify(c.steps),
    presentation: JSON.stringify(c.presentation),
    inputs: c.inputs && JSON.stringify(c.inputs),
    presentationError: c.presentationError && JSON.stringify(c.presentationError),
  }
}

function fromRow(row: CaseRow): StoredCase {
  return {
    ...row,
    state: row.state as CaseState,
    form: JSON.parse(row.form),
    steps: JSON.parse(row.steps),
    presentation: JSON.parse(row.presentation),
    inputs: row.inputs === null ? null : JSON.parse(row.inputs),
    presentationError: row.presentationError === null ? null : JSON.parse(row.presentationError),
  }
}
