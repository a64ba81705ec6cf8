import { keccak256, toUtf8Bytes, ZeroHash } from 'ethers'
import type { DataSource } from 'typeorm'
import type { ChainWriter } from '../../chain/chain-writer.js'
import type { RegistryClients } from '../../chain/registries/registry-clients.js'
import { committedRead } from '../../store/write-transaction.js'
import type { Department, DepartmentStore } from '../departments/department-store.js'
import { NotFoundError } from '../../shared/errors/app-error.js'
import type { Logger } from '../../shared/logger.js'
import type { AuditLog, AuditProblem, AuditVerification } from './audit-log.js'
import { AuditAnchorStore, type RecordedAuditAnchor } from './audit-anchor-store.js'

/** The AnchorRegistry key under which a department's audit head is anchored. */
export const AUDIT_HEAD_KEY: string = keccak256(toUtf8Bytes('govcred:audit-head'))

export const DEFAULT_ANCHOR_INTERVAL_MS = 60_000

export interface AuditAnchoringDeps {
  db: DataSource
  log: AuditLog
  writer: ChainWriter
  /** The AnchorRegistry, and the CredentialStatusRegistry (status batches anchor heads too). */
  registries: Pick<RegistryClients, 'anchors' | 'status'>
  departments: DepartmentStore
  /** Where periodic anchoring reports failures; silent when absent. */
  logger?: Logger
}

export interface AuditAnchor {
  seq: number
  hash: string
  txHash: string
}

export interface OnChainAuditHeads {
  /** AnchorRegistry.anchorOf(account, AUDIT_HEAD_KEY); null when never written. */
  anchorRegistry: { hash: string; at: number } | null
  /** CredentialStatusRegistry.auditHeadOf(account); null when never written. */
  statusRegistry: { hash: string; at: number } | null
}

export interface AnchorPassResult {
  departmentId: string
  anchor: AuditAnchor | null
  error?: string
}

/**
 * Puts departments' audit heads on chain and checks the local log against them.
 *
 * @example
 * const anchoring = new AuditAnchoring({ db: ctx.db, log, writer: ctx.writer, registries: ctx.registries, departments: ctx.departments })
 * anchoring.start()            // every 60 s, departments whose head moved
 * await anchoring.anchorNow('market-supervision')
 * const { ok, problems } = await anchoring.verifyOnChain('market-supervision')
 */
export class AuditAnchoring {
  private readonly inFlight = new Map<string, Promise<unknown>>()
  private timer?: NodeJS.Timeout
  private pass?: Promise<unknown>

  private readonly anchors: AuditAnchorStore

  constructor(private readonly deps: AuditAnchoringDeps) {
    this.anchors = new AuditAnchorStore(deps.db)
  }

  /**
   * Anchors the department's head in the AnchorRegistry when it is newer than its last anchor; null when
   * there is nothing new (no transaction is sent). Calls for one department run one at a time.
   */
  anchorNow(departmentId: string): Promise<AuditAnchor | null> {
    const previous = this.inFlight.get(departmentId) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(() => this.anchorIfMoved(departmentId))
    this.inFlight.set(departmentId, next)
    void next
      .finally(() => {
        if (this.inFlight.get(departmentId) === next) this.inFlight.delete(departmentId)
      })
      .catch(() => undefined)
    return next
  }

  /** Records a head that a status batch anchored through CredentialStatusRegistry.updateStatus(…, auditHead). */
  async recordStatusBatchAnchor(departmentId: string, seq: number, hash: string, txHash: string): Promise<void> {
    await this.record(departmentId, { seq, hash, txHash })
  }

  /** The department's latest recorded anchor (through either registry). */
  lastAnchor(departmentId: string): Promise<RecordedAuditAnchor | undefined> {
    return this.anchors.latest(departmentId)
  }

  /** One anchoring pass over every department; failures are logged and reported, never thrown. */
  async anchorAll(): Promise<AnchorPassResult[]> {
    const results: AnchorPassResult[] = []
    for (const department of await this.deps.departments.list()) {
      try {
        results.push({ departmentId: department.id, anchor: await this.anchorNow(department.id) })
      } catch (error) {
        const message = (error as Error)?.message ?? String(error)
        this.deps.logger?.error(`anchoring the audit head of ${department.id} failed: ${message}`)
        results.push({ departmentId: department.id, anchor: null, error: message })
      }
    }
    return results
  }

