/**
 * The portal's one way to call the govcred API: same origin only, JSON in and out, the session's CSRF token on
 * unsafe methods, and every refusal turned into an {@link ApiError} with the service's stable code, whether the
 * service answered `{"error":{"code","message"}}` or an OAuth-shaped `{"error","error_description","govcred_code"}`.
 * Pages show errors through `error-messages.ts` (plain sentences), never the raw answer.
 */

/** A refused or failed call: `code` is the service's stable ERR_ code (or ERR_NETWORK / ERR_HTTP_<status>). */
export class ApiError extends Error {
  override readonly name = 'ApiError'

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Sent as JSON. */
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
let csrfToken: string | undefined

/**
 * The CSRF token of the signed-in session (POST /v1/session answers it); sent as X-CSRF-Token on unsafe methods
 * while set. Call with undefined on sign-out.
 */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token
}

/**
 * Calls `path` (a path on this origin, such as `/v1/issuers`) and returns the parsed JSON answer (undefined for
 * an empty one). Throws ApiError for any answer that is not 2xx, and ERR_NETWORK when the service cannot be reached.
 *
 * @example
 * const { issuers } = await api<{ issuers: Issuer[] }>('/v1/issuers')
 * await api('/v1/feedback', { method: 'POST', body: { page: '/', message: '好用' } })
 */
export async function api<T = unknown>(path: string, options: ApiOptions = {}): Promise<T> {
  if (!path.startsWith('/') || path.startsWith('//')) throw new TypeError(`api() calls this origin only: ${path}`)
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST')
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    })
  } catch (error) {
    if ((error as Error)?.name === 'AbortError') throw error
    throw new ApiError('ERR_NETWORK', 0, 'the service cannot be reached')
  }
  const text = await response.text().catch(() => '')
  const json = parseJson(text)
  if (!response.ok) throw errorOf(response.status, json)
  return json as T
}

function parseJson(text: string): unknown {
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The ApiError an error answer stands for, from either error shape; ERR_HTTP_<status> when neither. */
export function errorOf(status: number, body: unknown): ApiError {
  const answer = body as { error?: unknown; error_description?: unknown; govcred_code?: unknown } | undefined
  const error = answer?.error
  if (error && typeof error === 'object') {
    const { code, message, details } = error as { code?: unknown; message?: unknown; details?: unknown }
    if (typeof code === 'string') return new ApiError(code, status, typeof message === 'string' ? message : code, details)
  }
  if (typeof error === 'string') {
    const code = typeof answer?.govcred_code === 'string' ? answer.govcred_code : `OAUTH_${error}`
    const description = typeof answer?.error_description === 'string' ? answer.error_description : error
    return new ApiError(code, status, description)
  }
  return new ApiError(`ERR_HTTP_${status}`, status, `the service answered ${status}`)
}
