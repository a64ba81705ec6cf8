import Ajv2020Module from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { isCredentialTypeName, type CredentialTypeName } from '../credential-types.js'
import { loadSchema } from './load-schemas.js'
import { isValidPropertyUnitNumber } from './property-unit.js'
import { hasUsccStructure, isValidUscc } from './uscc.js'

// ajv and ajv-formats are CommonJS with an `exports.default`; NodeNext types the default import as the module object.
const Ajv2020 = Ajv2020Module.default
const addFormats = addFormatsModule.default

/** Stable codes of {@link FieldError}; clients switch on these, never on messages. */
export const FIELD_ERROR_CODES = [
  'ERR_FIELD_REQUIRED',
  'ERR_FIELD_TYPE',
  'ERR_FIELD_FORMAT',
  'ERR_FIELD_PATTERN',
  'ERR_FIELD_ENUM',
  'ERR_FIELD_UNKNOWN',
  'ERR_FIELD_RANGE',
  'ERR_FIELD_LENGTH',
  'ERR_FIELD_DUPLICATE',
  'ERR_USCC_CHECK_CHARACTER',
  'ERR_OWNER_SHARES',
  'ERR_FIELD_INVALID',
] as const

export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number]

/** One problem with one claim. */
export interface FieldError {
  /** JSON pointer into the claims, e.g. `/registeredCapital/amount`; `''` is the claims object itself. */
  readonly field: string
  readonly code: FieldErrorCode
  readonly message: string
}

export type ClaimsValidationResult = { ok: true } | { ok: false; errors: FieldError[] }

/** Owners' shares may be written as decimals such as 0.3333333; this is how far from 1 their sum may be. */
export const SHARE_SUM_TOLERANCE = 1e-6

const KEYWORD_CODES: Readonly<Record<string, FieldErrorCode>> = {
  required: 'ERR_FIELD_REQUIRED',
  dependentRequired: 'ERR_FIELD_REQUIRED',
  type: 'ERR_FIELD_TYPE',
  format: 'ERR_FIELD_FORMAT',
  pattern: 'ERR_FIELD_PATTERN',
  enum: 'ERR_FIELD_ENUM',
  const: 'ERR_FIELD_ENUM',
  additionalProperties: 'ERR_FIELD_UNKNOWN',
  unevaluatedProperties: 'ERR_FIELD_UNKNOWN',
  minimum: 'ERR_FIELD_RANGE',
  maximum: 'ERR_FIELD_RANGE',
  exclusiveMinimum: 'ERR_FIELD_RANGE',
  exclusiveMaximum: 'ERR_FIELD_RANGE',
  multipleOf: 'ERR_FIELD_RANGE',
  minLength: 'ERR_FIELD_LENGTH',
  maxLength: 'ERR_FIELD_LENGTH',
  minItems: 'ERR_FIELD_LENGTH',
  maxItems: 'ERR_FIELD_LENGTH',
  contains: 'ERR_FIELD_DUPLICATE',
  uniqueItems: 'ERR_FIELD_DUPLICATE',
}

type Ajv2020Instance = InstanceType<typeof Ajv2020>

/**
 * A fresh ajv instance configured exactly as {@link validateClaims} uses it: JSON Schema 2020-12,
 * strict mode, all errors, the `x-govcred` annotation keyword and the `date`, `uscc` and
 * `property-unit-number` formats. Exported so tests and tools compile schemas the same way.
 *
 * @example
 * createClaimsAjv().compile(loadSchema('BusinessLicenseCredential').schema)
 */
export function createClaimsAjv(): Ajv2020Instance {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats(ajv, ['date'])
  ajv.addFormat('uscc', { type: 'string', validate: isValidUscc })
  ajv.addFormat('property-unit-number', { type: 'string', validate: isValidPropertyUnitNumber })
  ajv.addKeyword({ keyword: 'x-govcred', schemaType: 'object' })
  return ajv
}

let sharedAjv: Ajv2020Instance | undefined
const validators = new Map<CredentialTypeName, ValidateFunction>()

function validatorFor(typeName: CredentialTypeName): ValidateFunction {
  let validate = validators.get(typeName)
  if (!validate) {
    sharedAjv ??= createClaimsAjv()
    validate = sharedAjv.compile(loadSchema(typeName).schema)
    validators.set(typeName, validate)
  }
  return validate
}

/**
 * Validates `credentialSubject` claims against the schema of `typeName`, then the rules a schema
 * cannot express (owners' shares sum to 1; an organisation owner's USCC check character).
 * Every problem is reported, each with a JSON pointer.
 *
 * @throws TypeError if `typeName` is not in the catalogue (a programming error, not bad input).
 * @example
 * const r = validateClaims('BusinessLicenseCredential', { enterpriseName: '南京示例科技有限公司' })
 * if (!r.ok) r.errors[0] // => { field: '/unifiedSocialCreditCode', code: 'ERR_FIELD_REQUIRED', message: … }
 */
export function validateClaims(typeName: CredentialTypeName, claims: unknown): ClaimsValidationResult {
  if (!isCredentialTypeName(typeName)) {
    throw new TypeError(`unknown credential type: ${String(typeName)}`)
  }
  const validate = validatorFor(typeName)
  const schemaErrors = validate(claims) ? [] : dropRedundant((validate.errors ?? []).map((e) => toFieldError(e, claims)))
  const errors = [...schemaErrors, ...crossFieldErrors(typeName, claims)]
  return errors.length === 0 ? { ok: true } : { ok: false, errors }
}

