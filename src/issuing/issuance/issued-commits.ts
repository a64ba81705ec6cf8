import type { DataSource, EntityManager } from 'typeorm'
import type { AuditAppendInput, AuditLog } from '../audit/audit-log.js'
import { ConflictError } from '../../shared/errors/app-error.js'
import { writeTransaction } from '../../store/write-transaction.js'
import { CredentialStore, type CredentialRecord } from '../records/credential-store.js'

export type CommitOutcome = 'stored' | 'index-taken'

/** More writes of one issuance, in its transaction after its record and audit entry (e.g. redeeming its offer). */
export type AfterStored = (manager: EntityManager, record: CredentialRecord) => Promise<void>

interface Pending {
  record: CredentialRecord
  audit: AuditAppendInput
  afterStored?: AfterStored
  resolve(outcome: CommitOutcome): void
  reject(error: unknown): void
}

/** Most issuances in one transaction. */
const MAX_BATCH = 200

/**
 * Stores issued credentials with their audit entries, many per transaction: the issuances that arrive while
 * one transaction is being written share the next, as one multi-row INSERT of records and one of audit entries.
 * Each caller still learns its own outcome: stored, or its status index taken (draw again). When a batch fails
 * (a UNIQUE conflict, a refusal by an issuance's own further writes) it is written again one issuance at a time,
 * so one failure refuses only its own issuance.
 *
 * @example
 * const outcome = await commits.commit(record, { departmentId, actor, action: 'issue', credentialId: record.id, details })
 */
export class IssuedCommits {
  private queue: Pending[] = []
  private scheduled = false

  constructor(private readonly deps: { db: DataSource; credentials: CredentialStore; audit: AuditLog }) {}

  /** Throws ConflictError ERR_DUPLICATE_CREDENTIAL_ID when the id was issued already, or what `afterStored` throws. */
  commit(record: CredentialRecord, audit: AuditAppendInput, afterStored?: AfterStored): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, audit, resolve, reject, ...(afterStored ? { afterStored } : {}) })
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    let started = false
    let written: Pending[] = []
    writeTransaction(this.deps.db, async (manager) => {
      started = true
      // From here on, new issuances queue for the next transaction.
      this.scheduled = false
      const batch = this.queue.splice(0, MAX_BATCH)
      if (this.queue.length > 0) this.schedule()
      written = this.withoutClashes(batch)
      await this.write(manager, written)
    }).then(
      () => written.forEach((p) => p.resolve('stored')),
      (error: unknown) => {
        if (!started) {
          // The transaction could not even begin (storage failure): everything waiting fails with it.
          this.scheduled = false
          this.queue.splice(0).forEach((p) => p.reject(error))
        } else if (written.length > 1) {
          for (const p of written) void this.commitAlone(p)
        } else {
          written.forEach((p) => this.settleAlone(p, error))
        }
      },
    )
  }

  /** Two issuances of one batch that drew the same status index, or carry the same id: the later one is refused. */
  private withoutClashes(batch: Pending[]): Pending[] {
    const indices = new Set<string>()
    const ids = new Set<string>()
    return batch.filter((p) => {
      const slot = `${p.record.issuerDid}|${p.record.statusIndex}`
      if (ids.has(p.record.id)) {
        p.reject(duplicateId(p.record.id))
        return false
      }
      if (indices.has(slot)) {
        p.resolve('index-taken')
        return false
      }
      indices.add(slot)
      ids.add(p.record.id)
      return true
    })
  }

  private async write(manager: EntityManager, batch: Pending[]): Promise<void> {
    await this.deps.credentials.insertMany(
      batch.map((p) => p.record),
      manager,
    )
    await this.deps.audit.appendMany(
      batch.map((p) => p.audit),
      manager,
    )
    for (const p of batch) await p.afterStored?.(manager, p.record)
  }

  private async commitAlone(p: Pending): Promise<void> {
    try {
      await writeTransaction(this.deps.db, (manager) => this.write(manager, [p]))
      p.resolve('stored')
    } catch (error) {
      this.settleAlone(p, error)
    }
  }

  private settleAlone(p: Pending, error: unknown): void {
    if (CredentialStore.isStatusIndexConflict(error)) p.resolve('index-taken')
    else if (CredentialStore.isIdConflict(error)) p.reject(duplicateId(p.record.id))
    else p.reject(error)
  }
}

const duplicateId = (id: string) => new ConflictError('ERR_DUPLICATE_CREDENTIAL_ID', `a credential with id ${id} was already issued`)
