/**
 * Every code an HTTP error answer (`{"error":{"code","message"}}`) can carry, with what it means. The set is
 * closed: clients may `switch` on it, and README.md's table of error codes is generated from it
 * (`npm run docs:codes`; a test fails when the two differ).
 */
export const API_ERROR_CODES = {
  ERR_AUTH_REQUIRED: 'no `Authorization: Bearer <key>` header (nor a portal session cookie where one is taken)',
  ERR_AUTH_INVALID: 'the API key is malformed, unknown or revoked; or (portal sign-in) the username or the password is wrong',
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
  ERR_MALFORMED_JWT: 'not a compact JWT',
  ERR_UNKNOWN_REQUEST: 'no such presentation request',
  ERR_STATUS_WRITE_REFUSED: 'the chain refused the status change; the record is back to its earlier status',
  ERR_CHAIN_UNAVAILABLE: 'the chain cannot be read or written right now (or not within the staleness bound): nothing was decided',
  ERR_GENERIC_ISSUANCE_DISABLED: 'this node does not issue generic (VerifiableCredential-only) credentials (GOVCRED_GENERIC_ISSUANCE)',
  ERR_GENERIC_SCOPE_REQUIRED: "a generic credential needs an API key scoped for VerifiableCredential ('*' does not imply it)",
  ERR_METHOD_NOT_ALLOWED:
    'this method is not served at this path (see the `Allow` header), e.g. a certificate goes in a POST body, never in a URL',
  ERR_CERTIFICATE_IN_QUERY: 'a certificate or credential was sent in the query string, which gateways log: send it in the JSON body',
  ERR_RELYING_PARTY_REQUIRED: 'this verifier takes presentation requests from registered relying parties only (send its key)',
  ERR_TOO_MANY_OPEN_REQUESTS:
    'too many anonymous presentation requests are open; retry after `Retry-After` seconds or use a relying-party key',
  ERR_RATE_LIMITED:
    'too many requests from this client to the public routes this minute (GOVCRED_RATE_LIMIT_PER_MINUTE): retry after `Retry-After` seconds',
  ERR_BUSY: '503: too many public requests are in progress at once (GOVCRED_PUBLIC_CONCURRENCY): retry after `Retry-After` seconds',
  ERR_STORAGE_UNAVAILABLE:
    "503: the service's database cannot be written right now (disk full, I/O error, read-only file): nothing of this request was committed; retry later (/healthz names the reason)",
  ERR_UNKNOWN_CHECK: 'options.checks names a check this verifier does not run (the message lists the known ones)',
  ERR_CONTEXT_INVALID: "credential['@context'] is missing or not a list of URLs starting with the VCDM 1.1 context",
  ERR_TYPE_INVALID: 'credential.type is missing or not a non-empty list of strings including VerifiableCredential',
  ERR_UNSUPPORTED_PROPERTY: 'the credential carries a property this issuer does not sign (the message lists the supported ones)',
  ERR_UNSUPPORTED_OPTION: 'the request carries an issuance option this issuer does not support',
  ERR_DUPLICATE_CREDENTIAL_ID: 'a credential with this id was already issued',
  ERR_OFFER_NOT_FOUND: 'no such credential offer made by the calling department (or its offer URI is unknown, used or expired)',
  ERR_PRE_AUTHORIZED_CODE_INVALID: 'OpenID4VCI invalid_grant: the pre-authorized code is unknown to this credential issuer',
  ERR_PRE_AUTHORIZED_CODE_USED: 'OpenID4VCI invalid_grant: the pre-authorized code was exchanged already (it is one-time)',
  ERR_OFFER_EXPIRED: 'OpenID4VCI invalid_grant: the credential offer expired (GOVCRED_OFFER_TTL_SECONDS)',
  ERR_OFFER_VOIDED: 'the credential offer is void (too many wrong transaction codes, GOVCRED_OFFER_TX_CODE_ATTEMPTS)',
  ERR_OFFER_REDEEMED: 'OpenID4VCI invalid_token: the credential offer was redeemed already (one offer, one credential)',
  ERR_TX_CODE_REQUIRED: 'OpenID4VCI invalid_request: the token request lacks the tx_code the offer needs',
  ERR_TX_CODE_INVALID: 'OpenID4VCI invalid_grant: the tx_code is wrong (each attempt counts)',
  ERR_UNSUPPORTED_GRANT_TYPE: 'OpenID4VCI unsupported_grant_type: only the pre-authorized code grant is served',
  ERR_ACCESS_TOKEN_INVALID: 'OpenID4VCI invalid_token: the access token is malformed, expired or not for this issuer',
  ERR_NONCE_INVALID: 'OpenID4VCI invalid_nonce: the key proof has no nonce, or one that is not from the nonce endpoint, expired or used',
  ERR_PROOF_INVALID:
    'OpenID4VCI invalid_proof: the key proof is missing, not signed by its key, of another alg, audience or type, or stale',
  ERR_CREDENTIAL_CONFIGURATION_NOT_OFFERED:
    'OpenID4VCI unknown_credential_configuration: the credential request names a configuration the offer did not include',
  ERR_REQUEST_ANSWERED:
    'OpenID4VP invalid_request: the presentation request was answered already (a replayed or second response for its state)',
  ERR_REQUEST_EXPIRED: 'OpenID4VP invalid_request: the presentation request expired before the response arrived',
  ERR_STATE_MISMATCH: "OpenID4VP invalid_request: the response's state is missing or not the request's",
  ERR_VP_TOKEN_MALFORMED:
    'OpenID4VP invalid_request: vp_token is missing or not a JSON object of credential query ids to lists of presentations',
  ERR_VP_TOKEN_UNKNOWN_QUERY: "OpenID4VP invalid_request: vp_token names a credential query id that is not in the request's DCQL query",
  ERR_VP_TOKEN_TOO_MANY: 'OpenID4VP invalid_request: vp_token carries more presentations for a credential query than it allows (one)',
  ERR_OPENID4VP_UNAVAILABLE:
    "this node cannot sign the relying party's OpenID4VP request objects: on a verifier-only node it has no valid installed certificate (relying-party csr, certify, install-certificate) or GOVCRED_ISSUER_URLS is unset",
  ERR_RESPONSE_NOT_ENCRYPTED:
    'OpenID4VP invalid_request: the request takes direct_post.jwt: the response parameters encrypted in `response` (a JWE), nothing in the clear',
  ERR_RESPONSE_JWE_MALFORMED:
    'OpenID4VP invalid_request: `response` is not a compact JWE, or it does not hold a JSON object of response parameters',
  ERR_RESPONSE_JWE_UNSUPPORTED: "OpenID4VP invalid_request: the JWE's alg or enc is not taken (ECDH-ES with A128GCM or A256GCM only)",
  ERR_RESPONSE_KEY_MISMATCH: "OpenID4VP invalid_request: the JWE's kid is not this request's response-encryption key",
  ERR_RESPONSE_DECRYPTION_FAILED:
    "OpenID4VP invalid_request: the JWE does not decrypt with this request's key (tampered, or encrypted for another request)",
  ERR_RELYING_PARTY_NOT_FOUND: 'no relying party with this id on this node',
  ERR_RELYING_PARTY_EXISTS: 'a relying party with this id is registered already (ids are never reused)',
  ERR_RELYING_PARTY_KEY_NOT_FOUND: 'the relying party has no active API key with this id (unknown, revoked already, or of another party)',
  ERR_FEEDBACK_FULL: '503: the feedback box holds GOVCRED_FEEDBACK_MAX_STORED messages: nothing was stored until an operator clears some',
  ERR_ACCOUNT_LOCKED:
    '429: too many wrong passwords in a row (GOVCRED_SIGNIN_MAX_FAILURES): the portal account refuses sign-in for `Retry-After` seconds',
  ERR_SESSION_EXPIRED: '401: the portal session ended (idle or absolute timeout, signed out, account disabled): sign in again',
  ERR_CSRF:
    "403: an unsafe request with the portal session cookie lacks the session's `X-CSRF-Token`, or its `Origin` is not the public origin",
  ERR_ROLE_FORBIDDEN:
    "403: the portal account's role may not do this (a clerk suspends, reinstates, revokes, transfers or reads the audit only as a supervisor)",
  ERR_PASSWORD_WEAK: '400: the new password is refused (at least 12 characters, not the username, not too simple)',
  ERR_RULE_INVALID: '422: the one-stop rule is refused; `details.problems` names each problem with a JSON pointer into the rule',
  ERR_RULE_TAMPERED: '409: the one-stop rule changed after its hash was anchored on chain; it is not evaluated',
  ERR_RULE_NOT_FOUND: '404: no such one-stop rule version (or it is a draft of another department)',
  ERR_RULE_STATE: '409: the rule version does not allow this now (a published one never changes; a retired one is not run)',
  ERR_FORM_INVALID: "422: the one-stop form fails the bundle rules' form schemas; `details` names each field",
  ERR_BUNDLE_NOT_FOUND: '404: no such one-stop bundle, or one of its rules has no published version',
  ERR_CASE_NOT_FOUND: '404: no one-stop case with this id and access token',
  ERR_TOO_MANY_OPEN_CASES: '429: GOVCRED_ONESTOP_MAX_OPEN_CASES cases are waiting for a wallet already: retry after `Retry-After` seconds',
  ERR_REVIEW_NOT_FOUND: '404: no such review task of your department',
  ERR_REVIEW_DECIDED: '409: the review task was already approved or refused',
  ERR_INTERNAL: 'an unexpected error; details are in the service log, never in the answer',
} as const satisfies Record<`ERR_${string}`, string>

export type ApiErrorCode = keyof typeof API_ERROR_CODES

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && Object.hasOwn(API_ERROR_CODES, value)
}
