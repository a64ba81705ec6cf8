import { jsonFormDisagreement, JWT_PROOF_TYPE } from '../catalog/vc-jwt-json-form.js'
import { fail, type Check, type CheckName } from './verification-result.js'

export interface DecodedJwt {
  jwt: string
  header: Record<string, unknown>
  payload: Record<string, any>
}

const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const MAX_JWT_LENGTH = 64_000

/**
 * Takes a presentation or credential as sent (a compact JWT, or a JSON object whose proof carries one)
 * and returns the decoded JWT. Only what the signature covers is used afterwards. A credential's JSON form
 * must state exactly what its JWT states (`jsonFormDisagreement`), so that a reader of the JSON is never
 * shown what was not signed; a presentation's outer JSON is ignored except for its proof. A missing or
 * unknown proof type is refused.
 */
export function openJwtEnvelope(input: unknown, check: CheckName, credential?: number): DecodedJwt | Check {
  let jwt: unknown = input
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const proof = (input as { proof?: unknown }).proof
    const proofs = Array.isArray(proof) ? proof : proof ? [proof] : []
    if (proofs.length === 0)
      return fail(check, 'ERR_PROOF_MISSING', 'no proof: only JWT-secured credentials and presentations are accepted', credential)
    if (proofs.length > 1) return fail(check, 'ERR_UNKNOWN_PROOF_TYPE', 'more than one proof', credential)
    const { type, jwt: proofJwt } = proofs[0] as { type?: unknown; jwt?: unknown }
    if (type !== JWT_PROOF_TYPE)
      return fail(
        check,
        'ERR_UNKNOWN_PROOF_TYPE',
        `proof type ${JSON.stringify(type ?? null)} is not supported (JwtProof2020 only)`,
        credential,
      )
    jwt = proofJwt
  }
  if (typeof jwt !== 'string' || jwt.length > MAX_JWT_LENGTH || !COMPACT_JWT.test(jwt)) {
    return fail(check, 'ERR_MALFORMED_JWT', 'not a compact JWT', credential)
  }
  let decoded: DecodedJwt
  try {
    const [header, payload] = jwt.split('.', 2).map(decodeSegment)
    if (!isObject(header) || !isObject(payload)) throw new Error('not JSON objects')
    decoded = { jwt, header, payload }
  } catch {
    return fail(check, 'ERR_MALFORMED_JWT', 'the JWT cannot be decoded', credential)
  }
  if (check === 'credentialProof' && isObject(input)) {
    const disagreement = jsonFormDisagreement(input, decoded)
    if (disagreement) return fail(check, 'ERR_JSON_FORM_MISMATCH', `the JSON form does not match its JWT: ${disagreement}`, credential)
  }
  return decoded
}

export const isCheck = (value: unknown): value is Check => !!value && typeof value === 'object' && 'check' in value && 'ok' in value

// Node's own base64url decoder: did-jwt's decodeJWT spends several times longer on the same work.
const decodeSegment = (segment: string): unknown => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
const isObject = (value: unknown): value is Record<string, any> => !!value && typeof value === 'object' && !Array.isArray(value)
