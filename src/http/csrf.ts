import type { Request, RequestHandler } from 'express'
import { PortalAccounts } from '../accounts/portal-accounts.js'
import { ForbiddenError } from '../shared/errors/app-error.js'
import { hasSessionCookie, markCsrfVerified, SAFE_METHODS, sessionLookupOf } from './portal-session.js'

/**
 * The wallet protocols' endpoints (OpenID4VCI, OpenID4VP, their metadata): wallets call them cross-site and
 * authenticate with the protocols' own codes and tokens, never with the portal session, so a session cookie
 * that rides along (a clerk who is also a citizen in the same browser) is no reason to refuse them.
 */
export const CSRF_EXEMPT_PREFIXES = ['/oid4vci/', '/oid4vp/', '/.well-known/'] as const

/** Sign-in: there is no session (nor token) yet; only a foreign Origin is refused (login CSRF). */
const SIGN_IN = '/v1/session'

export interface CsrfOptions {
  /** GOVCRED_PUBLIC_URL (or where the server listens): its origin is the portal's. */
  publicUrl: () => string
}

/**
 * App-wide CSRF protection of the portal session (OWASP's synchronizer token, plus an Origin check): an unsafe
 * request (not GET/HEAD/OPTIONS) that carries the cookie of a session in force needs `X-CSRF-Token` equal to
 * the session's token, and an `Origin` header, when present, equal to the public origin; otherwise 403
 * ERR_CSRF. Requests without the cookie (API clients with `Authorization: Bearer`, wallets) are not affected;
 * a cookie of a session that ended authenticates nothing and is left to the routes (401 ERR_SESSION_EXPIRED).
 * SameSite=Strict already keeps the cookie off cross-site requests in current browsers; this holds without it.
 *
 * @example
 * app.use(portalSessions({ accounts, publicUrl }), csrfProtection({ publicUrl }))
 */
export function csrfProtection(options: CsrfOptions): RequestHandler {
  return async (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || CSRF_EXEMPT_PREFIXES.some((prefix) => req.path.startsWith(prefix))) return next()
    if (req.path === SIGN_IN && req.method === 'POST') {
      assertOrigin(req, options.publicUrl())
      return next()
    }
    if (!hasSessionCookie(req)) return next()
    const found = await sessionLookupOf(req)
    if (found?.state !== 'active') return next()
    assertOrigin(req, options.publicUrl())
    if (!PortalAccounts.csrfMatches(found.session, req.get('x-csrf-token'))) {
      throw new ForbiddenError(
        'ERR_CSRF',
        "this request carries the portal session cookie but not the session's X-CSRF-Token (from POST or GET /v1/session)",
      )
    }
    markCsrfVerified(req)
    next()
  }
}

function assertOrigin(req: Request, publicUrl: string): void {
  const origin = req.get('origin')
  if (origin === undefined) return
  let expected: string
  try {
    expected = new URL(publicUrl).origin
  } catch {
    expected = ''
  }
  if (origin !== expected) {
    throw new ForbiddenError(
      'ERR_CSRF',
      `requests with the portal session come from ${expected || 'this portal'} only (Origin: ${origin.slice(0, 100)})`,
    )
  }
}
