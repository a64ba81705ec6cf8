import { computed, ref } from 'vue'
import { setCsrfToken } from '../../api/http'
import { useRecentChecksOf } from './recent-checks'
import { readSession, signIn, signOut, type PortalSession } from './verify-api'

/**
 * The officer's sign-in on the verification page, shared by its components: the session as the service
 * answers it (the cookie stays HttpOnly; the CSRF token is kept in memory only), and whether it ended while the
 * page was open (a check's poll answered 401), so the sign-in says so.
 */
const session = ref<PortalSession>()
const loaded = ref(false)
const ended = ref(false)

function adopt(next: PortalSession | undefined): void {
  session.value = next
  setCsrfToken(next?.csrfToken)
  useRecentChecksOf(next?.account.kind === 'relying-party' ? next.account.username : undefined)
}

export function useVerifySession() {
  return {
    session,
    loaded,
    /** The session ended (idle, expired or signed out elsewhere) while a page of the officer's was open. */
    ended,
    /** Signed in as a bank officer (an account of a relying party): the only kind that may make checks. */
    isOfficer: computed(() => session.value?.account.kind === 'relying-party'),
    async load(): Promise<void> {
      adopt(await readSession())
      loaded.value = true
    },
    async signIn(username: string, password: string): Promise<void> {
      adopt(await signIn(username, password))
      ended.value = false
    },
    async signOut(): Promise<void> {
      try {
        await signOut()
      } finally {
        adopt(undefined)
      }
    },
    /** A call answered 401: the session is over; the page shows the sign-in again. */
    sessionEnded(): void {
      session.value = undefined
      setCsrfToken(undefined)
      ended.value = true
    },
  }
}
