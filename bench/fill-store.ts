/**
 * Fills a stopped service's SQLite file with issued-credential records and their audit entries, as issuance
 * would have left them (distinct free status indices per issuer, a hash-chained audit log per department), so
 * the scale section can measure issuance with a million credentials in the store without issuing them all.
 *
 * @example
 * await fillStore(join(dataDir, 'govcred.sqlite'), 1_000_000, (done) => log(`${done} rows`))
 */
import { randomUUID } from 'node:crypto'
import sqlite3 from 'sqlite3'
import { auditEntryHash, GENESIS_HASH } from '../src/issuing/audit/audit-hash.js'
import { STATUS_LIST_SIZE } from '../src/catalog/status-entries.js'

const ROWS_PER_STATEMENT = 400
const ROWS_PER_TRANSACTION = 50_000
const DAY_MS = 86_400_000

interface Db {
  run(sql: string, params?: unknown[]): Promise<void>
  all<T>(sql: string, params?: unknown[]): Promise<T[]>
  close(): Promise<void>
}

function open(file: string): Promise<Db> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (error) => {
      if (error) return reject(error)
      resolve({
        run: (sql, params = []) => new Promise((done, fail) => db.run(sql, params, (e) => (e ? fail(e) : done()))),
        all: <T>(sql: string, params: unknown[] = []) =>
          new Promise<T[]>((done, fail) => db.all(sql, params, (e, rows) => (e ? fail(e) : done(rows as T[])))),
        close: () => new Promise((done, fail) => db.close((e) => (e ? fail(e) : done()))),
      })
    })
  })
}

/** `count` distinct indices of [0, size) not in `taken`, uniformly at random (a partial Fisher–Yates shuffle). */
function freeIndices(size: number, taken: Set<number>, count: number): number[] {
  const pool = new Uint32Array(size)
  let n = 0
  for (let i = 0; i < size; i++) if (!taken.has(i)) pool[n++] = i
  if (count > n) throw new Error(`only ${n} free status indices, ${count} asked`)
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (n - i))
    const t = pool[i]!
    pool[i] = pool[j]!
    pool[j] = t
  }
  return Array.from(pool.subarray(0, count))
}

/** Adds records until the store holds `total` credentials, spread evenly over the departments (their first type each). */
export async function fillStore(file: string, total: number, progress: (rows: number) => void): Promise<{ added: number }> {
  const db = await open(file)
  try {
    await db.run('PRAGMA journal_mode = WAL')
    await db.run('PRAGMA synchronous = NORMAL')
    const [{ n: existing }] = await db.all<{ n: number }>('SELECT COUNT(*) AS n FROM govcred_credentials')
    const [sample] = await db.all<{ jwt: string }>('SELECT jwt FROM govcred_credentials ORDER BY rowid DESC LIMIT 1')
    if (!sample) throw new Error('the store has no credential to model the records on: issue one first')
    // Every department that issues something gets its share, as a city's would, each in its own status list.
    const issuers = (
      await db.all<{ id: string; did: string; credentialTypes: string }>('SELECT id, did, credentialTypes FROM govcred_departments')
    )
      .map((d) => ({ departmentId: d.id, issuerDid: d.did, type: (JSON.parse(d.credentialTypes) as string[])[0], jwt: sample.jwt }))
      .filter((d): d is { departmentId: string; issuerDid: string; type: string; jwt: string } => typeof d.type === 'string')
    const toAdd = Math.max(0, total - Number(existing))
    let added = 0
    let seq = Number((await db.all<{ s: number | null }>('SELECT MAX(seq) AS s FROM govcred_audit_log'))[0]!.s ?? 0) + 1
    const now = Date.now()
    for (const [k, model] of issuers.entries()) {
      const share = Math.floor(toAdd / issuers.length) + (k < toAdd % issuers.length ? 1 : 0)
      const taken = new Set(
        (await db.all<{ i: number }>('SELECT statusIndex AS i FROM govcred_credentials WHERE issuerDid = ?', [model.issuerDid])).map((r) =>
          Number(r.i),
        ),
      )
      const indices = freeIndices(STATUS_LIST_SIZE, taken, share)
      const [head] = await db.all<{ hash: string }>('SELECT hash FROM govcred_audit_log WHERE departmentId = ? ORDER BY seq DESC LIMIT 1', [
        model.departmentId,
      ])
      let prevHash = head?.hash ?? GENESIS_HASH
      for (let t = 0; t < indices.length; t += ROWS_PER_TRANSACTION) {
        await db.run('BEGIN')
        const slice = indices.slice(t, t + ROWS_PER_TRANSACTION)
        for (let s = 0; s < slice.length; s += ROWS_PER_STATEMENT) {
          const chunk = slice.slice(s, s + ROWS_PER_STATEMENT)
          const credentials: unknown[] = []
          const audit: unknown[] = []
          for (const index of chunk) {
            // Spread over the past year, so that newest-first pages and date filters meet old and new records.
            const at = new Date(now - Math.floor(Math.random() * 365 * DAY_MS)).toISOString()
            const id = `urn:uuid:${randomUUID()}`
            const holder = `did:ethr:govcred:0x${seq.toString(16).padStart(40, '0')}`
            credentials.push(id, model.departmentId, model.issuerDid, model.type, holder, null, index, 'active', 'jwt_vc_json')
            credentials.push(model.jwt, at, at, null, null, at)
            const unhashed = {
              seq,
              departmentId: model.departmentId,
              at,
              actor: 'bench-fill',
              action: 'issue' as const,
              credentialId: id,
              txHash: null,
              details: { type: model.type, statusIndex: index, validUntil: null },
              prevHash,
            }
            const hash = auditEntryHash(unhashed)
            audit.push(seq, model.departmentId, at, 'bench-fill', 'issue', id, null, JSON.stringify(unhashed.details), prevHash, hash)
            prevHash = hash
            seq++
          }
          await db.run(
            `INSERT INTO govcred_credentials (id, departmentId, issuerDid, type, holder, subjectKey, statusIndex, status, format, jwt, issuedAt, validFrom, validUntil, supersededBy, updatedAt)
             VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
            credentials,
          )
          await db.run(
            `INSERT INTO govcred_audit_log (seq, departmentId, at, actor, action, credentialId, txHash, details, prevHash, hash)
             VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
            audit,
          )
          added += chunk.length
        }
        await db.run('COMMIT')
        progress(Number(existing) + added)
      }
    }
    await db.run('PRAGMA wal_checkpoint(TRUNCATE)')
    return { added }
  } finally {
    await db.close()
  }
}
