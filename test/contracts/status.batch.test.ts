import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZeroHash, id, type Contract, type Wallet } from 'ethers'
import {
  REVOCATION,
  SUSPENSION,
  as,
  blockTime,
  deploySystem,
  eventsOf,
  mined,
  randomAccount,
  revertOf,
  startChain,
  type Chain,
  type System,
} from './helpers.js'

const LIST_SIZE = 1 << 20
const BATCH = 500

let chain: Chain
let sys: System

beforeAll(async () => {
  chain = await startChain()
  sys = await deploySystem(chain.provider, 1, 1)
})
afterAll(async () => {
  await chain?.stop()
})

/** A fresh issuer that writes its own lists. */
function issuerRegistry(): { issuer: Wallet; status: Contract } {
  const issuer = randomAccount(chain.provider)
  return { issuer, status: as(sys.status, issuer) }
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))
}

/** Sends the indices in batches of BATCH, as set or clear, and returns the gas used by each transaction. */
async function inBatches(status: Contract, issuer: string, purpose: number, indices: number[], mode: 'set' | 'clear'): Promise<bigint[]> {
  const gas: bigint[] = []
  for (const batch of chunks(indices, BATCH)) {
    const [set, clear] = mode === 'set' ? [batch, []] : [[], batch]
    const receipt = await mined(status.updateStatus(issuer, purpose, set, clear, ZeroHash))
    const event = eventsOf(receipt, sys.status, 'StatusUpdated')[0]!.args
    expect([event.issuer, event.purpose, event.setIndices.length, event.clearIndices.length]).toEqual([
      issuer,
      BigInt(purpose),
      set.length,
      clear.length,
    ])
    gas.push(receipt.gasUsed)
  }
  return gas
}

function report(label: string, gas: bigint[]): void {
  const per = gas.map((g) => g.toLocaleString('en-US')).join(', ')
  console.log(
    `[gas] ${label}: ${gas.length} tx of ${BATCH} indices -> ${per} gas (${(Number(gas.reduce((a, b) => a + b, 0n)) / (gas.length * BATCH)).toFixed(0)} gas/bit)`,
  )
}

/** How many of the indices are set, reading each distinct word once (100 reads in flight at a time). */
async function countSet(issuer: string, purpose: number, indices: number[]): Promise<number> {
  const words = new Map<number, bigint>()
  for (const group of chunks([...new Set(indices.map((i) => i >> 8))], 100)) {
    const values: bigint[] = await Promise.all(group.map((w) => sys.status.getWord(issuer, purpose, w)))
    group.forEach((w, i) => words.set(w, values[i]!))
  }
  return indices.filter((i) => ((words.get(i >> 8)! >> BigInt(i & 0xff)) & 1n) === 1n).length
}

describe('CredentialStatusRegistry: batches of 1,000 bits', () => {
  it('sets and clears 1,000 consecutive suspension bits in two transactions each', async () => {
    const { issuer, status } = issuerRegistry()
    const indices = Array.from({ length: 1_000 }, (_, i) => 4_096 + i)
    const setGas = await inBatches(status, issuer.address, SUSPENSION, indices, 'set')
    report('set 1,000 consecutive bits', setGas)
    expect(await countSet(issuer.address, SUSPENSION, indices)).toBe(1_000)
    expect(await sys.status.getWord(issuer.address, SUSPENSION, 16)).toBe((1n << 256n) - 1n)
    expect(await sys.status.isSet(issuer.address, SUSPENSION, 4_095)).toBe(false)
    expect(await sys.status.isSet(issuer.address, SUSPENSION, 5_096)).toBe(false)

    const clearGas = await inBatches(status, issuer.address, SUSPENSION, indices, 'clear')
    report('clear 1,000 consecutive bits', clearGas)
    expect(await countSet(issuer.address, SUSPENSION, indices)).toBe(0)
    for (const g of [...setGas, ...clearGas]) expect(g).toBeLessThan(1_000_000n)
  })

  it('sets 1,000 revocation bits that each fall in a different word, each batch well under 30M gas', async () => {
    const { issuer, status } = issuerRegistry()
    const indices = Array.from({ length: 1_000 }, (_, i) => i * 1_000 + (i % 256))
    expect(new Set(indices.map((i) => i >> 8)).size).toBe(1_000)
    const gas = await inBatches(status, issuer.address, REVOCATION, indices, 'set')
    report('set 1,000 scattered bits (one word each)', gas)
    for (const g of gas) expect(g).toBeLessThan(15_000_000n)
    expect(await countSet(issuer.address, REVOCATION, indices)).toBe(1_000)

    const suspendGas = await inBatches(status, issuer.address, SUSPENSION, indices, 'set')
    const clearGas = await inBatches(status, issuer.address, SUSPENSION, indices, 'clear')
    report('clear 1,000 scattered suspension bits', clearGas)
    expect(suspendGas).toHaveLength(2)
    expect(await countSet(issuer.address, SUSPENSION, indices)).toBe(0)
    expect(await countSet(issuer.address, REVOCATION, indices)).toBe(1_000)
  })
})

