import canonicalize from 'canonicalize'

/**
 * The JSON form of a VC-JWT: a credential object whose `proof` carries the JWT (`JwtProof2020`). The JWT is
 * what is signed; the JSON around it is a convenience for readers, so a verifier accepts it only when it
 * states exactly what the JWT states (see `jsonFormDisagreement`).
 *
 * The proof comes in two forms, both accepted:
 * - short, as Veramo and did-jwt-vc write it: `{type: 'JwtProof2020', jwt}`;
 * - described, as govcred's VC-API issuer returns it: the short form plus `created`, `verificationMethod`,
 *   `proofPurpose` and `proofValue` (the JWT again), the properties a Data Integrity reader looks for.
 *   Each must agree with the JWT, and a proof with some of them but not all is malformed.
 */
export const JWT_PROOF_TYPE = 'JwtProof2020'

const DESCRIPTIVE_PROOF_FIELDS = ['created', 'verificationMethod', 'proofPurpose', 'proofValue'] as const

/** JWT registered claims did-jwt-vc may copy beside the credential; tolerated in a JSON form when equal. */
const JWT_CLAIMS = ['iss', 'sub', 'jti', 'nbf', 'exp', 'iat', 'aud'] as const

export interface SignedJwt {
  jwt: string
  header: Record<string, unknown>
  payload: Record<string, any>
}

/** The described proof block of a VC-JWT, as govcred's VC-API issuer returns it. */
export function describedJwtProof({ jwt, header, payload }: SignedJwt): Record<string, string> {
  const signedAt = numeric(payload.iat) ?? numeric(payload.nbf) ?? Math.floor(Date.now() / 1000)
  return {
    type: JWT_PROOF_TYPE,
    created: new Date(signedAt * 1000).toISOString().replace('.000Z', 'Z'),
    verificationMethod: typeof header.kid === 'string' ? header.kid : `${payload.iss}#controller`,
    proofPurpose: 'assertionMethod',
    proofValue: jwt,
    jwt,
  }
}

/**
 * Why a credential's JSON form does not state what its JWT states, or null when it does. Dates are compared
 * as instants (`2026-01-01T00:00:00Z` and `…00.000Z` agree); everything else as canonical JSON.
 */
export function jsonFormDisagreement(form: Record<string, unknown>, signed: SignedJwt): string | null {
  const proofProblem = proofDisagreement(form.proof, signed)
  if (proofProblem) return proofProblem
  const expected = credentialStatedBy(signed.payload)
  for (const name of ['@context', 'type', 'issuer', 'credentialSubject'] as const) {
    if (!(name in form)) return `the credential has no ${name}`
  }
  for (const [name, value] of Object.entries(form)) {
    if (name === 'proof') continue
    if ((JWT_CLAIMS as readonly string[]).includes(name)) {
      if (!sameJson(value, signed.payload[name])) return `${name} differs from the JWT's ${name} claim`
      continue
    }
    if (!(name in expected)) return `${name} is not in the signed credential`
    if (!agrees(name, value, expected[name])) return `${name} differs from what the JWT signs`
  }
  const missing = Object.keys(expected).filter((name) => !(name in form))
  return missing.length > 0 ? `the JSON form leaves out what the JWT signs: ${missing.join(', ')}` : null
}

/**
 * The credential the JWT states, in the JSON form did-jwt-vc gives it: the `vc` claim, and the credential
 * properties did-jwt-vc keeps beside it in the payload, with id, issuer, subject id and dates taken back from
 * jti, iss, sub, nbf and exp.
 */
export function credentialStatedBy(payload: Record<string, any>): Record<string, unknown> {
  const vc = isObject(payload.vc) ? payload.vc : {}
  const beside = Object.fromEntries(
    Object.entries(payload).filter(([name]) => name !== 'vc' && !(JWT_CLAIMS as readonly string[]).includes(name)),
  )
  const stated: Record<string, unknown> = { ...beside, ...vc }
  const id = typeof payload.jti === 'string' ? payload.jti : vc.id
  if (id !== undefined) stated.id = id
  const issuerObject = isObject(vc.issuer) ? vc.issuer : isObject(payload.issuer) ? payload.issuer : undefined
  if (typeof payload.iss === 'string') stated.issuer = issuerObject ? { ...issuerObject, id: payload.iss } : payload.iss
  if (isObject(vc.credentialSubject) && typeof payload.sub === 'string') {
    stated.credentialSubject = { ...vc.credentialSubject, id: payload.sub }
  }
  if (vc.issuanceDate === undefined && numeric(payload.nbf) !== null) stated.issuanceDate = isoSeconds(payload.nbf)
  if (vc.expirationDate === undefined && numeric(payload.exp) !== null) stated.expirationDate = isoSeconds(payload.exp)
  return stated
}

function proofDisagreement(proof: unknown, signed: SignedJwt): string | null {
  if (!isObject(proof)) return 'proof must be an object'
  const present = DESCRIPTIVE_PROOF_FIELDS.filter((name) => name in proof)
  if (present.length === 0) return null
  if (present.length < DESCRIPTIVE_PROOF_FIELDS.length) {
    const absent = DESCRIPTIVE_PROOF_FIELDS.filter((name) => !(name in proof))
    return `the proof describes itself only in part: it lacks ${absent.join(', ')}`
  }
  const described = describedJwtProof(signed)
  if (proof.proofValue !== signed.jwt) return 'proof.proofValue is not the JWT'
  if (proof.proofPurpose !== 'assertionMethod') return 'proof.proofPurpose must be assertionMethod'
  const method = proof.verificationMethod
  const kid = signed.header.kid
  if (typeof method !== 'string' || !method.startsWith(`${signed.payload.iss}#`) || (typeof kid === 'string' && method !== kid)) {
    return "proof.verificationMethod is not a key of the JWT's issuer"
  }
  if (!sameInstant(proof.created, described.created)) return 'proof.created differs from the time the JWT states'
  return null
}

function agrees(name: string, value: unknown, expected: unknown): boolean {
  if (name === 'issuanceDate' || name === 'expirationDate' || name === 'validFrom' || name === 'validUntil') {
    return sameInstant(value, expected)
  }
  return sameJson(value, expected)
}

const sameJson = (a: unknown, b: unknown) => a !== undefined && canonicalize(a) === canonicalize(b)
const sameInstant = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' && !Number.isNaN(Date.parse(a)) && Date.parse(a) === Date.parse(b)
const numeric = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null)
const isoSeconds = (seconds: number) => new Date(seconds * 1000).toISOString()
const isObject = (value: unknown): value is Record<string, any> => !!value && typeof value === 'object' && !Array.isArray(value)
