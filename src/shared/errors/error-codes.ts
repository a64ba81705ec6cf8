/**
 * Every code an HTTP error answer (`{"error":{"code","message"}}`) can carry, with what it means. The set is
 * closed: clients may `switch` on it, and README.md's table of error codes is generated from it
 * (`npm run docs:codes`; a test fails when the two differ).
 */
export const API_ERROR_CODES = {
  ERR_AUTH_REQUIRED: 'no `Authorization: Bearer <key>` header',
  ERR_AUTH_INVALID: 'the API key is malformed, unknown or revoked',
  ERR_SCOPE: 'the API key is not scoped for this credential type',
  ERR_BAD_REQUEST: 'the request cannot be read (a protocol-level problem)',
  ERR_MALFORMED_JSON: 'the body is not valid JSON',
  ERR_BODY_TOO_LARGE: 'the body is larger than 256 kB',
  ERR_UNSUPPORTED_ENCODING: 'the body uses an encoding or charset the service does not read',
  ERR_NOT_FOUND: 'no route for this method and path',
  ERR_INVALID_REQUEST: 'the body is not the expected shape (see `details`)',
  ERR_INVALID_QUERY: 'a query parameter is missing, repeated or malformed',
  ERR_INVALID_DID: 'the path names something that is not a DID or an address',
  ERR_INVALID_HOLDER: 'the holder is not a plain DID',
  ERR_INVALID_ISSUER: 'the credential names an issuer other than the calling department',
  ERR_INVALID_UNIT_NUMBER: 'not a 28-character property unit number',
  ERR_UNKNOWN_TYPE: 'not a credential type this service issues',
  ERR_CLAIMS_INVALID: "the claims do not match the type's schema (see `details`)",
  ERR_VALIDITY: 'validFrom or validUntil is malformed, reversed or beyond what the type allows',
  ERR_NOT_ACCREDITED: 'the department is not accredited on chain for this type (now, or at validFrom)',
  ERR_SCHEMA_NOT_ANCHORED: "the type's schema is not anchored on chain",
  ERR_SCHEMA_HASH_MISMATCH: "the type's schema differs from the one anchored on chain",
  ERR_STATUS_LIST_FULL: "the issuer's status list has no free index left",
  ERR_STATUS_INDEX_EXHAUSTED: 'no free status index was found after several draws',
  ERR_CREDENTIAL_NOT_FOUND: 'no such credential issued by the calling department',
  ERR_CREDENTIAL_REVOKED: 'the credential is revoked (revocation is final)',
  ERR_CREDENTIAL_SUSPENDED: 'the credential is suspended',
  ERR_DEPARTMENT_NOT_FOUND: 'no such department on this node',
  ERR_ISSUER_NOT_FOUND: 'the trusted-issuer registry does not know this issuer',
  ERR_UNIT_HAS_CURRENT_CERTIFICATE: 'the property unit already has a current certificate: transfer it instead',
  ERR_UNIT_MISMATCH: 'the certificate is for another property unit',
  ERR_NOT_A_PROPERTY_CERTIFICATE: 'the JWT is not a govcred property certificate',
  ERR_CERTIFICATE_SIGNATURE_INVALID: 'the certificate is not signed by its issuer',
  ERR_MALFORMED_JWT: 'not a compact JWT',
  ERR_UNKNOWN_REQUEST: 'no such presentation request',
  ERR_STATUS_WRITE_REFUSED: 'the chain refused the status change; the record is back to its earlier status',
  ERR_CHAIN_UNAVAILABLE: 'the chain cannot be read or written right now (or not within the staleness bound): nothing was decided',
  ERR_INTERNAL: 'an unexpected error; details are in the service log, never in the answer',
} as const satisfies Record<`ERR_${string}`, string>

export type ApiErrorCode = keyof typeof API_ERROR_CODES

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(API_ERROR_CODES, value)
}
