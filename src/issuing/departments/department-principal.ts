import { ForbiddenError } from '../../shared/errors/app-error.js'
import type { Department } from './department-store.js'

/** A department acting through one of its API keys, and the credential types that key may act on. */
export interface DepartmentPrincipal {
  department: Department
  apiKeyId: string
  /** Credential types this key may act on. */
  scopes: string[]
}

/** 403 unless the key's scopes cover the credential type. */
export function assertScope(principal: DepartmentPrincipal, credentialType: string): void {
  if (!principal.scopes.includes(credentialType) && !principal.scopes.includes('*')) {
    throw new ForbiddenError('ERR_SCOPE', `this API key is not scoped for ${credentialType}`)
  }
}

/**
 * 403 unless the key may act on an existing credential of this type. A generic (base-type) credential may
 * be issued by any key of an active issuer, so any key of its department may act on it.
 */
export function assertRecordScope(principal: DepartmentPrincipal, credentialType: string): void {
  if (credentialType === 'VerifiableCredential') return
  assertScope(principal, credentialType)
}

/** The credential types a key may see in listings; undefined for an unrestricted ('*') key. */
export function visibleTypes(principal: DepartmentPrincipal): string[] | undefined {
  return principal.scopes.includes('*') ? undefined : [...principal.scopes, 'VerifiableCredential']
}
