import type { DataSource, EntityManager } from 'typeorm'
import { ConflictError, NotFoundError } from '../../shared/errors/app-error.js'
import type { CredentialRecord, CredentialState, CredentialStore } from '../records/credential-store.js'
import type { DepartmentStore } from '../departments/department-store.js'
import type { AnchorRef, StatusAnchorHook, StatusBatcher, StatusChangeInput } from './status-batcher.js'

export type StatusAction = 'suspend' | 'reinstate' | 'revoke'

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
 * The changes an action on `record` queues (none for a repeat), read inside `manager`'s transaction but writing
 * nothing: refuses a revoked credential (409) and a credential of an unknown department (404) before any write.
 */
export async function planStatusChange(
  deps: StatusDeps,
  manager: EntityManager,
  record: CredentialRecord,
  action: StatusAction,
  actor: string,
  auditAction: StatusChangeInput['action'] = action,
  reason?: string,
): Promise<{ next: CredentialState; changes: StatusChangeInput[] }> {
  const { next, bits } = plannedChanges(record.status, action)
  const changes: StatusChangeInput[] = []
  for (const bit of bits) {
    changes.push({
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
    })
  }
  return { next, changes }
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
  const { next, changes } = await planStatusChange(deps, manager, record, action, actor, auditAction, reason)
  const changeIds: string[] = []
  for (const change of changes) changeIds.push(await deps.batcher.queue(manager, change))
  if (changes.length > 0 || supersededBy) await deps.credentials.setStatus(record.id, next, manager, supersededBy)
  const anchor = changes.length > 0 ? await deps.propertyAnchors?.statusChanged(manager, record.id, next) : null
  return { next, changeIds, anchors: anchor ? [anchor] : [] }
}

async function issuerAccountOf(deps: StatusDeps, manager: EntityManager, record: CredentialRecord): Promise<string> {
  const department = await deps.departments.get(record.departmentId, manager)
  if (!department)
    throw new NotFoundError('ERR_DEPARTMENT_NOT_FOUND', `credential ${record.id} names an unknown department ${record.departmentId}`)
  return department.account
}
