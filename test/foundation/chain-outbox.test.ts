import { randomUUID } from 'node:crypto'
import { Contract, Interface, ZeroHash, hexlify, randomBytes } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChainRevertError } from '../../src/chain/chain-errors.js'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import type { WriteIntent } from '../../src/chain/chain-writer.js'
import type { Department } from '../../src/issuing/departments/department-store.js'
import { startTestService, type TestService } from '../helpers/service.js'

const REVOCATION = 0
const SUSPENSION = 1

let service: TestService
let department: Department
let other: Department
let status: Contract
let nextIndex = 10_000

beforeAll(async () => {
  service = await startTestService()
  ;[department, other] = await service.ctx.departments.list()
  status = new Contract(service.ctx.deployments.contracts.status, loadArtifact('CredentialStatusRegistry').abi, service.ctx.provider)
})
afterAll(async () => {
  await service?.dispose()
})

/** A status write a department makes for itself: no governance involved. */
function setBit(issuer: string, index: number, from = issuer, purpose = SUSPENSION): WriteIntent {
  return {
    account: from,
    contract: 'CredentialStatusRegistry',
    target: service.ctx.deployments.contracts.status,
    method: 'updateStatus',
    args: [issuer, purpose, [index], [], ZeroHash],
    label: `test: set ${purpose === REVOCATION ? 'revocation' : 'suspension'} bit ${index} of ${issuer}`,
  }
}

