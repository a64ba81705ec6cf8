import { hasUsccStructure, isValidUscc } from './uscc.js'

/**
 * The console's issue forms, generated from a credential type's JSON Schema (2020-12, as GET /v1/schemas
 * answers it): which input each property gets, the empty form, the checks the clerk sees as they type (the
 * schema's required, length, pattern, enum, minimum/maximum, items, "each at most once" rules and the GB
 * 32100-2015 check character), and the claims the form stands for. Framework-free, so that
 * test/portal/console-form.test.ts can hold these checks against the service's own validator.
 */

/** A JSON Schema node as far as the form reads it. */
export interface SchemaNode {
  title?: string
  description?: string
  type?: string | string[]
  properties?: Record<string, SchemaNode>
  required?: string[]
  items?: SchemaNode
  enum?: unknown[]
  const?: unknown
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minItems?: number
  maxItems?: number
  allOf?: SchemaNode[]
  contains?: SchemaNode
  maxContains?: number
}

/** The input a property gets. */
export type FieldKind = 'object' | 'array' | 'boolean' | 'enum' | 'date' | 'integer' | 'number' | 'textarea' | 'text'

/** What the inputs hold: text as typed (numbers too), true/false/null for a yes-no choice, null for "none". */
export type FormValue = string | boolean | null | FormValue[] | FormObject
export interface FormObject {
  [name: string]: FormValue
}

/** Why a field is not accepted (an i18n key under `console.field`) and the numbers its message names. */
export interface FieldProblem {
  code: string
  params?: Record<string, number>
}

/** Properties the form leaves out: `id` is the holder, the wallet's key or the holder field of the page. */
const OMITTED = new Set(['id'])
/** Strings longer than this get a multi-line input. */
const TEXTAREA_FROM = 300
const NUMBER = /^-?\d+(?:\.\d+)?$/
const INTEGER = /^-?\d+$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

const typesOf = (schema: SchemaNode): string[] =>
  (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter((t) => t !== 'null')

/** Whether the property may be null (e.g. a business term's end, null for 长期). */
export const isNullable = (schema: SchemaNode): boolean =>
  Array.isArray(schema.type) ? schema.type.includes('null') : schema.type === 'null'

export function fieldKind(schema: SchemaNode): FieldKind {
  const types = typesOf(schema)
  if (types.includes('object') || schema.properties) return 'object'
  if (types.includes('array')) return 'array'
  if (types.includes('boolean')) return 'boolean'
  if (Array.isArray(schema.enum)) return 'enum'
  if (schema.format === 'date') return 'date'
  if (types.includes('integer')) return 'integer'
  if (types.includes('number')) return 'number'
  return (schema.maxLength ?? 0) > TEXTAREA_FROM ? 'textarea' : 'text'
}

/** The properties the form shows, in the schema's order. */
export function formProperties(schema: SchemaNode): [string, SchemaNode][] {
  return Object.entries(schema.properties ?? {}).filter(([name]) => !OMITTED.has(name))
}

/** The empty form of `schema`: an array starts with as many entries as it needs at least. */
export function emptyValue(schema: SchemaNode): FormValue {
  switch (fieldKind(schema)) {
    case 'object':
      return Object.fromEntries(formProperties(schema).map(([name, property]) => [name, emptyValue(property)]))
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => emptyValue(schema.items ?? {}))
    case 'boolean':
      return null
    default:
      return ''
  }
}

/** The form filled from existing claims (a seller's certificate for a transfer); what is missing stays empty. */
export function valueFrom(schema: SchemaNode, claims: unknown): FormValue {
  switch (fieldKind(schema)) {
    case 'object': {
      const given = isRecord(claims) ? claims : {}
      return Object.fromEntries(formProperties(schema).map(([name, property]) => [name, valueFrom(property, given[name])]))
    }
    case 'array':
      return Array.isArray(claims) ? claims.map((item) => valueFrom(schema.items ?? {}, item)) : (emptyValue(schema) as FormValue[])
    case 'boolean':
      return typeof claims === 'boolean' ? claims : null
    default:
      if (claims === null && isNullable(schema)) return null
      return typeof claims === 'string' || typeof claims === 'number' ? String(claims) : ''
  }
}

/**
 * Every problem of the form, by JSON pointer into the claims (`/registeredCapital/amount`, `/owners/1/share`);
 * an empty map when the form may be sent.
 *
 * @example
 * validateForm(schema, { unifiedSocialCreditCode: '91320106MA1X7K2P9F', … }).get('/unifiedSocialCreditCode') // => { code: 'uscc' }
 */
export function validateForm(schema: SchemaNode, value: FormValue): Map<string, FieldProblem> {
  const problems = new Map<string, FieldProblem>()
  walk(schema, value, '', true, problems)
  return problems
}

