import { computed, ref } from 'vue'
import { setCsrfToken } from '../../api/http'
import { readSession, signIn, signOut, type PortalSession } from '../../api/session-api'

/**
 * The platform operator's sign-in on the operator page (/admin), shared by its components: the session as the
 * service answers it (the cookie stays HttpOnly; the CSRF token is kept in memory only), and whether it ended
 * while the page was open (a list call answered 401), so the sign-in says so.
 */
const session = ref<PortalSession>()
const loaded = ref(false)
const ended = ref(false)

function adopt(next: PortalSession | undefined): void {
  session.value = next
  setCsrfToken(next?.csrfToken)
}

/** The operator page's session state and its actions. */
export function useAdminSession() {
  return {
    session,
    loaded,
    ended,
    /** Signed in with a platform account: the only kind that may read the feedback (GET /v1/feedback). */
    isPlatform: computed(() => session.value?.account.kind === 'platform'),
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
      adopt(undefined)
      ended.value = true
    },
  }
}
