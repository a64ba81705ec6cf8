import { api, isApiError } from './http'

/**
 * The portal's session calls (POST/GET/DELETE /v1/session), shared by the pages that sign someone in with a
 * portal account (the bank verification page, the platform operator's page). The cookie stays HttpOnly; the
 * answer's CSRF token is for api/http.ts's setCsrfToken.
 */

/** The signed-in account, as GET /v1/session answers it. */
export interface SignedInAccount {
  id: string
  kind: 'department' | 'relying-party' | 'platform'
  orgId: string
  username: string
  displayName: string
  role: string
  /** The registered names of its organisation (for an officer, the bank). */
  organization: { name: string; nameEn: string } | null
}

/** A session as POST and GET /v1/session answer it. */
export interface PortalSession {
  account: SignedInAccount
  csrfToken: string
  expiresAt: string
  idleTimeoutSeconds?: number
}

/** The current session, or undefined when nobody is signed in (401). */
export async function readSession(): Promise<PortalSession | undefined> {
  try {
    return await api<PortalSession>('/v1/session')
  } catch (error) {
    if (isApiError(error) && error.status === 401) return undefined
    throw error
  }
}

/** Signs in; throws the service's refusal (ERR_AUTH_INVALID, ERR_ACCOUNT_LOCKED, …) as an ApiError. */
export const signIn = (username: string, password: string) =>
  api<PortalSession>('/v1/session', { method: 'POST', body: { username, password } })

/** Ends the session on the service. */
export const signOut = () => api('/v1/session', { method: 'DELETE' })