function walk(schema: SchemaNode, value: FormValue | undefined, pointer: string, required: boolean, out: Map<string, FieldProblem>) {
  const kind = fieldKind(schema)
  if (kind === 'object') {
    const object = isRecord(value) ? value : {}
    if (!required && isBlank(object)) return
    const needed = new Set(schema.required ?? [])
    for (const [name, property] of formProperties(schema)) walk(property, object[name], `${pointer}/${name}`, needed.has(name), out)
    return
  }
  if (kind === 'array') {
    const list = Array.isArray(value) ? value : []
    if (schema.minItems !== undefined && list.length < schema.minItems)
      out.set(pointer, { code: 'minItems', params: { n: schema.minItems } })
    else if (schema.maxItems !== undefined && list.length > schema.maxItems)
      out.set(pointer, { code: 'maxItems', params: { n: schema.maxItems } })
    list.forEach((item, i) => walk(schema.items ?? {}, item, `${pointer}/${i}`, true, out))
    markRepeats(schema, list, pointer, out)
    return
  }
  const problem = leafProblem(schema, kind, value, required)
  if (problem) out.set(pointer, problem)
}

function leafProblem(schema: SchemaNode, kind: FieldKind, value: FormValue | undefined, required: boolean): FieldProblem | undefined {
  if (value === null) return isNullable(schema) || !required ? undefined : { code: 'required' }
  if (kind === 'boolean') return typeof value === 'boolean' || !required ? undefined : { code: 'required' }
  const text = typeof value === 'string' ? value.trim() : ''
  if (text === '') return required ? { code: 'required' } : undefined
  switch (kind) {
    case 'integer':
    case 'number':
      return numberProblem(schema, kind, text)
    case 'enum':
      return schema.enum!.includes(text) ? undefined : { code: 'enum' }
    case 'date':
      return isDate(text) ? undefined : { code: 'date' }
    default:
      return stringProblem(schema, text)
  }
}

function numberProblem(schema: SchemaNode, kind: 'integer' | 'number', text: string): FieldProblem | undefined {
  if (!(kind === 'integer' ? INTEGER : NUMBER).test(text)) return { code: kind }
  const n = Number(text)
  if (schema.minimum !== undefined && n < schema.minimum) return { code: 'min', params: { n: schema.minimum } }
  if (schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum)
    return { code: 'exclusiveMin', params: { n: schema.exclusiveMinimum } }
  if (schema.maximum !== undefined && n > schema.maximum) return { code: 'max', params: { n: schema.maximum } }
  if (schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum)
    return { code: 'exclusiveMax', params: { n: schema.exclusiveMaximum } }
  return undefined
}

function stringProblem(schema: SchemaNode, text: string): FieldProblem | undefined {
  // JSON Schema counts characters as code points, as ajv does.
  const length = [...text].length
  const { minLength, maxLength } = schema
  if (minLength !== undefined && minLength === maxLength && length !== minLength) return { code: 'length', params: { n: minLength } }
  if (minLength !== undefined && length < minLength) return { code: 'minLength', params: { n: minLength } }
  if (maxLength !== undefined && length > maxLength) return { code: 'maxLength', params: { n: maxLength } }
  const uscc = schema.format === 'uscc'
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(text)) return { code: uscc ? 'usccShape' : 'pattern' }
  if (uscc && !isValidUscc(text)) return { code: hasUsccStructure(text) ? 'uscc' : 'usccShape' }
  // A field that takes a masked ID number or an organisation's USCC (a property owner's): an 18-character code of
  // USCC shape must be a valid USCC, and an unmasked resident ID number (which has that shape too) is personal
  // data that must not be issued in clear, as the service's cross-field check says.
  if (schema.pattern?.includes(USCC_ALTERNATIVE) && hasUsccStructure(text) && !isValidUscc(text)) {
    return { code: isResidentIdNumber(text) ? 'unmaskedId' : 'uscc' }
  }
  return undefined
}

/** The USCC alternative of a pattern that also admits masked ID numbers. */
const USCC_ALTERNATIVE = '[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}'
const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const

/** An 18-character resident ID number with a valid GB 11643-1999 check character (as src/catalog/schemas/validate-claims.ts). */
function isResidentIdNumber(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false
  const sum = RESIDENT_ID_WEIGHTS.reduce((acc, weight, i) => acc + Number(value.charAt(i)) * weight, 0)
  return '10X98765432'.charAt(sum % 11) === value.charAt(17)
}

