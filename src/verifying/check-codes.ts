/**
 * The checks of a verification, in the order they are reported, each with what it establishes and the closed
 * set of codes it fails with. README.md's table of checks is generated from this (`npm run docs:codes`).
 */
export const CHECKS = {
  proof: {
    about: 'a JWT-secured presentation; only what the signature covers is read',
    codes: [
      'ERR_PRESENTATION_MALFORMED',
      'ERR_MALFORMED_JWT',
      'ERR_PROOF_MISSING',
      'ERR_UNKNOWN_PROOF_TYPE',
      'ERR_EMPTY_PRESENTATION',
      'ERR_PRESENTATION_TOO_LARGE',
    ],
  },
  holderSignature: { about: "signed by a key of the holder's DID", codes: ['ERR_HOLDER_SIGNATURE_INVALID'] },
  presentationValidity: {
    about: "within the presentation's own nbf/exp",
    codes: ['ERR_PRESENTATION_EXPIRED', 'ERR_PRESENTATION_NOT_YET_VALID'],
  },
  challenge: {
    about: 'the challenge of a presentation request of this verifier, unexpired and used once',
    codes: ['ERR_CHALLENGE_MISMATCH', 'ERR_CHALLENGE_REPLAYED', 'ERR_CHALLENGE_EXPIRED', 'ERR_UNKNOWN_REQUEST'],
  },
  domain: { about: 'addressed (aud) to this verifier', codes: ['ERR_DOMAIN_MISMATCH'] },
  credentialProof: {
    about:
      'each credential a JWT-secured VC (a JSON form states exactly what its JWT signs) or an SD-JWT VC (typ dc+sd-jwt, ES256, an x5c leaf, a govcred vct)',
    codes: ['ERR_MALFORMED_JWT', 'ERR_PROOF_MISSING', 'ERR_UNKNOWN_PROOF_TYPE', 'ERR_CREDENTIAL_MALFORMED', 'ERR_JSON_FORM_MISMATCH'],
  },
  credentialSignature: {
    about: "signed by a key of the issuer's DID document, read from the chain",
    codes: ['ERR_CREDENTIAL_SIGNATURE_INVALID', 'ERR_ISSUER_DEACTIVATED', 'ERR_ISSUING_KEY_NOT_REGISTERED'],
  },
  disclosures: {
    about: "an SD-JWT VC's disclosures: each well formed, once, and matching a digest of the issuer-signed JWT",
    codes: ['ERR_DISCLOSURE_MALFORMED', 'ERR_DISCLOSURE_UNMATCHED', 'ERR_DISCLOSURE_DUPLICATE', 'ERR_DISCLOSURE_ALGORITHM'],
  },
  issuerResolved: { about: "the issuer's DID resolves", codes: ['ERR_ISSUER_NOT_RESOLVED'] },
  issuerAccredited: {
    about:
      "on chain, for the credential's type: active now and at the credential's issuance time; a suspended issuer's credentials are refused until it is reinstated, a revoked or expired one's must be reissued",
    codes: ['ERR_ISSUER_NOT_ACCREDITED', 'ERR_ISSUER_SUSPENDED', 'ERR_ISSUER_NO_LONGER_ACCREDITED'],
  },
  schema: {
    about: 'claims valid against the schema whose hash is anchored',
    codes: [
      'ERR_SCHEMA_MISSING',
      'ERR_SCHEMA_TYPE_MISMATCH',
      'ERR_SCHEMA_UNKNOWN',
      'ERR_SCHEMA_HASH_MISMATCH',
      'ERR_SCHEMA_VALIDATION_FAILED',
    ],
  },
  status: {
    about: 'revocation and suspension bits on chain',
    codes: ['ERR_CREDENTIAL_REVOKED', 'ERR_CREDENTIAL_SUSPENDED', 'ERR_STATUS_MISSING', 'ERR_STATUS_REGISTRY_UNKNOWN'],
  },
  validity: { about: "within the credential's validFrom/validUntil", codes: ['ERR_CREDENTIAL_EXPIRED', 'ERR_CREDENTIAL_NOT_YET_VALID'] },
  keyBinding: {
    about:
      "an SD-JWT VC presentation's key-binding JWT: typ kb+jwt, signed by the credential's cnf.jwk, the expected nonce and audience, sd_hash over the presentation, issued just now",
    codes: [
      'ERR_KEY_BINDING_MISSING',
      'ERR_KEY_BINDING_MALFORMED',
      'ERR_HOLDER_KEY_MISSING',
      'ERR_KEY_BINDING_SIGNATURE_INVALID',
      'ERR_KEY_BINDING_NONCE_MISMATCH',
      'ERR_KEY_BINDING_AUDIENCE_MISMATCH',
      'ERR_KEY_BINDING_SD_HASH_MISMATCH',
      'ERR_KEY_BINDING_STALE',
    ],
  },
  holderIsSubject: { about: 'the presenter is the subject of each credential', codes: ['ERR_HOLDER_NOT_SUBJECT'] },
  requestedTypes: { about: 'every credential type the request asked for is present', codes: ['ERR_REQUESTED_TYPE_MISSING'] },
  requestedClaims: {
    about:
      "an OpenID4VP response discloses every claim the request's DCQL query asked for, in a credential of the type asked for (matched with the dcql library)",
    codes: ['ERR_REQUESTED_CLAIM_MISSING'],
  },
} as const satisfies Record<string, { about: string; codes: readonly `ERR_${string}`[] }>

export type CheckName = keyof typeof CHECKS

/** The codes a given check fails with. */
export type CheckCodeOf<C extends CheckName> = (typeof CHECKS)[C]['codes'][number]

/** Every code a failed check can carry. */
export type CheckCode = CheckCodeOf<CheckName>
