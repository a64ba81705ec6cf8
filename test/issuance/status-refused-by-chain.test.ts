// When the chain refuses a status batch (here: the department's key no longer controls its DID), the
// record goes back to its status before the change, the refusal is audited, and the caller gets 502.
import { Wallet } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { bearer, bitsOnChain, changeStatus, issue, readDemo, statusIndexOf, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

describe('a status change the chain refuses', () => {
  it('is answered 502, undone in the records, audited, and leaves the chain unchanged', async () => {
    const issued = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
    expect(issued.status).toBe(201)
    // The department hands its DID to another key: its old key may no longer write the status list.
    await service.ctx.writer.submit({
      account: demo.market.account,
      contract: 'EthereumDIDRegistry',
      target: service.ctx.deployments.contracts.didRegistry,
      method: 'changeOwner',
      args: [demo.market.account, Wallet.createRandom().address],
      label: 'test: hand the DID to another key',
    })

    const revoke = await changeStatus(service, demo.market.apiKey, issued.body.id, 'revoke')
    expect(revoke.status).toBe(502)
    expect(revoke.body.error.code).toBe('ERR_STATUS_WRITE_REFUSED')

    const record = await service.api(`/v1/credentials/${encodeURIComponent(issued.body.id)}`, { headers: bearer(demo.market.apiKey) })
    expect(record.body.status).toBe('active')
    expect((await bitsOnChain(service, demo.market.account, statusIndexOf(issued.body.credential))).revoked).toBe(false)
    const audit = await service.api(`/v1/audit?credentialId=${encodeURIComponent(issued.body.id)}`, { headers: bearer(demo.market.apiKey) })
    const refusal = audit.body.entries.find((e: { action: string }) => e.action === 'status-batch')
    expect(refusal?.details).toMatchObject({ refused: 'revoke', restoredStatus: 'active' })
  })
})
