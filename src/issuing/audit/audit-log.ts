import type { DataSource, EntityManager } from 'typeorm'
import { writeTransaction } from '../../store/write-transaction.js'
import { auditEntryHash, GENESIS_HASH } from './audit-hash.js'
import { AuditAnchorStore } from './audit-anchor-store.js'
import { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from './audit-entry.js'

export { AUDIT_ACTIONS, type AuditAction, type AuditEntry } from './audit-entry.js'

export interface AuditAppendInput {
  departmentId: string
  actor: string
  action: AuditAction
  credentialId?: string | null
  txHash?: string | null
  details?: Record<string, unknown>
}

export interface AuditListOptions {
  /** 1 to 200; 50 when absent. */
  limit?: number
  /** Only entries with a smaller seq (the previous page's nextBefore). */
  before?: number
  action?: AuditAction
  credentialId?: string
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[]
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null
}

export type AuditProblemCode =
  | 'ERR_AUDIT_HASH_MISMATCH'
  | 'ERR_AUDIT_CHAIN_BROKEN'
  | 'ERR_AUDIT_ANCHOR_MISMATCH'
  | 'ERR_AUDIT_ANCHOR_MISSING_ENTRY'
  | 'ERR_AUDIT_CHAIN_HEAD_NOT_FOUND'

export interface AuditProblem {
  seq: number | null
  code: AuditProblemCode
  message: string
}

export interface AuditVerification {
  ok: boolean
  departmentId: string
  entries: number
  head?: { seq: number; hash: string }
  problems: AuditProblem[]
}

/** Which of a batch of entries the caller may see; the rest are left out of its pages. */
export type AuditVisibility = (entries: AuditEntry[]) => Promise<AuditEntry[]>

/**
 * What an API key restricted to some credential types sees of its department's log: the entries about its
 * department's credentials of those types. Entries about no credential (api-key-create, api-key-revoke) concern
 * the whole department and are for unrestricted ('*') keys only, as are entries about a credential this node
 * has no record of; a one-stop decision or review is seen by the keys of the type its rule issues.
 *
 * @example
 * await log.list(departmentId, {}, visibleToTypes(['BusinessLicenseCredential'], (ids) => credentials.typesOf(departmentId, ids)))
 */
function onestopOutputType(entry: AuditEntry): string | undefined {
  const type = entry.details.outputType
  return (entry.action === 'onestop-decision' || entry.action === 'onestop-review') && typeof type === 'string' ? type : undefined
}

export function visibleToTypes(
  types: readonly string[],
  typesOf: (credentialIds: string[]) => Promise<Map<string, string>>,
): AuditVisibility {
  return async (entries) => {
    const ids = entries.map((e) => e.credentialId).filter((id): id is string => id !== null)
    const known = ids.length > 0 ? await typesOf(ids) : new Map<string, string>()
    return entries.filter((e) => {
      // A one-stop decision or review concerns the type its rule issues, before any credential exists.
      const type = e.credentialId === null ? onestopOutputType(e) : known.get(e.credentialId)
      return type !== undefined && types.includes(type)
    })
  }
}

export const AUDIT_LIST_MAX_LIMIT = 200
export const AUDIT_LIST_DEFAULT_LIMIT = 50
const MAX_DETAILS_CHARS = 8192
const VERIFY_PAGE = 1000
/** Rows per multi-row INSERT (10 parameters each, well inside SQLite's parameter limit). */
const INSERT_ROWS = 200
/** Rows read at a time when a scope filters them. */
const VISIBLE_BATCH = 200

/** Keys and values that must never land in the audit log (it is readable by the department's API keys). */
const SECRET_KEY = /^(key|apikey|api_key|secret|password|passphrase|privatekey|private_key|mnemonic|seed|jwt)$/i
const SECRET_VALUE = [/^gck_/, /^eyJ[\w-]*\.[\w-]*\.[\w-]*$/]

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>
}

interface AuditRow {
  seq: number
  departmentId: string
  at: string
  actor: string
  action: string
  credentialId: string | null
  txHash: string | null
  details: string
  prevHash: string
  hash: string
}

/**
 * A per-department, hash-chained audit log: each entry's `prevHash` is the department's previous entry's
 * `hash`, so changing or removing an entry breaks the chain; heads are anchored on chain by AuditAnchoring.
 *
 * @example
 * const log = new AuditLog(ctx.db)
 * await log.append({ departmentId: 'market-supervision', actor: apiKeyId, action: 'revoke', credentialId, details: { reason: 'fraud' } })
 * const { ok, problems } = await log.verify('market-supervision')
 */
