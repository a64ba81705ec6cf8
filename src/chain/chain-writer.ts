import { randomUUID } from 'node:crypto'
import { Interface, type JsonRpcProvider, type Signer, type TransactionReceipt } from 'ethers'
import type { DataSource } from 'typeorm'
import { loadArtifact, type ContractName } from './contract-artifacts.js'
import {
  ChainRevertError,
  decodeRevert,
  explainInsufficientFunds,
  insufficientFunds,
  isConnectivityError,
  isInsufficientFunds,
} from './chain-errors.js'
import { writeQuery } from '../store/write-transaction.js'

export type OutboxStatus = 'pending' | 'sent' | 'confirmed' | 'failed'

export interface WriteIntent {
  /** Sending account (must have a registered signer). */
  account: string
  contract: ContractName
  target: string
  method: string
  args: readonly unknown[]
  /** What this write is for, in words, for logs and operators. */
  label: string
  /** Stable id to make a retried request idempotent; random when absent. */
  id?: string
}

export interface OutboxEntry {
  id: string
  account: string
  contract: string
  target: string
  method: string
  label: string
  status: OutboxStatus
  txHash: string | null
  blockNumber: number | null
  error: string | null
  attempts: number
  createdAt: string
  /** Timestamp (unix seconds) of the block that mined it; null before it was mined, or for writes before this was kept. */
  blockTimestamp: number | null
  transactionIndex: number | null
}

/** A write that was just mined successfully. */
export interface MinedWrite {
  id: string
  account: string
  contract: string
  target: string
  method: string
  txHash: string
  blockNumber: number
}

export interface ReconcileReport {
  confirmed: number
  failed: number
  resent: number
}

export interface ChainWriterOptions {
  /**
   * Resolves once every write mined so far would survive a crash of the node (the embedded chain saves its state);
   * a write is marked confirmed only after it. Absent on an external chain, whose mined blocks are final.
   */
  durable?: () => Promise<void>
}

/**
 * Sends contract writes durably: each intent is recorded in the outbox before it is sent, one nonce
 * sequence per account, and pending or unconfirmed writes are reconciled at start.
 */
export class ChainWriter {
  private readonly signers = new Map<string, Signer>()
  private readonly nonces = new Map<string, number>()
  private readonly queues = new Map<string, Promise<unknown>>()
  private gasPrice?: bigint
  private readonly minedListeners = new Set<(entry: MinedWrite) => void>()
  private durable?: () => Promise<void>
  /** Resolves when no exclusive task (a catch-up after a node restart) holds the writer. */
  private gate: Promise<void> = Promise.resolve()

  constructor(
    private readonly db: DataSource,
    private readonly provider: JsonRpcProvider,
    options: ChainWriterOptions = {},
  ) {
    this.durable = options.durable
  }

  /** Sets the durability hook (see ChainWriterOptions.durable); the composition root sets it for the embedded chain. */
  setDurable(durable: (() => Promise<void>) | undefined): void {
    this.durable = durable
  }

  /** Forgets the cached nonces (after the node restarted, its pending transactions may be gone). */
  resetNonces(): void {
    this.nonces.clear()
  }

