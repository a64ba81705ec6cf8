// SQLite through TypeORM runs every query of the process on one connection: a write made while another
// request's transaction is open would land inside it and vanish with its rollback. Every write therefore
// goes through the one write lock (writeQuery / writeTransaction), so a refused request cannot undo others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { NotFoundError } from '../../src/shared/errors/app-error.js'
import { writeQuery, writeTransaction } from '../../src/store/write-transaction.js'
import { bearer, changeStatus, readDemo } from './issuance-helpers.js'

let service: TestService

beforeAll(async () => {
  service = await startTestService()
})

afterAll(async () => {
  await service?.dispose()
})

/** A write as ChainWriter.record makes it: one statement under the write lock. */
async function outboxWrite(id: string) {
  const now = new Date().toISOString()
  await writeQuery(
    service.ctx.db,
    `INSERT INTO govcred_chain_outbox (id, account, contract, target, method, args, data, label, status, attempts, createdAt, updatedAt)
     VALUES (?, '0x0', 'CredentialStatusRegistry', '0x0', 'updateStatus', '[]', '0x', 'test', 'confirmed', 0, ?, ?)`,
    [id, now, now],
  )
}

const outboxHas = async (id: string) => (await service.ctx.db.query(`SELECT 1 FROM govcred_chain_outbox WHERE id = ?`, [id])).length === 1

/** Runs `body` as a transaction that is held open until `release` is called. */
function heldOpen<T>(run: typeof writeTransaction, body: (m: Parameters<Parameters<typeof writeTransaction>[1]>[0]) => Promise<T>) {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const done = run(service.ctx.db, async (m) => {
    await m.query('SELECT 1')
    await gate
    return body(m)
  })
  return {
    done: done.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    release,
  }
}

describe('a refused request keeps what others wrote meanwhile', () => {
  it('a write issued while a refused transaction is open waits for it and survives its rollback', async () => {
    const tx = heldOpen(writeTransaction, async () => {
      throw new NotFoundError('ERR_CREDENTIAL_NOT_FOUND', 'refused')
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    const write = outboxWrite('test:kept-by-refusal')
    tx.release()
    await write
    expect(await tx.done).toMatchObject({ error: { code: 'ERR_CREDENTIAL_NOT_FOUND' } })
    expect(await outboxHas('test:kept-by-refusal')).toBe(true)
  })

  it('a failure after the transaction wrote still rolls its own write back', async () => {
    const result = await writeTransaction(service.ctx.db, async (m) => {
      await m.query(`INSERT INTO govcred_chain_outbox (id, account, contract, target, method, args, data, label, status, attempts, createdAt, updatedAt)
        VALUES ('test:own-write', '0x0', 'C', '0x0', 'm', '[]', '0x', 'test', 'pending', 0, '', '')`)
      throw new Error('failed after writing')
    }).then(
      () => 'committed',
      (error: Error) => error.message,
    )
    expect(result).toBe('failed after writing')
    expect(await outboxHas('test:own-write')).toBe(false)
  })

  it('end to end: a refused status change over HTTP during an API key creation keeps the key', async () => {
    const demo = readDemo(service)
    const [refused, created] = await Promise.all([
      changeStatus(service, demo.market.apiKey, 'urn:uuid:00000000-0000-4000-8000-000000000000', 'revoke'),
      service.issuance.keys.create(demo.market.id, ['BusinessLicenseCredential'], 'created during a refusal'),
    ])
    expect(refused.body.error.code).toBe('ERR_CREDENTIAL_NOT_FOUND')
    const works = await service.api('/v1/credentials?limit=1', { headers: bearer(created.key) })
    expect(works.status).toBe(200)
  })
})
