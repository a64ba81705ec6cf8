import { BadRequestError } from '../shared/errors/app-error.js'
import type { CheckName } from './check-codes.js'

/**
 * Which optional checks a caller asked for (VC-API `options.checks`), or null for all of them.
 *
 * What `verified` means with a selection: the signature checks (the credential is a VC-JWT, its issuer's DID
 * resolves, the issuer's key signed it) and the presentation's own checks always run and always count,
 * because nothing about a credential is read before its signature is. Of the others only the selected ones
 * count. The issuer's accreditation is always run even when not selected: if it fails it is reported in
 * `warnings`, the credential's `issuerAccredited` is false and no issuer name is shown, so a subset never
 * presents an unaccredited issuer as trusted.
 */
export type CheckSelection = ReadonlySet<CheckName> | null

/** VC-API check names (and govcred's own names) → the checks they select. */
const SELECTABLE: Record<string, readonly CheckName[]> = {
  proof: ['credentialProof', 'issuerResolved', 'credentialSignature'],
  credentialStatus: ['status'],
  status: ['status'],
  expiration: ['validity'],
  validity: ['validity'],
  credentialSchema: ['schema'],
  schema: ['schema'],
  issuer: ['issuerAccredited'],
  issuerAccredited: ['issuerAccredited'],
}

const ALWAYS_COUNTED: ReadonlySet<CheckName> = new Set<CheckName>([
  'proof',
  'holderSignature',
  'presentationValidity',
  'challenge',
  'domain',
  'credentialProof',
  'issuerResolved',
  'credentialSignature',
  'disclosures',
  'keyBinding',
  'holderIsSubject',
  'requestedTypes',
])

export const SELECTABLE_CHECK_NAMES = Object.keys(SELECTABLE)

/** Reads `options.checks`: absent means every check; anything else must be a list of known names. */
export function parseCheckSelection(raw: unknown): CheckSelection {
  if (raw === undefined) return null
  if (!Array.isArray(raw) || raw.length > SELECTABLE_CHECK_NAMES.length * 2) {
    throw new BadRequestError('ERR_INVALID_REQUEST', `options.checks must be a list of check names: ${SELECTABLE_CHECK_NAMES.join(', ')}`)
  }
  const selected = new Set<CheckName>()
  for (const name of raw) {
    const checks = typeof name === 'string' && Object.hasOwn(SELECTABLE, name) ? SELECTABLE[name] : undefined
    if (!checks) {
      throw new BadRequestError(
        'ERR_UNKNOWN_CHECK',
        `options.checks: ${JSON.stringify(name)} is not a check this verifier runs; known: ${SELECTABLE_CHECK_NAMES.join(', ')}`,
      )
    }
    for (const check of checks) selected.add(check)
  }
  return selected
}

/** Whether a check's outcome counts towards `verified` under the selection. */
export function counts(selection: CheckSelection, check: CheckName): boolean {
  return selection === null || ALWAYS_COUNTED.has(check) || selection.has(check)
}