  /** Anchors every department whose head moved, every `intervalMs` (60 s by default). */
  start(intervalMs: number = DEFAULT_ANCHOR_INTERVAL_MS): void {
    if (this.timer) return
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) throw new RangeError('intervalMs must be a positive number')
    this.timer = setInterval(() => {
      this.pass ??= this.anchorAll()
        .catch((error) => this.deps.logger?.error(`audit anchoring pass failed: ${(error as Error)?.message ?? String(error)}`))
        .finally(() => {
          this.pass = undefined
        })
    }, intervalMs)
    this.timer.unref()
  }

  /** Stops periodic anchoring and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    await this.pass
  }

  /** The department's audit heads as the chain has them. */
  async onChainHeads(departmentId: string): Promise<OnChainAuditHeads> {
    const department = await this.department(departmentId)
    const [[anchorValue, anchorAt], [statusValue, statusAt]] = await Promise.all([
      this.deps.registries.anchors.anchorOf(department.account, AUDIT_HEAD_KEY),
      this.deps.registries.status.auditHeadOf(department.account),
    ])
    const head = (hash: string, at: bigint) => (hash === ZeroHash ? null : { hash: hash.toLowerCase(), at: Number(at) })
    return { anchorRegistry: head(anchorValue, anchorAt), statusRegistry: head(statusValue, statusAt) }
  }

  /**
   * `log.verify` plus the chain: every head the department anchored on chain must still be an entry of the
   * local log, else entries were rewritten or removed after anchoring (or the database was replaced).
   */
  async verifyOnChain(departmentId: string): Promise<AuditVerification> {
    const [local, heads] = await Promise.all([this.deps.log.verify(departmentId), this.onChainHeads(departmentId)])
    const problems: AuditProblem[] = [...local.problems]
    const sources = [
      ['AnchorRegistry', heads.anchorRegistry],
      ['CredentialStatusRegistry', heads.statusRegistry],
    ] as const
    for (const [registry, head] of sources) {
      if (!head || (await this.deps.log.findByHash(departmentId, head.hash))) continue
      problems.push({
        seq: null,
        code: 'ERR_AUDIT_CHAIN_HEAD_NOT_FOUND',
        message: `${registry} holds audit head ${head.hash} (anchored ${new Date(head.at * 1000).toISOString()}), which is no entry of the local log: entries were rewritten or removed after anchoring`,
      })
    }
    return { ...local, ok: problems.length === 0, problems }
  }

  private async anchorIfMoved(departmentId: string): Promise<AuditAnchor | null> {
    const department = await this.department(departmentId)
    // Committed entries only: a head still inside an open transaction may roll back, and must not go on chain.
    const head = await committedRead(this.deps.db, () => this.deps.log.head(departmentId))
    if (!head) return null
    const last = await this.lastAnchor(departmentId)
    if (last && last.seq >= head.seq) return null
    if (!this.deps.writer.hasSigner(department.account)) {
      throw new Error(`no signer for department ${departmentId} (${department.account}): cannot anchor its audit head`)
    }
    const sent = await this.deps.writer.submit({
      account: department.account,
      contract: 'AnchorRegistry',
      target: this.deps.registries.anchors.address,
      method: 'setAnchors',
      args: [department.account, [AUDIT_HEAD_KEY], [head.hash]],
      label: `audit head of ${departmentId} at entry ${head.seq}`,
      // A retry after a crash between sending and recording reuses the confirmed write instead of sending again.
      id: `audit-head:${departmentId}:${head.seq}:${head.hash}`,
    })
    const anchor = { seq: head.seq, hash: head.hash, txHash: sent.receipt.hash }
    await this.record(departmentId, anchor)
    return anchor
  }

  private record(departmentId: string, anchor: AuditAnchor): Promise<void> {
    return this.anchors.record(departmentId, anchor)
  }

  private async department(departmentId: string): Promise<Department> {
    const department = await this.deps.departments.get(departmentId)
    if (!department) throw new NotFoundError('ERR_DEPARTMENT_NOT_FOUND', `no department ${departmentId} on this node`)
    return department
  }
}
