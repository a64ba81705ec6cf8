import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Contract } from 'ethers'
import { startTestService, type TestService } from '../helpers/service.js'
import { AuditLog } from '../../src/issuing/audit/audit-log.js'
import { AuditAnchoring, AUDIT_HEAD_KEY } from '../../src/issuing/audit/audit-anchoring.js'
import { verifyAuditCommand } from '../../src/cli/verify-audit-command.js'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { writeTransaction } from '../../src/store/write-transaction.js'
import type { Department } from '../../src/issuing/departments/department-store.js'

let service: TestService
let log: AuditLog
let anchoring: AuditAnchoring
let departments: Department[]
let anchors: Contract

beforeAll(async () => {
  service = await startTestService()
  const { ctx } = service
  log = new AuditLog(ctx.db)
  anchoring = new AuditAnchoring({
    db: ctx.db,
    log,
    writer: ctx.writer,
    registries: ctx.registries,
    departments: ctx.departments,
  })
  departments = await ctx.departments.list()
  anchors = new Contract(ctx.deployments.contracts.anchors, loadArtifact('AnchorRegistry').abi, ctx.provider)
})

afterAll(async () => {
  await anchoring?.stop()
  await service?.dispose()
})

const outboxRows = async () => Number((await service.ctx.db.query(`SELECT COUNT(*) AS n FROM govcred_chain_outbox`))[0].n)
const appendSome = async (departmentId: string, n: number) => {
  for (let i = 0; i < n; i++)
    await log.append({ departmentId, actor: 'cli:test', action: 'issue', credentialId: `urn:uuid:${departmentId}-${i}`, details: { i } })
}

describe('AuditAnchoring', () => {
  it('writes the head to the AnchorRegistry once, and sends nothing while the head stays put', async () => {
    const department = departments[0]!
    await appendSome(department.id, 3)
    const head = (await log.head(department.id))!

    const anchor = await anchoring.anchorNow(department.id)
    expect(anchor).toMatchObject({ seq: head.seq, hash: head.hash, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) })
    const [value, at] = await anchors.getFunction('anchorOf').staticCall(department.account, AUDIT_HEAD_KEY)
    expect(value).toBe(head.hash)
    expect(at).toBeGreaterThan(0n)
    expect(await anchoring.lastAnchor(department.id)).toMatchObject({ seq: head.seq, hash: head.hash, txHash: anchor!.txHash })

    const before = await outboxRows()
    expect(await anchoring.anchorNow(department.id)).toBeNull()
    expect(await outboxRows()).toBe(before)

    expect(await anchoring.verifyOnChain(department.id)).toMatchObject({ ok: true, entries: 3, head, problems: [] })
  })

  it('detects a tail truncated after anchoring, locally and against the chain', async () => {
    const department = departments[1]!
    await appendSome(department.id, 4)
    const anchored = (await anchoring.anchorNow(department.id))!
    expect(anchored).not.toBeNull()

    await service.ctx.db.query(`DELETE FROM govcred_audit_log WHERE departmentId = ? AND seq >= ?`, [department.id, anchored.seq])
    const local = await log.verify(department.id)
    expect(local.problems.map((p) => [p.code, p.seq])).toEqual([['ERR_AUDIT_ANCHOR_MISSING_ENTRY', anchored.seq]])

    const onChain = await anchoring.verifyOnChain(department.id)
    expect(onChain.ok).toBe(false)
    expect(onChain.problems.map((p) => [p.code, p.seq])).toEqual([
      ['ERR_AUDIT_ANCHOR_MISSING_ENTRY', anchored.seq],
      ['ERR_AUDIT_CHAIN_HEAD_NOT_FOUND', null],
    ])

    // Covering the tracks in the anchors table still leaves the chain's copy.
    await service.ctx.db.query(`DELETE FROM govcred_audit_anchors WHERE departmentId = ?`, [department.id])
    expect((await log.verify(department.id)).ok).toBe(true)
    expect((await anchoring.verifyOnChain(department.id)).problems.map((p) => p.code)).toEqual(['ERR_AUDIT_CHAIN_HEAD_NOT_FOUND'])

    const [result] = await verifyAuditCommand(service.ctx, department.id)
    expect(result).toMatchObject({ ok: false, departmentId: department.id, problems: [{ code: 'ERR_AUDIT_CHAIN_HEAD_NOT_FOUND' }] })
  })

  it('accepts heads anchored by a status batch and does not anchor them again', async () => {
    const department = departments[2]!
    await appendSome(department.id, 2)
    const head = (await log.head(department.id))!
    const sent = await service.ctx.writer.submit({
      account: department.account,
      contract: 'CredentialStatusRegistry',
      target: service.ctx.deployments.contracts.status,
      method: 'updateStatus',
      args: [department.account, 1, [], [], head.hash],
      label: 'test status batch with audit head',
    })
    await anchoring.recordStatusBatchAnchor(department.id, head.seq, head.hash, sent.receipt.hash)

    expect((await anchoring.onChainHeads(department.id)).statusRegistry).toMatchObject({ hash: head.hash })
    const before = await outboxRows()
    expect(await anchoring.anchorNow(department.id)).toBeNull()
    expect(await outboxRows()).toBe(before)
    expect(await anchoring.verifyOnChain(department.id)).toMatchObject({ ok: true, problems: [] })
  })

  it('anchors moved heads periodically until stopped', async () => {
    const department = departments[0]!
    await appendSome(department.id, 1)
    const head = (await log.head(department.id))!
    anchoring.start(100)
    const deadline = Date.now() + 10_000
    while ((await anchoring.lastAnchor(department.id))?.seq !== head.seq && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50))
    await anchoring.stop()
    expect(await anchoring.lastAnchor(department.id)).toMatchObject({ seq: head.seq, hash: head.hash })
  })

  it('verifies every department from the command, and refuses an unknown one', async () => {
    const results = await verifyAuditCommand(service.ctx)
    expect(results.map((r) => r.departmentId).sort()).toEqual(departments.map((d) => d.id).sort())
    await expect(verifyAuditCommand(service.ctx, 'no-such-department')).rejects.toMatchObject({ code: 'ERR_DEPARTMENT_NOT_FOUND' })
  })

  it('never anchors an entry whose transaction rolls back, even when anchoring runs while it is open', async () => {
    const department = departments[0]!
    await appendSome(department.id, 1)
    const committed = (await log.head(department.id))!
    let anchored: ReturnType<AuditAnchoring['anchorNow']> | undefined
    const rolledBack = writeTransaction(service.ctx.db, async (m) => {
      await log.append({ departmentId: department.id, actor: 'cli:test', action: 'issue', details: { rolledBack: true } }, m)
      // An anchoring pass that read the head now would see this entry; give it the time to try.
      anchored = anchoring.anchorNow(department.id)
      await new Promise((resolve) => setTimeout(resolve, 500))
      throw new Error('the transaction fails after appending')
    })
    await expect(rolledBack).rejects.toThrow('fails after appending')
    expect(await anchored).toMatchObject({ seq: committed.seq, hash: committed.hash })
    const [value] = await anchors.getFunction('anchorOf').staticCall(department.account, AUDIT_HEAD_KEY)
    expect(value).toBe(committed.hash)
    expect(await anchoring.verifyOnChain(department.id)).toMatchObject({ ok: true, problems: [] })
  })
})
