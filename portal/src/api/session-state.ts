import { computed, ref, type ComputedRef, type Ref } from 'vue'
import { setCsrfToken } from './http'
import { readSession, signIn, signOut, type PortalSession } from './session-api'

/** A page's sign-in state and actions (the bank page's, the operator page's). */
export interface SessionState {
  session: Ref<PortalSession | undefined>
  loaded: Ref<boolean>
  /** The session ended (idle, expired or signed out elsewhere) while one of the page's views was open. */
  ended: Ref<boolean>
  /** Signed in with an account of the kind the page is for. */
  isAllowed: ComputedRef<boolean>
  load(): Promise<void>
  signIn(username: string, password: string): Promise<void>
  signOut(): Promise<void>
  /** A call answered 401: the session is over; the page shows the sign-in again and says why. */
  sessionEnded(): void
}

/**
 * One page's sign-in, shared by its components: the session as the service answers it (the cookie stays
 * HttpOnly; the CSRF token is kept in memory only) and whether it ended while the page was open. `kind` is the
 * account kind the page serves; `onChange` hears every change of session (e.g. to switch per-user local data).
 */
export function createSessionState(
  kind: PortalSession['account']['kind'],
  onChange?: (next: PortalSession | undefined) => void,
): SessionState {
  const session = ref<PortalSession>()
  const loaded = ref(false)
  const ended = ref(false)
  const adopt = (next: PortalSession | undefined) => {
    session.value = next
    setCsrfToken(next?.csrfToken)
    onChange?.(next)
  }
  return {
    session,
    loaded,
    ended,
    isAllowed: computed(() => session.value?.account.kind === kind),
    async load() {
      adopt(await readSession())
      loaded.value = true
    },
    async signIn(username, password) {
      adopt(await signIn(username, password))
      ended.value = false
    },
    async signOut() {
      try {
        await signOut()
      } finally {
        adopt(undefined)
      }
    },
    // Not a change of user: whoever signs in again finds the page's local data as it was.
    sessionEnded() {
      session.value = undefined
      setCsrfToken(undefined)
      ended.value = true
    },
  }
}
