import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { openTestDatabase } from '../helpers/test-database.js'
import { AuditLog } from '../../src/issuing/audit/audit-log.js'
import { CredentialStore, type CredentialRecord } from '../../src/issuing/records/credential-store.js'
import { DepartmentStore } from '../../src/issuing/departments/department-store.js'
import { IssuedCommits } from '../../src/issuing/issuance/issued-commits.js'
import { STATUS_LIST_SIZE } from '../../src/catalog/status-entries.js'

let db: DataSource
let close: () => Promise<void>
let credentials: CredentialStore
let audit: AuditLog
let commits: IssuedCommits
const DEPARTMENT = 'market-supervision'
const ISSUER = 'did:ethr:govcred:0x1111111111111111111111111111111111111111'

beforeAll(async () => {
  ;({ db, close } = await openTestDatabase('govcred-commits-'))
  await new DepartmentStore(db).insert({
    id: DEPARTMENT,
    name: '南京市市场监督管理局',
    nameEn: 'Nanjing Market Supervision',
    unifiedSocialCreditCode: '11320100MB1713935X',
    did: ISSUER,
    account: '0x1111111111111111111111111111111111111111',
    credentialTypes: ['BusinessLicenseCredential'],
    createdAt: new Date().toISOString(),
  })
  credentials = new CredentialStore(db)
  audit = new AuditLog(db)
  commits = new IssuedCommits({ db, credentials, audit })
})

afterAll(() => close?.())

let nextIndex = 1000
function record(overrides: Partial<CredentialRecord> = {}): CredentialRecord {
  const now = new Date().toISOString()
  return {
    id: `urn:uuid:${randomUUID()}`,
    departmentId: DEPARTMENT,
    issuerDid: ISSUER,
    type: 'BusinessLicenseCredential',
    holder: 'did:ethr:govcred:0x2222222222222222222222222222222222222222',
    subjectKey: '91320100MA1XYZ1234',
    statusIndex: nextIndex++,
    status: 'active',
    format: 'jwt_vc_json',
    jwt: 'eyJ.e30.sig',
    issuedAt: now,
    validFrom: now,
    validUntil: null,
    supersededBy: null,
    updatedAt: now,
    ...overrides,
  }
}

const commit = (r: CredentialRecord) =>
  commits.commit(r, {
    departmentId: r.departmentId,
    actor: 'key-1',
    action: 'issue',
    credentialId: r.id,
    details: { statusIndex: r.statusIndex },
  })

describe('batched commits of issued credentials', () => {
  it('stores 300 concurrent issuances with one audit entry each, in fewer transactions than issuances, the chain intact', async () => {
    let transactions = 0
    const original = db.transaction.bind(db)
    ;(db as { transaction: unknown }).transaction = (work: never) => {
      transactions++
      return original(work)
    }
    try {
      const records = Array.from({ length: 300 }, () => record())
      const outcomes = await Promise.all(records.map(commit))
      expect(outcomes.every((o) => o === 'stored')).toBe(true)
      expect(transactions).toBeGreaterThan(0)
      expect(transactions).toBeLessThan(300)
      for (const r of records.slice(0, 5)) expect((await credentials.get(r.id))?.statusIndex).toBe(r.statusIndex)
      const entries = await db.query(`SELECT COUNT(*) AS n FROM govcred_audit_log WHERE action = 'issue'`)
      expect(Number(entries[0].n)).toBe(300)
      const verified = await audit.verify(DEPARTMENT)
      expect(verified.problems).toEqual([])
      expect(verified.ok).toBe(true)
    } finally {
      ;(db as { transaction: unknown }).transaction = original
    }
  })

  it('refuses only the later of two issuances of one batch that drew the same status index', async () => {
    const first = record()
    const second = record({ statusIndex: first.statusIndex })
    const others = [record(), record()]
    const outcomes = await Promise.all([first, second, ...others].map(commit))
    expect(outcomes).toEqual(['stored', 'index-taken', 'stored', 'stored'])
    expect(await credentials.get(second.id)).toBeUndefined()
  })

  it('when a batch meets an index already stored, writes the rest one by one: only the clashing issuance is refused', async () => {
    const stored = record()
    expect(await commit(stored)).toBe('stored')
    const batch = [record(), record({ statusIndex: stored.statusIndex }), record()]
    const outcomes = await Promise.all(batch.map(commit))
    expect(outcomes).toEqual(['stored', 'index-taken', 'stored'])
    expect(await credentials.get(batch[0]!.id)).toBeDefined()
    expect(await credentials.get(batch[2]!.id)).toBeDefined()
    expect((await audit.verify(DEPARTMENT)).ok).toBe(true)
  })

  it('refuses a credential id issued already with ERR_DUPLICATE_CREDENTIAL_ID, and keeps the others of its batch', async () => {
    const stored = record()
    await commit(stored)
    const again = record({ id: stored.id })
    const other = record()
    const [duplicate, fine] = await Promise.allSettled([commit(again), commit(other)])
    expect(duplicate.status).toBe('rejected')
    expect((duplicate as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_DUPLICATE_CREDENTIAL_ID' })
    expect(fine).toEqual({ status: 'fulfilled', value: 'stored' })
  })

  it("runs each issuance's further writes in the batch; one that throws refuses only its own issuance", async () => {
    const marked: string[] = []
    const ok = record()
    const refused = record()
    const also = record()
    const results = await Promise.allSettled([
      commits.commit(ok, { departmentId: DEPARTMENT, actor: 'k', action: 'issue', credentialId: ok.id }, async (m, r) => {
        await m.query(`SELECT 1`)
        marked.push(r.id)
      }),
      commits.commit(refused, { departmentId: DEPARTMENT, actor: 'k', action: 'issue', credentialId: refused.id }, async () => {
        throw new Error('the offer was redeemed already')
      }),
      commits.commit(also, { departmentId: DEPARTMENT, actor: 'k', action: 'issue', credentialId: also.id }),
    ])
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'stored' })
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { message: 'the offer was redeemed already' } })
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'stored' })
    expect(marked).toContain(ok.id)
    expect(await credentials.get(refused.id)).toBeUndefined()
    expect(await credentials.get(ok.id)).toBeDefined()
    expect((await audit.verify(DEPARTMENT)).ok).toBe(true)
  })

  it('keeps the taken-index bitmap and count in step with what was stored, without a COUNT per issuance', async () => {
    const fresh = new CredentialStore(db)
    const taken = await fresh.takenIndices(ISSUER, STATUS_LIST_SIZE)
    const [{ n }] = await db.query(`SELECT COUNT(*) AS n FROM govcred_credentials WHERE issuerDid = ?`, [ISSUER])
    expect(taken.count).toBe(Number(n))
    const r = record()
    expect(taken.has(r.statusIndex)).toBe(false)
    await fresh.insert(r)
    await Promise.resolve()
    expect(taken.has(r.statusIndex)).toBe(true)
    expect(taken.count).toBe(Number(n) + 1)
  })
})
