import { ForbiddenError } from '../../shared/errors/app-error.js'
import type { Department } from './department-store.js'

/** The roles of a department's portal accounts: a clerk issues and reads; a supervisor also changes status, transfers and audits. */
export type DepartmentRole = 'clerk' | 'supervisor'

/** What a department's principal may do beyond issuing and reading its credentials and offers. */
export type DepartmentPermission = 'status' | 'transfer' | 'audit'

const ROLE_PERMISSIONS: Record<DepartmentRole, readonly DepartmentPermission[]> = {
  clerk: [],
  supervisor: ['status', 'transfer', 'audit'],
}

/**
 * A department acting through one of its API keys or one of its portal accounts (a clerk's session), and the
 * credential types it may act on.
 */
export interface DepartmentPrincipal {
  department: Department
  /** The API key the request came with; absent for a portal account's session. */
  apiKeyId?: string
  /** Credential types this key may act on. */
  scopes: string[]
  /** Who acts, as the audit trail names it: `api-key:<id>` (the default) or `clerk:<username>`. */
  actor?: string
  /** The portal account behind a session; its role limits what the principal may do (assertPermission). */
  account?: { id: string; username: string; role: DepartmentRole }
  /** A one-stop rule deciding with no clerk, `<rule id>@<version>`: its offers are redeemed in its name. */
  onestopRule?: string
}

/** The audit trail's name for who acts: `clerk:<username>` for a portal account, `api-key:<id>` for a key. */
export function actorOf(principal: DepartmentPrincipal): string {
  return principal.actor ?? (principal.account ? `clerk:${principal.account.username}` : `api-key:${principal.apiKeyId}`)
}

/**
 * The principal of a department's portal account: a clerk may act on the department's credential types (issue,
 * offer, read); a supervisor on every credential of the department ('*': the whole audit trail too) and may
 * change status, transfer property and read the audit (assertPermission).
 *
 * @example
 * accountPrincipal(department, { id, username: 'li.na', role: 'clerk' }).actor // 'clerk:li.na'
 */
export function accountPrincipal(
  department: Department,
  account: { id: string; username: string; role: DepartmentRole },
): DepartmentPrincipal {
  return {
    department,
    scopes: account.role === 'supervisor' ? ['*'] : [...department.credentialTypes],
    actor: `clerk:${account.username}`,
    account: { id: account.id, username: account.username, role: account.role },
  }
}

/**
 * 403 ERR_ROLE_FORBIDDEN unless the principal may do `permission`: an API key may do everything its scopes
 * cover; a portal account as its role allows.
 */
export function assertPermission(principal: DepartmentPrincipal, permission: DepartmentPermission): void {
  if (!principal.account || ROLE_PERMISSIONS[principal.account.role]?.includes(permission)) return
  const what = { status: 'suspend, reinstate or revoke credentials', transfer: 'transfer property', audit: 'read the audit trail' }[
    permission
  ]
  throw new ForbiddenError('ERR_ROLE_FORBIDDEN', `a ${principal.account.role} may not ${what}: a supervisor of the department may`)
}

/**
 * The portal accounts of the departments, as the issuing side sees them: the principal an account acts as
 * (for an offer a clerk made, redeemed later), or undefined when it is disabled, gone or of another department.
 */
export interface AccountPrincipals {
  principalOf(department: Department, accountId: string): Promise<DepartmentPrincipal | undefined>
}

/**
 * The scope for generic credentials (the base type only, claims of the caller's choosing): it must be
 * named on the key; '*' does not imply it.
 */
export const GENERIC_SCOPE = 'VerifiableCredential'

/** 403 unless the key's scopes cover the credential type. */
export function assertScope(principal: DepartmentPrincipal, credentialType: string): void {
  if (!principal.scopes.includes(credentialType) && !principal.scopes.includes('*')) {
    throw new ForbiddenError('ERR_SCOPE', `this ${principal.account ? 'account' : 'API key'} is not scoped for ${credentialType}`)
  }
}

/**
 * 403 unless generic issuance is on for this node (GOVCRED_GENERIC_ISSUANCE) and the key names the generic
 * scope. A generic credential carries whatever claims the caller sends under the department's DID, and a
 * verifier that checks only signatures would take it for the department's word.
 */
export function assertGenericIssuance(principal: DepartmentPrincipal, enabled: boolean): void {
  if (!enabled) {
    throw new ForbiddenError(
      'ERR_GENERIC_ISSUANCE_DISABLED',
      'this node does not issue generic (VerifiableCredential-only) credentials; issue a govcred credential type',
    )
  }
  if (!principal.scopes.includes(GENERIC_SCOPE)) {
    throw new ForbiddenError(
      'ERR_GENERIC_SCOPE_REQUIRED',
      `a generic credential needs an API key scoped for ${GENERIC_SCOPE} (not implied by '*')`,
    )
  }
}

/** 403 unless the key may act on an existing credential of this type (a generic one: the generic scope, or '*'). */
export function assertRecordScope(principal: DepartmentPrincipal, credentialType: string): void {
  assertScope(principal, credentialType)
}

/** The credential types a key may see in listings and audit entries; undefined for an unrestricted ('*') key. */
export function visibleTypes(principal: DepartmentPrincipal): string[] | undefined {
  return principal.scopes.includes('*') ? undefined : [...principal.scopes]
}
