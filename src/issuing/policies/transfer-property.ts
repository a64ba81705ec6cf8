import { newCredentialId } from '../issuance/credential-id.js'
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors/app-error.js'
import { actorOf, assertPermission, type DepartmentPrincipal } from '../departments/department-principal.js'
import { writeTransaction } from '../../store/write-transaction.js'
import { parseIssueRequest } from '../issuance/issuance-request.js'
import { issueCredential, type IssuedCredential } from '../issuance/issue-credential.js'
import type { PolicyDeps } from './issue-with-policies.js'
import { queueStatusChange } from '../status/change-status.js'
import type { AnchorRef } from '../status/status-batcher.js'
import { anchorClaim, prepareAnchor, recordAnchor } from '../property/property-anchor.js'

export interface TransferResult {
  buyerCredential: IssuedCredential
  seller: { credentialId: string; status: 'revoked'; txHash: string | null }
  anchor: { unitNumber: string; sequence: number; txHash: string | null }
  /** 'confirmed' once both the revocation and the new anchor are mined; 'pending' if the chain lags. */
  onChain: 'confirmed' | 'pending'
}

/**
 * Transfers a property: revokes the seller's certificate and issues the buyer's in one database
 * transaction (both or neither), then writes the revocation and the unit's new anchor on chain and
 * acknowledges once both are mined.
 */
export async function transferProperty(deps: PolicyDeps, principal: DepartmentPrincipal, body: unknown): Promise<TransferResult> {
  assertPermission(principal, 'transfer')
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('ERR_INVALID_REQUEST', 'the body must be a JSON object')
  const { sellerCredentialId, buyer, claims, validFrom, validUntil } = body as Record<string, unknown>
  if (typeof sellerCredentialId !== 'string' || sellerCredentialId.length > 200) {
    throw new ValidationError('ERR_INVALID_REQUEST', 'sellerCredentialId is required', {
      details: [{ field: '/sellerCredentialId', code: 'ERR_FIELD_REQUIRED', message: 'required' }],
    })
  }
  const request = parseIssueRequest({ type: 'PropertyCertificateCredential', holder: buyer, claims, validFrom, validUntil })
  const unitNumber = request.claims.propertyUnitNumber as string
  const actor = actorOf(principal)

  const { buyerCredential, revocationIds, sellerAnchors, sequence } = await writeTransaction(deps.issuer.db, async (manager) => {
    const seller = await deps.issuer.credentials.getOwned(principal.department.id, sellerCredentialId, manager)
    if (!seller || seller.type !== 'PropertyCertificateCredential') {
      throw new NotFoundError(
        'ERR_CREDENTIAL_NOT_FOUND',
        `no property certificate ${sellerCredentialId} issued by ${principal.department.id}`,
      )
    }
    if (seller.status === 'revoked')
      throw new ConflictError('ERR_CREDENTIAL_REVOKED', 'the seller certificate is already revoked (transferred or cancelled)')
    if (seller.status === 'suspended')
      throw new ConflictError(
        'ERR_CREDENTIAL_SUSPENDED',
        'the seller certificate is suspended (e.g. seized); the property cannot be transferred',
      )
    if (seller.subjectKey !== unitNumber) {
      throw new ValidationError('ERR_UNIT_MISMATCH', 'claims.propertyUnitNumber must be the unit of the seller certificate', {
        details: [{ field: '/claims/propertyUnitNumber', code: 'ERR_FIELD_INVALID', message: 'differs from the seller certificate' }],
      })
    }
    const anchor = await prepareAnchor(manager, unitNumber)
    let revocationIds: string[] = []
    let sellerAnchors: AnchorRef[] = []
    const buyerCredential = await issueCredential(deps.issuer, principal, request, {
      manager,
      id: newCredentialId(),
      extraFields: { propertyAnchor: anchorClaim(anchor) },
      onStored: async (m, record) => {
        await recordAnchor(m, record.departmentId, anchor, record.id)
        // The seller's anchor is cleared (its key stops answering); the buyer's sits under a key of its own.
        const revoked = await queueStatusChange(deps.status, m, seller, 'revoke', actor, 'transfer', record.id)
        revocationIds = revoked.changeIds
        sellerAnchors = revoked.anchors
        await deps.issuer.audit.append(
          {
            departmentId: record.departmentId,
            actor,
            action: 'transfer',
            credentialId: record.id,
            details: { unitNumber, sequence: anchor.sequence, from: seller.id, to: record.id },
          },
          m,
        )
      },
    })
    return { buyerCredential, revocationIds, sellerAnchors, sequence: anchor.sequence }
  })

  // Separate transactions, so the logs do not link the seller's key to the buyer's.
  const [revocation, anchorTx, ...cleared] = await Promise.allSettled([
    deps.status.batcher.waitFor(revocationIds),
    deps.property.send(unitNumber, sequence),
    ...sellerAnchors.map((a) => deps.property.send(a.unitNumber, a.sequence)),
  ])
  const revocationTx = revocation.status === 'fulfilled' ? revocation.value[0] : null
  const anchorTxHash = anchorTx.status === 'fulfilled' ? anchorTx.value : null
  return {
    buyerCredential,
    seller: { credentialId: sellerCredentialId, status: 'revoked', txHash: revocationTx },
    anchor: { unitNumber, sequence, txHash: anchorTxHash },
    onChain: revocationTx && anchorTxHash && cleared.every((c) => c.status === 'fulfilled') ? 'confirmed' : 'pending',
  }
}
