import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { issueCredential } from '../../src/issuing/issuance/issue-credential.js'
import { parseIssueRequest } from '../../src/issuing/issuance/issuance-request.js'
import { changeStatus, countRows, holderDid, issue, pool, principalFor, readDemo, statusRegistry, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo
const credentials: { id: string; index: number }[] = []

const TOTAL = 1000
const OVER_HTTP = 200

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

describe('a burst of 1,000 revocations', () => {
  it(`issues ${OVER_HTTP} credentials over HTTP (concurrency 20) and measures the throughput`, async () => {
    const started = performance.now()
    const results = await pool(
      Array.from({ length: OVER_HTTP }, (_, i) => i),
      20,
      (i) => issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims({ id: holderDid(i) })),
    )
    const seconds = (performance.now() - started) / 1000
    expect(results.map((r) => r.status).filter((s) => s !== 201)).toEqual([])
    for (const r of results) credentials.push({ id: r.body.id, index: Number(r.body.credential.credentialStatus[0].statusListIndex) })
    const rate = OVER_HTTP / seconds
    console.log(
      `[issuance] ${OVER_HTTP} credentials over HTTP in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} credentials/s (concurrency 20)`,
    )
    // The rate is printed, not asserted: speed is measured by `npm run bench`, and a loaded CI machine is slow.
  }, 60_000)

  it(`tops up to ${TOTAL} credentials through the service's own issuance function`, async () => {
    const principal = await principalFor(service, demo.market.id)
    const rest = await pool(
      Array.from({ length: TOTAL - OVER_HTTP }, (_, i) => OVER_HTTP + i),
      20,
      (i) => {
        const { id, ...claims } = businessLicenseClaims({ id: holderDid(i) })
        return issueCredential(
          service.issuance.issuer,
          principal,
          parseIssueRequest({ type: 'BusinessLicenseCredential', holder: id, claims }),
        )
      },
    )
    for (const issued of rest) credentials.push({ id: issued.id, index: issued.record.statusIndex })
    expect(new Set(credentials.map((c) => c.index)).size).toBe(TOTAL)
  }, 60_000)

  it('revokes all 1,000 concurrently over HTTP in a handful of transactions', async () => {
    const before = await countRows(service)
    // Wall-clock start (less a second of slack) for the outbox rows of this burst, however long the flush below takes.
    const since = new Date(Date.now() - 1000).toISOString()
    const started = performance.now()
    const results = await pool(credentials, 50, (c) =>
      changeStatus(service, demo.market.apiKey, c.id, 'revoke', { prefer: 'respond-async' }),
    )
    const seconds = (performance.now() - started) / 1000
    expect(results.filter((r) => r.status !== 202).map((r) => r.body)).toEqual([])
    expect(results.every((r) => r.body.status === 'revoked' && r.body.changed === true)).toBe(true)

    // Every revocation is confirmed (its batch mined), whether the response waited for it or not.
    await service.issuance.batcher.flush()
    const states = await service.ctx.db.query(
      `SELECT state, COUNT(*) AS n, COUNT(DISTINCT txHash) AS txs FROM govcred_status_changes GROUP BY state`,
    )
    expect(states).toEqual([{ state: 'confirmed', n: TOTAL, txs: expect.any(Number) }])

    const outbox: { txHash: string; status: string }[] = await service.ctx.db.query(
      `SELECT txHash, status FROM govcred_chain_outbox WHERE label LIKE 'status batch%' AND createdAt >= ?`,
      [since],
    )
    const txs = new Set(outbox.map((o) => o.txHash))
    const sizes: { n: number }[] = await service.ctx.db.query(
      `SELECT COUNT(*) AS n FROM govcred_status_changes c JOIN govcred_chain_outbox o ON o.id = c.outboxId WHERE c.action = 'revoke' GROUP BY c.outboxId ORDER BY o.createdAt`,
    )
    console.log(
      `[revocation] ${TOTAL} revocations over HTTP (concurrency 50, Prefer: respond-async) recorded in ${seconds.toFixed(2)} s, sent in ${txs.size} transactions of ${sizes.map((r) => r.n).join(', ')} changes`,
    )
    expect(outbox.every((o) => o.status === 'confirmed')).toBe(true)
    expect(txs.size).toBeGreaterThan(0)
    expect(txs.size).toBeLessThanOrEqual(10)
    // A burst fills batches up to GOVCRED_STATUS_BATCH_MAX (a full batch goes at once) and never beyond it.
    expect(Math.max(...sizes.map((r) => r.n))).toBeLessThanOrEqual(service.config.issuance.statusBatchMax)
    expect(states[0].txs).toBe(txs.size)
    expect((await countRows(service)).statusChanges - before.statusChanges).toBe(TOTAL)
  }, 60_000)

  it('all 1,000 are revoked on chain', async () => {
    const registry = statusRegistry(service)
    const bits = await pool(credentials, 50, async (c) => (await registry.statusOf(demo.market.account, BigInt(c.index)))[0] as boolean)
    expect(bits.filter((revoked) => !revoked).length).toBe(0)
    const { body } = await service.api(`/v1/credentials?status=revoked&limit=200`, {
      headers: { authorization: `Bearer ${demo.market.apiKey}` },
    })
    expect(body.items.length).toBe(200)
    expect(body.nextCursor).not.toBeNull()
  }, 30_000)
})
