import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DataSource } from 'typeorm'
import { openTestDatabase } from '../helpers/test-database.js'
import { writeTransaction } from '../../src/store/write-transaction.js'
import { AuditLog, type AuditAppendInput } from '../../src/issuing/audit/audit-log.js'
import { auditEntryHash, GENESIS_HASH } from '../../src/issuing/audit/audit-hash.js'

let dir: string
let db: DataSource
let log: AuditLog

let close: () => Promise<void>

beforeAll(async () => {
  ;({ db, dir, close } = await openTestDatabase('govcred-audit-'))
  log = new AuditLog(db)
})

afterAll(() => close?.())

const department = () => `dept-${randomUUID().slice(0, 8)}`
const entryOf = (departmentId: string, i: number, extra: Partial<AuditAppendInput> = {}): AuditAppendInput => ({
  departmentId,
  actor: 'cli:alice',
  action: 'issue',
  credentialId: `urn:uuid:cred-${i}`,
  details: { type: 'BusinessLicenseCredential', i },
  ...extra,
})

async function appendMany(departmentId: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await log.append(entryOf(departmentId, i))
}

describe('AuditLog.append and list', () => {
  it('chains each department from the genesis hash and lists newest first', async () => {
    const a = department()
    const b = department()
    const first = await log.append(entryOf(a, 1))
    await log.append(entryOf(b, 1))
    const second = await log.append({
      departmentId: a,
      actor: 'key-1',
      action: 'revoke',
      credentialId: 'urn:uuid:cred-1',
      txHash: `0x${'AB'.repeat(32)}`,
      details: { reason: 'fraud', statusIndex: 5n },
    })

    expect(first.prevHash).toBe(GENESIS_HASH)
    expect(second.prevHash).toBe(first.hash)
    expect(second.seq).toBeGreaterThan(first.seq)
    expect(second.txHash).toBe(`0x${'ab'.repeat(32)}`)
    expect(second.details).toEqual({ reason: 'fraud', statusIndex: '5' })
    const { hash, ...rest } = second
    expect(auditEntryHash(rest)).toBe(hash)

    const page = await log.list(a)
    expect(page).toEqual({ entries: [second, first], nextBefore: null })
    expect(await log.head(a)).toEqual({ seq: second.seq, hash: second.hash })
    expect(await log.head(department())).toBeUndefined()
  })

  it('pages with before and filters by action and credential', async () => {
    const a = department()
    await appendMany(a, 5)
    await log.append(entryOf(a, 2, { action: 'suspend' }))

    const first = await log.list(a, { limit: 4 })
    expect(first.entries).toHaveLength(4)
    expect(first.nextBefore).toBe(first.entries[3]!.seq)
    const second = await log.list(a, { limit: 4, before: first.nextBefore! })
    expect(second.entries.map((e) => e.seq)).toEqual(second.entries.map((e) => e.seq).sort((x, y) => y - x))
    expect(second).toMatchObject({ nextBefore: null })
    expect(second.entries).toHaveLength(2)
    expect(second.entries[0]!.seq).toBeLessThan(first.entries[3]!.seq)

    expect((await log.list(a, { action: 'suspend' })).entries.map((e) => e.action)).toEqual(['suspend'])
    expect((await log.list(a, { credentialId: 'urn:uuid:cred-2' })).entries.map((e) => e.action)).toEqual(['suspend', 'issue'])
    await expect(log.list(a, { limit: 201 })).rejects.toThrow(RangeError)
  })

  it('stamps the time from its clock', async () => {
    const frozen = new AuditLog(db, { now: () => new Date('2026-11-25T08:00:00.000Z') })
    expect((await frozen.append(entryOf(department(), 1))).at).toBe('2026-11-25T08:00:00.000Z')
  })

  it("keeps 50 concurrent appends (and another department's, interleaved) in one unbroken chain each", async () => {
    const a = department()
    const b = department()
    const otherLog = new AuditLog(db)
    const appended = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => log.append(entryOf(a, i))),
      ...Array.from({ length: 10 }, (_, i) => otherLog.append(entryOf(b, i))),
    ])
    expect(new Set(appended.map((e) => e.seq)).size).toBe(60)
    const verification = await log.verify(a)
    expect(verification).toMatchObject({ ok: true, departmentId: a, entries: 50, problems: [] })
    expect(verification.head).toEqual(await log.head(a))
    expect(await log.verify(b)).toMatchObject({ ok: true, entries: 10 })
  })

  it('keeps the chain unbroken when two connections (as two processes would) append at once', async () => {
    const a = department()
    const second = new DataSource({
      type: 'sqlite',
      database: join(dir, 'govcred.sqlite'),
      enableWAL: true,
      busyTimeout: 10_000,
      logging: false,
    })
    await second.initialize()
    try {
      const other = new AuditLog(second)
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? log : other).append(entryOf(a, i))))
    } finally {
      await second.destroy()
    }
    expect(await log.verify(a)).toMatchObject({ ok: true, entries: 40 })
  })

  it("commits or rolls back with the caller's transaction", async () => {
    const a = department()
    await expect(
      writeTransaction(db, async (manager) => {
        await log.append(entryOf(a, 1), manager)
        throw new Error('caller failed')
      }),
    ).rejects.toThrow('caller failed')
    expect(await log.head(a)).toBeUndefined()

    const committed = await writeTransaction(db, (manager) => log.append(entryOf(a, 2), manager))
    expect(await log.head(a)).toEqual({ seq: committed.seq, hash: committed.hash })
    expect(committed.prevHash).toBe(GENESIS_HASH)
  })

  it("interleaves its own appends with appends inside other writers' transactions, some rolled back", async () => {
    const a = department()
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => log.append(entryOf(a, i))),
      ...Array.from({ length: 20 }, (_, i) =>
        writeTransaction(db, async (manager) => {
          await manager.query(`SELECT COUNT(*) FROM govcred_departments`)
          await log.append(entryOf(a, 100 + i, { action: 'suspend' }), manager)
          if (i % 2) throw new Error('caller failed')
        }),
      ),
    ])
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual(
      Array(10).fill('Error: caller failed'),
    )
    expect(await log.verify(a)).toMatchObject({ ok: true, entries: 30 })
    expect((await log.list(a, { action: 'suspend' })).entries).toHaveLength(10)
  })

  it('refuses secrets and malformed input', async () => {
    const a = department()
    await expect(log.append(entryOf(a, 1, { details: { key: 'anything' } }))).rejects.toThrow(/secret/)
    await expect(log.append(entryOf(a, 1, { details: { note: `gck_${'x'.repeat(43)}` } }))).rejects.toThrow(/API key or a JWT/)
    await expect(log.append(entryOf(a, 1, { details: { vc: 'eyJhbGciOiJFUzI1NksifQ.eyJzdWIiOiJ4In0.c2ln' } }))).rejects.toThrow(/JWT/)
    await expect(log.append(entryOf(a, 1, { action: 'delete' as never }))).rejects.toThrow(/unknown audit action/)
    await expect(log.append(entryOf(a, 1, { txHash: '0x1234' }))).rejects.toThrow(/not a transaction hash/)
    await expect(log.append(entryOf(a, 1, { actor: '' }))).rejects.toThrow(/actor/)
    expect(await log.head(a)).toBeUndefined()
  })
})

