// When the status batcher sends: a lone change after its short quiet window, a full batch at once (not after the
// burst's longer waits), and a long burst at most once per maxDelayMs, so its transaction count is bounded.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Entities } from '@veramo/data-store'
import { DataSource } from 'typeorm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChainWriter } from '../../src/chain/chain-writer.js'
import { AuditLog } from '../../src/issuing/audit/audit-log.js'
import { DepartmentStore } from '../../src/issuing/departments/department-store.js'
import { CredentialStore } from '../../src/issuing/records/credential-store.js'
import { StatusBatcher, type StatusBatcherOptions } from '../../src/issuing/status/status-batcher.js'
import { silentLogger } from '../../src/shared/logger.js'
import { allMigrations } from '../../src/store/migrations/index.js'
import { quietSqlite3 } from '../../src/store/sqlite-driver.js'
import { writeTransaction } from '../../src/store/write-transaction.js'

const ACCOUNT = '0x00000000000000000000000000000000000000aa'

let dir: string
let db: DataSource

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'govcred-batch-timing-'))
  db = await new DataSource({
    type: 'sqlite',
    driver: quietSqlite3,
    database: join(dir, 'govcred.sqlite'),
    entities: Entities,
    migrations: allMigrations,
    migrationsRun: true,
    logging: false,
  }).initialize()
  await new DepartmentStore(db).insert({
    id: 'market-supervision',
    name: '市场监督管理局',
    nameEn: 'Market Supervision',
    unifiedSocialCreditCode: '11320100MB1234567X',
    did: `did:ethr:govcred:${ACCOUNT}`,
    account: ACCOUNT,
    credentialTypes: ['BusinessLicenseCredential'],
    createdAt: new Date().toISOString(),
  })
})

afterAll(async () => {
  await db?.destroy()
  rmSync(dir, { recursive: true, force: true })
})

/** A batcher over the real tables whose chain is a list of the batches it was sent (each mined at once). */
function batcherWith(options: StatusBatcherOptions) {
  const sent: { at: number; indices: number[] }[] = []
  const writer = {
    get: async () => undefined,
    submit: async (intent: { args: unknown[] }) => {
      sent.push({ at: performance.now(), indices: (intent.args[2] as bigint[]).map(Number) })
      return { receipt: { hash: `0x${String(sent.length).padStart(64, '0')}` } }
    },
  } as unknown as ChainWriter
  const audit = new AuditLog(db)
  const credentials = new CredentialStore(db)
  const batcher = new StatusBatcher(
    { db, writer, audit, credentials, statusRegistry: '0x00000000000000000000000000000000000000bb', logger: silentLogger },
    options,
  )
  let next = 0
  const run = randomUUID()
  /** Queues one revocation as a request would (its own transaction), then asks for a flush. */
  const revoke = async (requestFlush = true) => {
    const index = next++
    const id = `urn:test:${run}:${index}`
    const now = new Date().toISOString()
    await writeTransaction(db, async (m) => {
      const record = { id, departmentId: 'market-supervision', issuerDid: `did:ethr:test:${run}`, type: 'BusinessLicenseCredential' }
      await credentials.insert(
        {
          ...record,
          holder: 'did:ethr:0x01',
          subjectKey: null,
          statusIndex: index,
          status: 'revoked',
          format: 'jwt_vc_json',
          jwt: 'x',
          issuedAt: now,
          validFrom: now,
          validUntil: null,
          supersededBy: null,
          updatedAt: now,
        },
        m,
      )
      await batcher.queue(m, {
        credentialId: id,
        departmentId: 'market-supervision',
        issuerAccount: ACCOUNT,
        purpose: 'revocation',
        index,
        operation: 'set',
        action: 'revoke',
        actor: 'test',
      })
    })
    if (requestFlush) batcher.requestFlush()
  }
  return { batcher, sent, revoke }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!check() && performance.now() < deadline) await sleep(10)
  return check()
}

describe('the status batcher', () => {
  it('sends a lone change after its short quiet window', async () => {
    const { batcher, sent, revoke } = batcherWith({ maxBatch: 1000, windowMs: 20, burstWindowMs: 200, maxDelayMs: 60_000, retryMs: 60_000 })
    const started = performance.now()
    await revoke()
    expect(await until(() => sent.length === 1, 10_000)).toBe(true)
    expect(sent[0]!.indices).toHaveLength(1)
    // Far from the 60 s bound: the quiet window of 20 ms sent it.
    expect(sent[0]!.at - started).toBeLessThan(10_000)
    await batcher.stop()
  })

  it('sends a full batch at once, without waiting for the burst to end', async () => {
    // Windows of a minute: only the full batch can make it send within the test.
    const { batcher, sent, revoke } = batcherWith({
      maxBatch: 10,
      windowMs: 60_000,
      burstWindowMs: 60_000,
      maxDelayMs: 60_000,
      retryMs: 60_000,
    })
    for (let i = 0; i < 9; i++) await revoke()
    await sleep(300)
    expect(sent).toEqual([])
    await revoke()
    expect(await until(() => sent.length === 1, 10_000)).toBe(true)
    expect(sent[0]!.indices).toHaveLength(10)
    await batcher.stop()
  })

  it('keeps the few changes read with a full batch for the next one, up to maxDelayMs', async () => {
    const maxDelayMs = 1500
    const { batcher, sent, revoke } = batcherWith({ maxBatch: 10, windowMs: 60_000, burstWindowMs: 60_000, maxDelayMs, retryMs: 60_000 })
    for (let i = 0; i < 12; i++) await revoke(false)
    batcher.requestFlush()
    expect(await until(() => sent.length === 1, 10_000)).toBe(true)
    expect(sent[0]!.indices).toHaveLength(10)
    await sleep(300)
    expect(sent).toHaveLength(1)
    // No more changes come: the two left wait out maxDelayMs, not the minute-long windows.
    expect(await until(() => sent.length === 2, 10_000)).toBe(true)
    expect(sent[1]!.indices).toEqual([10, 11])
    await batcher.stop()
  })

  it('cuts a long burst at most once per maxDelayMs', async () => {
    const maxDelayMs = 400
    // The burst never goes quiet for its window: only maxDelayMs (or a full batch) sends.
    const { batcher, sent, revoke } = batcherWith({ maxBatch: 1000, windowMs: 60_000, burstWindowMs: 60_000, maxDelayMs, retryMs: 60_000 })
    const started = performance.now()
    let changes = 0
    while (performance.now() - started < 2000) {
      await revoke()
      changes++
      await sleep(5)
    }
    const seconds = (performance.now() - started) / 1000
    await batcher.flush()
    expect(sent.flatMap((s) => s.indices)).toHaveLength(changes)
    // Every batch but the last (the explicit flush) was sent by the maxDelayMs bound: never more often.
    const cadence = sent.slice(1, -1).map((s, i) => s.at - sent[i]!.at)
    expect(sent.length).toBeGreaterThanOrEqual(2)
    expect(sent.length).toBeLessThanOrEqual(Math.ceil((seconds * 1000) / maxDelayMs) + 1)
    for (const gap of cadence) expect(gap).toBeGreaterThanOrEqual(maxDelayMs * 0.9)
    await batcher.stop()
  })
})
