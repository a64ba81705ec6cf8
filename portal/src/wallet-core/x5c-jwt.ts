import type * as x509 from '@peculiar/x509'
import { compactVerify } from 'jose'
import { fromUtf8, isRecord, jsonOfBase64url } from './encoding.js'
import { checkChainToRoot, p256VerifyKey, parseRootPem, parseX5c, TrustFailure } from './x509-trust.js'

/** Why a JWT signed under an x5c chain is refused. */
export type X5cJwtFailureReason = 'malformed' | 'typ' | 'alg' | 'signature' | TrustFailure['reason']

export class X5cJwtFailure extends Error {
  constructor(
    readonly reason: X5cJwtFailureReason,
    message: string,
  ) {
    super(message)
  }
}

/** A JWT whose signature and certificate chain verified. */
export interface VerifiedX5cJwt {
  header: Record<string, unknown>
  payload: Record<string, unknown>
  /** The x5c certificates, leaf first. */
  chain: x509.X509Certificate[]
}

/** The header and payload of a compact JWS, unverified; X5cJwtFailure 'malformed' when it is not one. */
export function decodeJwt(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const parts = jwt.split('.')
  if (parts.length !== 3) throw new X5cJwtFailure('malformed', 'not a compact JWS (three parts)')
  try {
    const header = jsonOfBase64url(parts[0]!)
    const payload = jsonOfBase64url(parts[1]!)
    if (isRecord(header) && isRecord(payload)) return { header, payload }
  } catch {
    // below
  }
  throw new X5cJwtFailure('malformed', 'the JWT header or payload is not a JSON object')
}

/**
 * Verifies a JWT signed ES256 by the leaf of its `x5c` header whose chain ends at the trusted root (PEM),
 * with the expected `typ` (also accepted with the `application/` prefix). Which names the leaf must carry is
 * the caller's check (issuer URI, verifier DNS name).
 */
export async function verifyX5cJwt(jwt: string, options: { typ: string; rootPem: string; now: number }): Promise<VerifiedX5cJwt> {
  const { header } = decodeJwt(jwt)
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined
  if (typ !== options.typ) throw new X5cJwtFailure('typ', `typ is ${String(header.typ)}, not ${options.typ}`)
  if (header.alg !== 'ES256') throw new X5cJwtFailure('alg', `alg is ${String(header.alg)}, not ES256`)
  try {
    const chain = parseX5c(header.x5c)
    await checkChainToRoot(chain, parseRootPem(options.rootPem), new Date(options.now))
    const key = await p256VerifyKey(chain[0]!)
    let verified: Awaited<ReturnType<typeof compactVerify>>
    try {
      verified = await compactVerify(jwt, key, { algorithms: ['ES256'] })
    } catch {
      throw new X5cJwtFailure('signature', 'the signature does not verify with the x5c leaf key')
    }
    const payload = JSON.parse(fromUtf8(verified.payload)) as unknown
    if (!isRecord(payload)) throw new X5cJwtFailure('malformed', 'the payload is not a JSON object')
    return { header, payload, chain }
  } catch (error) {
    if (error instanceof TrustFailure) throw new X5cJwtFailure(error.reason, error.message)
    throw error
  }
}
