import { BadRequestError } from '../shared/errors/app-error.js'

/**
 * A route's query parameters, each given at most once: a repeated (`?a=1&a=2`) or structured parameter is a
 * 400 ERR_INVALID_QUERY naming it, the same on every route, instead of an array reaching code that expects text.
 *
 * @example
 * const q = singleValuedQuery(req.query)   // { cursor?: string, limit?: string, … }
 */
export function singleValuedQuery(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new BadRequestError('ERR_INVALID_QUERY', `query parameter ${name} must be given once, as text`)
    out[name] = value
  }
  return out
}
