import { Router, type Response } from 'express'
import { accountView, type Account } from '../../accounts/account-model.js'
import type { ActiveSession, PortalAccounts, StartedSession } from '../../accounts/portal-accounts.js'
import { PASSWORD_MAX_LENGTH } from '../../accounts/passwords.js'
import { AccountLockedError } from '../../accounts/sign-in.js'
import { BadRequestError, UnauthorizedError, isAppError } from '../../shared/errors/app-error.js'
import type { Logger } from '../../shared/logger.js'
import { authenticatingSession, clearSessionCookie, sessionLookupOf, sessionTokenOf, setSessionCookie } from '../portal-session.js'

export interface SessionRouteDeps {
  accounts: PortalAccounts
  /** GOVCRED_PUBLIC_URL (or where the server listens): the cookie's name and Secure follow it. */
  publicUrl: () => string
  logger: Logger
  /** The display names of an account's organisation (its department or relying party), for the portal's header. */
  organizationOf?: (account: Account) => Promise<{ name: string; nameEn: string } | undefined>
}

/** Longest username or password read from a body (a longer one is refused before any hashing). */
const MAX_USERNAME_LENGTH = 200
const MAX_PASSWORD_CHARS = PASSWORD_MAX_LENGTH * 4

/**
 * The portal's sign-in: POST /v1/session {username, password} → 200 {account, csrfToken, expiresAt} and the
 * session cookie (a new session every time: an old cookie's session ends, so a cookie set before sign-in is
 * worth nothing); GET /v1/session → the same, or 401; DELETE /v1/session signs out (200 {signedIn: false},
 * also without a session); POST /v1/session/password {currentPassword, newPassword} changes the account's own password and
 * ends its other sessions. 401 ERR_AUTH_INVALID for a wrong password or an unknown username alike, 429
 * ERR_ACCOUNT_LOCKED with Retry-After while the account is locked.
 *
 * @example
 * app.use(sessionRoutes({ accounts, publicUrl: () => config.publicUrl, logger }))
 */
export function sessionRoutes(deps: SessionRouteDeps): Router {
  const router = Router()

  const describe = async (active: ActiveSession) => {
    const organization = (await deps.organizationOf?.(active.account)) ?? null
    return {
      account: { ...accountView(active.account), organization },
      csrfToken: active.session.csrfToken,
      expiresAt: active.session.expiresAt,
      idleTimeoutSeconds: deps.accounts.settings.sessionIdleSeconds,
    }
  }

  router.post('/v1/session', async (req, res) => {
    const { username, password } = signInBody(req.body)
    const previous = sessionTokenOf(req)
    if (previous !== undefined) await deps.accounts.signOut(previous)
    let started: StartedSession
    try {
      started = await deps.accounts.signIn(username, password)
    } catch (error) {
      refuse(res, error, deps.logger, username)
    }
    setSessionCookie(res, deps.publicUrl(), started.token, deps.accounts.settings.sessionMaxSeconds)
    deps.logger.info('portal sign-in', { username: started.account.username, kind: started.account.kind, org: started.account.orgId })
    res.json(await describe(started))
  })

  router.get('/v1/session', async (req, res) => {
    const active = await authenticatingSession(req)
    if (!active) throw new UnauthorizedError('ERR_AUTH_REQUIRED', 'not signed in: POST /v1/session {username, password}')
    res.json(await describe(active))
  })

  router.delete('/v1/session', async (req, res) => {
    const token = sessionTokenOf(req)
    if (token !== undefined) {
      const found = await sessionLookupOf(req)
      await deps.accounts.signOut(token)
      if (found?.state === 'active') deps.logger.info('portal sign-out', { username: found.account.username })
    }
    clearSessionCookie(res, deps.publicUrl())
    res.json({ signedIn: false })
  })

  router.post('/v1/session/password', async (req, res) => {
    const active = await authenticatingSession(req)
    if (!active) throw new UnauthorizedError('ERR_AUTH_REQUIRED', 'sign in first: POST /v1/session {username, password}')
    const { currentPassword, newPassword } = passwordChangeBody(req.body)
    try {
      await deps.accounts.changePassword(active, currentPassword, newPassword)
    } catch (error) {
      refuse(res, error, deps.logger, active.account.username)
    }
    deps.logger.info('portal password changed', { username: active.account.username })
    res.json({ changed: true })
  })
  return router
}

/** Rethrows a refused sign-in with its Retry-After (lockout, or too many sign-ins being checked at once). */
function refuse(res: Response, error: unknown, logger: Logger, username: string): never {
  if (error instanceof AccountLockedError) {
    res.set('Retry-After', String(error.retryAfterSeconds))
    logger.warn('portal sign-in refused: account locked', { username: username.slice(0, 64), retryAfterSeconds: error.retryAfterSeconds })
  } else if (isAppError(error) && error.code === 'ERR_BUSY') res.set('Retry-After', '1')
  throw error
}

function signInBody(body: unknown): { username: string; password: string } {
  const input = objectBody(body)
  const details = [
    stringField(input, 'username', MAX_USERNAME_LENGTH),
    stringField(input, 'password', MAX_PASSWORD_CHARS),
    ...unknownFields(input, ['username', 'password']),
  ].filter((d) => d !== undefined)
  if (details.length > 0) throw new BadRequestError('ERR_INVALID_REQUEST', 'send {"username", "password"}', { details })
  return { username: input.username as string, password: input.password as string }
}

function passwordChangeBody(body: unknown): { currentPassword: string; newPassword: string } {
  const input = objectBody(body)
  const details = [
    stringField(input, 'currentPassword', MAX_PASSWORD_CHARS),
    stringField(input, 'newPassword', MAX_PASSWORD_CHARS),
    ...unknownFields(input, ['currentPassword', 'newPassword']),
  ].filter((d) => d !== undefined)
  if (details.length > 0) throw new BadRequestError('ERR_INVALID_REQUEST', 'send {"currentPassword", "newPassword"}', { details })
  return { currentPassword: input.currentPassword as string, newPassword: input.newPassword as string }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequestError('ERR_INVALID_REQUEST', 'the body must be a JSON object')
  return body as Record<string, unknown>
}

function stringField(input: Record<string, unknown>, name: string, max: number) {
  const value = input[name]
  if (value === undefined) return { field: `/${name}`, code: 'ERR_FIELD_REQUIRED', message: 'required' }
  if (typeof value !== 'string') return { field: `/${name}`, code: 'ERR_FIELD_TYPE', message: 'must be a string' }
  if (value.length === 0 || value.length > max) return { field: `/${name}`, code: 'ERR_FIELD_LENGTH', message: `1 to ${max} characters` }
  return undefined
}

function unknownFields(input: Record<string, unknown>, known: string[]) {
  return Object.keys(input)
    .filter((key) => !known.includes(key))
    .map((key) => ({ field: `/${key}`, code: 'ERR_FIELD_UNKNOWN', message: 'not allowed' }))
}
