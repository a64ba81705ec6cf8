import type { DataSource, EntityManager } from 'typeorm'
import { offsetModifier, type DailyWindow } from './credential-stats.js'
import { TakenIndices } from './taken-indices.js'

export type CredentialState = 'active' | 'suspended' | 'revoked'

/** How the credential was encoded: a VC-JWT (W3C VCDM 1.1 as a JWT) or an SD-JWT VC. */
export type CredentialFormat = 'jwt_vc_json' | 'dc+sd-jwt'

export interface CredentialRecord {
  id: string
  departmentId: string
  issuerDid: string
  type: string
  holder: string
  subjectKey: string | null
  statusIndex: number
  status: CredentialState
  format: CredentialFormat
  /** The compact credential: the VC-JWT, or the SD-JWT VC with all its disclosures. */
  jwt: string
  issuedAt: string
  validFrom: string
  validUntil: string | null
  supersededBy: string | null
  updatedAt: string
}

export interface CredentialQuery {
  type?: string
  /** Only these types (the API key's scopes). */
  types?: string[]
  status?: CredentialState
  holder?: string
  subjectKey?: string
  issuedFrom?: string
  issuedUntil?: string
  limit: number
  /** issuedAt|id of the last item of the previous page. */
  cursor?: string
}

type Queryable = Pick<DataSource | EntityManager, 'query'>

/** Rows per multi-row INSERT (15 parameters each, well inside SQLite's parameter limit). */
const INSERT_ROWS = 500

/** Local records of what this node's departments issued (the credentials themselves are the holders'). */
export class CredentialStore {
  /** Each issuer's taken status indices, read once per process (see TakenIndices). */
  private readonly taken = new Map<string, Promise<TakenIndices>>()

  constructor(private readonly db: DataSource) {}

  async insert(record: CredentialRecord, q: Queryable = this.db): Promise<void> {
    await this.insertMany([record], q)
  }

