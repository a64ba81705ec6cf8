import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { isApiError } from '../../api/http'
import { readCheck, type CheckRequest } from './verify-api'
import { useVerifySession } from './verify-session'

/** While a request is pending and the page is in view: how often its state is read. */
export const POLL_MS = 1500
/** While the tab is hidden, or after the service could not be reached. */
const SLOW_POLL_MS = 5000

/** Refusals that pass: the network, a busy or rate-limited service. */
const TRANSIENT = new Set(['ERR_NETWORK', 'ERR_RATE_LIMITED', 'ERR_BUSY', 'ERR_STORAGE_UNAVAILABLE', 'ERR_INTERNAL'])

/**
 * Reads a check's request and, while it is pending, again every 1.5 s (every 5 s while the tab is hidden) until
 * it is answered or expires; then stops. Polling, not server-sent events: it needs no long-held connection per
 * officer (which would count against the public routes' in-flight cap and be buffered by some gateways), reads
 * the result through the same owner-only GET as the bank's own systems, and 40 reads a minute are well inside a
 * client's budget. A lost connection keeps the last state on screen and tries again; a 401 means the session
 * ended (the frame shows the sign-in again).
 */
export function useCheckPoll(id: Ref<string>) {
  const { sessionEnded } = useVerifySession()
  const request = ref<CheckRequest>()
  const error = ref<unknown>()
  const reconnecting = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let controller: AbortController | undefined
  let generation = 0

  const schedule = (ms: number, run: number) => {
    clearTimeout(timer)
    timer = setTimeout(() => void tick(run), ms)
  }
  const pace = () => (document.visibilityState === 'hidden' ? SLOW_POLL_MS : POLL_MS)

  async function tick(run: number) {
    controller = new AbortController()
    try {
      const read = await readCheck(id.value, controller.signal)
      if (run !== generation) return
      request.value = read
      error.value = undefined
      reconnecting.value = false
      if (read.state === 'pending') schedule(pace(), run)
    } catch (failure) {
      if (run !== generation || (failure as Error)?.name === 'AbortError') return
      if (isApiError(failure) && failure.status === 401) return sessionEnded()
      if (isApiError(failure) && TRANSIENT.has(failure.code) && request.value) {
        reconnecting.value = true
        return schedule(SLOW_POLL_MS, run)
      }
      error.value = failure
    }
  }

  function stop() {
    generation++
    clearTimeout(timer)
    controller?.abort()
  }
  function restart() {
    stop()
    request.value = undefined
    error.value = undefined
    reconnecting.value = false
    void tick(generation)
  }
  // Back in view: read at once rather than at the slow pace.
  const onVisible = () => {
    if (document.visibilityState === 'visible' && request.value?.state === 'pending') schedule(0, generation)
  }
  document.addEventListener('visibilitychange', onVisible)
  watch(id, restart, { immediate: true })
  onBeforeUnmount(() => {
    stop()
    document.removeEventListener('visibilitychange', onVisible)
  })
  return { request, error, reconnecting, retry: restart }
}
