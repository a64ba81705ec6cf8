import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { DataSource } from 'typeorm'
import type { AccountSettings } from '../config/account-settings.js'
import { BadRequestError } from '../shared/errors/app-error.js'
import { hashSecretKey } from '../shared/secret-keys.js'
import { AccountError, checkNewAccount, type Account, type NewAccount } from './account-model.js'
import { AccountStore } from './account-store.js'
import { generatePassword, hashPassword, passwordProblem } from './passwords.js'
import { SessionStore, type SessionRecord } from './session-store.js'
import { PasswordSignIn } from './sign-in.js'

/** A session in force, and the account it is. */
export interface ActiveSession {
  account: Account
  session: SessionRecord
}

/** What a cookie stands for: a session in force, or one that ended (expired, signed out, account disabled). */
export type SessionLookup = ({ state: 'active' } & ActiveSession) | { state: 'ended' }

/** A new session: the cookie value (given to the browser once, kept only as a hash) and its row. */
export interface StartedSession extends ActiveSession {
  token: string
}

/** The cookie value's form: 32 random bytes, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/
/** lastSeenAt is written at most this often per session (a write per request would queue behind every issuance). */
const TOUCH_STEP_MS = 60_000

/**
 * The portal's accounts and sessions: sign-in (with the lockout of PasswordSignIn), the session behind a
 * cookie with its idle (GOVCRED_SESSION_IDLE_SECONDS) and absolute (GOVCRED_SESSION_MAX_SECONDS) ends, sign-out,
 * a password change, and what an administrator does (create, disable, reset a password, unlock). Expired
 * sessions are deleted when met and at every sign-in.
 *
 * @example
 * const portal = new PortalAccounts(db, config.accounts)
 * const { token, session } = await portal.signIn('li.na', password)   // token → the cookie
 * const found = await portal.lookup(token)                              // { state: 'active', account, session }
 */
export class PortalAccounts {
  readonly accounts: AccountStore
  readonly sessions: SessionStore
  readonly passwords: PasswordSignIn

  constructor(
    db: DataSource,
    readonly settings: AccountSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.accounts = new AccountStore(db)
    this.sessions = new SessionStore(db)
    this.passwords = new PasswordSignIn(this.accounts, settings)
  }

