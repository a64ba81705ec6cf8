import { ForbiddenError } from '../../shared/errors/app-error.js'
import type { Department } from './department-store.js'

/** A department acting through one of its API keys, and the credential types that key may act on. */
export interface DepartmentPrincipal {
  department: Department
  apiKeyId: string
  /** Credential types this key may act on. */
  scopes: string[]
}

/**
 * The scope for generic credentials (the base type only, claims of the caller's choosing): it must be
 * named on the key; '*' does not imply it.
 */
export const GENERIC_SCOPE = 'VerifiableCredential'

/** 403 unless the key's scopes cover the credential type. */
export function assertScope(principal: DepartmentPrincipal, credentialType: string): void {
  if (!principal.scopes.includes(credentialType) && !principal.scopes.includes('*')) {
    throw new ForbiddenError('ERR_SCOPE', `this API key is not scoped for ${credentialType}`)
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
