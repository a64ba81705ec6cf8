import { isPlainDid } from '../../shared/identity/did.js'
import { CREDENTIAL_TYPES, isCredentialTypeName, type CredentialTypeName } from '../../catalog/credential-types.js'
import { validateClaims, type FieldError } from '../../catalog/schemas/validate-claims.js'
import type { ApiErrorCode } from '../../shared/errors/error-codes.js'
import { ValidationError } from '../../shared/errors/app-error.js'

/** A credential with no govcred type: only the base type, a subject with little more than an id. */
export const GENERIC_TYPE = 'VerifiableCredential'

export interface IssueRequest {
  type: CredentialTypeName | typeof GENERIC_TYPE
  holder: string
  claims: Record<string, unknown>
  validFrom: Date
  validUntil: Date | null
  /** The caller's credential id (VC-API); otherwise a new urn:uuid. */
  id?: string
  /** Contexts after the VCDM base context (VC-API). */
  extraContexts?: string[]
}

const DAY_MS = 86_400_000
/** A credential may be dated this far back (clock skew, back-office batches). */
const MAX_BACKDATE_DAYS = 7

const fail = (code: ApiErrorCode, message: string, details?: FieldError[]): never => {
  throw new ValidationError(code, message, { details })
}

/**
 * Checks a POST /v1/credentials body: known type, holder DID, claims valid against the type's schema,
 * validity window within the type's limit. Throws ValidationError (422) with field-level details.
 */
export function parseIssueRequest(body: unknown, now = new Date()): IssueRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) fail('ERR_INVALID_REQUEST', 'the body must be a JSON object')
  const input = body as Record<string, unknown>
  const unknownFields = Object.keys(input).filter((k) => !['type', 'holder', 'claims', 'validFrom', 'validUntil'].includes(k))
  if (unknownFields.length > 0) {
    fail(
      'ERR_INVALID_REQUEST',
      `unknown fields: ${unknownFields.join(', ')}`,
      unknownFields.map((f) => ({ field: `/${f}`, code: 'ERR_FIELD_UNKNOWN', message: 'not allowed' })),
    )
  }
  if (typeof input.type !== 'string' || !isCredentialTypeName(input.type)) {
    fail('ERR_UNKNOWN_TYPE', `type must be one of ${Object.keys(CREDENTIAL_TYPES).join(', ')}`, [
      { field: '/type', code: 'ERR_FIELD_ENUM', message: 'unknown credential type' },
    ])
  }
  const type = input.type as CredentialTypeName
  if (!isPlainDid(input.holder)) {
    fail('ERR_INVALID_HOLDER', 'holder must be a DID (did:method:id)', [
      { field: '/holder', code: 'ERR_FIELD_FORMAT', message: 'not a DID' },
    ])
  }
  const holder = input.holder as string
  if (!input.claims || typeof input.claims !== 'object' || Array.isArray(input.claims)) {
    fail('ERR_CLAIMS_INVALID', 'claims must be an object', [{ field: '/claims', code: 'ERR_FIELD_TYPE', message: 'must be an object' }])
  }
  const claims = { ...(input.claims as Record<string, unknown>) }
  if (claims.id !== undefined && claims.id !== holder) {
    fail('ERR_CLAIMS_INVALID', 'claims.id, when given, must equal holder', [
      { field: '/claims/id', code: 'ERR_FIELD_INVALID', message: 'differs from holder' },
    ])
  }
  delete claims.id
  const result = validateClaims(type, claims)
  if (!result.ok) {
    fail(
      'ERR_CLAIMS_INVALID',
      `claims do not match the ${type} schema`,
      result.errors.map((e) => ({ ...e, field: `/claims${e.field}` })),
    )
  }
  const { validFrom, validUntil } = parseValidity(type, input.validFrom, input.validUntil, now)
  return { type, holder, claims, validFrom, validUntil }
}

