import type { Request, RequestHandler, Response } from 'express'
import type { ActiveSession, PortalAccounts, SessionLookup } from '../accounts/portal-accounts.js'
import { ForbiddenError, UnauthorizedError } from '../shared/errors/app-error.js'

/** The session cookie's name; `__Host-govcred_session` when the public URL is https (Secure, this host only, Path=/). */
export const SESSION_COOKIE = 'govcred_session'

export const sessionCookieName = (publicUrl: string): string => (isHttps(publicUrl) ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE)

const isHttps = (url: string) => /^https:/i.test(url)

/** Methods that change nothing: they carry no CSRF token and are never refused for a missing one. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])

interface SessionSlot {
  token: string
  lookup: () => Promise<SessionLookup>
  /** Set by the CSRF check (src/http/csrf.ts): this unsafe request carried the session's token and a fitting Origin. */
  csrfVerified: boolean
}

const SLOT = Symbol('govcred.portalSession')
type WithSlot = Request & { [SLOT]?: SessionSlot }

export interface PortalSessionOptions {
  accounts: PortalAccounts
  /** GOVCRED_PUBLIC_URL (or where the server listens): decides the cookie's name and Secure. */
  publicUrl: () => string
}

/**
 * App-wide: a request that carries the session cookie gets a lookup of its session, run only when something
 * asks (an asset fetched with the cookie costs no database read) and at most once. A cookie that names no
 * session in force is cleared in the answer.
 *
 * @example
 * app.use(portalSessions({ accounts, publicUrl: () => config.publicUrl }))
 */
export function portalSessions(options: PortalSessionOptions): RequestHandler {
  return (req, res, next) => {
    const token = readCookie(req, sessionCookieName(options.publicUrl()))
    if (token !== undefined) {
      let found: Promise<SessionLookup> | undefined
      const lookup = () =>
        (found ??= options.accounts.lookup(token).then((result) => {
          if (result.state === 'ended' && !res.headersSent) clearSessionCookie(res, options.publicUrl())
          return result
        }))
      ;(req as WithSlot)[SLOT] = { token, lookup, csrfVerified: false }
    }
    next()
  }
}

/** The value of one cookie of the request, or undefined. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** Whether the request carries the session cookie (in force or not). */
export const hasSessionCookie = (req: Request): boolean => (req as WithSlot)[SLOT] !== undefined

/** The cookie value of the request's session, or undefined. */
export const sessionTokenOf = (req: Request): string | undefined => (req as WithSlot)[SLOT]?.token

/** What the request's session cookie stands for; undefined without the cookie. */
export async function sessionLookupOf(req: Request): Promise<SessionLookup | undefined> {
  return (req as WithSlot)[SLOT]?.lookup()
}

/** Records that the request passed the CSRF check (src/http/csrf.ts). */
export function markCsrfVerified(req: Request): void {
  const slot = (req as WithSlot)[SLOT]
  if (slot) slot.csrfVerified = true
}

/**
 * The session a route authenticates the request with: undefined without the cookie; 401 ERR_SESSION_EXPIRED
 * when the cookie names a session no longer in force; and, for an unsafe method, 403 ERR_CSRF unless the CSRF
 * check passed (a second lock: a route under a path the CSRF check skips cannot be driven by a session).
 */
export async function authenticatingSession(req: Request): Promise<ActiveSession | undefined> {
  const slot = (req as WithSlot)[SLOT]
  if (!slot) return undefined
  const found = await slot.lookup()
  if (found.state !== 'active') throw new UnauthorizedError('ERR_SESSION_EXPIRED', 'the portal session has ended: sign in again')
  if (!SAFE_METHODS.has(req.method) && !slot.csrfVerified) {
    throw new ForbiddenError('ERR_CSRF', "send the session's X-CSRF-Token (from POST or GET /v1/session) with this request")
  }
  return { account: found.account, session: found.session }
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Path=/, and Secure with the __Host- prefix under https. */
export function setSessionCookie(res: Response, publicUrl: string, token: string, maxAgeSeconds: number): void {
  res.cookie(sessionCookieName(publicUrl), token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: isHttps(publicUrl),
    maxAge: maxAgeSeconds * 1000,
  })
}

export function clearSessionCookie(res: Response, publicUrl: string): void {
  res.clearCookie(sessionCookieName(publicUrl), { httpOnly: true, sameSite: 'strict', path: '/', secure: isHttps(publicUrl) })
}
