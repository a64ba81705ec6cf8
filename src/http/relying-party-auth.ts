import type { Request } from 'express'
import { UnauthorizedError } from '../shared/errors/app-error.js'
import type { RelyingParty, RelyingPartyStore } from '../verifying/relying-parties/relying-party-store.js'
import { authenticatingSession, hasSessionCookie, sessionLookupOf } from './portal-session.js'

export interface RelyingPartyAuthOptions {
  /**
   * Whether an officer's portal session identifies the party (default true). False for what only the bank's own
   * systems should do with its key (its webhook, say), not a person at the bank's verification page.
   */
  sessions?: boolean
}

/**
 * The relying party behind `Authorization: Bearer <key>`, or else behind the portal session of one of its
 * officers (the bank's verification page), or null when the request carries neither (anonymous). A header
 * that is malformed, or a key that is unknown or revoked, answers 401 ERR_AUTH_INVALID: a caller that meant to
 * identify itself is never taken for anonymous. Sessions of other kinds (a clerk's, an operator's) and ended
 * ones identify no relying party: the request is anonymous, as it is without a cookie. An officer's unsafe
 * request without the session's X-CSRF-Token answers 403 ERR_CSRF.
 */
export async function relyingPartyOf(
  req: Request,
  parties: RelyingPartyStore,
  options: RelyingPartyAuthOptions = {},
): Promise<RelyingParty | null> {
  const header = req.headers.authorization
  if (header === undefined) return options.sessions === false ? null : officerParty(req, parties)
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the Authorization header must be "Bearer <relying-party key>"')
  const found = await parties.authenticate(match[1]!)
  if (!found) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the relying-party key is unknown or revoked')
  return found.party
}

async function officerParty(req: Request, parties: RelyingPartyStore): Promise<RelyingParty | null> {
  if (!hasSessionCookie(req)) return null
  const found = await sessionLookupOf(req)
  if (found?.state !== 'active' || found.account.kind !== 'relying-party') return null
  const { account } = (await authenticatingSession(req))!
  const party = await parties.get(account.orgId)
  if (!party) throw new UnauthorizedError('ERR_AUTH_INVALID', `the account's relying party ${account.orgId} is not registered on this node`)
  return party
}
