import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** Portal accounts (clerks, supervisors, bank officers, operators): how long a session lives, and the sign-in lockout. */
export interface AccountSettings {
  /** Seconds without a request after which a session ends (GOVCRED_SESSION_IDLE_SECONDS). */
  readonly sessionIdleSeconds: number
  /** Seconds after sign-in after which a session ends however busy it is (GOVCRED_SESSION_MAX_SECONDS). */
  readonly sessionMaxSeconds: number
  /** Wrong passwords in a row that lock an account (GOVCRED_SIGNIN_MAX_FAILURES). */
  readonly signInMaxFailures: number
  /** Seconds a locked account refuses every sign-in, the right password too (GOVCRED_SIGNIN_LOCKOUT_SECONDS). */
  readonly signInLockoutSeconds: number
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = Object.freeze({
  sessionIdleSeconds: 1800,
  sessionMaxSeconds: 28_800,
  signInMaxFailures: 5,
  signInLockoutSeconds: 900,
})

/**
 * GOVCRED_SESSION_IDLE_SECONDS (1 to 86,400, default 1,800), GOVCRED_SESSION_MAX_SECONDS (60 to 604,800, default
 * 28,800, at least the idle time), GOVCRED_SIGNIN_MAX_FAILURES (1 to 100, default 5) and
 * GOVCRED_SIGNIN_LOCKOUT_SECONDS (1 to 86,400, default 900); problems go to `read.problems`.
 *
 * @example
 * const accounts = readAccountSettings(read) // { sessionIdleSeconds: 1800, sessionMaxSeconds: 28800, signInMaxFailures: 5, signInLockoutSeconds: 900 }
 */
export function readAccountSettings(read: Reader): AccountSettings {
  const d = DEFAULT_ACCOUNT_SETTINGS
  const sessionIdleSeconds = read.int('GOVCRED_SESSION_IDLE_SECONDS', d.sessionIdleSeconds, 1, 86_400)
  const sessionMaxSeconds = read.int('GOVCRED_SESSION_MAX_SECONDS', Math.max(d.sessionMaxSeconds, sessionIdleSeconds), 60, 604_800)
  if (sessionMaxSeconds < sessionIdleSeconds) {
    read.problems.push(
      `GOVCRED_SESSION_MAX_SECONDS (${sessionMaxSeconds}) must be at least GOVCRED_SESSION_IDLE_SECONDS (${sessionIdleSeconds})`,
    )
  }
  return Object.freeze({
    sessionIdleSeconds,
    sessionMaxSeconds,
    signInMaxFailures: read.int('GOVCRED_SIGNIN_MAX_FAILURES', d.signInMaxFailures, 1, 100),
    signInLockoutSeconds: read.int('GOVCRED_SIGNIN_LOCKOUT_SECONDS', d.signInLockoutSeconds, 1, 86_400),
  })
}