function toFieldError(error: ErrorObject, claims: unknown): FieldError {
  const { keyword, params, instancePath } = error
  if (keyword === 'required') {
    const field = `${instancePath}/${escapePointer(String(params.missingProperty))}`
    return { field, code: 'ERR_FIELD_REQUIRED', message: `${field} is required` }
  }
  if (keyword === 'additionalProperties') {
    const field = `${instancePath}/${escapePointer(String(params.additionalProperty))}`
    return { field, code: 'ERR_FIELD_UNKNOWN', message: `${field} is not a known claim` }
  }
  if (keyword === 'format' && params.format === 'uscc') {
    const value = valueAt(claims, instancePath)
    if (typeof value === 'string' && hasUsccStructure(value)) {
      return {
        field: instancePath,
        code: 'ERR_USCC_CHECK_CHARACTER',
        message: `${instancePath} has a wrong GB 32100-2015 check character`,
      }
    }
  }
  if (keyword === 'contains') {
    return duplicateError(error, claims)
  }
  const code = KEYWORD_CODES[keyword] ?? 'ERR_FIELD_INVALID'
  return { field: instancePath, code, message: `${instancePath || '/'} ${error.message ?? 'is invalid'}` }
}

/** The schema spells "each insurance type at most once" as `contains`/`maxContains`; point at the repeated item. */
function duplicateError(error: ErrorObject, claims: unknown): FieldError {
  const items = valueAt(claims, error.instancePath)
  const seen = new Set<unknown>()
  if (Array.isArray(items)) {
    for (const [i, item] of items.entries()) {
      const type = (item as { type?: unknown } | null)?.type
      if (seen.has(type)) {
        const field = `${error.instancePath}/${i}/type`
        return { field, code: 'ERR_FIELD_DUPLICATE', message: `${field} repeats ${JSON.stringify(type)}` }
      }
      seen.add(type)
    }
  }
  return { field: error.instancePath, code: 'ERR_FIELD_DUPLICATE', message: `${error.instancePath} has a repeated entry` }
}

/**
 * A bad code usually fails both the structural `pattern` and the stricter `format`; report the
 * pattern only. Duplicates arise when one repeated item trips several `contains` rules.
 */
function dropRedundant(errors: FieldError[]): FieldError[] {
  const patternFields = new Set(errors.filter((e) => e.code === 'ERR_FIELD_PATTERN').map((e) => e.field))
  const seen = new Set<string>()
  return errors.filter((e) => {
    if (e.code === 'ERR_FIELD_FORMAT' && patternFields.has(e.field)) return false
    const key = `${e.field}\u0000${e.code}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function crossFieldErrors(typeName: CredentialTypeName, claims: unknown): FieldError[] {
  if (typeName === 'PropertyCertificateCredential') return [...ownerUsccErrors(claims), ...ownerShareErrors(claims)]
  return []
}

/**
 * An organisation owner's identifier is a USCC; the schema pattern cannot check its check character.
 * An unmasked resident ID also fits the USCC charset, so one with a valid GB 11643 checksum is
 * reported as a pattern error: personal data must not be issued in clear.
 */
function ownerUsccErrors(claims: unknown): FieldError[] {
  const owners = (claims as { owners?: unknown } | null)?.owners
  if (!Array.isArray(owners)) return []
  const errors: FieldError[] = []
  for (const [i, owner] of owners.entries()) {
    const id = (owner as { idNumberMasked?: unknown } | null)?.idNumberMasked
    if (typeof id !== 'string' || !hasUsccStructure(id) || isValidUscc(id)) continue
    const field = `/owners/${i}/idNumberMasked`
    errors.push(
      isResidentIdNumber(id)
        ? { field, code: 'ERR_FIELD_PATTERN', message: `${field} must be a masked resident ID number or a USCC` }
        : { field, code: 'ERR_USCC_CHECK_CHARACTER', message: `${field} has a wrong GB 32100-2015 check character` },
    )
  }
  return errors
}

const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const

/** 18-character resident ID number with a valid GB 11643-1999 (ISO 7064 MOD 11-2) check character. */
function isResidentIdNumber(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false
  const sum = RESIDENT_ID_WEIGHTS.reduce((acc, weight, i) => acc + Number(value.charAt(i)) * weight, 0)
  return '10X98765432'.charAt(sum % 11) === value.charAt(17)
}

function ownerShareErrors(claims: unknown): FieldError[] {
  const owners = (claims as { owners?: unknown } | null)?.owners
  if (!Array.isArray(owners) || owners.length === 0) return []
  const shares = owners.map((o) => (o as { share?: unknown } | null)?.share)
  // Ill-typed shares are already reported by the schema; a sum over them would only add noise.
  if (!shares.every((s): s is number => typeof s === 'number' && Number.isFinite(s))) return []
  const sum = shares.reduce((a, b) => a + b, 0)
  if (Math.abs(sum - 1) <= SHARE_SUM_TOLERANCE) return []
  return [{ field: '/owners', code: 'ERR_OWNER_SHARES', message: `/owners shares sum to ${sum}, expected 1` }]
}

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root
  let node = root
  for (const token of pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')]
  }
  return node
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}
