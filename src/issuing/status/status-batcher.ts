import { randomUUID } from 'node:crypto'
import { ZeroHash } from 'ethers'
import type { DataSource, EntityManager } from 'typeorm'
import type { ChainWriter } from '../../chain/chain-writer.js'
import { ChainRevertError, ChainUnavailableError, isConnectivityError } from '../../chain/chain-errors.js'
import type { AuditLog, AuditAction } from '../audit/audit-log.js'
import type { Logger } from '../../shared/logger.js'
import { committedRead, writeQuery, writeTransaction } from '../../store/write-transaction.js'
import type { CredentialState, CredentialStore } from '../records/credential-store.js'
import { STATUS_PURPOSES, type StatusPurpose } from '../../catalog/status-entries.js'
import { offsetModifier, type DailyWindow } from '../records/credential-stats.js'

export interface StatusChangeInput {
  credentialId: string
  /** The credential's type, kept with the change for the department's daily counts (dailyCounts). */
  credentialType?: string
  departmentId: string
  issuerAccount: string
  purpose: StatusPurpose
  index: number
  operation: 'set' | 'clear'
  action: AuditAction
  actor: string
  /** The record's status before this change, restored if the chain refuses it. */
  previousStatus?: string
  /** Why the department made the change (free text, never logged); copied into the audit entry once mined. */
  reason?: string
}

interface ChangeRow {
  id: string
  credentialId: string
  departmentId: string
  action: AuditAction
  issuerAccount: string
  purpose: number
  statusIndex: number
  operation: 'set' | 'clear'
  actor: string
  state: 'queued' | 'submitted' | 'confirmed' | 'failed'
  outboxId: string | null
  txHash: string | null
  error: string | null
  reason: string | null
  createdAt: string
}

export interface StatusBatcherOptions {
  /** Most status bits in one transaction (bounded by the chain's block gas limit). */
  maxBatch: number
  /** Quiet time after the last change before sending, so a burst shares transactions. */
  windowMs: number
  /**
   * Quiet time before sending changes that arrived while a batch was being sent (a burst is going on): long enough
   * (a second) that a stall of the process or of the database mid-burst is not taken for the end of the burst.
   */
  burstWindowMs: number
  /**
   * Longest a change waits for the burst around it to end (or for a full batch of maxBatch to gather). A long burst
   * is cut into one transaction per maxDelayMs at most, so this is what bounds its transaction count.
   */
  maxDelayMs: number
  /** Retry cadence for changes that could not be sent (chain unreachable). */
  retryMs: number
}

/** A property certificate's anchor whose recorded state changed (sent after the change commits). */
export interface AnchorRef {
  unitNumber: string
  sequence: number
}

/** Keeps on-chain anchors in step with credential status (property certificates: cleared unless active and current). */
export interface StatusAnchorHook {
  /** Inside the status change's transaction; returns the anchor to send once it commits, or null. */
  statusChanged(manager: EntityManager, credentialId: string, next: CredentialState): Promise<AnchorRef | null>
  /** Sends an anchor's recorded state; resolves with the transaction hash once mined. */
  send(unitNumber: string, sequence: number): Promise<string>
}

export interface BatchAnchorSink {
  recordStatusBatchAnchor(departmentId: string, seq: number, hash: string, txHash: string): Promise<void>
}

type Waiter = { resolve: (txHash: string) => void; reject: (error: Error) => void }

/** Rows per multi-row INSERT of queued changes (14 parameters each, well inside SQLite's parameter limit). */
const QUEUE_ROWS = 500

/**
 * Queues status-bit changes durably and writes them to the CredentialStatusRegistry in batches:
 * changes are rows in the database before anything is sent, each batch is an outbox entry, and
 * whatever was queued or in flight when the process stopped is sent or confirmed at the next start.
 */
