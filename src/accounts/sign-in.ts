import type { AccountSettings } from '../config/account-settings.js'
import { AppError, UnauthorizedError } from '../shared/errors/app-error.js'
import { normalizeUsername, type Account } from './account-model.js'
import type { AccountStore, AccountWithSecret } from './account-store.js'
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './passwords.js'

/** 429 ERR_ACCOUNT_LOCKED: the account refuses sign-in for `retryAfterSeconds` more (the Retry-After header). */
export class AccountLockedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('ERR_ACCOUNT_LOCKED', `too many wrong passwords: this account is locked; retry after ${retryAfterSeconds} seconds`, {
      status: 429,
    })
  }
}

/** The one answer for a wrong password, an unknown username and a disabled account alike. */
export const wrongPassword = () => new UnauthorizedError('ERR_AUTH_INVALID', 'the username or the password is wrong')

/**
 * At most `concurrent` password hashes at a time (each takes 32 MiB and a thread of libuv's pool, which SQLite
 * and the file system share), and at most `waiting` queued behind them; past that 503 ERR_BUSY, so that a
 * flood of sign-ins costs a bounded amount of memory and never starves the database.
 */
export class HashingGate {
  private running = 0
  private readonly queue: (() => void)[] = []

  constructor(
    private readonly concurrent = 2,
    private readonly waiting = 32,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrent) {
      if (this.queue.length >= this.waiting) {
        throw new AppError('ERR_BUSY', 'too many sign-ins are being checked at once: retry in a second', { status: 503 })
      }
      await new Promise<void>((resolve) => this.queue.push(resolve))
    } else this.running++
    try {
      return await work()
    } finally {
      const next = this.queue.shift()
      if (next) next()
      else this.running--
    }
  }
}

/**
 * The lockout of usernames that do not exist, in memory: they lock as real accounts do, so that "locked after
 * five tries" does not tell which usernames exist. Bounded; the oldest entries are forgotten first.
 */
class UnknownUsernames {
  private readonly entries = new Map<string, { failures: number; lockedUntil: number }>()

  constructor(private readonly max = 10_000) {}

  lockedUntil(username: string, now: number): number | undefined {
    const entry = this.entries.get(username)
    return entry && entry.lockedUntil > now ? entry.lockedUntil : undefined
  }

  fail(username: string, now: number, settings: AccountSettings): number | undefined {
    const entry = this.entries.get(username) ?? { failures: 0, lockedUntil: 0 }
    this.entries.delete(username)
    entry.failures++
    if (entry.failures >= settings.signInMaxFailures) {
      entry.failures = 0
      entry.lockedUntil = now + settings.signInLockoutSeconds * 1000
    }
    this.entries.set(username, entry)
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!)
    return entry.lockedUntil > now ? entry.lockedUntil : undefined
  }
}

const secondsUntil = (until: number, now: number) => Math.max(1, Math.ceil((until - now) / 1000))

/**
 * Password sign-in with a lockout per account: GOVCRED_SIGNIN_MAX_FAILURES wrong passwords in a row lock it for
 * GOVCRED_SIGNIN_LOCKOUT_SECONDS (the failure that locks answers 429 already), and while locked even the right
 * password is refused without being checked. An unknown username, a disabled account and a wrong password
 * answer the same 401 after the same work (a dummy hash is checked for an unknown username).
 *
 * @example
 * const signIn = new PasswordSignIn(store, settings)
 * const account = await signIn.check('li.na', 'correct horse battery staple')
 */
export class PasswordSignIn {
  private readonly unknown = new UnknownUsernames()

  constructor(
    private readonly accounts: AccountStore,
    private readonly settings: AccountSettings,
    readonly gate = new HashingGate(),
  ) {}

  /** The account whose password this is; 401 ERR_AUTH_INVALID or 429 AccountLockedError otherwise. */
  async check(username: string, password: string, now = new Date()): Promise<Account> {
    const name = normalizeUsername(username)
    const found = await this.accounts.withSecret(name)
    if (!found) return this.refuseUnknown(name, password, now.getTime())
    const lockedUntil = found.lockedUntil === null ? NaN : Date.parse(found.lockedUntil)
    if (lockedUntil > now.getTime()) throw new AccountLockedError(secondsUntil(lockedUntil, now.getTime()))
    const matches = await this.gate.run(() => verifyPassword(password, found.passwordHash))
    if (!matches || found.disabledAt !== null) {
      const lock = await this.accounts.recordFailure(found.id, now, this.settings.signInMaxFailures, this.settings.signInLockoutSeconds)
      if (lock.lockedUntil) throw new AccountLockedError(secondsUntil(Date.parse(lock.lockedUntil), now.getTime()))
      throw wrongPassword()
    }
    await this.accounts.recordSuccess(found.id)
    if (needsRehash(found.passwordHash)) await this.accounts.rehash(found.id, await this.gate.run(() => hashPassword(password)))
    return withoutSecret(found)
  }

  /** Whether `password` is the account's current one (a password change asks for it), counted like a sign-in. */
  async confirm(account: Account, password: string, now = new Date()): Promise<void> {
    await this.check(account.username, password, now)
  }

  private async refuseUnknown(username: string, password: string, now: number): Promise<never> {
    const locked = this.unknown.lockedUntil(username, now)
    if (locked !== undefined) throw new AccountLockedError(secondsUntil(locked, now))
    await this.gate.run(() => verifyAgainstDummy(password))
    const lockedNow = this.unknown.fail(username, now, this.settings)
    if (lockedNow !== undefined) throw new AccountLockedError(secondsUntil(lockedNow, now))
    throw wrongPassword()
  }
}

function withoutSecret({ passwordHash: _hash, ...account }: AccountWithSecret): Account {
  return account
}