  /**
   * Runs `task` while new submits wait (they start once it is done): the chain is caught up with the outbox
   * before anything new is sent after it.
   */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    let release!: () => void
    const previous = this.gate
    this.gate = new Promise<void>((resolve) => {
      release = resolve
    })
    await previous
    try {
      return await task()
    } finally {
      release()
    }
  }

  /** Makes an account able to send; the signer is connected to this writer's provider. */
  async addSigner(signer: Signer): Promise<string> {
    const address = (await signer.getAddress()).toLowerCase()
    this.signers.set(address, signer.connect(this.provider))
    return address
  }

  /** Called after each write this process sends is mined; lets local caches drop what it changed. */
  onMined(listener: (entry: MinedWrite) => void): () => void {
    this.minedListeners.add(listener)
    return () => this.minedListeners.delete(listener)
  }

  hasSigner(account: string): boolean {
    return this.signers.has(account.toLowerCase())
  }

  /**
   * Records the intent, sends it and waits for its receipt.
   * Throws ChainRevertError when the chain refuses it (the entry is marked failed); a connectivity
   * failure leaves the entry pending for the next reconcile and rethrows.
   */
  async submit(intent: WriteIntent): Promise<OutboxEntry & { receipt: TransactionReceipt }> {
    await this.gate
    const id = intent.id ?? randomUUID()
    const existing = await this.get(id)
    if (existing?.status === 'confirmed' && existing.txHash) {
      const receipt = await this.provider.getTransactionReceipt(existing.txHash)
      if (receipt) return { ...existing, receipt }
    }
    if (existing?.status === 'sent' && existing.txHash) {
      // Sent before (a retry after a timeout or a restart): a transaction still known to the chain is
      // waited for, never sent a second time.
      const known =
        (await this.provider.getTransactionReceipt(existing.txHash)) ??
        ((await this.provider.getTransaction(existing.txHash)) && (await waitForReceipt(this.provider, existing.txHash, 120_000)))
      if (known) {
        await this.markMined(id, known)
        if (known.status !== 1) throw new ChainRevertError('Reverted', [], `transaction ${known.hash} reverted`)
        return { ...(await this.get(id))!, receipt: known }
      }
    }
    if (!existing) await this.record(id, intent)
    const receipt = await this.send(id)
    return { ...(await this.get(id))!, receipt }
  }

  /** Resolves every pending or sent entry: confirms mined ones, resends lost ones. */
  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { confirmed: 0, failed: 0, resent: 0 }
    const open = await this.db.query(`SELECT * FROM govcred_chain_outbox WHERE status IN ('pending', 'sent') ORDER BY createdAt`)
    for (const row of open as OutboxEntry[]) {
      if (!this.hasSigner(row.account)) continue
      if (row.status === 'sent' && row.txHash) {
        const receipt = await this.provider.getTransactionReceipt(row.txHash)
        if (receipt) {
          await this.markMined(row.id, receipt)
          report[receipt.status === 1 ? 'confirmed' : 'failed']++
          continue
        }
        const pendingTx = await this.provider.getTransaction(row.txHash)
        if (pendingTx) {
          // Not pendingTx.wait(): it throws on a revert and has no timeout, either of which would stop the start.
          const mined = await waitForReceipt(this.provider, row.txHash, 120_000).catch(() => null)
          if (mined) {
            await this.markMined(row.id, mined)
            report[mined.status === 1 ? 'confirmed' : 'failed']++
          }
          continue
        }
      }
      try {
        await this.send(row.id)
        report.resent++
      } catch (error) {
        if (error instanceof ChainRevertError) report.failed++
        else throw error
      }
    }
    return report
  }

  /**
   * Confirmed entries whose transaction the chain does not know (a chain restored from an older state), oldest
   * first. The chain keeps a prefix of its history, so the scan runs from the newest confirmed write back to the
   * first one the chain still has: one receipt lookup when nothing is lost.
   */
  async lostConfirmed(): Promise<OutboxEntry[]> {
    const lost: OutboxEntry[] = []
    const page = 200
    for (let offset = 0; ; offset += page) {
      const rows: OutboxEntry[] = await this.db.query(
        `SELECT * FROM govcred_chain_outbox WHERE status = 'confirmed' AND txHash IS NOT NULL
         ORDER BY blockNumber DESC, transactionIndex DESC, createdAt DESC LIMIT ? OFFSET ?`,
        [page, offset],
      )
      for (const row of rows) {
        const receipt = await this.provider.getTransactionReceipt(row.txHash!)
        if (receipt?.status === 1 && receipt.blockNumber === row.blockNumber) return lost.reverse()
        lost.push(row)
      }
      if (rows.length < page) return lost.reverse()
    }
  }

  /**
   * Sends a lost confirmed write again from its recorded intent (same account, target and call data) and waits
   * for it; `beforeSend` runs just before (e.g. to give the block its original timestamp).
   * Answers 'confirmed', 'failed' (the chain now refuses it) or 'no-signer'.
   */
  async replay(id: string, beforeSend?: () => Promise<void>): Promise<'confirmed' | 'failed' | 'no-signer'> {
    const entry = await this.get(id)
    if (!entry) throw new Error(`no outbox entry ${id}`)
    if (!this.hasSigner(entry.account)) return 'no-signer'
    await writeQuery(this.db, `UPDATE govcred_chain_outbox SET status = 'pending', updatedAt = ? WHERE id = ?`, [
      new Date().toISOString(),
      id,
    ])
    await beforeSend?.()
    try {
      await this.send(id)
      return 'confirmed'
    } catch (error) {
      if (error instanceof ChainRevertError) return 'failed'
      throw error
    }
  }

  async get(id: string): Promise<OutboxEntry | undefined> {
    const rows = await this.db.query(`SELECT * FROM govcred_chain_outbox WHERE id = ?`, [id])
    return rows[0]
  }

  /** The ids among `ids` whose writes are confirmed on chain. */
  async confirmedAmong(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set()
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM govcred_chain_outbox WHERE status = 'confirmed' AND id IN (${ids.map(() => '?').join(', ')})`,
      [...ids],
    )
    return new Set(rows.map((row) => row.id))
  }

  async list(status?: OutboxStatus): Promise<OutboxEntry[]> {
    return status
      ? this.db.query(`SELECT * FROM govcred_chain_outbox WHERE status = ? ORDER BY createdAt`, [status])
      : this.db.query(`SELECT * FROM govcred_chain_outbox ORDER BY createdAt`)
  }

  private async record(id: string, intent: WriteIntent): Promise<void> {
    const iface = new Interface(loadArtifact(intent.contract).abi)
    const data = iface.encodeFunctionData(intent.method, intent.args as unknown[])
    const now = new Date().toISOString()
    await writeQuery(
      this.db,
      `INSERT INTO govcred_chain_outbox (id, account, contract, target, method, args, data, label, status, attempts, createdAt, updatedAt)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      [
        id,
        intent.account.toLowerCase(),
        intent.contract,
        intent.target,
        intent.method,
        JSON.stringify(intent.args, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
        data,
        intent.label,
        now,
        now,
      ],
    )
  }

  private async send(id: string): Promise<TransactionReceipt> {
    const entry = (await this.db.query(`SELECT * FROM govcred_chain_outbox WHERE id = ?`, [id]))[0] as OutboxEntry & { data: string }
    const signer = this.signers.get(entry.account.toLowerCase())
    if (!signer) throw new Error(`no signer for account ${entry.account} (outbox entry ${id})`)
    const txHash = await this.serialized(entry.account, async () => {
      const request = { to: entry.target, data: entry.data, from: entry.account }
      let gasLimit: bigint
      try {
        gasLimit = withGasMargin(await this.provider.estimateGas(request))
      } catch (error) {
        throw (await explainInsufficientFunds(this.provider, entry.account, entry.label, error)) ?? (await this.failOrRethrow(id, error))
      }
      const txHash = await this.sendWithNonce(entry.account, signer, { ...request, gasLimit })
      await writeQuery(
        this.db,
        `UPDATE govcred_chain_outbox SET status = 'sent', txHash = ?, attempts = attempts + 1, updatedAt = ? WHERE id = ?`,
        [txHash, new Date().toISOString(), id],
      )
      return txHash
    })
    const receipt = await waitForReceipt(this.provider, txHash, 120_000)
    if (!receipt) throw new Error(`transaction ${txHash} not mined within 120 s (outbox entry ${id} stays open)`)
    await this.markMined(id, receipt)
    if (receipt.status !== 1) throw new ChainRevertError('Reverted', [], `transaction ${txHash} reverted`)
    return receipt
  }

  private async sendWithNonce(account: string, signer: Signer, request: { to: string; data: string; gasLimit: bigint }): Promise<string> {
    this.gasPrice ??= BigInt(await this.provider.send('eth_gasPrice', []))
    for (let attempt = 0; ; attempt++) {
      let nonce = this.nonces.get(account)
      if (nonce === undefined) {
        nonce = await this.provider.getTransactionCount(account, 'pending')
      }
      try {
        const signed = await signer.signTransaction({
          ...request,
          nonce,
          type: 0,
          gasPrice: this.gasPrice,
          chainId: (await this.provider.getNetwork()).chainId,
        })
        const txHash = (await this.provider.send('eth_sendRawTransaction', [signed])) as string
        this.nonces.set(account, nonce + 1)
        return txHash
      } catch (error) {
        this.nonces.delete(account)
        const message = String((error as Error).message)
        if (attempt < 2 && /nonce/i.test(message)) continue
        if (isInsufficientFunds(error)) throw await insufficientFunds(this.provider, account, 'a transaction', error)
        throw error
      }
    }
  }

  private async failOrRethrow(id: string, error: unknown): Promise<Error> {
    if (isConnectivityError(error)) return error as Error
    const revert = decodeRevert(error)
    if (!revert) return error as Error
    await writeQuery(this.db, `UPDATE govcred_chain_outbox SET status = 'failed', error = ?, updatedAt = ? WHERE id = ?`, [
      revert.message,
      new Date().toISOString(),
      id,
    ])
    return revert
  }

  private async markMined(id: string, receipt: TransactionReceipt): Promise<void> {
    // Confirmed means durable: on the embedded chain the state holding this block is saved first. If the save
    // fails the entry stays open (sent) and the error reaches the caller; the next reconcile settles it.
    if (receipt.status === 1) await this.durable?.()
    const block = await this.provider.getBlock(receipt.blockNumber).catch(() => null)
    await writeQuery(
      this.db,
      `UPDATE govcred_chain_outbox SET status = ?, txHash = ?, blockNumber = ?, blockTimestamp = ?, transactionIndex = ?, updatedAt = ?
       WHERE id = ?`,
      [
        receipt.status === 1 ? 'confirmed' : 'failed',
        receipt.hash,
        receipt.blockNumber,
        block?.timestamp ?? Math.floor(Date.now() / 1000),
        receipt.index,
        new Date().toISOString(),
        id,
      ],
    )
    if (receipt.status !== 1 || this.minedListeners.size === 0) return
    const entry = await this.get(id)
    if (!entry) return
    const mined: MinedWrite = {
      id,
      account: entry.account,
      contract: entry.contract,
      target: entry.target,
      method: entry.method,
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
    }
    for (const listener of this.minedListeners) listener(mined)
  }

  /** Runs sends of one account one at a time, so nonces never race. */
  private serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(task)
    this.queues.set(key, next)
    return next
  }
}

