/** What an account belongs to: a department (its clerks), a relying party (a bank's officers), or the platform. */
export const ACCOUNT_KINDS = ['department', 'relying-party', 'platform'] as const
export type AccountKind = (typeof ACCOUNT_KINDS)[number]

/** The roles each kind of account may have. */
export const ROLES_OF_KIND = {
  department: ['clerk', 'supervisor'],
  'relying-party': ['officer'],
  platform: ['operator'],
} as const satisfies Record<AccountKind, readonly string[]>

export type AccountRole = (typeof ROLES_OF_KIND)[AccountKind][number]

/** The orgId of every platform account (the platform is one organisation). */
export const PLATFORM_ORG = 'platform'

/**
 * A portal account as the portal and the routes see it: never its password hash.
 */
export interface Account {
  id: string
  kind: AccountKind
  /** The department's id, the relying party's id, or `platform`. */
  orgId: string
  /** Unique, lowercase: letters, digits, `.`, `_`, `-` (3 to 64 characters). */
  username: string
  displayName: string
  role: AccountRole
  createdAt: string
  /** When an administrator disabled it (it signs in no more and its sessions ended), or null. */
  disabledAt: string | null
  passwordChangedAt: string
  /** Wrong passwords in a row since the last success or lockout. */
  failedAttempts: number
  /** Until when sign-in is refused (ISO 8601), or null. */
  lockedUntil: string | null
}

/** What a signed-in person learns about their own account (GET /v1/session). */
export type AccountView = Pick<Account, 'id' | 'kind' | 'orgId' | 'username' | 'displayName' | 'role'>

export const accountView = (a: Account): AccountView => ({
  id: a.id,
  kind: a.kind,
  orgId: a.orgId,
  username: a.username,
  displayName: a.displayName,
  role: a.role,
})

const USERNAME = /^[a-z0-9](?:[a-z0-9._-]{1,62})[a-z0-9]$/
const DISPLAY_NAME_MAX = 100

/** Usernames compare without case: `Alice` signs in as `alice`. */
export const normalizeUsername = (username: string): string => username.trim().toLowerCase()

/** A refusal of an account operation, in words for the administrator (the CLI prints it). */
export class AccountError extends Error {
  override readonly name = 'AccountError'
}

export interface NewAccount {
  kind: AccountKind
  orgId: string
  username: string
  role: AccountRole
  displayName?: string
}

/** The checked, normalized fields of a new account; AccountError naming each problem otherwise. */
export function checkNewAccount(input: {
  kind: unknown
  orgId: unknown
  username: unknown
  role: unknown
  displayName?: unknown
}): NewAccount {
  const problems: string[] = []
  const kind = input.kind as AccountKind
  if (!ACCOUNT_KINDS.includes(kind)) problems.push(`kind must be one of ${ACCOUNT_KINDS.join(', ')}`)
  const username = typeof input.username === 'string' ? normalizeUsername(input.username) : ''
  if (!USERNAME.test(username)) {
    problems.push('username must be 3 to 64 lowercase letters, digits, ".", "_" or "-", starting and ending with a letter or digit')
  }
  const roles: readonly string[] = ROLES_OF_KIND[kind] ?? []
  const role = input.role as AccountRole
  if (roles.length > 0 && !roles.includes(role)) problems.push(`a ${kind} account's role is one of ${roles.join(', ')}`)
  const orgId = kind === 'platform' ? PLATFORM_ORG : typeof input.orgId === 'string' ? input.orgId.trim() : ''
  if (kind !== 'platform' && !/^[a-z0-9][a-z0-9-]{0,99}$/.test(orgId)) problems.push(`a ${kind} account needs the id of its organisation`)
  const displayName = input.displayName === undefined ? username : typeof input.displayName === 'string' ? input.displayName.trim() : ''
  if (displayName.length === 0 || [...displayName].length > DISPLAY_NAME_MAX || /[\u0000-\u001f\u007f]/.test(displayName)) {
    problems.push(`the display name must be 1 to ${DISPLAY_NAME_MAX} printable characters`)
  }
  if (problems.length > 0) throw new AccountError(problems.join('; '))
  return { kind, orgId, username, role, displayName }
}
