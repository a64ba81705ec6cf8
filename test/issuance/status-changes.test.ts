import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { bearer, bitsOnChain, changeStatus, eventually, issue, readDemo, statusIndexOf, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

async function issueLicence(): Promise<{ id: string; index: number }> {
  const { status, body } = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
  expect(status).toBe(201)
  return { id: body.id, index: statusIndexOf(body.credential) }
}

/** The status route (reads the chain) and the contract read directly must agree. */
async function expectStatus(id: string, index: number, expected: 'active' | 'suspended' | 'revoked', blockTag?: number) {
  const bits = await bitsOnChain(service, demo.market.account, index, blockTag)
  expect(bits).toEqual({ revoked: expected === 'revoked', suspended: expected === 'suspended' })
  if (blockTag !== undefined) return
  const { status, body } = await service.api(`/v1/credentials/${encodeURIComponent(id)}/status`, { headers: bearer(demo.market.apiKey) })
  expect(status).toBe(200)
  expect(body).toMatchObject({ id, status: expected, recorded: expected, inSync: true, onChain: bits })
}

/** The change is on chain in the block of the returned transaction, and not in the block before it. */
async function expectMinedIn(txHash: string, index: number, expected: 'suspended' | 'revoked' | 'active', before: 'suspended' | 'active') {
  expect(txHash).toMatch(/^0x[0-9a-f]{64}$/)
  const receipt = await service.ctx.provider.getTransactionReceipt(txHash)
  expect(receipt?.status).toBe(1)
  expect(receipt!.to?.toLowerCase()).toBe(service.ctx.deployments.contracts.status.toLowerCase())
  const block = receipt!.blockNumber
  expect(await bitsOnChain(service, demo.market.account, index, block)).toEqual({
    revoked: expected === 'revoked',
    suspended: expected === 'suspended',
  })
  expect(await bitsOnChain(service, demo.market.account, index, block - 1)).toEqual({ revoked: false, suspended: before === 'suspended' })
}

describe('suspend, reinstate, revoke', () => {
  it('suspend → suspended on chain within the block of the returned transaction; repeat is idempotent', async () => {
    const { id, index } = await issueLicence()
    await expectStatus(id, index, 'active')

    const suspended = await changeStatus(service, demo.market.apiKey, id, 'suspend')
    expect(suspended.status).toBe(200)
    expect(suspended.body).toMatchObject({ credentialId: id, status: 'suspended', changed: true, onChain: 'confirmed' })
    await expectMinedIn(suspended.body.txHash, index, 'suspended', 'active')
    await expectStatus(id, index, 'suspended')

    const again = await changeStatus(service, demo.market.apiKey, id, 'suspend')
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ credentialId: id, status: 'suspended', changed: false, txHash: null, onChain: 'unchanged', reason: null })
    await expectStatus(id, index, 'suspended')
  })

  it('reinstate → cleared on chain; repeat is idempotent; reinstating an active credential changes nothing', async () => {
    const { id, index } = await issueLicence()
    const noop = await changeStatus(service, demo.market.apiKey, id, 'reinstate')
    expect(noop.body).toMatchObject({ status: 'active', changed: false, txHash: null })

    await changeStatus(service, demo.market.apiKey, id, 'suspend')
    const reinstated = await changeStatus(service, demo.market.apiKey, id, 'reinstate')
    expect(reinstated.status).toBe(200)
    expect(reinstated.body).toMatchObject({ credentialId: id, status: 'active', changed: true, onChain: 'confirmed' })
    await expectMinedIn(reinstated.body.txHash, index, 'active', 'suspended')
    await expectStatus(id, index, 'active')

    const again = await changeStatus(service, demo.market.apiKey, id, 'reinstate')
    expect(again.body).toMatchObject({ status: 'active', changed: false, txHash: null, onChain: 'unchanged' })
  })

  it('revoke → revoked on chain within one block; revocation is final', async () => {
    const { id, index } = await issueLicence()
    const revoked = await changeStatus(service, demo.market.apiKey, id, 'revoke')
    expect(revoked.status).toBe(200)
    expect(revoked.body).toMatchObject({ credentialId: id, status: 'revoked', changed: true, onChain: 'confirmed' })
    await expectMinedIn(revoked.body.txHash, index, 'revoked', 'active')
    await expectStatus(id, index, 'revoked')

    const again = await changeStatus(service, demo.market.apiKey, id, 'revoke')
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ credentialId: id, status: 'revoked', changed: false, txHash: null, onChain: 'unchanged', reason: null })

    const changesBefore = Number((await service.ctx.db.query(`SELECT COUNT(*) AS n FROM govcred_status_changes`))[0].n)
    for (const action of ['suspend', 'reinstate'] as const) {
      const refused = await changeStatus(service, demo.market.apiKey, id, action)
      expect(refused.status).toBe(409)
      expect(refused.body.error.code).toBe('ERR_CREDENTIAL_REVOKED')
    }
    expect(Number((await service.ctx.db.query(`SELECT COUNT(*) AS n FROM govcred_status_changes`))[0].n)).toBe(changesBefore)
    await expectStatus(id, index, 'revoked')
  })

  it('revoking a suspended credential leaves it revoked (and the suspension bit as it was)', async () => {
    const { id, index } = await issueLicence()
    await changeStatus(service, demo.market.apiKey, id, 'suspend')
    const revoked = await changeStatus(service, demo.market.apiKey, id, 'revoke')
    expect(revoked.body).toMatchObject({ status: 'revoked', changed: true, onChain: 'confirmed' })
    expect(await bitsOnChain(service, demo.market.account, index)).toEqual({ revoked: true, suspended: true })
    const { body } = await service.api(`/v1/credentials/${encodeURIComponent(id)}/status`, { headers: bearer(demo.market.apiKey) })
    expect(body).toMatchObject({ status: 'revoked', recorded: 'revoked', inSync: true })
  })

  it('concurrent repeats of one action change the credential once', async () => {
    const { id, index } = await issueLicence()
    const results = await Promise.all(Array.from({ length: 5 }, () => changeStatus(service, demo.market.apiKey, id, 'revoke')))
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    expect(results.filter((r) => r.body.changed).length).toBe(1)
    const rows = await service.ctx.db.query(`SELECT COUNT(*) AS n FROM govcred_status_changes WHERE credentialId = ?`, [id])
    expect(Number(rows[0].n)).toBe(1)
    expect((await bitsOnChain(service, demo.market.account, index)).revoked).toBe(true)
  })

  it('with `Prefer: respond-async` the change is acknowledged once recorded (202) and mined shortly after', async () => {
    const { id, index } = await issueLicence()
    const { status, body, headers } = await changeStatus(service, demo.market.apiKey, id, 'suspend', { prefer: 'respond-async' })
    expect(status).toBe(202)
    expect(headers.get('preference-applied')).toBe('respond-async')
    expect(headers.get('location')).toBe(`/v1/credentials/${encodeURIComponent(id)}/status`)
    expect(body).toEqual({ credentialId: id, status: 'suspended', changed: true, txHash: null, onChain: 'pending', reason: null })
    expect(await eventually(async () => (await bitsOnChain(service, demo.market.account, index)).suspended, 5_000)).toBe(true)
    await expectStatus(id, index, 'suspended')
    // A repeat changes nothing, asynchronous or not.
    const again = await changeStatus(service, demo.market.apiKey, id, 'suspend', { prefer: 'respond-async' })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ changed: false, onChain: 'unchanged' })
  })

  it('the status changes are audited with their transaction hash', async () => {
    const { id } = await issueLicence()
    const suspended = await changeStatus(service, demo.market.apiKey, id, 'suspend')
    const reinstated = await changeStatus(service, demo.market.apiKey, id, 'reinstate')
    const revoked = await changeStatus(service, demo.market.apiKey, id, 'revoke')
    const { body } = await service.api(`/v1/audit?credentialId=${encodeURIComponent(id)}`, { headers: bearer(demo.market.apiKey) })
    const entries = (body.entries as { action: string; txHash: string | null }[]).reverse()
    expect(entries.map((e) => e.action)).toEqual(['issue', 'suspend', 'reinstate', 'revoke'])
    expect(entries.map((e) => e.txHash)).toEqual([null, suspended.body.txHash, reinstated.body.txHash, revoked.body.txHash])
  })
})
