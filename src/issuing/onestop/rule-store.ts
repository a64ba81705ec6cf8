import type { DataSource } from 'typeorm'
import { writeExecute } from '../../store/write-transaction.js'
import type { RuleDocument } from './rule-format.js'

/** Where a rule version is in its life. */
export type RuleState = 'draft' | 'published' | 'retired'

/** One rule version as stored. */
export interface StoredRule {
  id: string
  version: string
  departmentId: string
  document: RuleDocument
  /** {@link ruleHash} of the document when it was stored. */
  hash: string
  state: RuleState
  createdAt: string
  publishedAt: string | null
  retiredAt: string | null
  /** The transaction that anchored the hash (or, once retired, the one that cleared it). */
  anchorTx: string | null
}

interface RuleRow extends Omit<StoredRule, 'document'> {
  document: string
}

/** The `govcred_onestop_rules` table: the only code with its SQL. */
export class RuleStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores a draft, or replaces the document of a draft of the same id and version; false when that version
   * is already published or retired (it never changes then).
   */
  async saveDraft(rule: { id: string; version: string; departmentId: string; document: RuleDocument; hash: string }): Promise<boolean> {
    const changed = await writeExecute(
      this.db,
      `INSERT INTO govcred_onestop_rules (id, version, departmentId, document, hash, state, createdAt)
       VALUES (?, ?, ?, ?, ?, 'draft', ?)
       ON CONFLICT (id, version) DO UPDATE SET document = excluded.document, hash = excluded.hash
       WHERE govcred_onestop_rules.state = 'draft' AND govcred_onestop_rules.departmentId = excluded.departmentId`,
      [rule.id, rule.version, rule.departmentId, JSON.stringify(rule.document), rule.hash, new Date().toISOString()],
    )
    return changed > 0
  }

  async get(id: string, version: string): Promise<StoredRule | undefined> {
    const rows: RuleRow[] = await this.db.query(`SELECT * FROM govcred_onestop_rules WHERE id = ? AND version = ?`, [id, version])
    return rows[0] && fromRow(rows[0])
  }

  /** Published rules, by id then version. */
  async listPublished(): Promise<StoredRule[]> {
    const rows: RuleRow[] = await this.db.query(`SELECT * FROM govcred_onestop_rules WHERE state = 'published' ORDER BY id, version`)
    return rows.map(fromRow)
  }

  /** draft → published, with the hash that was anchored; false when the row was not a draft with that hash. */
  async markPublished(id: string, version: string, hash: string, anchorTx: string): Promise<boolean> {
    const changed = await writeExecute(
      this.db,
      `UPDATE govcred_onestop_rules SET state = 'published', publishedAt = ?, anchorTx = ?
       WHERE id = ? AND version = ? AND state = 'draft' AND hash = ?`,
      [new Date().toISOString(), anchorTx, id, version, hash],
    )
    return changed > 0
  }

  /** published → retired; false when it was not published. */
  async markRetired(id: string, version: string, anchorTx: string): Promise<boolean> {
    const changed = await writeExecute(
      this.db,
      `UPDATE govcred_onestop_rules SET state = 'retired', retiredAt = ?, anchorTx = ? WHERE id = ? AND version = ? AND state = 'published'`,
      [new Date().toISOString(), anchorTx, id, version],
    )
    return changed > 0
  }
}

function fromRow(row: RuleRow): StoredRule {
  return { ...row, document: JSON.parse(row.document) as RuleDocument }
}
