import { randomUUID } from 'node:crypto'
import { Interface, type JsonRpcProvider, type Signer, type TransactionReceipt } from 'ethers'
import type { DataSource } from 'typeorm'
import { loadArtifact, type ContractName } from './contract-artifacts.js'
import { ChainRevertError, decodeRevert, isConnectivityError } from './chain-errors.js'
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

  constructor(
    private readonly db: DataSource,
    private readonly provider: JsonRpcProvider,
  ) {}

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
        gasLimit = ((await this.provider.estimateGas(request)) * 12n) / 10n + 20_000n
      } catch (error) {
        throw await this.failOrRethrow(id, error)
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
    await writeQuery(this.db, `UPDATE govcred_chain_outbox SET status = ?, txHash = ?, blockNumber = ?, updatedAt = ? WHERE id = ?`, [
      receipt.status === 1 ? 'confirmed' : 'failed',
      receipt.hash,
      receipt.blockNumber,
      new Date().toISOString(),
      id,
    ])
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
 * Polls for a receipt. ethers' waitForTransaction waits for the next "block" event, which never comes
 * on an idle automining chain when the transaction's block appeared between its checks.
 */
export async function waitForReceipt(provider: JsonRpcProvider, txHash: string, timeoutMs: number): Promise<TransactionReceipt | null> {
  const deadline = Date.now() + timeoutMs
  let delay = 5
  for (;;) {
    const receipt = await provider.getTransactionReceipt(txHash)
    if (receipt) return receipt
    if (Date.now() >= deadline) return null
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 250)
  }
}