/** Writes an outbox row the way ChainWriter.record() does, as if the process died before (or after) sending it. */
async function insertRow(intent: WriteIntent, row: { status: 'pending' | 'sent'; txHash?: string; attempts?: number }): Promise<string> {
  const id = randomUUID()
  const data = new Interface(loadArtifact(intent.contract).abi).encodeFunctionData(intent.method, intent.args as unknown[])
  const now = new Date().toISOString()
  await service.ctx.db.query(
    `INSERT INTO govcred_chain_outbox (id, account, contract, target, method, args, data, label, status, txHash, attempts, createdAt, updatedAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      intent.account.toLowerCase(),
      intent.contract,
      intent.target,
      intent.method,
      JSON.stringify(intent.args),
      data,
      intent.label,
      row.status,
      row.txHash ?? null,
      row.attempts ?? 0,
      now,
      now,
    ],
  )
  return id
}

const isSet = (issuer: string, index: number, purpose = SUSPENSION): Promise<boolean> => status.isSet(issuer, purpose, index)

describe('ChainWriter.submit', () => {
  it('records, sends and confirms a department status write; the bit is on chain', async () => {
    expect(service.ctx.writer.hasSigner(department.account)).toBe(true)
    const index = 12345
    expect(await isSet(department.account, index)).toBe(false)
    const before = (await service.ctx.writer.list()).length

    const entry = await service.ctx.writer.submit(setBit(department.account, index))

    expect(entry.status).toBe('confirmed')
    expect(entry.receipt.status).toBe(1)
    expect(entry.txHash).toBe(entry.receipt.hash)
    expect(entry.blockNumber).toBe(entry.receipt.blockNumber)
    expect(entry.account).toBe(department.account.toLowerCase())
    expect(entry.attempts).toBe(1)
    expect((await service.ctx.writer.list()).length).toBe(before + 1)
    expect(await isSet(department.account, index)).toBe(true)
    // The department's key signed it, at zero gas price (consortium chains run without fees).
    const tx = await service.ctx.provider.getTransaction(entry.txHash!)
    expect(tx?.from.toLowerCase()).toBe(department.account.toLowerCase())
    expect(tx?.gasPrice).toBe(0n)
  })

  it('is idempotent for a stable id: a retry returns the confirmed entry without sending again', async () => {
    const id = `test:idempotent:${randomUUID()}`
    const first = await service.ctx.writer.submit({ ...setBit(department.account, nextIndex++), id })
    const blockAfterFirst = await service.ctx.provider.getBlockNumber()
    const again = await service.ctx.writer.submit({ ...setBit(department.account, nextIndex++), id })
    expect(again.txHash).toBe(first.txHash)
    expect(again.attempts).toBe(1)
    expect(await service.ctx.provider.getBlockNumber()).toBe(blockAfterFirst)
  })
})

describe('ChainWriter.reconcile after a crash', () => {
  it('sends an intent that was recorded but never sent', async () => {
    const index = nextIndex++
    const id = await insertRow(setBit(department.account, index), { status: 'pending' })
    expect(await isSet(department.account, index)).toBe(false)

    const report = await service.ctx.writer.reconcile()

    expect(report).toEqual({ confirmed: 0, failed: 0, resent: 1 })
    const row = await service.ctx.writer.get(id)
    expect(row).toMatchObject({ status: 'confirmed', attempts: 1, error: null })
    expect(row!.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    expect((await service.ctx.provider.getTransactionReceipt(row!.txHash!))?.status).toBe(1)
    expect(await isSet(department.account, index)).toBe(true)
  })

  it('resends a "sent" intent whose transaction the chain never saw', async () => {
    const index = nextIndex++
    const lostHash = hexlify(randomBytes(32))
    const id = await insertRow(setBit(department.account, index), { status: 'sent', txHash: lostHash, attempts: 1 })

    const report = await service.ctx.writer.reconcile()

    expect(report).toEqual({ confirmed: 0, failed: 0, resent: 1 })
    const row = await service.ctx.writer.get(id)
    expect(row).toMatchObject({ status: 'confirmed', attempts: 2 })
    expect(row!.txHash).not.toBe(lostHash)
    expect(await isSet(department.account, index)).toBe(true)
  })

  it('confirms a "sent" intent that was mined before the crash, without sending it again', async () => {
    const index = nextIndex++
    const mined = await service.ctx.writer.submit(setBit(department.account, index))
    const id = await insertRow(setBit(department.account, index), { status: 'sent', txHash: mined.txHash!, attempts: 1 })
    const block = await service.ctx.provider.getBlockNumber()

    const report = await service.ctx.writer.reconcile()

    expect(report).toEqual({ confirmed: 1, failed: 0, resent: 0 })
    expect(await service.ctx.writer.get(id)).toMatchObject({
      status: 'confirmed',
      txHash: mined.txHash,
      blockNumber: mined.blockNumber,
      attempts: 1,
    })
    expect(await service.ctx.provider.getBlockNumber()).toBe(block)
  })

  describe('with a transaction still in the mempool at restart', () => {
    /** Sends an intent's transaction outside the writer, with mining paused, as if the process died right after sending. */
    async function sendUnmined(intent: WriteIntent): Promise<string> {
      const member = service.ctx.members.find((m) => m.address.toLowerCase() === intent.account.toLowerCase())!
      const signer = member.signer.connect(service.ctx.provider)
      const data = new Interface(loadArtifact(intent.contract).abi).encodeFunctionData(intent.method, intent.args as unknown[])
      const signed = await signer.signTransaction({
        to: intent.target,
        data,
        gasLimit: 300_000n,
        gasPrice: 0n,
        type: 0,
        chainId: 20191,
        nonce: await service.ctx.provider.getTransactionCount(member.address, 'pending'),
      })
      return service.ctx.provider.send('eth_sendRawTransaction', [signed])
    }

    /** Reconciles while mining is paused, then mines one block shortly after. */
    async function reconcileThenMine() {
      const mine = setTimeout(() => void service.ctx.provider.send('evm_mine', []), 300)
      try {
        return await service.ctx.writer.reconcile()
      } finally {
        clearTimeout(mine)
        await service.ctx.provider.send('evm_setAutomine', [true])
      }
    }

    it('waits for it and confirms it instead of sending it again', async () => {
      // A governance member controls its own address's status lists, like any ERC-1056 identity owner.
      const member = service.ctx.members[2].address
      const index = nextIndex++
      const intent = setBit(member, index, member)
      await service.ctx.provider.send('evm_setAutomine', [false])
      const txHash = await sendUnmined(intent)
      const id = await insertRow(intent, { status: 'sent', txHash, attempts: 1 })

      const report = await reconcileThenMine()

      expect(report).toEqual({ confirmed: 1, failed: 0, resent: 0 })
      expect(await service.ctx.writer.get(id)).toMatchObject({ status: 'confirmed', txHash, attempts: 1 })
      expect(await isSet(member, index)).toBe(true)
    })

    it('marks it failed when it reverts, without failing the reconcile', async () => {
      const member = service.ctx.members[2].address
      const index = nextIndex++
      const intent = setBit(other.account, index, member)
      await service.ctx.provider.send('evm_setAutomine', [false])
      const txHash = await sendUnmined(intent)
      const id = await insertRow(intent, { status: 'sent', txHash, attempts: 1 })

      const report = await reconcileThenMine()

      expect(report).toEqual({ confirmed: 0, failed: 1, resent: 0 })
      expect(await service.ctx.writer.get(id)).toMatchObject({ status: 'failed', txHash })
      expect(await isSet(other.account, index)).toBe(false)
    })
  })

  it('marks a recorded intent that the chain now refuses as failed, and goes on', async () => {
    const member = service.ctx.members[1]
    const refused = await insertRow(setBit(other.account, nextIndex++, member.address), { status: 'pending' })
    const index = nextIndex++
    const fine = await insertRow(setBit(department.account, index), { status: 'pending' })

    const report = await service.ctx.writer.reconcile()

    expect(report).toEqual({ confirmed: 0, failed: 1, resent: 1 })
    expect(await service.ctx.writer.get(refused)).toMatchObject({ status: 'failed', txHash: null })
    expect((await service.ctx.writer.get(refused))?.error).toContain('NotIssuerController')
    expect((await service.ctx.writer.get(fine))?.status).toBe('confirmed')
    expect(await isSet(department.account, index)).toBe(true)
  })

  it('leaves nothing open afterwards', async () => {
    expect(await service.ctx.writer.list('pending')).toEqual([])
    expect(await service.ctx.writer.list('sent')).toEqual([])
    expect(await service.ctx.writer.reconcile()).toEqual({ confirmed: 0, failed: 0, resent: 0 })
  })
})

describe('ChainWriter: a write the chain refuses', () => {
  it('throws ChainRevertError NotIssuerController and marks the entry failed', async () => {
    const member = service.ctx.members[0]
    expect(service.ctx.writer.hasSigner(member.address)).toBe(true)
    const id = `test:revert:${randomUUID()}`
    const index = nextIndex++

    const error = await service.ctx.writer.submit({ ...setBit(other.account, index, member.address), id }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(ChainRevertError)
    expect((error as ChainRevertError).errorName).toBe('NotIssuerController')
    expect((error as ChainRevertError).errorArgs.map((a) => String(a).toLowerCase())).toEqual([
      other.account.toLowerCase(),
      member.address.toLowerCase(),
    ])
    const row = await service.ctx.writer.get(id)
    expect(row?.status).toBe('failed')
    expect(row?.error).toContain('NotIssuerController')
    expect(row?.txHash).toBeNull()
    expect(await isSet(other.account, index)).toBe(false)
    // A failed entry is not retried by reconcile.
    expect(await service.ctx.writer.reconcile()).toEqual({ confirmed: 0, failed: 0, resent: 0 })
    expect((await service.ctx.writer.get(id))?.status).toBe('failed')
  })

  it('decodes the contract error of a bad argument too (RevocationIsFinal)', async () => {
    const index = nextIndex++
    await service.ctx.writer.submit(setBit(department.account, index, department.account, REVOCATION))
    const clear: WriteIntent = {
      ...setBit(department.account, index, department.account, REVOCATION),
      args: [department.account, REVOCATION, [], [index], ZeroHash],
    }
    const error = await service.ctx.writer.submit(clear).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChainRevertError)
    expect((error as ChainRevertError).errorName).toBe('RevocationIsFinal')
    expect(await isSet(department.account, index, REVOCATION)).toBe(true)
  })
})

describe('ChainWriter: concurrency', () => {
  it('confirms 20 parallel writes from one account with consecutive nonces', async () => {
    const indices = Array.from({ length: 20 }, () => nextIndex++)
    const startNonce = await service.ctx.provider.getTransactionCount(department.account, 'latest')

    const entries = await Promise.all(indices.map((index) => service.ctx.writer.submit(setBit(department.account, index))))

    expect(entries.map((e) => e.status)).toEqual(Array(20).fill('confirmed'))
    expect(new Set(entries.map((e) => e.txHash)).size).toBe(20)
    const nonces = await Promise.all(entries.map(async (e) => (await service.ctx.provider.getTransaction(e.txHash!))!.nonce))
    expect([...nonces].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => startNonce + i))
    for (const index of indices) expect(await isSet(department.account, index)).toBe(true)
  })

  it('keeps accounts independent: parallel writes from three departments all confirm', async () => {
    const departments = await service.ctx.departments.list()
    const writes = departments.flatMap((d) => Array.from({ length: 5 }, () => ({ d, index: nextIndex++ })))
    const entries = await Promise.all(writes.map(({ d, index }) => service.ctx.writer.submit(setBit(d.account, index))))
    expect(entries.every((e) => e.status === 'confirmed')).toBe(true)
    for (const { d, index } of writes) expect(await isSet(d.account, index)).toBe(true)
  })
})