export function parseValidity(
  type: CredentialTypeName,
  rawFrom: unknown,
  rawUntil: unknown,
  now: Date,
): { validFrom: Date; validUntil: Date | null } {
  const definition = CREDENTIAL_TYPES[type]
  const date = (raw: unknown, field: string): Date | undefined => {
    if (raw === undefined || raw === null) return undefined
    const parsed = typeof raw === 'string' ? new Date(raw) : undefined
    if (!parsed || Number.isNaN(parsed.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(raw as string)) {
      return fail('ERR_VALIDITY', `${field} must be an ISO 8601 date-time`, [
        { field: `/${field}`, code: 'ERR_FIELD_FORMAT', message: 'not an ISO 8601 date-time' },
      ])
    }
    return parsed
  }
  const validFrom = date(rawFrom, 'validFrom') ?? new Date(Math.floor(now.getTime() / 1000) * 1000)
  if (validFrom.getTime() < now.getTime() - MAX_BACKDATE_DAYS * DAY_MS) {
    fail('ERR_VALIDITY', `validFrom may be at most ${MAX_BACKDATE_DAYS} days in the past`, [
      { field: '/validFrom', code: 'ERR_FIELD_RANGE', message: 'too far in the past' },
    ])
  }
  const maxUntil = validFrom.getTime() + definition.maxValidityDays * DAY_MS
  const explicitUntil = date(rawUntil, 'validUntil')
  if (explicitUntil && explicitUntil.getTime() <= validFrom.getTime()) {
    fail('ERR_VALIDITY', 'validUntil must be after validFrom', [
      { field: '/validUntil', code: 'ERR_FIELD_RANGE', message: 'not after validFrom' },
    ])
  }
  if (explicitUntil && explicitUntil.getTime() > maxUntil) {
    fail('ERR_VALIDITY', `a ${type} may be valid for at most ${definition.maxValidityDays} days`, [
      { field: '/validUntil', code: 'ERR_FIELD_RANGE', message: `over ${definition.maxValidityDays} days` },
    ])
  }
  // Short-lived types expire by default at their ceiling; long-lived ones only when asked.
  const validUntil = explicitUntil ?? (definition.maxValidityDays <= 366 ? new Date(maxUntil) : null)
  return { validFrom, validUntil }
}

const GENERIC_SUBJECT_LIMIT = 4096
const GENERIC_MAX_DAYS = 366

/**
 * A credential of the base type only (the W3C VC-API test suite sends such, often with a subject that is
 * only an id): no schema, claims limited in size, valid at most a year.
 */
export function parseGenericIssueRequest(
  input: { holder: unknown; claims: Record<string, unknown>; validFrom?: unknown; validUntil?: unknown },
  now = new Date(),
): IssueRequest {
  if (!isPlainDid(input.holder)) {
    fail('ERR_INVALID_HOLDER', 'credentialSubject.id must be the holder DID', [
      { field: '/credentialSubject/id', code: 'ERR_FIELD_FORMAT', message: 'not a DID' },
    ])
  }
  if (JSON.stringify(input.claims).length > GENERIC_SUBJECT_LIMIT) {
    fail('ERR_CLAIMS_INVALID', `a generic credential subject is limited to ${GENERIC_SUBJECT_LIMIT} bytes`, [
      { field: '/credentialSubject', code: 'ERR_FIELD_LENGTH', message: 'too large' },
    ])
  }
  const from = typeof input.validFrom === 'string' ? new Date(input.validFrom) : new Date(Math.floor(now.getTime() / 1000) * 1000)
  const until = typeof input.validUntil === 'string' ? new Date(input.validUntil) : new Date(from.getTime() + GENERIC_MAX_DAYS * DAY_MS)
  if (Number.isNaN(from.getTime()) || Number.isNaN(until.getTime())) fail('ERR_VALIDITY', 'validity dates must be ISO 8601 date-times')
  if (from.getTime() < now.getTime() - MAX_BACKDATE_DAYS * DAY_MS)
    fail('ERR_VALIDITY', `validFrom may be at most ${MAX_BACKDATE_DAYS} days in the past`)
  if (until.getTime() <= from.getTime() || until.getTime() - from.getTime() > GENERIC_MAX_DAYS * DAY_MS) {
    fail('ERR_VALIDITY', `a generic credential is valid for at most ${GENERIC_MAX_DAYS} days and must end after it starts`)
  }
  return { type: GENERIC_TYPE, holder: input.holder as string, claims: input.claims, validFrom: from, validUntil: until }
}
