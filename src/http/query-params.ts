import { BadRequestError } from '../shared/errors/app-error.js'
import type { ApiErrorCode } from '../shared/errors/error-codes.js'

/** Text, optionally bounded and checked; `accepts` says in words what the check lets through. */
export interface TextParam {
  kind: 'text'
  minLength?: number
  maxLength?: number
  check?: (value: string) => boolean
  accepts?: string
}
/** A decimal integer (no sign, no leading zeros, no fraction) from `min` to `max`. */
export interface IntegerParam {
  kind: 'integer'
  min: number
  max: number
  accepts?: string
}
/** One of `values`, spelt exactly. */
export interface EnumParam<V extends string = string> {
  kind: 'enum'
  values: readonly V[]
}
/** `true` or `false`. */
export interface BooleanParam {
  kind: 'boolean'
}
/** A parameter that must never be sent (e.g. a credential in a URL): its presence, in any form, is `code`. */
export interface RefusedParam {
  kind: 'refused'
  code: ApiErrorCode
  message: string
}
export type QueryParam = TextParam | IntegerParam | EnumParam | BooleanParam | RefusedParam
/** A route's query parameters: name → kind. Every name not in it is refused. */
export type QuerySpec = Readonly<Record<string, QueryParam>>

type ValueOf<P extends QueryParam> = P extends IntegerParam
  ? number
  : P extends BooleanParam
    ? boolean
    : P extends EnumParam<infer V>
      ? V
      : P extends RefusedParam
        ? never
        : string
/** What parseQuery returns for a spec: each parameter that was given, typed; absent ones are undefined. */
export type QueryValues<S extends QuerySpec> = { -readonly [K in keyof S as S[K] extends RefusedParam ? never : K]?: ValueOf<S[K]> }

/** A problem with one query parameter, as listed in the 400's `details`. */
export interface QueryProblem {
  field: string
  message: string
}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/

/**
 * The one way a route reads its query string. Each declared parameter may be given at most once, as plain
 * text of its kind; everything else is a 400 ERR_INVALID_QUERY naming the parameter and what it accepts
 * (all problems at once, in `details`):
 * - a repeated parameter (`?a=1&a=2`), or one in array or object form (`?a[]=1`, `?a[b]=1`: express's
 *   "simple" parser keeps these as keys `a[]` and `a[b]`; an "extended" parser's arrays and objects too);
 * - a value that is not of its kind (an integer out of bounds, a value outside an enum, …);
 * - an undeclared parameter. Every route that reads a query uses it to filter or page a department's
 *   records: an ignored typo (`?stauts=revoked`, `?limt=5`) would answer a different set than asked for,
 *   with a 200 no client can tell from the right answer. Refusing it names the typo.
 * A `refused` parameter (e.g. a certificate in a URL) answers its own code, in any form it is sent in.
 *
 * @example
 * const q = parseQuery(req.query, { limit: { kind: 'integer', min: 1, max: 200 }, status: { kind: 'enum', values: ['active', 'revoked'] } })
 * q.limit // number | undefined
 */
export function parseQuery<S extends QuerySpec>(query: unknown, spec: S): QueryValues<S> {
  const out: Record<string, unknown> = {}
  const problems: QueryProblem[] = []
  const entries = query && typeof query === 'object' ? Object.entries(query as Record<string, unknown>) : []
  for (const [key, value] of entries) {
    const bracket = key.indexOf('[')
    const name = bracket > 0 && key.endsWith(']') ? key.slice(0, bracket) : key
    const param = Object.hasOwn(spec, name) ? spec[name] : undefined
    if (!param) {
      problems.push({ field: key, message: `is not a query parameter of this route (it takes ${acceptedNames(spec)})` })
      continue
    }
    if (param.kind === 'refused') throw new BadRequestError(param.code, param.message)
    if (name !== key || typeof value !== 'string') {
      problems.push({
        field: name,
        message: `must be given once, as plain text (not repeated, not as an array or object): ${describe(param)}`,
      })
      continue
    }
    const parsed = parseValue(param, value)
    if (parsed === undefined) problems.push({ field: name, message: `must be ${describe(param)}` })
    else out[name] = parsed
  }
  if (problems.length > 0) {
    throw new BadRequestError('ERR_INVALID_QUERY', problems.map((p) => `query parameter ${p.field} ${p.message}`).join('; '), {
      details: problems,
    })
  }
  return out as QueryValues<S>
}

function parseValue(param: Exclude<QueryParam, RefusedParam>, value: string): unknown {
  switch (param.kind) {
    case 'text':
      if (param.minLength !== undefined && value.length < param.minLength) return undefined
      if (param.maxLength !== undefined && value.length > param.maxLength) return undefined
      if (param.check && !param.check(value)) return undefined
      return value
    case 'integer': {
      if (!DECIMAL.test(value)) return undefined
      const n = Number(value)
      return Number.isSafeInteger(n) && n >= param.min && n <= param.max ? n : undefined
    }
    case 'enum':
      return param.values.includes(value) ? value : undefined
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : undefined
  }
}

/** What a parameter accepts, in words. */
function describe(param: Exclude<QueryParam, RefusedParam>): string {
  switch (param.kind) {
    case 'text': {
      if (param.accepts) return param.accepts
      const { minLength: min = 0, maxLength: max } = param
      return max === undefined ? (min > 0 ? `text of at least ${min} characters` : 'text') : `text of ${min} to ${max} characters`
    }
    case 'integer':
      return param.accepts ?? `an integer from ${param.min} to ${param.max}`
    case 'enum':
      return `one of ${param.values.join(', ')}`
    case 'boolean':
      return 'true or false'
  }
}

function acceptedNames(spec: QuerySpec): string {
  const names = Object.entries(spec)
    .filter(([, p]) => p.kind !== 'refused')
    .map(([name]) => name)
  return names.length === 0 ? 'no query parameters' : names.join(', ')
}
