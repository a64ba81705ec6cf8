import { Openid4vpRefusal } from './openid4vp-errors.js'

/** Longest presentation taken (an SD-JWT VC with its disclosures and key-binding JWT). */
export const MAX_PRESENTATION_CHARS = 64_000

/** One presentation of a vp_token: the credential query it answers and the presentation itself. */
export interface QueryPresentation {
  queryId: string
  presentation: string
}

const refuse = (code: 'ERR_VP_TOKEN_MALFORMED' | 'ERR_VP_TOKEN_UNKNOWN_QUERY' | 'ERR_VP_TOKEN_TOO_MANY', message: string) =>
  new Openid4vpRefusal(400, 'invalid_request', message, code)

/**
 * Reads an OpenID4VP 1.0 `vp_token` (§8.1): a JSON object whose keys are the credential query ids of the
 * request's DCQL query, each with a non-empty list of presentations (at most one: the queries do not set
 * `multiple`). Anything else is refused, never guessed at.
 */
export function parseVpToken(raw: unknown, queryIds: readonly string[]): QueryPresentation[] {
  if (typeof raw !== 'string' || raw.length === 0) throw refuse('ERR_VP_TOKEN_MALFORMED', 'vp_token is required (a JSON object)')
  let token: unknown
  try {
    token = JSON.parse(raw)
  } catch {
    throw refuse('ERR_VP_TOKEN_MALFORMED', 'vp_token is not JSON: OpenID4VP 1.0 sends {"<credential query id>": ["<presentation>"]}')
  }
  if (!token || typeof token !== 'object' || Array.isArray(token))
    throw refuse('ERR_VP_TOKEN_MALFORMED', 'vp_token is not a JSON object of credential query ids')
  const entries = Object.entries(token as Record<string, unknown>)
  if (entries.length === 0) throw refuse('ERR_VP_TOKEN_MALFORMED', 'vp_token presents nothing')
  const presentations: QueryPresentation[] = []
  for (const [queryId, value] of entries) {
    if (!queryIds.includes(queryId))
      throw refuse(
        'ERR_VP_TOKEN_UNKNOWN_QUERY',
        `vp_token answers ${JSON.stringify(queryId.slice(0, 64))}, which the request did not ask for`,
      )
    const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : undefined
    if (!list || list.length === 0 || list.some((p) => typeof p !== 'string' || p.length === 0 || p.length > MAX_PRESENTATION_CHARS))
      throw refuse(
        'ERR_VP_TOKEN_MALFORMED',
        `vp_token.${queryId} must be a list of presentations (strings of at most ${MAX_PRESENTATION_CHARS} characters)`,
      )
    if (list.length > 1)
      throw refuse('ERR_VP_TOKEN_TOO_MANY', `vp_token.${queryId} carries ${list.length} presentations; the query takes one`)
    presentations.push({ queryId, presentation: list[0] as string })
  }
  return presentations
}