describe('CredentialStatusRegistry: revocation is final', () => {
  it('rejects clearing a revocation bit, alone or together with sets', async () => {
    const { issuer, status } = issuerRegistry()
    await mined(status.updateStatus(issuer.address, REVOCATION, [42], [], ZeroHash))
    const err = await revertOf(status.updateStatus(issuer.address, REVOCATION, [], [42], ZeroHash), sys.status)
    expect([err.name, ...err.args]).toEqual(['RevocationIsFinal', 42n])
    const mixed = await revertOf(status.updateStatus(issuer.address, REVOCATION, [43], [42], ZeroHash), sys.status)
    expect(mixed.name).toBe('RevocationIsFinal')
    expect(await sys.status.statusOf(issuer.address, 42)).toEqual([true, false])
    expect(await sys.status.isSet(issuer.address, REVOCATION, 43)).toBe(false)
  })

  it('keeps suspension reversible and independent of revocation', async () => {
    const { issuer, status } = issuerRegistry()
    await mined(status.updateStatus(issuer.address, SUSPENSION, [9], [], ZeroHash))
    expect(await sys.status.statusOf(issuer.address, 9)).toEqual([false, true])
    await mined(status.updateStatus(issuer.address, SUSPENSION, [], [9], ZeroHash))
    expect(await sys.status.statusOf(issuer.address, 9)).toEqual([false, false])
  })
})

describe('CredentialStatusRegistry: indices, purposes and order', () => {
  it('handles unsorted indices, the last index and set-then-clear within one call', async () => {
    const { issuer, status } = issuerRegistry()
    const set = [300, 5, 6, LIST_SIZE - 1, 4, 301, 5]
    await mined(status.updateStatus(issuer.address, SUSPENSION, set, [6, 301], ZeroHash))
    const expected = new Map([
      [4, true],
      [5, true],
      [6, false],
      [7, false],
      [300, true],
      [301, false],
      [LIST_SIZE - 1, true],
    ])
    for (const [index, value] of expected) {
      expect({ index, set: await sys.status.isSet(issuer.address, SUSPENSION, index) }).toEqual({ index, set: value })
    }
    expect(await sys.status.getWord(issuer.address, SUSPENSION, 0)).toBe((1n << 4n) | (1n << 5n))
    expect(await sys.status.getWord(issuer.address, SUSPENSION, (LIST_SIZE >> 8) - 1)).toBe(1n << 255n)
  })

  it('rejects an index beyond the list and an unknown purpose', async () => {
    const { issuer, status } = issuerRegistry()
    const setErr = await revertOf(status.updateStatus(issuer.address, SUSPENSION, [1, LIST_SIZE], [], ZeroHash), sys.status)
    expect([setErr.name, ...setErr.args]).toEqual(['IndexOutOfRange', BigInt(LIST_SIZE)])
    const clearErr = await revertOf(status.updateStatus(issuer.address, SUSPENSION, [], [2 ** 40], ZeroHash), sys.status)
    expect(clearErr.name).toBe('IndexOutOfRange')
    expect(await sys.status.isSet(issuer.address, SUSPENSION, 1)).toBe(false)

    const purposeErr = await revertOf(status.updateStatus(issuer.address, 2, [1], [], ZeroHash), sys.status)
    expect([purposeErr.name, ...purposeErr.args]).toEqual(['UnknownPurpose', 2n])
    expect((await revertOf(sys.status.isSet(issuer.address, 2, 1), sys.status)).name).toBe('UnknownPurpose')
    expect((await revertOf(sys.status.isSet(issuer.address, SUSPENSION, LIST_SIZE), sys.status)).name).toBe('IndexOutOfRange')
    expect((await revertOf(sys.status.getWord(issuer.address, SUSPENSION, LIST_SIZE >> 8), sys.status)).name).toBe('IndexOutOfRange')
  })

  it('exposes the list constants', async () => {
    expect([await sys.status.REVOCATION(), await sys.status.SUSPENSION(), await sys.status.LIST_SIZE()]).toEqual([
      0n,
      1n,
      BigInt(LIST_SIZE),
    ])
  })
})

describe('CredentialStatusRegistry: audit head', () => {
  it('anchors a nonzero audit head with its time and leaves it unchanged for a zero head', async () => {
    const { issuer, status } = issuerRegistry()
    expect(await sys.status.auditHeadOf(issuer.address)).toEqual([ZeroHash, 0n])
    const head = id('audit-log-entry-17')
    const receipt = await mined(status.updateStatus(issuer.address, REVOCATION, [1], [], head))
    expect([...eventsOf(receipt, sys.status, 'AuditHeadAnchored')[0]!.args]).toEqual([issuer.address, head])
    const at = await blockTime(receipt)
    expect(await sys.status.auditHeadOf(issuer.address)).toEqual([head, at])

    const plain = await mined(status.updateStatus(issuer.address, REVOCATION, [2], [], ZeroHash))
    expect(eventsOf(plain, sys.status, 'AuditHeadAnchored')).toHaveLength(0)
    expect(await sys.status.auditHeadOf(issuer.address)).toEqual([head, at])
  })
})
