// A status change whose transaction rolls back never reaches the chain. SQLite through TypeORM shares one
// connection, so a read made while a transaction is open sees its rows: the batcher must read the queue only
// between transactions, or it sends a revocation the department was told had failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { writeTransaction } from '../../src/store/write-transaction.js'
import { bitsOnChain, holderDid, issue, readDemo, statusIndexOf, type Demo } from './issuance-helpers.js'
import { startTestService, type TestService } from '../helpers/service.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a status change rolled back with its transaction', () => {
  it('is not sent, even when the batcher flushes while the transaction is open', async () => {
    const issued = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims({ id: holderDid(7) }))
    expect(issued.status, JSON.stringify(issued.body)).toBe(201)
    const index = statusIndexOf(issued.body.credential)
    const batcher = service.issuance.batcher
    let flushed: Promise<void> | undefined

    const rolledBack = writeTransaction(service.ctx.db, async (m) => {
      await batcher.queue(m, {
        credentialId: issued.body.id,
        credentialType: 'BusinessLicenseCredential',
        departmentId: demo.market.id,
        issuerAccount: demo.market.account,
        purpose: 'revocation',
        index,
        operation: 'set',
        action: 'revoke',
        actor: 'test:rolled-back',
        previousStatus: 'active',
      })
      // A flush that read the queue now would see the uncommitted row; give it the time to try.
      flushed = batcher.flush()
      await sleep(500)
      throw new Error('the department’s transaction fails after queueing the change')
    })
    await expect(rolledBack).rejects.toThrow('transaction fails')
    await flushed

    const rows = await service.ctx.db.query(`SELECT id FROM govcred_status_changes WHERE credentialId = ?`, [issued.body.id])
    expect(rows).toEqual([])
    expect(await bitsOnChain(service, demo.market.account, index)).toEqual({ revoked: false, suspended: false })
    const sent = await service.ctx.db.query(`SELECT id FROM govcred_chain_outbox WHERE label LIKE 'status batch%'`)
    expect(sent).toEqual([])
  })
})
