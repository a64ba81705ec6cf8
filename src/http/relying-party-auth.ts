import type { Request } from 'express'
import { UnauthorizedError } from '../shared/errors/app-error.js'
import type { RelyingParty, RelyingPartyStore } from '../verifying/relying-parties/relying-party-store.js'

/**
 * The relying party behind `Authorization: Bearer <key>`, or null when the request carries no
 * Authorization header (anonymous). A header that is malformed, or a key that is unknown or revoked,
 * answers 401 ERR_AUTH_INVALID: a caller that meant to identify itself is never taken for anonymous.
 */
export async function relyingPartyOf(req: Request, parties: RelyingPartyStore): Promise<RelyingParty | null> {
  const header = req.headers.authorization
  if (header === undefined) return null
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the Authorization header must be "Bearer <relying-party key>"')
  const found = await parties.authenticate(match[1])
  if (!found) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the relying-party key is unknown or revoked')
  return found.party
}
