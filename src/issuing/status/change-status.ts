import { ChainRevertError } from '../../chain/chain-errors.js'
import { UpstreamError } from '../../shared/errors/app-error.js'
import { assertPermission, type DepartmentPrincipal } from '../departments/department-principal.js'
import type { CredentialState } from '../records/credential-store.js'
import type { StatusAction, StatusDeps } from './queue-status-change.js'
import { statusCommitsOf } from './status-commits.js'

export { plannedChanges, queueStatusChange, type StatusAction, type StatusDeps } from './queue-status-change.js'

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

/**
 * suspend / reinstate / revoke by the issuing department: recorded durably (in a write transaction shared with the
 * changes that arrive meanwhile, see status-commits.ts), then batched onto the chain; waits (up to `waitMs`) until
 * the batch is mined so the caller gets the transaction hash, or returns at once (pending) when `waitMs` is 0. The
 * department's `reason` (checked by the caller) is kept with the change and copied into its audit entry.
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
  // Recorded in a transaction shared with the changes that arrive meanwhile (a burst), as if one after another.
  const { next, changeIds, anchors, latestReason } = await statusCommitsOf(deps).record({ principal, credentialId, action, reason })
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
