import type { DataSource, EntityManager } from 'typeorm'
import { ChainRevertError } from '../../chain/chain-errors.js'
import { ConflictError, NotFoundError, UpstreamError } from '../../shared/errors/app-error.js'
import { actorOf, assertPermission, assertRecordScope, type DepartmentPrincipal } from '../departments/department-principal.js'
import { writeTransaction } from '../../store/write-transaction.js'
import type { CredentialRecord, CredentialState, CredentialStore } from '../records/credential-store.js'
import type { AnchorRef, StatusAnchorHook, StatusBatcher, StatusChangeInput } from './status-batcher.js'
import type { DepartmentStore } from '../departments/department-store.js'

export type StatusAction = 'suspend' | 'reinstate' | 'revoke'

export interface StatusChangeResult {
  credentialId: string
  status: CredentialState
  /** False when the credential already was in the asked state (idempotent repeat). */
  changed: boolean
  /** Hash of the transaction that carried the change; null when nothing changed or not yet mined. */
  txHash: string | null
  onChain: 'confirmed' | 'pending' | 'unchanged'
  /** The reason given with the latest status change (this one, or the one a repeat left in force); null when none was. */
  reason: string | null
}

export interface StatusDeps {
  db: DataSource
  credentials: CredentialStore
  batcher: StatusBatcher
  departments: Pick<DepartmentStore, 'get'>
  /** Clears a property certificate's anchor when it is suspended or revoked, restores it when reinstated. */
  propertyAnchors?: StatusAnchorHook
}

/** The bits an action writes, given the current state; empty when it is a repeat. Revocation is final. */
export function plannedChanges(
  current: CredentialState,
  action: StatusAction,
): { next: CredentialState; bits: Pick<StatusChangeInput, 'purpose' | 'operation'>[] } {
  if (current === 'revoked') {
    if (action === 'revoke') return { next: 'revoked', bits: [] }
    throw new ConflictError('ERR_CREDENTIAL_REVOKED', 'the credential is revoked; revocation is final')
  }
  switch (action) {
    case 'revoke':
      return { next: 'revoked', bits: [{ purpose: 'revocation', operation: 'set' }] }
    case 'suspend':
      return current === 'suspended'
        ? { next: 'suspended', bits: [] }
        : { next: 'suspended', bits: [{ purpose: 'suspension', operation: 'set' }] }
    case 'reinstate':
      return current === 'active' ? { next: 'active', bits: [] } : { next: 'active', bits: [{ purpose: 'suspension', operation: 'clear' }] }
  }
}

/**
 * Queues the status bits of an action inside `manager`'s transaction and updates the record (and a property
 * certificate's anchor state). Returns the queued change ids (empty for an idempotent repeat) and the anchors
 * to send once the transaction commits.
 */
export async function queueStatusChange(
  deps: StatusDeps,
  manager: EntityManager,
  record: CredentialRecord,
  action: StatusAction,
  actor: string,
  auditAction: StatusChangeInput['action'] = action,
  supersededBy?: string,
  reason?: string,
): Promise<{ next: CredentialState; changeIds: string[]; anchors: AnchorRef[] }> {
  const { next, bits } = plannedChanges(record.status, action)
  const changeIds: string[] = []
  for (const bit of bits) {
    changeIds.push(
      await deps.batcher.queue(manager, {
        credentialId: record.id,
        credentialType: record.type,
        departmentId: record.departmentId,
        issuerAccount: await issuerAccountOf(deps, manager, record),
        purpose: bit.purpose,
        index: record.statusIndex,
        operation: bit.operation,
        action: auditAction,
        actor,
        previousStatus: record.status,
        reason,
      }),
    )
  }
  if (bits.length > 0 || supersededBy) await deps.credentials.setStatus(record.id, next, manager, supersededBy)
  const anchor = bits.length > 0 ? await deps.propertyAnchors?.statusChanged(manager, record.id, next) : null
  return { next, changeIds, anchors: anchor ? [anchor] : [] }
}

/**
 * suspend / reinstate / revoke by the issuing department: recorded durably, then batched onto the
 * chain; waits (up to `waitMs`) until the batch is mined so the caller gets the transaction hash, or
 * returns at once (pending) when `waitMs` is 0. The department's `reason` (checked by the caller) is kept with
 * the change and copied into its audit entry.
 */
export async function changeCredentialStatus(
  deps: StatusDeps,
  principal: DepartmentPrincipal,
  credentialId: string,
  action: StatusAction,
  waitMs = 20_000,
  reason?: string,
): Promise<StatusChangeResult> {
  assertPermission(principal, 'status')
  const { next, changeIds, anchors, latestReason } = await writeTransaction(deps.db, async (m) => {
    const record = await deps.credentials.getOwned(principal.department.id, credentialId, m)
    if (!record) throw new NotFoundError('ERR_CREDENTIAL_NOT_FOUND', `no credential ${credentialId} issued by ${principal.department.id}`)
    assertRecordScope(principal, record.type)
    const queued = await queueStatusChange(deps, m, record, action, actorOf(principal), action, undefined, reason)
    // A repeat records nothing: its answer shows the reason of the change that is in force.
    return { ...queued, latestReason: queued.changeIds.length > 0 ? (reason ?? null) : await deps.batcher.latestReason(record.id, m) }
  })
  if (changeIds.length === 0)
    return { credentialId, status: next, changed: false, txHash: null, onChain: 'unchanged', reason: latestReason }
  // A property certificate's anchor follows its status; recorded with it, so a failed send is redone at the next start.
  const anchorSends = Promise.allSettled(anchors.map((a) => deps.propertyAnchors!.send(a.unitNumber, a.sequence)))
  if (waitMs <= 0) {
    // Recorded durably; the batcher sends it with the next batch. A caller sending a burst does not wait per change.
    deps.batcher.requestFlush()
    return { credentialId, status: next, changed: true, txHash: null, onChain: 'pending', reason: latestReason }
  }
  try {
    const [[txHash]] = await Promise.all([deps.batcher.waitFor(changeIds, waitMs), anchorSends])
    return { credentialId, status: next, changed: true, txHash, onChain: 'confirmed', reason: latestReason }
  } catch (error) {
    if (error instanceof ChainRevertError) {
      throw new UpstreamError('ERR_STATUS_WRITE_REFUSED', `the chain refused the status change: ${error.message}`, {
        status: 502,
        cause: error,
      })
    }
    // The chain lags or does not answer (at once, not after the whole wait): the change is recorded and queued,
    // and goes out when the chain answers again, so the truthful answer is 202 pending, not a failure.
    return { credentialId, status: next, changed: true, txHash: null, onChain: 'pending', reason: latestReason }
  }
}

async function issuerAccountOf(deps: StatusDeps, manager: EntityManager, record: CredentialRecord): Promise<string> {
  const department = await deps.departments.get(record.departmentId, manager)
  if (!department)
    throw new NotFoundError('ERR_DEPARTMENT_NOT_FOUND', `credential ${record.id} names an unknown department ${record.departmentId}`)
  return department.account
}
