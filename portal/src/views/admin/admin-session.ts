import { createSessionState } from '../../api/session-state'

/** The platform operator's sign-in on the operator page (/admin): a platform account reads the feedback. */
const state = createSessionState('platform')

/** The operator page's session state and its actions; `isPlatform`: the only kind that may read GET /v1/feedback. */
export function useAdminSession() {
  return { ...state, isPlatform: state.isAllowed }
}
