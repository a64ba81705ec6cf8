import { newCredentialId } from '../issuance/credential-id.js'
import type { EntityManager } from 'typeorm'
import { ConflictError } from '../../shared/errors/app-error.js'
import type { ApiErrorCode } from '../../shared/errors/error-codes.js'
import { actorOf, type DepartmentPrincipal } from '../departments/department-principal.js'
import { writeTransaction } from '../../store/write-transaction.js'
import { anchorClaim, prepareAnchor, recordAnchor } from '../property/property-anchor.js'
import type { PropertyAnchoring } from '../property/property-anchoring.js'
import { queueStatusChange, type StatusDeps } from '../status/change-status.js'
import {
  issueCredential,
  type CredentialEncoder,
  type IssuedCredential,
  type IssueOptions,
  type IssuerDeps,
} from '../issuance/issue-credential.js'
import type { IssueRequest } from '../issuance/issuance-request.js'

export interface PolicyDeps {
  issuer: IssuerDeps
  status: StatusDeps
  property: PropertyAnchoring
}

export interface PolicyIssued extends IssuedCredential {
  /** Earlier credentials this one superseded (social-security status). */
  superseded: string[]
  /** The unit's new current-certificate anchor (property certificates). */
  anchor?: { unitNumber: string; sequence: number; txHash: string | null }
  /**
   * With `options.manager`: what must follow the caller's commit (sending the property anchor, the superseded
   * credentials' revocations); call it once the transaction committed. Absent otherwise (already done).
   */
  afterCommit?: () => Promise<void>
}

export interface PolicyOptions {
  /** Another format than VC-JWT (SD-JWT VC). */
  encoder?: CredentialEncoder
  /** Issue inside the caller's write transaction (nothing is sent to the chain before `afterCommit`). */
  manager?: EntityManager
  /** Runs in the issuance's transaction after the record and the type's own writes; a throw undoes the issuance. */
  onStored?: IssueOptions['onStored']
}

/**
 * Issues with the rules of each type: a property unit has one current certificate (a new owner goes
 * through a transfer) whose anchor is written on chain; a new social-security status supersedes
 * (revokes) the person's previous one.
 */
export async function issueWithPolicies(
  deps: PolicyDeps,
  principal: DepartmentPrincipal,
  request: IssueRequest,
  options: PolicyOptions = {},
): Promise<PolicyIssued> {
  if (request.type === 'PropertyCertificateCredential') return issuePropertyCertificate(deps, principal, request, options)
  if (request.type === 'SocialSecurityStatusCredential') return issueSuperseding(deps, principal, request, options)
  const { encoder, manager, onStored } = options
  return { ...(await issueCredential(deps.issuer, principal, request, { encoder, manager, onStored })), superseded: [] }
}

/** In the caller's transaction when it gave one, else in a new one. */
const inTransaction = <T>(deps: PolicyDeps, options: PolicyOptions, work: (manager: EntityManager) => Promise<T>): Promise<T> =>
  options.manager ? work(options.manager) : writeTransaction(deps.issuer.db, work)

async function refuseIfLive(
  deps: PolicyDeps,
  principal: DepartmentPrincipal,
  request: IssueRequest,
  manager: Parameters<IssuerDeps['credentials']['currentForSubject']>[3],
  code: ApiErrorCode,
  message: string,
) {
  const key = request.claims.propertyUnitNumber
  if (typeof key !== 'string') return
  const live = await deps.issuer.credentials.currentForSubject(principal.department.id, request.type, key, manager)
  if (live.length > 0) throw new ConflictError(code, message, { details: { current: live.map((r) => r.id) } })
}

async function issuePropertyCertificate(
  deps: PolicyDeps,
  principal: DepartmentPrincipal,
  request: IssueRequest,
  options: PolicyOptions,
): Promise<PolicyIssued> {
  const unitNumber = request.claims.propertyUnitNumber as string
  const { issued, sequence } = await inTransaction(deps, options, async (manager) => {
    await refuseIfLive(
      deps,
      principal,
      request,
      manager,
      'ERR_UNIT_HAS_CURRENT_CERTIFICATE',
      'this property unit already has a current certificate; use POST /v1/property/transfers',
    )
    const anchor = await prepareAnchor(manager, unitNumber)
    const id = newCredentialId()
    const issued = await issueCredential(deps.issuer, principal, request, {
      manager,
      id,
      extraFields: { propertyAnchor: anchorClaim(anchor) },
      encoder: options.encoder,
      onStored: async (m, record) => {
        await recordAnchor(m, record.departmentId, anchor, record.id)
        await options.onStored?.(m, record)
      },
    })
    return { issued, sequence: anchor.sequence }
  })
  if (options.manager) {
    const afterCommit = async () => void (await deps.property.send(unitNumber, sequence).catch(() => null))
    return { ...issued, superseded: [], anchor: { unitNumber, sequence, txHash: null }, afterCommit }
  }
  const txHash = await deps.property.send(unitNumber, sequence).catch(() => null)
  return { ...issued, superseded: [], anchor: { unitNumber, sequence, txHash } }
}

async function issueSuperseding(
  deps: PolicyDeps,
  principal: DepartmentPrincipal,
  request: IssueRequest,
  options: PolicyOptions,
): Promise<PolicyIssued> {
  let changeIds: string[] = []
  let superseded: string[] = []
  const issued = await inTransaction(deps, options, (manager) =>
    issueCredential(deps.issuer, principal, request, {
      manager,
      encoder: options.encoder,
      onStored: async (m, record) => {
        const previous = (
          await deps.issuer.credentials.currentForSubject(record.departmentId, record.type, record.subjectKey ?? '', m)
        ).filter((r) => r.id !== record.id)
        for (const old of previous) {
          const queued = await queueStatusChange(deps.status, m, old, 'revoke', actorOf(principal), 'supersede', record.id)
          changeIds = changeIds.concat(queued.changeIds)
        }
        superseded = previous.map((r) => r.id)
        await options.onStored?.(m, record)
      },
    }),
  )
  // The revocations go out with the next status batch; issuance does not wait for the chain.
  const wake = async () => {
    if (changeIds.length > 0) void deps.status.batcher.waitFor(changeIds).catch(() => undefined)
  }
  if (options.manager) return { ...issued, superseded, afterCommit: wake }
  await wake()
  return { ...issued, superseded }
}