/**
 * The gas limit to send with for a node's estimate. An estimate runs in a pending block whose timestamp may be a
 * second earlier than the block that mines it, and contracts that store `block.timestamp` pay less for rewriting
 * an unchanged slot: an exact estimate can then run out of gas by a few thousand units.
 */
export function withGasMargin(estimate: bigint): bigint {
  return (estimate * 12n) / 10n + 20_000n
}

/**
 * Polls for a receipt. ethers' waitForTransaction waits for the next "block" event, which never comes
 * on an idle automining chain when the transaction's block appeared between its checks. Resolves null by
 * the deadline even when a poll hangs; a poll the node does not answer (the provider's JSON-RPC timeout)
 * throws, and the outbox entry stays open for the next retry.
 */
export async function waitForReceipt(provider: JsonRpcProvider, txHash: string, timeoutMs: number): Promise<TransactionReceipt | null> {
  const deadline = Date.now() + timeoutMs
  let delay = 5
  for (;;) {
    let timer: NodeJS.Timeout | undefined
    const receipt = await Promise.race([
      provider.getTransactionReceipt(txHash),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), Math.max(0, deadline - Date.now()))
      }),
    ]).finally(() => clearTimeout(timer))
    if (receipt) return receipt
    if (Date.now() >= deadline) return null
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 250)
  }
}