/** "Each insurance type at most once": the schema's `allOf` of `contains` + `maxContains` over a constant property. */
function markRepeats(schema: SchemaNode, list: FormValue[], pointer: string, out: Map<string, FieldProblem>) {
  for (const rule of schema.allOf ?? []) {
    const properties = Object.entries(rule.contains?.properties ?? {})
    if (rule.maxContains === undefined || properties.length === 0) continue
    const matching = list
      .map((item, i) => ({ item, i }))
      .filter(({ item }) => isRecord(item) && properties.every(([name, p]) => p.const !== undefined && item[name] === p.const))
    for (const { i } of matching.slice(rule.maxContains)) {
      const at = `${pointer}/${i}/${properties[0]![0]}`
      if (!out.has(at)) out.set(at, { code: 'duplicate' })
    }
  }
}

/**
 * The claims the form stands for: trimmed text, numbers as numbers, empty optional fields left out, null where
 * the clerk chose "none" for a nullable field.
 */
export function claimsOf(schema: SchemaNode, value: FormValue): Record<string, unknown> {
  return (extract(schema, value, true) ?? {}) as Record<string, unknown>
}

function extract(schema: SchemaNode, value: FormValue | undefined, required: boolean): unknown {
  const kind = fieldKind(schema)
  if (kind === 'object') {
    const object = isRecord(value) ? value : {}
    if (!required && isBlank(object)) return undefined
    const needed = new Set(schema.required ?? [])
    const result: Record<string, unknown> = {}
    for (const [name, property] of formProperties(schema)) {
      const extracted = extract(property, object[name], needed.has(name))
      if (extracted !== undefined) result[name] = extracted
    }
    return result
  }
  if (kind === 'array') return (Array.isArray(value) ? value : []).map((item) => extract(schema.items ?? {}, item, true))
  if (value === null) return isNullable(schema) ? null : undefined
  if (kind === 'boolean') return typeof value === 'boolean' ? value : undefined
  const text = typeof value === 'string' ? value.trim() : ''
  if (text === '') return undefined
  if ((kind === 'number' || kind === 'integer') && NUMBER.test(text)) return Number(text)
  return text
}

/** A service field error (`/claims/owners/0/share` with ERR_FIELD_RANGE) as the form's pointer and problem. */
export function serverProblem(detail: unknown): { pointer: string; problem: FieldProblem } | undefined {
  if (!isRecord(detail) || typeof detail.field !== 'string' || !/^\/claims(?:\/|$)/.test(detail.field)) return undefined
  const code = typeof detail.code === 'string' ? (SERVER_CODES[detail.code] ?? 'invalid') : 'invalid'
  return { pointer: detail.field.slice('/claims'.length), problem: { code } }
}

const SERVER_CODES: Record<string, string> = {
  ERR_FIELD_REQUIRED: 'required',
  ERR_FIELD_TYPE: 'type',
  ERR_FIELD_FORMAT: 'pattern',
  ERR_FIELD_PATTERN: 'pattern',
  ERR_FIELD_ENUM: 'enum',
  ERR_FIELD_UNKNOWN: 'unknown',
  ERR_FIELD_RANGE: 'range',
  ERR_FIELD_LENGTH: 'lengthServer',
  ERR_FIELD_DUPLICATE: 'duplicate',
  ERR_USCC_CHECK_CHARACTER: 'uscc',
  ERR_OWNER_SHARES: 'ownerShares',
  ERR_FIELD_INVALID: 'invalid',
}

/** Every pointer the form has an input or a group for. */
export function fieldPointers(schema: SchemaNode, value: FormValue, pointer = ''): string[] {
  const kind = fieldKind(schema)
  const own = pointer === '' ? [] : [pointer]
  if (kind === 'object') {
    const object = isRecord(value) ? value : {}
    return [...own, ...formProperties(schema).flatMap(([name, p]) => fieldPointers(p, object[name] ?? '', `${pointer}/${name}`))]
  }
  if (kind === 'array') {
    const list = Array.isArray(value) ? value : []
    return [...own, ...list.flatMap((item, i) => fieldPointers(schema.items ?? {}, item, `${pointer}/${i}`))]
  }
  return own
}

/** The pointer itself when the form shows it, else its nearest shown ancestor ('' for the form as a whole). */
export function nearestShown(pointer: string, shown: ReadonlySet<string>): string {
  let at = pointer
  while (at !== '' && !shown.has(at)) at = at.slice(0, at.lastIndexOf('/'))
  return at
}

function isDate(text: string): boolean {
  const match = DATE.exec(text)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

function isBlank(value: FormValue | undefined): boolean {
  if (value === undefined || value === null) return true
  if (typeof value === 'string') return value.trim() === ''
  if (typeof value === 'boolean') return false
  if (Array.isArray(value)) return value.every(isBlank)
  return Object.values(value).every(isBlank)
}

function isRecord(value: unknown): value is Record<string, FormValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
