import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZeroHash } from 'ethers'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { writeTransaction } from '../../src/store/write-transaction.js'
import { queueStatusChange } from '../../src/issuing/status/change-status.js'
import { bearer, bitsOnChain, changeStatus, eventually, holderDid, issue, readDemo, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo
let dataDir: string
/** queued: recorded, never sent. lost: marked submitted, but its outbox entry was never written. mined: sent and mined, never marked confirmed. racing: revoked over HTTP right before the stop. */
const credentials: Record<'queued' | 'lost' | 'mined' | 'racing', { id: string; index: number }> = {} as never
let minedTx: string

beforeAll(async () => {
  service = await startTestService()
  dataDir = service.dataDir
  demo = readDemo(service)
  for (const [i, name] of (['queued', 'lost', 'mined', 'racing'] as const).entries()) {
    const { status, body } = await issue(
      service,
      demo.market.apiKey,
      'BusinessLicenseCredential',
      businessLicenseClaims({ id: holderDid(i) }),
    )
    expect(status).toBe(201)
    credentials[name] = { id: body.id, index: Number(body.credential.credentialStatus[0].statusListIndex) }
  }
})

afterAll(async () => {
  await service?.dispose()
})

const changeRows = (id: string) => service.ctx.db.query(`SELECT * FROM govcred_status_changes WHERE credentialId = ?`, [id])

async function revokeWithoutSending(id: string): Promise<string[]> {
  return writeTransaction(service.ctx.db, async (m) => {
    const record = await service.issuance.credentials.get(id, m)
    return (await queueStatusChange(service.issuance.status, m, record!, 'revoke', 'cli:restart-test')).changeIds
  })
}

describe('a restart between recording and sending a status batch loses nothing', () => {
  it('records three revocations in three states of sending, then stops', async () => {
    // The batcher is stopped first so that nothing is sent behind the test's back.
    await service.issuance.batcher.stop()

    await revokeWithoutSending(credentials.queued.id)

    const [lostChange] = await revokeWithoutSending(credentials.lost.id)
    await service.ctx.db.query(
      `UPDATE govcred_status_changes SET state = 'submitted', outboxId = 'status-batch:never-written' WHERE id = ?`,
      [lostChange],
    )

    // Sent and mined, but the process stopped before the changes were marked confirmed.
    const [minedChange] = await revokeWithoutSending(credentials.mined.id)
    const sent = await service.ctx.writer.submit({
      id: 'status-batch:mined-before-stop',
      account: demo.market.account,
      contract: 'CredentialStatusRegistry',
      target: service.ctx.deployments.contracts.status,
      method: 'updateStatus',
      args: [demo.market.account, 0, [BigInt(credentials.mined.index)], [], ZeroHash],
      label: 'status batch: 1 set, 0 cleared (revocation)',
    })
    minedTx = sent.receipt.hash
    await service.ctx.db.query(
      `UPDATE govcred_status_changes SET state = 'submitted', outboxId = 'status-batch:mined-before-stop' WHERE id = ?`,
      [minedChange],
    )

    expect(await bitsOnChain(service, demo.market.account, credentials.queued.index)).toEqual({ revoked: false, suspended: false })
    expect(await bitsOnChain(service, demo.market.account, credentials.lost.index)).toEqual({ revoked: false, suspended: false })
    expect(await bitsOnChain(service, demo.market.account, credentials.mined.index)).toEqual({ revoked: true, suspended: false })
    for (const name of ['queued', 'lost', 'mined'] as const) {
      expect((await service.issuance.credentials.get(credentials[name].id))!.status).toBe('revoked')
    }
    expect((await changeRows(credentials.queued.id)).map((r: { state: string }) => r.state)).toEqual(['queued'])
    expect((await changeRows(credentials.lost.id)).map((r: { state: string }) => r.state)).toEqual(['submitted'])
  })

  it('a revocation acknowledged over HTTP (202, recorded) right before the stop', async () => {
    // The batcher is stopped, so this change is recorded and acknowledged but certainly not sent.
    const { status, body } = await changeStatus(service, demo.market.apiKey, credentials.racing.id, 'revoke', { prefer: 'respond-async' })
    expect(status).toBe(202)
    expect(body).toMatchObject({ status: 'revoked', changed: true, txHash: null, onChain: 'pending' })
    await service.dispose({ keepData: true })
  })

  it('after the restart every revocation is on chain within seconds, and audited with its transaction', async () => {
    service = await startTestService({ dataDir })
    expect(readDemo(service).market.apiKey).toBe(demo.market.apiKey)

    const onChain = await eventually(async () => {
      const bits = await Promise.all(Object.values(credentials).map((c) => bitsOnChain(service, demo.market.account, c.index)))
      return bits.every((b) => b.revoked)
    }, 10_000)
    expect(onChain).toBe(true)

    const settled = await eventually(async () => {
      const rows = await service.ctx.db.query(
        `SELECT state FROM govcred_status_changes WHERE credentialId IN (?, ?, ?, ?)`,
        Object.values(credentials).map((c) => c.id),
      )
      return rows.length === 4 && rows.every((r: { state: string }) => r.state === 'confirmed')
    }, 10_000)
    expect(settled).toBe(true)

    const mined = await changeRows(credentials.mined.id)
    expect(mined[0]).toMatchObject({ state: 'confirmed', txHash: minedTx })

    for (const [name, credential] of Object.entries(credentials)) {
      const { body } = await service.api(`/v1/audit?credentialId=${encodeURIComponent(credential.id)}&action=revoke`, {
        headers: bearer(demo.market.apiKey),
      })
      expect(body.entries, name).toHaveLength(1)
      const txHash = body.entries[0].txHash as string
      expect(txHash, name).toMatch(/^0x[0-9a-f]{64}$/)
      const receipt = await service.ctx.provider.getTransactionReceipt(txHash)
      expect(receipt?.status, name).toBe(1)
      expect((await bitsOnChain(service, demo.market.account, credential.index, receipt!.blockNumber)).revoked, name).toBe(true)

      const status = await service.api(`/v1/credentials/${encodeURIComponent(credential.id)}/status`, {
        headers: bearer(demo.market.apiKey),
      })
      expect(status.body, name).toMatchObject({ status: 'revoked', recorded: 'revoked', inSync: true })
    }

    const verified = await service.api('/v1/audit/verify', { headers: bearer(demo.market.apiKey) })
    expect(verified.body).toMatchObject({ ok: true, problems: [] })
  })
})