describe('AuditLog.verify', () => {
  it('reports a modified entry as ERR_AUDIT_HASH_MISMATCH at its seq', async () => {
    const a = department()
    await appendMany(a, 4)
    const target = (await log.list(a)).entries[2]!
    await db.query(`UPDATE govcred_audit_log SET details = ? WHERE seq = ?`, [JSON.stringify({ ...target.details, i: 99 }), target.seq])
    const result = await log.verify(a)
    expect(result.ok).toBe(false)
    expect(result.entries).toBe(4)
    expect(result.problems.map((p) => [p.code, p.seq])).toEqual([['ERR_AUDIT_HASH_MISMATCH', target.seq]])
  })

  it('reports a deleted middle entry as ERR_AUDIT_CHAIN_BROKEN at the next entry', async () => {
    const a = department()
    await appendMany(a, 5)
    const seqs = (await log.list(a)).entries.map((e) => e.seq).reverse()
    await db.query(`DELETE FROM govcred_audit_log WHERE seq = ?`, [seqs[2]])
    const result = await log.verify(a)
    expect(result.problems.map((p) => [p.code, p.seq])).toEqual([['ERR_AUDIT_CHAIN_BROKEN', seqs[3]]])
  })

  it('reports a deleted first entry as ERR_AUDIT_CHAIN_BROKEN', async () => {
    const a = department()
    await appendMany(a, 3)
    const seqs = (await log.list(a)).entries.map((e) => e.seq).reverse()
    await db.query(`DELETE FROM govcred_audit_log WHERE seq = ?`, [seqs[0]])
    expect((await log.verify(a)).problems.map((p) => [p.code, p.seq])).toEqual([['ERR_AUDIT_CHAIN_BROKEN', seqs[1]]])
  })

  it('checks recorded anchors: a truncated tail and a consistently rewritten entry', async () => {
    const a = department()
    await appendMany(a, 4)
    const [last, third] = (await log.list(a)).entries
    const anchor = (seq: number, hash: string) =>
      db.query(`INSERT INTO govcred_audit_anchors (departmentId, seq, hash, txHash, anchoredAt) VALUES (?, ?, ?, NULL, ?)`, [
        a,
        seq,
        hash,
        new Date().toISOString(),
      ])
    await anchor(last!.seq, last!.hash)
    expect((await log.verify(a)).ok).toBe(true)

    // Rewrite the tail with a freshly computed hash: the chain alone cannot tell, the anchor can.
    const { hash: _old, ...unhashed } = last!
    const rewritten = { ...unhashed, details: { ...last!.details, i: 1000 } }
    await db.query(`UPDATE govcred_audit_log SET details = ?, hash = ? WHERE seq = ?`, [
      JSON.stringify(rewritten.details),
      auditEntryHash(rewritten),
      last!.seq,
    ])
    expect((await log.verify(a)).problems.map((p) => [p.code, p.seq])).toEqual([['ERR_AUDIT_ANCHOR_MISMATCH', last!.seq]])

    await db.query(`DELETE FROM govcred_audit_log WHERE seq = ?`, [last!.seq])
    const truncated = await log.verify(a)
    expect(truncated.problems.map((p) => [p.code, p.seq])).toEqual([['ERR_AUDIT_ANCHOR_MISSING_ENTRY', last!.seq]])
    expect(truncated.head).toEqual({ seq: third!.seq, hash: third!.hash })

    // Appending after truncation never reuses the removed seq.
    const next = await log.append(entryOf(a, 5))
    expect(next.seq).toBeGreaterThan(last!.seq)
    expect(next.prevHash).toBe(third!.hash)
  })
})
