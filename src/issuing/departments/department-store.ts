import type { DataSource, EntityManager } from 'typeorm'
import { writeTransaction } from '../../store/write-transaction.js'

export interface Department {
  id: string
  name: string
  nameEn: string
  unifiedSocialCreditCode: string
  did: string
  account: string
  credentialTypes: string[]
  createdAt: string
}

interface DepartmentRow extends Omit<Department, 'credentialTypes'> {
  credentialTypes: string
}

/** Departments this node issues for (their keys are in this node's KMS). */
export class DepartmentStore {
  /** Departments are never changed once inserted (no SQL here updates them), so a read one is kept. */
  private readonly known = new Map<string, Department>()

  constructor(private readonly db: DataSource) {}

  async insert(department: Department): Promise<void> {
    await writeTransaction(this.db, (m) =>
      m.query(
        `INSERT INTO govcred_departments (id, name, nameEn, unifiedSocialCreditCode, did, account, credentialTypes, createdAt)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          department.id,
          department.name,
          department.nameEn,
          department.unifiedSocialCreditCode,
          department.did,
          department.account,
          JSON.stringify(department.credentialTypes),
          department.createdAt,
        ],
      ),
    )
  }

  async get(id: string, q: Pick<DataSource | EntityManager, 'query'> = this.db): Promise<Department | undefined> {
    const known = this.known.get(id)
    if (known) return structuredClone(known)
    const rows: DepartmentRow[] = await q.query(`SELECT * FROM govcred_departments WHERE id = ?`, [id])
    const department = rows[0] && fromRow(rows[0])
    // Read inside a caller's transaction, the row may yet be rolled back: kept only when read outside one.
    if (department && q === this.db) this.known.set(id, structuredClone(department))
    return department
  }

  async byDid(did: string): Promise<Department | undefined> {
    const rows: DepartmentRow[] = await this.db.query(`SELECT * FROM govcred_departments WHERE did = ?`, [did])
    return rows[0] && fromRow(rows[0])
  }

  async list(): Promise<Department[]> {
    const rows: DepartmentRow[] = await this.db.query(`SELECT * FROM govcred_departments ORDER BY createdAt, id`)
    return rows.map(fromRow)
  }
}

function fromRow(row: DepartmentRow): Department {
  return { ...row, credentialTypes: JSON.parse(row.credentialTypes) }
}