export class AuditLog {
  private readonly now: () => Date
  private readonly anchors: AuditAnchorStore

  constructor(
    private readonly db: DataSource,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date())
    this.anchors = new AuditAnchorStore(db)
  }

  /**
   * Appends one entry. With `manager` (from the caller's `writeTransaction`) the entry commits or rolls back
   * with the caller's work; without it the append runs in its own `writeTransaction`. Either way appends in
   * this process run one at a time (that queue is shared with every other writer of the database), and the
   * write lock is taken before the head is read, so another process cannot chain onto the same head.
   */
  async append(input: AuditAppendInput, manager?: EntityManager): Promise<AuditEntry> {
    const prepared = prepare(input)
    return manager ? this.insert(manager, prepared) : writeTransaction(this.db, (m) => this.insert(m, prepared))
  }

  /**
   * The department's entries, newest first, one page at a time. With `visible` (an API key's scope), entries
   * it leaves out are skipped and the page is filled from older ones, so pages stay full and `nextBefore`
   * gives nothing hidden away.
   */
  async list(departmentId: string, options: AuditListOptions = {}, visible?: AuditVisibility): Promise<AuditPage> {
    const limit = options.limit ?? AUDIT_LIST_DEFAULT_LIMIT
    if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_LIST_MAX_LIMIT) {
      throw new RangeError(`limit must be an integer from 1 to ${AUDIT_LIST_MAX_LIMIT}`)
    }
    if (options.before !== undefined && (!Number.isInteger(options.before) || options.before < 1)) {
      throw new RangeError('before must be a positive integer')
    }
    const where = ['departmentId = ?']
    const params: unknown[] = [departmentId]
    if (options.action !== undefined) {
      where.push('action = ?')
      params.push(options.action)
    }
    if (options.credentialId !== undefined) {
      where.push('credentialId = ?')
      params.push(options.credentialId)
    }
    const batch = visible ? Math.max(limit + 1, VISIBLE_BATCH) : limit + 1
    const kept: AuditEntry[] = []
    for (let before = options.before; ;) {
      const bounded = before === undefined ? where : [...where, 'seq < ?']
      const rows: AuditRow[] = await this.db.query(
        `SELECT * FROM govcred_audit_log WHERE ${bounded.join(' AND ')} ORDER BY seq DESC LIMIT ?`,
        [...params, ...(before === undefined ? [] : [before]), batch],
      )
      const entries = rows.map(fromRow)
      kept.push(...(visible ? await visible(entries) : entries))
      if (kept.length > limit || rows.length < batch) break
      before = Number(rows[rows.length - 1]!.seq)
    }
    const entries = kept.slice(0, limit)
    return { entries, nextBefore: kept.length > limit ? entries[entries.length - 1]!.seq : null }
  }

  /** The department's latest entry, or undefined when it has none (read through `q`: a transaction's manager). */
  async head(departmentId: string, q: DataSource | EntityManager = this.db): Promise<{ seq: number; hash: string } | undefined> {
    const rows: { seq: number; hash: string }[] = await q.query(
      `SELECT seq, hash FROM govcred_audit_log WHERE departmentId = ? ORDER BY seq DESC LIMIT 1`,
      [departmentId],
    )
    return rows[0] && { seq: Number(rows[0].seq), hash: rows[0].hash }
  }

  /** The entry with this hash in this department's log, if any. */
  async findByHash(departmentId: string, hash: string): Promise<AuditEntry | undefined> {
    const rows: AuditRow[] = await this.db.query(`SELECT * FROM govcred_audit_log WHERE departmentId = ? AND hash = ?`, [
      departmentId,
      hash.toLowerCase(),
    ])
    return rows[0] && fromRow(rows[0])
  }

  /**
   * Recomputes every hash of the department's chain, checks every link, and checks every recorded anchor
   * still matches the entry at its seq (a truncated or rewritten tail after an anchor). Problems are data.
   */
  async verify(departmentId: string): Promise<AuditVerification> {
    const problems: AuditProblem[] = []
    let previous: { seq: number; hash: string } | undefined
    let count = 0
    for (let after = 0; ;) {
      const rows: AuditRow[] = await this.db.query(
        `SELECT * FROM govcred_audit_log WHERE departmentId = ? AND seq > ? ORDER BY seq LIMIT ?`,
        [departmentId, after, VERIFY_PAGE],
      )
      for (const row of rows) {
        problems.push(...checkEntry(row, previous))
        previous = { seq: Number(row.seq), hash: row.hash }
        count++
      }
      if (rows.length < VERIFY_PAGE) break
      after = Number(rows[rows.length - 1]!.seq)
    }
    problems.push(...(await this.checkAnchors(departmentId)))
    problems.sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER))
    return { ok: problems.length === 0, departmentId, entries: count, ...(previous && { head: previous }), problems }
  }

  private async checkAnchors(departmentId: string): Promise<AuditProblem[]> {
    const anchors = await this.anchors.list(departmentId)
    const entryHashes = await this.hashesOf(
      departmentId,
      anchors.map((a) => a.seq),
    )
    const rows = anchors
      .map((a) => ({ seq: a.seq, anchoredHash: a.hash, entryHash: entryHashes.get(a.seq) ?? null }))
      .filter((row) => row.entryHash !== row.anchoredHash)
    return rows.map((row): AuditProblem =>
      row.entryHash === null
        ? {
            seq: Number(row.seq),
            code: 'ERR_AUDIT_ANCHOR_MISSING_ENTRY',
            message: `entry ${row.seq} was anchored (${row.anchoredHash}) but is no longer in the log`,
          }
        : {
            seq: Number(row.seq),
            code: 'ERR_AUDIT_ANCHOR_MISMATCH',
            message: `entry ${row.seq} has hash ${row.entryHash}, but ${row.anchoredHash} was anchored`,
          },
    )
  }

  /** The hashes of the department's entries with these seqs (absent ones are missing from the map). */
  private async hashesOf(departmentId: string, seqs: number[]): Promise<Map<number, string>> {
    const hashes = new Map<number, string>()
    for (let i = 0; i < seqs.length; i += 500) {
      const chunk = seqs.slice(i, i + 500)
      const rows: { seq: number; hash: string }[] = await this.db.query(
        `SELECT seq, hash FROM govcred_audit_log WHERE departmentId = ? AND seq IN (${chunk.map(() => '?').join(', ')})`,
        [departmentId, ...chunk],
      )
      for (const row of rows) hashes.set(Number(row.seq), row.hash)
    }
    return hashes
  }

  private async insert(runner: Queryable, input: PreparedInput): Promise<AuditEntry> {
    return (await this.insertAll(runner, [input]))[0]!
  }

  /**
   * Appends entries in order inside the caller's write transaction (`manager`): one read of the heads and one
   * multi-row INSERT however many there are, for batched commits (src/issuing/issuance/issued-commits.ts).
   */
  async appendMany(inputs: readonly AuditAppendInput[], manager: EntityManager): Promise<AuditEntry[]> {
    return this.insertAll(manager, inputs.map(prepare))
  }

  private async insertAll(runner: Queryable, inputs: readonly PreparedInput[]): Promise<AuditEntry[]> {
    if (inputs.length === 0) return []
    // A no-op write takes SQLite's write lock first (waiting out the busy timeout): reading the head under a
    // deferred transaction and writing after would fail with SQLITE_BUSY when another process appended.
    await runner.query(`UPDATE govcred_audit_log SET seq = seq WHERE 0`)
    const departments = [...new Set(inputs.map((i) => i.departmentId))]
    // sqlite_sequence keeps the largest seq ever used, so a truncated tail never has its numbers reused.
    const [state]: { nextSeq: number; heads: string | null }[] = await runner.query(
      `SELECT MAX(
                COALESCE((SELECT MAX(seq) FROM govcred_audit_log), 0),
                COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'govcred_audit_log'), 0)
              ) + 1 AS nextSeq,
              json_array(${departments.map(() => '(SELECT hash FROM govcred_audit_log WHERE departmentId = ? ORDER BY seq DESC LIMIT 1)').join(', ')}) AS heads`,
      departments,
    )
    const heads = new Map<string, string>()
    const read = JSON.parse(state!.heads ?? '[]') as (string | null)[]
    departments.forEach((d, i) => heads.set(d, read[i] ?? GENESIS_HASH))
    let seq = Number(state!.nextSeq)
    const entries = inputs.map((input) => {
      const unhashed: Omit<AuditEntry, 'hash'> = {
        seq: seq++,
        departmentId: input.departmentId,
        at: this.now().toISOString(),
        actor: input.actor,
        action: input.action,
        credentialId: input.credentialId,
        txHash: input.txHash,
        details: input.details,
        prevHash: heads.get(input.departmentId)!,
      }
      const entry: AuditEntry = { ...unhashed, hash: auditEntryHash(unhashed) }
      heads.set(input.departmentId, entry.hash)
      return entry
    })
    for (let i = 0; i < entries.length; i += INSERT_ROWS) {
      const chunk = entries.slice(i, i + INSERT_ROWS)
      await runner.query(
        `INSERT INTO govcred_audit_log (seq, departmentId, at, actor, action, credentialId, txHash, details, prevHash, hash)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((entry) => [
          entry.seq,
          entry.departmentId,
          entry.at,
          entry.actor,
          entry.action,
          entry.credentialId,
          entry.txHash,
          JSON.stringify(entry.details),
          entry.prevHash,
          entry.hash,
        ]),
      )
    }
    return entries
  }
}

interface PreparedInput {
  departmentId: string
  actor: string
  action: AuditAction
  credentialId: string | null
  txHash: string | null
  details: Record<string, unknown>
}

function prepare(input: AuditAppendInput): PreparedInput {
  if (typeof input.departmentId !== 'string' || input.departmentId === '') throw new TypeError('audit departmentId is required')
  if (typeof input.actor !== 'string' || input.actor === '' || input.actor.length > 200) {
    throw new TypeError('audit actor must be an API key id or "cli:<user>" (1 to 200 characters)')
  }
  if (!AUDIT_ACTIONS.includes(input.action)) throw new TypeError(`unknown audit action ${String(input.action)}`)
  const credentialId = input.credentialId ?? null
  if (credentialId !== null && (typeof credentialId !== 'string' || credentialId === '')) {
    throw new TypeError('audit credentialId must be a non-empty string or null')
  }
  const txHash = input.txHash ?? null
  if (txHash !== null && !/^0x[0-9a-fA-F]{64}$/.test(txHash))
    throw new TypeError(`audit txHash ${String(txHash)} is not a transaction hash`)
  return {
    departmentId: input.departmentId,
    actor: input.actor,
    action: input.action,
    credentialId,
    txHash: txHash?.toLowerCase() ?? null,
    details: normalizeDetails(input.details),
  }
}

/** What is hashed must be exactly what reads back from the database, so details go through JSON once. */
function normalizeDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (details === undefined) return {}
  if (details === null || typeof details !== 'object' || Array.isArray(details)) throw new TypeError('audit details must be a JSON object')
  const text = JSON.stringify(details, (_key, value) => (typeof value === 'bigint' ? value.toString() : value))
  if (text.length > MAX_DETAILS_CHARS) throw new RangeError(`audit details exceed ${MAX_DETAILS_CHARS} characters`)
  const normalized = JSON.parse(text) as Record<string, unknown>
  assertNoSecrets(normalized, 'details')
  return normalized
}

function assertNoSecrets(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (SECRET_VALUE.some((pattern) => pattern.test(value)))
      throw new TypeError(`audit ${path} looks like an API key or a JWT; log its id instead`)
    return
  }
  if (value === null || typeof value !== 'object') return
  for (const [key, inner] of Object.entries(value)) {
    if (!Array.isArray(value) && SECRET_KEY.test(key)) throw new TypeError(`audit ${path}.${key} may hold a secret; log an id instead`)
    assertNoSecrets(inner, `${path}.${key}`)
  }
}

function checkEntry(row: AuditRow, previous: { seq: number; hash: string } | undefined): AuditProblem[] {
  const seq = Number(row.seq)
  const problems: AuditProblem[] = []
  const expectedPrev = previous?.hash ?? GENESIS_HASH
  if (row.prevHash !== expectedPrev) {
    problems.push({
      seq,
      code: 'ERR_AUDIT_CHAIN_BROKEN',
      message: previous
        ? `entry ${seq} links to ${row.prevHash}, but the department's previous entry (${previous.seq}) has hash ${previous.hash}: an entry was removed or rewritten`
        : `entry ${seq} is the department's first entry but links to ${row.prevHash}: earlier entries were removed`,
    })
  }
  let details: Record<string, unknown>
  try {
    details = JSON.parse(row.details)
  } catch {
    problems.push({ seq, code: 'ERR_AUDIT_HASH_MISMATCH', message: `entry ${seq} has details that are not valid JSON` })
    return problems
  }
  const recomputed = auditEntryHash({ ...fromRow(row), details })
  if (recomputed !== row.hash) {
    problems.push({
      seq,
      code: 'ERR_AUDIT_HASH_MISMATCH',
      message: `entry ${seq} hashes to ${recomputed}, but ${row.hash} is recorded: it was modified`,
    })
  }
  return problems
}

function fromRow(row: AuditRow): AuditEntry {
  let details: Record<string, unknown>
  try {
    details = JSON.parse(row.details)
  } catch {
    details = {}
  }
  return {
    seq: Number(row.seq),
    departmentId: row.departmentId,
    at: row.at,
    actor: row.actor,
    action: row.action as AuditAction,
    credentialId: row.credentialId,
    txHash: row.txHash,
    details,
    prevHash: row.prevHash,
    hash: row.hash,
  }
}
