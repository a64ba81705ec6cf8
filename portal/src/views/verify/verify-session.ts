import { createSessionState } from '../../api/session-state'
import { useRecentChecksOf } from './recent-checks'

/**
 * The officer's sign-in on the verification page: a bank officer (an account of a relying party) makes checks;
 * the list of recent checks follows the officer signed in.
 */
const state = createSessionState('relying-party', (next) =>
  useRecentChecksOf(next?.account.kind === 'relying-party' ? next.account.username : undefined),
)

/** The verification page's session state and its actions; `isOfficer`: the only kind that may make checks. */
export function useVerifySession() {
  return { ...state, isOfficer: state.isAllowed }
}
