import { reactive, readonly } from 'vue'
import type { NavigationGuard } from 'vue-router'
import { api, isApiError, setCsrfToken } from '../../api/http'

/** The signed-in portal account as GET /v1/session describes it. */
export interface ConsoleAccount {
  id: string
  kind: 'department' | 'relying-party' | 'platform'
  orgId: string
  username: string
  displayName: string
  role: 'clerk' | 'supervisor' | 'officer' | 'operator'
  organization: { name: string; nameEn: string } | null
}

interface SessionAnswer {
  account: ConsoleAccount
  csrfToken: string
  expiresAt: string
}

/** Why the console has no session: never signed in, signed out here, or it ended (idle or too old) on the service. */
export type SessionEnd = 'none' | 'signed-out' | 'expired'

const state = reactive<{ account: ConsoleAccount | null; checked: boolean; ended: SessionEnd }>({
  account: null,
  checked: false,
  ended: 'none',
})
let pending: Promise<ConsoleAccount | null> | undefined

/** The console's session, read-only: the account (null when signed out) and why it ended. */
export const session = readonly(state)

export const isDepartment = (account: ConsoleAccount | null): boolean => account?.kind === 'department'
export const isSupervisor = (account: ConsoleAccount | null): boolean => isDepartment(account) && account?.role === 'supervisor'

function accept(answer: SessionAnswer): ConsoleAccount {
  setCsrfToken(answer.csrfToken)
  state.account = answer.account
  state.checked = true
  state.ended = 'none'
  return answer.account
}

function forget(ended: SessionEnd) {
  setCsrfToken(undefined)
  state.account = null
  state.checked = true
  state.ended = ended
  pending = undefined
}

/**
 * The account signed in on this browser (GET /v1/session, asked once per page load); null when there is none.
 * The session cookie is HttpOnly: the page learns of it only from the service.
 */
export function loadSession(): Promise<ConsoleAccount | null> {
  if (state.checked) return Promise.resolve(state.account)
  pending ??= api<SessionAnswer>('/v1/session').then(accept, (error: unknown) => {
    pending = undefined
    if (isApiError(error) && error.status === 401) {
      forget(error.code === 'ERR_SESSION_EXPIRED' ? 'expired' : 'none')
      return null
    }
    throw error
  })
  return pending
}

/** POST /v1/session; throws the service's refusal (ERR_AUTH_INVALID, ERR_ACCOUNT_LOCKED, …) as an ApiError. */
export async function signIn(username: string, password: string): Promise<ConsoleAccount> {
  return accept(await api<SessionAnswer>('/v1/session', { method: 'POST', body: { username, password } }))
}

/** DELETE /v1/session; the console forgets the account even when the service cannot be reached. */
export async function signOut(): Promise<void> {
  try {
    await api('/v1/session', { method: 'DELETE' })
  } finally {
    forget('signed-out')
  }
}

/** A call answered 401: the session ended on the service (idle timeout, signed out elsewhere). */
export function sessionLost(): void {
  forget('expired')
}

/** Only paths inside the console are followed after sign-in (never another site, never `//host`). */
export function safeRedirect(target: unknown): string {
  return typeof target === 'string' && /^\/console\/[\w\-/?=&%.:]*$/.test(target) && !target.startsWith('/console/sign-in')
    ? target
    : '/console/dashboard'
}

/**
 * The console's pages need a department account signed in: otherwise the sign-in page, which brings the clerk
 * back here afterwards.
 */
export const requireDepartmentSession: NavigationGuard = async (to) => {
  let account: ConsoleAccount | null = null
  try {
    account = await loadSession()
  } catch {
    // the service cannot be reached: the sign-in page says so
  }
  if (isDepartment(account)) return true
  return { name: 'console-sign-in', query: { redirect: to.fullPath } }
}