  /** Checks the password and opens a session; 401 ERR_AUTH_INVALID, 429 ERR_ACCOUNT_LOCKED or 503 ERR_BUSY otherwise. */
  async signIn(username: string, password: string): Promise<StartedSession> {
    const now = this.clock()
    await this.purgeExpired(now)
    const account = await this.passwords.check(username, password, now)
    const token = randomBytes(32).toString('base64url')
    const session: SessionRecord = {
      idHash: hashSecretKey(token),
      accountId: account.id,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.settings.sessionMaxSeconds * 1000).toISOString(),
      lastSeenAt: now.toISOString(),
    }
    await this.sessions.insert(session)
    return { token, account, session }
  }

  /** The session behind a cookie value: in force (its activity recorded), or ended (and then deleted). */
  async lookup(token: string): Promise<SessionLookup> {
    if (!TOKEN.test(token)) return { state: 'ended' }
    const idHash = hashSecretKey(token)
    const session = await this.sessions.get(idHash)
    if (!session) return { state: 'ended' }
    const now = this.clock()
    const account = await this.accounts.get(session.accountId)
    if (!account || account.disabledAt !== null || this.hasEnded(session, now)) {
      await this.sessions.delete(idHash)
      return { state: 'ended' }
    }
    const step = Math.min(TOUCH_STEP_MS, this.settings.sessionIdleSeconds * 100)
    if (now.getTime() - Date.parse(session.lastSeenAt) >= step) {
      session.lastSeenAt = now.toISOString()
      await this.sessions.touch(idHash, session.lastSeenAt)
    }
    return { state: 'active', account, session }
  }

  /** Whether `presented` is the session's CSRF token (constant time). */
  static csrfMatches(session: SessionRecord, presented: string | undefined): boolean {
    if (typeof presented !== 'string') return false
    const expected = Buffer.from(session.csrfToken)
    const given = Buffer.from(presented)
    return expected.length === given.length && timingSafeEqual(expected, given)
  }

  /** When the session ends if nothing more happens: the idle end or the absolute end, whichever is first. */
  endsAt(session: SessionRecord): string {
    const idle = Date.parse(session.lastSeenAt) + this.settings.sessionIdleSeconds * 1000
    return new Date(Math.min(idle, Date.parse(session.expiresAt))).toISOString()
  }

  /** Signs out: the session behind the cookie value is deleted (nothing happens for an unknown one). */
  async signOut(token: string): Promise<void> {
    if (TOKEN.test(token)) await this.sessions.delete(hashSecretKey(token))
  }

  /**
   * Changes the signed-in account's password: the current one is checked (and counted, as a sign-in), the new
   * one must pass passwordProblem (400 ERR_PASSWORD_WEAK), and every other session of the account ends.
   */
  async changePassword(active: ActiveSession, currentPassword: string, newPassword: string): Promise<void> {
    const problem = passwordProblem(newPassword, active.account.username)
    if (problem) throw new BadRequestError('ERR_PASSWORD_WEAK', problem)
    await this.passwords.confirm(active.account, currentPassword, this.clock())
    await this.accounts.setPassword(active.account.id, await this.passwords.gate.run(() => hashPassword(newPassword)), this.clock())
    await this.sessions.deleteForAccount(active.account.id, active.session.idHash)
  }

  /**
   * Creates an account with the given password (checked) or a generated one; answers the password, which the
   * administrator hands over once (only its hash is kept). AccountError for a refused field or a taken username.
   */
  async create(input: Omit<NewAccount, 'displayName'> & { displayName?: string }, password?: string) {
    const checked = checkNewAccount(input)
    const chosen = password ?? generatePassword()
    const problem = passwordProblem(chosen, checked.username)
    if (problem) throw new AccountError(problem)
    const account = await this.accounts.insert(checked, await this.passwords.gate.run(() => hashPassword(chosen)), this.clock())
    return { account, password: chosen }
  }

  /** Disables an account and ends its sessions; AccountError when there is no such account. */
  async disable(username: string): Promise<Account> {
    const account = await this.existing(username)
    await this.accounts.disable(account.id, this.clock())
    await this.sessions.deleteForAccount(account.id)
    return (await this.accounts.get(account.id))!
  }

  /** A new password (given, or generated and answered once); ends the account's sessions and its lockout. */
  async resetPassword(username: string, password?: string): Promise<{ account: Account; password: string }> {
    const account = await this.existing(username)
    const chosen = password ?? generatePassword()
    const problem = passwordProblem(chosen, account.username)
    if (problem) throw new AccountError(problem)
    await this.accounts.setPassword(account.id, await this.passwords.gate.run(() => hashPassword(chosen)), this.clock())
    await this.sessions.deleteForAccount(account.id)
    return { account: (await this.accounts.get(account.id))!, password: chosen }
  }

  /** Ends an account's lockout. */
  async unlock(username: string): Promise<Account> {
    const account = await this.existing(username)
    await this.accounts.unlock(account.id)
    return (await this.accounts.get(account.id))!
  }

  private async existing(username: string): Promise<Account> {
    const account = await this.accounts.byUsername(username)
    if (!account) throw new AccountError(`no account ${username}`)
    return account
  }

  private hasEnded(session: SessionRecord, now: Date): boolean {
    return Date.parse(this.endsAt(session)) <= now.getTime()
  }

  private async purgeExpired(now: Date): Promise<void> {
    const idleSince = new Date(now.getTime() - this.settings.sessionIdleSeconds * 1000).toISOString()
    await this.sessions.purgeExpired(now.toISOString(), idleSince)
  }
}
