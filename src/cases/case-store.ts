import type { DataSource, EntityManager } from 'typeorm'
import { execute } from '../store/execute.js'
import { writeTransaction } from '../store/write-transaction.js'
import type { CaseState, ReviewState, StoredCase, StoredReview } from './case-model.js'

type Db = DataSource | EntityManager

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

  async insert(c: StoredCase, manager: Db = this.db): Promise<void> {
    const row = toRow(c)
    await manager.query(
      `INSERT INTO govcred_onestop_cases (${CASE_COLUMNS.join(', ')}) VALUES (${CASE_COLUMNS.map(() => '?').join(', ')})`,
      CASE_COLUMNS.map((k) => row[k]),
    )
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
      [new Date(Date.now() - 86_400_000).toISOString(), limit],
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