  /** One multi-row INSERT per 500 records; a UNIQUE conflict of any refuses the statement (see isStatusIndexConflict). */
  async insertMany(records: readonly CredentialRecord[], q: Queryable = this.db): Promise<void> {
    for (const record of records) this.markTaken(record)
    for (let i = 0; i < records.length; i += INSERT_ROWS) {
      const chunk = records.slice(i, i + INSERT_ROWS)
      await q.query(
        `INSERT INTO govcred_credentials (id, departmentId, issuerDid, type, holder, subjectKey, statusIndex, status, format, jwt, issuedAt, validFrom, validUntil, supersededBy, updatedAt)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((record) => [
          record.id,
          record.departmentId,
          record.issuerDid,
          record.type,
          record.holder,
          record.subjectKey,
          record.statusIndex,
          record.status,
          record.format,
          record.jwt,
          record.issuedAt,
          record.validFrom,
          record.validUntil,
          record.supersededBy,
          record.updatedAt,
        ]),
      )
    }
  }

  async get(id: string, q: Queryable = this.db): Promise<CredentialRecord | undefined> {
    const rows = await q.query(`SELECT * FROM govcred_credentials WHERE id = ?`, [id])
    return rows[0]
  }

  /** Only the department's own record; another department's id looks like an unknown one. */
  async getOwned(departmentId: string, id: string, q: Queryable = this.db): Promise<CredentialRecord | undefined> {
    const rows = await q.query(`SELECT * FROM govcred_credentials WHERE id = ? AND departmentId = ?`, [id, departmentId])
    return rows[0]
  }

  async setStatus(id: string, status: CredentialState, q: Queryable = this.db, supersededBy?: string): Promise<void> {
    await q.query(`UPDATE govcred_credentials SET status = ?, supersededBy = COALESCE(?, supersededBy), updatedAt = ? WHERE id = ?`, [
      status,
      supersededBy ?? null,
      new Date().toISOString(),
      id,
    ])
  }

  /** True when `error` is the UNIQUE refusal of a second credential at one issuer's status index. */
  static isStatusIndexConflict(error: unknown): boolean {
    return /UNIQUE constraint failed: govcred_credentials\.issuerDid, govcred_credentials\.statusIndex/.test(
      String((error as Error)?.message),
    )
  }

  /** True when `error` is the refusal of a second credential with the same id. */
  static isIdConflict(error: unknown): boolean {
    return /UNIQUE constraint failed: govcred_credentials\.id\b/.test(String((error as Error)?.message))
  }

  async isIndexTaken(issuerDid: string, index: number, q: Queryable = this.db): Promise<boolean> {
    const rows = await q.query(`SELECT 1 FROM govcred_credentials WHERE issuerDid = ? AND statusIndex = ?`, [issuerDid, index])
    return rows.length > 0
  }

  /**
   * The issuer's taken status indices (of a list of `size` entries), loaded on first use and kept up to date by
   * insert() and insertMany(). A failed load is forgotten and read again next time.
   */
  takenIndices(issuerDid: string, size: number): Promise<TakenIndices> {
    let taken = this.taken.get(issuerDid)
    if (!taken) {
      taken = this.loadTaken(issuerDid, size)
      this.taken.set(issuerDid, taken)
      taken.catch(() => {
        if (this.taken.get(issuerDid) === taken) this.taken.delete(issuerDid)
      })
    }
    return taken
  }

  private async loadTaken(issuerDid: string, size: number): Promise<TakenIndices> {
    const taken = new TakenIndices(size)
    const rows: { statusIndex: number }[] = await this.db.query(`SELECT statusIndex FROM govcred_credentials WHERE issuerDid = ?`, [
      issuerDid,
    ])
    for (const row of rows) taken.mark(Number(row.statusIndex))
    return taken
  }

  private markTaken(record: CredentialRecord): void {
    // Marked when the insert is sent, so a draw racing it cannot take the same index; a load still in flight
    // reads the row itself once committed, or is marked here once it resolves.
    void this.taken.get(record.issuerDid)?.then(
      (taken) => taken.mark(record.statusIndex),
      () => undefined,
    )
  }

  async countForIssuer(issuerDid: string): Promise<number> {
    const rows = await this.db.query(`SELECT COUNT(*) AS n FROM govcred_credentials WHERE issuerDid = ?`, [issuerDid])
    return Number(rows[0].n)
  }

  /** The types of the department's credentials with these ids; another department's or an unknown id is absent. */
  async typesOf(departmentId: string, ids: readonly string[]): Promise<Map<string, string>> {
    const types = new Map<string, string>()
    const unique = [...new Set(ids)]
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500)
      const rows: { id: string; type: string }[] = await this.db.query(
        `SELECT id, type FROM govcred_credentials WHERE departmentId = ? AND id IN (${chunk.map(() => '?').join(', ')})`,
        [departmentId, ...chunk],
      )
      for (const row of rows) types.set(row.id, row.type)
    }
    return types
  }

  /**
   * Credentials issued per local day and type since `window.since` (credential-stats.ts), through the index on
   * (departmentId, issuedAt).
   */
  async issuedPerDay(departmentId: string, window: DailyWindow): Promise<{ date: string; type: string; issued: number }[]> {
    const types = window.types ? ` AND type IN (${window.types.map(() => '?').join(', ')})` : ''
    const rows: { date: string; type: string; n: number }[] = await this.db.query(
      `SELECT date(issuedAt, ?) AS date, type, COUNT(*) AS n FROM govcred_credentials
       WHERE departmentId = ? AND issuedAt >= ?${types} GROUP BY 1, 2`,
      [offsetModifier(window), departmentId, window.since, ...(window.types ?? [])],
    )
    return rows.map((r) => ({ date: r.date, type: r.type, issued: Number(r.n) }))
  }

  /** The latest non-revoked credential of a subject (e.g. a person's social-security status). */
  async currentForSubject(departmentId: string, type: string, subjectKey: string, q: Queryable = this.db): Promise<CredentialRecord[]> {
    return q.query(
      `SELECT * FROM govcred_credentials WHERE departmentId = ? AND type = ? AND subjectKey = ? AND status != 'revoked' ORDER BY issuedAt DESC`,
      [departmentId, type, subjectKey],
    )
  }

  async search(departmentId: string, query: CredentialQuery): Promise<{ items: CredentialRecord[]; nextCursor: string | null }> {
    const where = ['departmentId = ?']
    const params: unknown[] = [departmentId]
    const add = (clause: string, value: unknown) => {
      where.push(clause)
      params.push(value)
    }
    if (query.type) add('type = ?', query.type)
    if (query.types) {
      where.push(`type IN (${query.types.map(() => '?').join(', ')})`)
      params.push(...query.types)
    }
    if (query.status) add('status = ?', query.status)
    if (query.holder) add('holder = ?', query.holder)
    if (query.subjectKey) add('subjectKey = ?', query.subjectKey)
    if (query.issuedFrom) add('issuedAt >= ?', query.issuedFrom)
    if (query.issuedUntil) add('issuedAt < ?', query.issuedUntil)
    if (query.cursor) {
      const [issuedAt, id] = query.cursor.split('|')
      where.push('(issuedAt < ? OR (issuedAt = ? AND id < ?))')
      params.push(issuedAt, issuedAt, id)
    }
    const rows: CredentialRecord[] = await this.db.query(
      `SELECT * FROM govcred_credentials WHERE ${where.join(' AND ')} ORDER BY issuedAt DESC, id DESC LIMIT ?`,
      [...params, query.limit + 1],
    )
    const items = rows.slice(0, query.limit)
    const last = items[items.length - 1]
    return { items, nextCursor: rows.length > query.limit && last ? `${last.issuedAt}|${last.id}` : null }
  }
}