export class StatusBatcher {
  private readonly waiters = new Map<string, Waiter[]>()
  private flushTimer?: NodeJS.Timeout
  private firstScheduledAt = 0
  /** Flushes started and not finished yet. */
  private running = 0
  /** A flush came due while a batch was being sent; it is re-armed when that send ends. */
  private deferred = false
  /** Changes kept arriving while batches were sent: wait for the longer burst window. */
  private burst = false
  /** When the last flush that changes arrived during ended (performance.now()): changes soon after it belong to its burst. */
  private lastFlushEndedAt = Number.NEGATIVE_INFINITY
  private retryTimer?: NodeJS.Timeout
  /** Changes queued (in this process) since the last flush read the queue: a full batch is sent without waiting. */
  private queuedSinceRead = 0
  /** When the oldest of those was queued (0: none); the maxDelayMs bound counts from it. */
  private oldestUnreadAt = 0
  private flushing: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly deps: {
      db: DataSource
      writer: ChainWriter
      audit: AuditLog
      credentials: Pick<CredentialStore, 'setStatus'>
      statusRegistry: string
      logger: Logger
      anchors?: BatchAnchorSink
      /** Restores property anchors when the chain refuses a status change and the record goes back. */
      propertyAnchors?: StatusAnchorHook
    },
    private readonly options: StatusBatcherOptions = { maxBatch: 1000, windowMs: 20, burstWindowMs: 1000, maxDelayMs: 5000, retryMs: 2000 },
  ) {}

  /** Records a change inside the caller's transaction; nothing is sent until the transaction commits and a flush runs. */
  async queue(manager: EntityManager, change: StatusChangeInput): Promise<string> {
    const [id] = await this.queueMany(manager, [change])
    return id!
  }

  /**
   * Records changes inside the caller's transaction, in this order (the order they are sent in: the last change of
   * an index in a batch wins), in one multi-row INSERT per QUEUE_ROWS; answers their ids in the same order.
   */
  async queueMany(manager: EntityManager, changes: readonly StatusChangeInput[]): Promise<string[]> {
    if (changes.length === 0) return []
    const ids = changes.map(() => randomUUID())
    const now = new Date().toISOString()
    // Counted before the commit: a change rolled back with its transaction only makes the next flush read the queue sooner.
    this.queuedSinceRead += changes.length
    if (this.oldestUnreadAt === 0) this.oldestUnreadAt = Date.now()
    for (let start = 0; start < changes.length; start += QUEUE_ROWS) {
      const rows = changes.slice(start, start + QUEUE_ROWS)
      await manager.query(
        `INSERT INTO govcred_status_changes (id, credentialId, credentialType, departmentId, action, issuerAccount, purpose, statusIndex, operation, actor, state, previousStatus, reason, createdAt, updatedAt)
         VALUES ${rows.map(() => `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)`).join(', ')}`,
        rows.flatMap((change, i) => [
          ids[start + i],
          change.credentialId,
          change.credentialType ?? null,
          change.departmentId,
          change.action,
          change.issuerAccount.toLowerCase(),
          STATUS_PURPOSES[change.purpose],
          change.index,
          change.operation,
          change.actor,
          change.previousStatus ?? null,
          change.reason ?? null,
          now,
          now,
        ]),
      )
    }
    return ids
  }

  /**
   * Status bits set per local day and type since `window.since` (revocation: revoked, suspension: suspended),
   * leaving out changes the chain refused; through the index on (departmentId, createdAt).
   */
  async statusChangesPerDay(
    departmentId: string,
    window: DailyWindow,
  ): Promise<{ date: string; type: string; revoked: number; suspended: number }[]> {
    const types = window.types ? ` AND credentialType IN (${window.types.map(() => '?').join(', ')})` : ''
    const rows: { date: string; type: string; revoked: number; suspended: number }[] = await this.deps.db.query(
      `SELECT date(createdAt, ?) AS date, credentialType AS type,
         SUM(CASE WHEN purpose = ? THEN 1 ELSE 0 END) AS revoked,
         SUM(CASE WHEN purpose = ? THEN 1 ELSE 0 END) AS suspended
       FROM govcred_status_changes
       WHERE departmentId = ? AND createdAt >= ? AND operation = 'set' AND state != 'failed' AND credentialType IS NOT NULL${types}
       GROUP BY 1, 2`,
      [offsetModifier(window), STATUS_PURPOSES.revocation, STATUS_PURPOSES.suspension, departmentId, window.since, ...(window.types ?? [])],
    )
    return rows.map((r) => ({ date: r.date, type: r.type, revoked: Number(r.revoked), suspended: Number(r.suspended) }))
  }

  /**
   * The reason given with a credential's latest status change, or null (none given, or no change yet); a
   * change the chain refused is left out, since the record went back to its status before it.
   */
  async latestReason(credentialId: string, manager: Pick<EntityManager, 'query'> = this.deps.db): Promise<string | null> {
    const rows: { reason: string | null }[] = await manager.query(
      `SELECT reason FROM govcred_status_changes WHERE credentialId = ? AND state != 'failed' ORDER BY createdAt DESC, rowid DESC LIMIT 1`,
      [credentialId],
    )
    return rows[0]?.reason ?? null
  }

  /** Resolves with the transaction hash of each change once mined; rejects when the chain refuses it or `timeoutMs` passes. */
  waitFor(changeIds: string[], timeoutMs = 30_000): Promise<string[]> {
    const waits = changeIds.map(
      (id) =>
        new Promise<string>((resolve, reject) => {
          const list = this.waiters.get(id) ?? []
          list.push({ resolve, reject })
          this.waiters.set(id, list)
        }),
    )
    this.scheduleFlush()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`status change not confirmed within ${timeoutMs} ms`)), timeoutMs)
    })
    return Promise.race([Promise.all(waits), timeout]).finally(() => clearTimeout(timer))
  }

  /** Asks for a flush of what is queued (after the batching window) without waiting for it. */
  requestFlush(): void {
    this.scheduleFlush()
  }

  /** Starts the retry loop and finishes what a previous run left queued or in flight. */
  async start(): Promise<void> {
    this.stopped = false
    await this.recover()
    this.scheduleFlush()
    this.retryTimer = setInterval(() => this.scheduleFlush(), this.options.retryMs)
    this.retryTimer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.deferred = false
    clearInterval(this.retryTimer)
    clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    await this.flushing.catch(() => undefined)
  }

  /** Sends everything queued now (tests and shutdown use it directly). */
  flush(): Promise<void> {
    return this.flushWith(false)
  }

  /** With `holdRemainders` (a flush the timer started), see holdRemainder. */
  private flushWith(holdRemainders: boolean): Promise<void> {
    this.running++
    this.flushing = this.flushing
      .catch(() => undefined)
      .then(() => this.flushOnce(holdRemainders))
      .finally(() => {
        this.running--
        // Only when changes came in meanwhile: a caller that waits for each change before the next is no burst.
        this.lastFlushEndedAt = this.queuedSinceRead > 0 ? performance.now() : Number.NEGATIVE_INFINITY
        if (this.running === 0 && this.deferred) {
          this.deferred = false
          this.armTimer()
        }
      })
    return this.flushing
  }

  /**
   * Debounced: each new change restarts the quiet window, up to maxDelayMs after the oldest change not read yet;
   * at once when a full batch is queued (waiting longer would not make it larger).
   */
  private scheduleFlush(): void {
    if (this.stopped) return
    if (this.flushTimer) clearTimeout(this.flushTimer)
    else if (!this.deferred) this.firstScheduledAt = Date.now()
    this.armTimer()
  }

  private armTimer(): void {
    if (this.stopped) return
    clearTimeout(this.flushTimer)
    // Right after a send, requests that stalled on the database during it commit in a rush and then pause on the
    // next long transaction: the short window would cut the burst at each such pause.
    const afterSend = performance.now() - this.lastFlushEndedAt < this.options.burstWindowMs
    const quiet = this.burst || afterSend ? this.options.burstWindowMs : this.options.windowMs
    const due = (this.oldestUnreadAt || this.firstScheduledAt) + this.options.maxDelayMs
    const full = this.queuedSinceRead >= this.options.maxBatch
    const delay = full ? 0 : Math.max(0, Math.min(quiet, due - Date.now()))
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined
      // While a batch is being sent, requests stall on the database and a short quiet window elapses by itself;
      // flushing right after that send would cut a burst into one transaction per send. Wait for the send to
      // end and then for the longer burst window (or maxDelayMs, or a full batch), so a burst shares a few transactions.
      // Never a flush queued behind the running one, even when due: it would leave at once, with what came in
      // during the send (one transaction per send again); the re-arm when the send ends sends it then anyway.
      if (this.running > 0) {
        this.deferred = true
        this.burst = true
        return
      }
      this.burst = false
      this.flushWith(true).catch((error) => this.deps.logger.warn(`status flush failed: ${(error as Error).message}`))
    }, delay)
  }

  private async recover(): Promise<void> {
    const submitted = await this.changesIn('submitted')
    const byOutbox = groupBy(submitted, (row) => row.outboxId ?? '')
    for (const [outboxId, rows] of byOutbox) {
      const entry = outboxId ? await this.deps.writer.get(outboxId) : undefined
      if (!entry) {
        await writeQuery(
          this.deps.db,
          `UPDATE govcred_status_changes SET state = 'queued', outboxId = NULL WHERE outboxId IS ? AND state = 'submitted'`,
          [outboxId || null],
        )
      } else if (entry.status === 'confirmed' && entry.txHash) {
        await this.finish(rows, entry.txHash, null)
      } else if (entry.status === 'failed') {
        await this.fail(rows, entry.error ?? 'the chain refused the batch')
      }
      // pending/sent entries are retried by flushOnce through the writer
    }
  }

  /**
   * The changes in `state`, in the order they were recorded: by rowid, since the changes recorded in one transaction
   * share their createdAt (a suspend and a reinstate of one credential among them), and the order decides which
   * change of an index a batch sends and which status a refused batch restores.
   */
  private async changesIn(state: 'queued' | 'submitted'): Promise<ChangeRow[]> {
    // Committed rows only: a change whose transaction is still open (and may roll back) must not reach the chain.
    const rows: (ChangeRow & { recorded: number })[] = await committedRead(this.deps.db, () =>
      this.deps.db.query(`SELECT rowid AS recorded, * FROM govcred_status_changes WHERE state = ?`, [state]),
    )
    return rows.sort((a, b) => a.recorded - b.recorded)
  }

  private async flushOnce(holdRemainders: boolean): Promise<void> {
    if (this.stopped && this.waiters.size === 0) return
    const reachable = await this.retryInFlight()
    this.queuedSinceRead = 0
    this.oldestUnreadAt = 0
    const queued = await this.changesIn('queued')
    if (queued.length === 0) return
    // The chain does not answer: new batches would each wait out the JSON-RPC timeout too. The changes stay
    // queued for the next retry; their callers hear now that the chain is unavailable.
    if (!reachable) return this.unreachable(queued)
    const batches = [...groupBy(queued, (row) => `${row.issuerAccount}:${row.purpose}`).values()].flatMap((group) => {
      const all = [...this.batches(group)]
      return holdRemainders ? this.holdRemainder(all) : all
    })
    for (const [i, batch] of batches.entries()) {
      if (!(await this.sendBatch(batch))) return this.unreachable(batches.slice(i + 1).flat())
    }
    if (this.queuedSinceRead > 0) this.scheduleFlush()
  }

  /**
   * A full batch is sent the moment it is queued, so a burst reads a few changes more than a batch: that short
   * remainder waits for the next batch (the burst goes on) rather than taking a transaction of its own, unless it
   * is already maxDelayMs old.
   */
  private holdRemainder(batches: ChangeRow[][]): ChangeRow[][] {
    const last = batches[batches.length - 1]
    if (batches.length < 2 || !last || new Set(last.map((r) => r.statusIndex)).size >= this.options.maxBatch) return batches
    const oldest = Date.parse(last[0]!.createdAt)
    if (!(Date.now() - oldest < this.options.maxDelayMs)) return batches
    this.queuedSinceRead += last.length
    this.oldestUnreadAt = this.oldestUnreadAt ? Math.min(this.oldestUnreadAt, oldest) : oldest
    return batches.slice(0, -1)
  }

  /** Tells the callers waiting for `rows` that the chain does not answer; the rows stay queued or in flight and are retried. */
  private unreachable(rows: ChangeRow[], cause?: unknown): void {
    // Not the cause's message: it may name the node's own URL, which is never shown to callers.
    const error = new ChainUnavailableError('the chain does not answer: the change is recorded and is sent when the chain answers again', {
      cause,
    })
    for (const row of rows) this.settle(row.id, (w) => w.reject(error))
  }

  /** Splits one issuer's list changes into batches of at most maxBatch distinct indices. */
  private *batches(rows: ChangeRow[]): Generator<ChangeRow[]> {
    let current: ChangeRow[] = []
    let indices = new Set<number>()
    for (const row of rows) {
      if (!indices.has(row.statusIndex) && indices.size >= this.options.maxBatch) {
        yield current
        current = []
        indices = new Set()
      }
      indices.add(row.statusIndex)
      current.push(row)
    }
    if (current.length > 0) yield current
  }

  /** False when the chain did not answer (the batch stays in flight). */
  private async sendBatch(rows: ChangeRow[]): Promise<boolean> {
    const outboxId = `status-batch:${randomUUID()}`
    const { issuerAccount, purpose, departmentId } = rows[0]
    // The last change of an index in the batch wins (a suspend then reinstate leaves the bit clear).
    const last = new Map<number, ChangeRow>()
    for (const row of rows) last.set(row.statusIndex, row)
    const set = [...last.values()].filter((r) => r.operation === 'set').map((r) => BigInt(r.statusIndex))
    const clear = [...last.values()].filter((r) => r.operation === 'clear').map((r) => BigInt(r.statusIndex))
    // The head anchored with the batch is read under the write lock: it must be a committed entry.
    const head = await writeTransaction(this.deps.db, async (m) => {
      for (const chunk of chunks(
        rows.map((r) => r.id),
        500,
      )) {
        await m.query(
          `UPDATE govcred_status_changes SET state = 'submitted', outboxId = ?, updatedAt = ? WHERE id IN (${chunk.map(() => '?').join(',')})`,
          [outboxId, new Date().toISOString(), ...chunk],
        )
      }
      return this.deps.audit.head(departmentId, m)
    })
    return this.submit(
      rows,
      {
        id: outboxId,
        account: issuerAccount,
        contract: 'CredentialStatusRegistry',
        target: this.deps.statusRegistry,
        method: 'updateStatus',
        args: [issuerAccount, purpose, set, clear, head?.hash ?? ZeroHash],
        label: `status batch: ${set.length} set, ${clear.length} cleared (${purpose === 0 ? 'revocation' : 'suspension'})`,
      },
      head ?? null,
    )
  }

  /** False when the chain did not answer (the rest of the batches in flight wait for the next retry). */
  private async retryInFlight(): Promise<boolean> {
    const inFlight = await this.changesIn('submitted')
    const groups = [...groupBy(inFlight, (row) => row.outboxId ?? '')]
    for (const [i, [outboxId, rows]] of groups.entries()) {
      const entry = await this.deps.writer.get(outboxId)
      if (!entry) continue
      const args = JSON.parse((entry as unknown as { args: string }).args) as unknown[]
      const reachable = await this.submit(
        rows,
        {
          id: outboxId,
          account: entry.account,
          contract: 'CredentialStatusRegistry',
          target: entry.target,
          method: 'updateStatus',
          args,
          label: entry.label,
        },
        null,
      )
      if (!reachable) {
        this.unreachable(groups.slice(i + 1).flatMap(([, later]) => later))
        return false
      }
    }
    return true
  }

  private async submit(
    rows: ChangeRow[],
    intent: Parameters<ChainWriter['submit']>[0],
    head: { seq: number; hash: string } | null,
  ): Promise<boolean> {
    try {
      const result = await this.deps.writer.submit(intent)
      await this.finish(rows, result.receipt.hash, head)
    } catch (error) {
      if (error instanceof ChainRevertError) {
        await this.fail(rows, error.message)
        return true
      }
      // Unreachable chain: the batch stays in flight and is retried; callers hear it at once (503), not after their wait.
      this.deps.logger.warn(`status batch ${intent.id} not sent yet: ${(error as Error).message}`)
      if (error instanceof ChainUnavailableError || isConnectivityError(error)) {
        this.unreachable(rows, error)
        return false
      }
    }
    return true
  }

  private async finish(rows: ChangeRow[], txHash: string, head: { seq: number; hash: string } | null): Promise<void> {
    const departmentId = rows[0].departmentId
    await writeTransaction(this.deps.db, async (m) => {
      const now = new Date().toISOString()
      for (const chunk of chunks(
        rows.map((r) => r.id),
        500,
      )) {
        await m.query(
          `UPDATE govcred_status_changes SET state = 'confirmed', txHash = ?, updatedAt = ? WHERE id IN (${chunk.map(() => '?').join(',')})`,
          [txHash, now, ...chunk],
        )
      }
      // One read of the head and one multi-row INSERT for the whole batch (up to GOVCRED_STATUS_BATCH_MAX entries).
      await this.deps.audit.appendMany(
        rows.map((row) => ({
          departmentId: row.departmentId,
          actor: row.actor,
          action: row.action,
          credentialId: row.credentialId,
          txHash,
          details: {
            purpose: row.purpose === 0 ? 'revocation' : 'suspension',
            operation: row.operation,
            statusIndex: row.statusIndex,
            ...(row.reason ? { reason: row.reason } : {}),
          },
        })),
        m,
      )
    })
    if (head && head.hash !== ZeroHash) await this.deps.anchors?.recordStatusBatchAnchor(departmentId, head.seq, head.hash, txHash)
    for (const row of rows) this.settle(row.id, (w) => w.resolve(txHash))
  }

  /**
   * The chain refused the batch (e.g. the department's key no longer controls its DID): the records go
   * back to their status before the change, so the record and the chain agree and the change can be asked
   * again; each refusal is an audit entry.
   */
  private async fail(rows: ChangeRow[], message: string): Promise<void> {
    const now = new Date().toISOString()
    const restoredAnchors: AnchorRef[] = []
    await writeTransaction(this.deps.db, async (m) => {
      // Newest first, so a credential changed twice in the batch ends at its status before the first change.
      const restored = new Map<string, CredentialState>()
      for (const row of [...rows].reverse()) {
        const previous = (row as ChangeRow & { previousStatus?: string | null }).previousStatus
        if (previous) {
          await this.deps.credentials.setStatus(row.credentialId, previous as CredentialState, m)
          restored.set(row.credentialId, previous as CredentialState)
        }
      }
      for (const [credentialId, status] of restored) {
        const anchor = await this.deps.propertyAnchors?.statusChanged(m, credentialId, status)
        if (anchor) restoredAnchors.push(anchor)
      }
      for (const row of rows) {
        const previous = (row as ChangeRow & { previousStatus?: string | null }).previousStatus
        await m.query(`UPDATE govcred_status_changes SET state = 'failed', error = ?, updatedAt = ? WHERE id = ?`, [message, now, row.id])
        await this.deps.audit.append(
          {
            departmentId: row.departmentId,
            actor: row.actor,
            action: 'status-batch',
            credentialId: row.credentialId,
            details: { refused: row.action, reason: message.slice(0, 300), restoredStatus: previous ?? null },
          },
          m,
        )
      }
    })
    this.deps.logger.error(`status batch refused by the chain: ${message}`)
    for (const anchor of restoredAnchors) {
      this.deps.propertyAnchors
        ?.send(anchor.unitNumber, anchor.sequence)
        .catch((error) =>
          this.deps.logger.warn(`property anchor ${anchor.unitNumber} #${anchor.sequence} not restored: ${(error as Error).message}`),
        )
    }
    for (const row of rows) this.settle(row.id, (w) => w.reject(new ChainRevertError('StatusWriteRefused', [], message)))
  }

  private settle(id: string, action: (waiter: Waiter) => void): void {
    const list = this.waiters.get(id)
    if (!list) return
    this.waiters.delete(id)
    list.forEach(action)
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = map.get(k) ?? []
    list.push(item)
    map.set(k, list)
  }
  return map
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
