import type { DataSource } from 'typeorm'
import { writeQuery } from '../../store/write-transaction.js'

/** An audit head this node put on chain: entry `seq` had hash `hash`, sent in `txHash`. */
export interface RecordedAuditAnchor {
  seq: number
  hash: string
  txHash: string | null
  anchoredAt: string
}

/** The govcred_audit_anchors table: which audit heads each department anchored, and when. */
export class AuditAnchorStore {
  constructor(private readonly db: DataSource) {}

  async record(departmentId: string, anchor: { seq: number; hash: string; txHash: string | null }): Promise<void> {
    await writeQuery(
      this.db,
      `INSERT OR IGNORE INTO govcred_audit_anchors (departmentId, seq, hash, txHash, anchoredAt) VALUES (?, ?, ?, ?, ?)`,
      [departmentId, anchor.seq, anchor.hash.toLowerCase(), anchor.txHash, new Date().toISOString()],
    )
  }

  /** The department's latest recorded anchor (through either registry). */
  async latest(departmentId: string): Promise<RecordedAuditAnchor | undefined> {
    const rows = await this.db.query(
      `SELECT seq, hash, txHash, anchoredAt FROM govcred_audit_anchors WHERE departmentId = ? ORDER BY seq DESC LIMIT 1`,
      [departmentId],
    )
    return rows[0] && { ...rows[0], seq: Number(rows[0].seq) }
  }

  /** Every recorded anchor of the department, oldest first. */
  async list(departmentId: string): Promise<RecordedAuditAnchor[]> {
    const rows = await this.db.query(
      `SELECT seq, hash, txHash, anchoredAt FROM govcred_audit_anchors WHERE departmentId = ? ORDER BY seq`,
      [departmentId],
    )
    return rows.map((row: RecordedAuditAnchor) => ({ ...row, seq: Number(row.seq) }))
  }
}
