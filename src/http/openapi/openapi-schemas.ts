import { SELECTABLE_CHECK_NAMES } from '../../verifying/check-selection.js'
import { CHECKS } from '../../verifying/check-codes.js'
import { MAX_DID_LENGTH, PLAIN_DID_PATTERN } from '../../shared/identity/did.js'
import { ISSUER_STATUS } from '../../agent/plugins/trust-registry-plugin.js'
import { AUDIT_ACTIONS } from '../../issuing/audit/audit-log.js'
import { loadSchema } from '../../catalog/schemas/load-schemas.js'
import { CREDENTIAL_TYPE_NAMES } from '../../catalog/credential-types.js'

/** A JSON Schema (2020-12, the OpenAPI 3.1 dialect) as plain data. */
export type SchemaObject = Record<string, unknown>

export const SCHEMA_REF_PREFIX = '#/components/schemas/'

/** `{ $ref }` to a named component schema. */
export const ref = (name: string): SchemaObject => ({ $ref: `${SCHEMA_REF_PREFIX}${name}` })

const string = (description?: string, extra: SchemaObject = {}): SchemaObject => ({
  type: 'string',
  ...(description ? { description } : {}),
  ...extra,
})
const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, type: [schema.type, 'null'] })
const dateTime = (description?: string) => string(description, { format: 'date-time' })
const object = (
  properties: Record<string, SchemaObject>,
  required: string[] = Object.keys(properties),
  extra: SchemaObject = {},
): SchemaObject => ({
  type: 'object',
  required,
  properties,
  ...extra,
})

const did = string('A DID (did:method:id)', { pattern: PLAIN_DID_PATTERN, maxLength: MAX_DID_LENGTH })
const address = string('An Ethereum address', { pattern: '^0x[0-9a-fA-F]{40}$' })
const txHash = nullable(string('Transaction hash; null when nothing was sent or it is not mined yet', { pattern: '^0x[0-9a-f]{64}$' }))
const credentialType = string('A govcred credential type', { enum: [...CREDENTIAL_TYPE_NAMES] })
const credentialState = string('Recorded status of a credential', { enum: ['active', 'suspended', 'revoked'] })
const statusReason = nullable(
  string("The reason given with the credential's latest status change; null when none was given (or no change yet)"),
)
const OFFER_FORMATS = ['dc+sd-jwt', 'jwt_vc_json'] as const
const PRE_AUTHORIZED_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'
const errorCode = string('A stable error code', { pattern: '^ERR_[A-Z0-9_]+$' })

/** Check names in the order a presentation verification runs them. */
/** Every check a verification reports, in the order it reports them (src/verifying/check-codes.ts). */
const CHECK_NAMES = Object.keys(CHECKS)

/**
 * The claims of each govcred type, referenced by the `$id` of its published schema (`schemas/*.json`),
 * selected by the request's `type`.
 */
function claimsByType(typeField: string, claimsField: string): SchemaObject[] {
  return CREDENTIAL_TYPE_NAMES.map((name) => ({
    if: { properties: { [typeField]: { const: name } }, required: [typeField] },
    then: { properties: { [claimsField]: { $ref: loadSchema(name).uri } } },
  }))
}

/**
 * The component schemas of govcred's HTTP API.
 *
 * @example
 * componentSchemas().Error // => { type: 'object', required: ['error'], … }
 */
const VERIFY_CHECKS = {
  type: 'array',
  items: { type: 'string', enum: SELECTABLE_CHECK_NAMES },
  description: 'The optional checks that count (absent: all); the signature checks always run and count',
}

export function componentSchemas(): Record<string, SchemaObject> {
  return {
    Error: object(
      {
        error: object(
          {
            code: errorCode,
            message: string('Human-readable explanation (English)'),
            details: {
              description: 'Optional data about the error; for field problems an array of FieldError',
              oneOf: [{ type: 'array', items: ref('FieldError') }, { type: 'object' }],
            },
          },
          ['code', 'message'],
        ),
      },
      ['error'],
      { description: 'Every error: a stable ERR_ code, a message, optional details. 5xx details are never shown.' },
    ),
    FieldError: object(
      {
        field: string('JSON Pointer of the field in the request'),
        code: string('ERR_FIELD_… code', { pattern: '^ERR_[A-Z0-9_]+$' }),
        message: string(),
      },
      ['field', 'code'],
    ),
    Check: object(
      {
        check: string('Name of the check', { enum: CHECK_NAMES }),
        ok: { type: 'boolean' },
        code: string("'OK' when passed; a stable ERR_ code otherwise", { pattern: '^(OK|ERR_[A-Z0-9_]+)$' }),
        message: string(),
        credential: { type: 'integer', minimum: 0, description: 'Index of the credential in the presentation, for per-credential checks' },
      },
      ['check', 'ok', 'code', 'message'],
    ),
    VerifiedCredential: object(
      {
        index: { type: 'integer', minimum: 0 },
        id: nullable(string()),
        types: { type: 'array', items: string() },
        issuer: nullable(string('Issuer DID')),
        issuerName: nullable(string()),
        subject: nullable(string('Subject (holder) DID')),
        claims: { type: 'object', description: 'The credential subject without its id' },
        validFrom: nullable(dateTime()),
        validUntil: nullable(dateTime()),
        issuerAccredited: { type: 'boolean', description: "The issuer is accredited on chain for the credential's type" },
        verified: { type: 'boolean' },
        statusReference: {
          ...object({ uri: string('The status list token URL'), idx: { type: 'integer', minimum: 0 } }),
          description: "An SD-JWT VC's entry in its issuer's status list: with the issuer it names the credential, which has no id",
        },
      },
      ['index', 'id', 'types', 'issuer', 'issuerName', 'subject', 'claims', 'validFrom', 'validUntil', 'issuerAccredited', 'verified'],
    ),
    VerificationResult: object(
      {
        verified: { type: 'boolean' },
        checks: { type: 'array', items: ref('Check') },
        credentials: { type: 'array', items: ref('VerifiedCredential') },
        holder: nullable(string('The presenter DID')),
        error: { ...object({ code: errorCode, message: string() }), description: 'The first failing check, when not verified' },
        requestedChecks: { type: 'array', items: string(), description: 'With options.checks: the optional checks that count' },
        warnings: { type: 'array', items: ref('Check'), description: 'Checks that ran and failed without counting (options.checks)' },
      },
      ['verified', 'checks', 'credentials'],
    ),
    VerifiableCredential: {
      type: 'object',
      description: 'A W3C verifiable credential (data model 1.1) with a JwtProof2020 proof carrying the VC-JWT',
      required: ['@context', 'type', 'issuer', 'credentialSubject'],
      properties: {
        '@context': { type: 'array', items: string() },
        id: string(),
        type: { type: 'array', items: string() },
        issuer: { oneOf: [string(), object({ id: string(), name: string() }, ['id'])] },
        issuanceDate: dateTime(),
        expirationDate: dateTime(),
        credentialSubject: { type: 'object' },
        credentialSchema: { type: 'object' },
        credentialStatus: {},
        proof: object({ type: string(undefined, { const: 'JwtProof2020' }), jwt: string() }, ['type', 'jwt']),
      },
    },
    IssueRequest: {
      ...object(
        {
          type: credentialType,
          holder: did,
          claims: { type: 'object', description: "Claims of the type's schema; `id`, when given, must equal holder" },
          validFrom: nullable(dateTime('Default now; at most 7 days in the past')),
          validUntil: nullable(dateTime("Default: the type's ceiling for short-lived types, none otherwise")),
        },
        ['type', 'holder', 'claims'],
        { additionalProperties: false },
      ),
      allOf: claimsByType('type', 'claims'),
    },
    IssuedCredential: object(
      {
        id: string('Credential id (urn:uuid:…)'),
        type: credentialType,
        holder: did,
        status: credentialState,
        jwt: string('The VC-JWT'),
        credential: ref('VerifiableCredential'),
        superseded: { type: 'array', items: string(), description: 'Earlier credentials this one revoked (social-security status)' },
        anchor: object({ unitNumber: string(), sequence: { type: 'integer' }, txHash }, undefined, {
          description: "The unit's current-certificate anchor (property certificates)",
        }),
      },
      ['id', 'type', 'holder', 'status', 'jwt', 'credential'],
    ),
    CredentialSummary: object({
      id: string(),
      type: string(),
      format: string('How it is encoded: a VC-JWT, or an SD-JWT VC', { enum: ['jwt_vc_json', 'dc+sd-jwt'] }),
      holder: did,
      status: credentialState,
      issuedAt: dateTime(),
      validFrom: dateTime(),
      validUntil: nullable(dateTime()),
      supersededBy: nullable(string()),
    }),
    CredentialPage: object({
      items: { type: 'array', items: ref('CredentialSummary') },
      nextCursor: nullable(string('Pass as cursor for the next page')),
    }),
    CredentialWithJwt: { allOf: [ref('CredentialSummary'), object({ jwt: string() })] },
    CredentialStatus: object({
      id: string(),
      status: credentialState,
      onChain: object({ revoked: { type: 'boolean' }, suspended: { type: 'boolean' } }),
      recorded: credentialState,
      inSync: { type: 'boolean', description: 'False while a recorded change is not mined yet' },
      reason: statusReason,
    }),
    StatusChangeResult: object({
      credentialId: string(),
      status: credentialState,
      changed: { type: 'boolean', description: 'False when the credential already was in that state' },
      txHash,
      onChain: string(undefined, { enum: ['confirmed', 'pending', 'unchanged'] }),
      reason: statusReason,
    }),
    StatusChangeRequest: object(
      {
        reason: string(
          'Why the department makes the change (e.g. 吊销原因 / the grounds for revocation): kept with the change and in its audit entry (details.reason). Trimmed; no control characters, line breaks or bidirectional overrides',
          { minLength: 1, maxLength: 200 },
        ),
      },
      [],
      {
        additionalProperties: false,
        description: 'Optional: no body, {} or {"reason"}; any other field is refused (400 ERR_INVALID_REQUEST)',
      },
    ),
    VcApiIssueRequest: object(
      {
        credential: {
          type: 'object',
          description: 'An unsigned credential: VerifiableCredential plus at most one govcred type; credentialSubject.id is the holder',
        },
        options: { type: 'object' },
      },
      ['credential'],
    ),
    VcApiIssueResponse: object({ verifiableCredential: ref('VerifiableCredential') }),
    OAuthError: object(
      {
        error: string('The OAuth 2.0 / OpenID4VCI error code (invalid_grant, invalid_proof, invalid_nonce, …)', {
          pattern: '^[a-z_]+$',
        }),
        error_description: string('Human-readable explanation (English)'),
        govcred_code: errorCode,
      },
      ['error', 'error_description', 'govcred_code'],
      {
        description:
          "A refusal of the token, nonce or credential endpoint in the OAuth 2.0 / OpenID4VCI shape, with govcred's stable code beside it.",
      },
    ),
    CredentialIssuerMetadata: object(
      {
        credential_issuer: string('BASE/oid4vci/{departmentId}; also the iss of its SD-JWT VCs'),
        credential_endpoint: string(),
        nonce_endpoint: string(),
        display: { type: 'array', items: object({ name: string(), locale: string() }, ['name']) },
        credential_configurations_supported: {
          type: 'object',
          description: 'By configuration id: <Type>_sd_jwt (dc+sd-jwt) and <Type>_jwt_vc_json',
          additionalProperties: object(
            {
              format: string(undefined, { enum: [...OFFER_FORMATS] }),
              vct: string('The type metadata URL (dc+sd-jwt): BASE/vct/{Type}'),
              scope: string(),
              credential_definition: object({ type: { type: 'array', items: string() } }),
              cryptographic_binding_methods_supported: { type: 'array', items: string() },
              credential_signing_alg_values_supported: { type: 'array', items: string() },
              proof_types_supported: { type: 'object' },
              display: { type: 'array', items: { type: 'object' } },
            },
            ['format'],
          ),
        },
      },
      ['credential_issuer', 'credential_endpoint', 'nonce_endpoint', 'credential_configurations_supported'],
    ),
    AuthorizationServerMetadata: object(
      {
        issuer: string('The credential_issuer: each department is its own authorization server'),
        token_endpoint: string(),
        jwks_uri: string(),
        grant_types_supported: { type: 'array', items: string(undefined, { const: PRE_AUTHORIZED_CODE_GRANT }) },
        'pre-authorized_grant_anonymous_access_supported': { type: 'boolean' },
        token_endpoint_auth_methods_supported: { type: 'array', items: string() },
        dpop_signing_alg_values_supported: { type: 'array', items: string() },
      },
      ['issuer', 'token_endpoint', 'grant_types_supported'],
    ),
    JwkSet: object({
      keys: {
        type: 'array',
        items: object({ kty: string(), crv: string(), x: string(), y: string(), kid: string(), alg: string(), use: string() }, ['kty']),
      },
    }),
    CredentialOffer: object(
      {
        credential_issuer: string(),
        credential_configuration_ids: { type: 'array', items: string(), minItems: 1 },
        grants: object(
          {
            [PRE_AUTHORIZED_CODE_GRANT]: object(
              {
                'pre-authorized_code': string('One-time; expires with the offer'),
                tx_code: object(
                  {
                    input_mode: string(undefined, { const: 'numeric' }),
                    length: { type: 'integer', const: 6 },
                    description: string(),
                  },
                  ['input_mode', 'length'],
                ),
              },
              ['pre-authorized_code', 'tx_code'],
            ),
          },
          [PRE_AUTHORIZED_CODE_GRANT],
        ),
      },
      ['credential_issuer', 'credential_configuration_ids', 'grants'],
    ),
    TokenRequest: object(
      {
        grant_type: string(undefined, { const: PRE_AUTHORIZED_CODE_GRANT }),
        'pre-authorized_code': string('From the credential offer'),
        tx_code: string('The six-digit transaction code the applicant was given', { pattern: '^[0-9]{6}$' }),
      },
      ['grant_type', 'pre-authorized_code', 'tx_code'],
      { description: 'application/x-www-form-urlencoded; each parameter once' },
    ),
    AccessTokenResponse: object(
      {
        access_token: string(),
        token_type: string(undefined, { enum: ['Bearer', 'DPoP'] }),
        expires_in: { type: 'integer', minimum: 1 },
      },
      ['access_token', 'token_type', 'expires_in'],
    ),
    NonceResponse: object({ c_nonce: string('One-time; put it in the key proof') }, ['c_nonce']),
    CredentialRequest: object(
      {
        credential_configuration_id: string('The offered configuration, e.g. BusinessLicenseCredential_sd_jwt'),
        format: string('Draft-style requests only, instead of credential_configuration_id'),
        vct: string(),
        credential_definition: object({ type: { type: 'array', items: string() } }),
        proof: object({ proof_type: string(undefined, { const: 'jwt' }), jwt: string() }),
        proofs: object({ jwt: { type: 'array', items: string(), minItems: 1, maxItems: 1 } }),
      },
      [],
      { description: 'One jwt key proof (proof or proofs.jwt): typ openid4vci-proof+jwt, aud, iat, nonce' },
    ),
    CredentialResponse: object({
      credentials: { type: 'array', minItems: 1, maxItems: 1, items: object({ credential: string('The compact SD-JWT VC or VC-JWT') }) },
    }),
    CredentialOfferRequest: {
      ...object(
        {
          type: credentialType,
          claims: { type: 'object', description: "Claims of the type's schema, without id (the holder is the wallet's key)" },
          format: string('Default dc+sd-jwt where the node issues SD-JWT VCs, jwt_vc_json otherwise', { enum: [...OFFER_FORMATS] }),
          holderHint: string('A note for the department (e.g. the applicant), at most 200 characters', { maxLength: 200 }),
          validUntil: dateTime("Default: the type's ceiling for short-lived types, none otherwise"),
        },
        ['type', 'claims'],
        { additionalProperties: false },
      ),
      allOf: claimsByType('type', 'claims'),
    },
    CreatedCredentialOffer: object({
      id: string('The offer id'),
      type: credentialType,
      format: string(undefined, { enum: [...OFFER_FORMATS] }),
      status: string(undefined, { const: 'offered' }),
      offerUri: string('The deep link: openid-credential-offer://?credential_offer_uri=…', { pattern: '^openid-credential-offer://' }),
      credentialOfferUri: string('Where the offer is served (public, unguessable)'),
      qrSvg: string('The deep link as a QR code (SVG)'),
      txCode: string('The six-digit transaction code for the applicant: in this answer only', { pattern: '^[0-9]{6}$' }),
      expiresAt: dateTime(),
    }),
    CredentialOfferStatus: object({
      id: string(),
      type: credentialType,
      format: string(undefined, { enum: [...OFFER_FORMATS] }),
      status: string('offered, redeemed, expired or voided (too many wrong transaction codes)', {
        enum: ['offered', 'redeemed', 'expired', 'voided'],
      }),
      createdAt: dateTime(),
      expiresAt: dateTime(),
      holderHint: nullable(string()),
      txCodeAttempts: { type: 'integer', minimum: 0, description: 'Wrong transaction codes so far' },
      tokenIssuedAt: nullable(dateTime()),
      redeemedAt: nullable(dateTime()),
      credentialId: nullable(string('The credential issued through the offer')),
      voidedAt: nullable(dateTime()),
      voidReason: nullable(string()),
    }),
    PropertyTransferRequest: object(
      {
        sellerCredentialId: string('The current certificate of the unit', { maxLength: 200 }),
        buyer: did,
        claims: { $ref: loadSchema('PropertyCertificateCredential').uri },
        validFrom: nullable(dateTime()),
        validUntil: nullable(dateTime()),
      },
      ['sellerCredentialId', 'buyer', 'claims'],
    ),
    PropertyTransferResult: object({
      buyerCredential: object({ id: string(), jwt: string(), credential: ref('VerifiableCredential') }),
      seller: object({ credentialId: string(), status: string(undefined, { const: 'revoked' }), txHash }),
      anchor: object({ unitNumber: string(), sequence: { type: 'integer' }, txHash }),
      onChain: string(undefined, { enum: ['confirmed', 'pending'] }),
    }),
    CurrentCertificateRequest: object({
      certificate: string('The property certificate VC-JWT (in the body: never in a URL)', { minLength: 1, maxLength: 20000 }),
    }),
    CurrentCertificate: object({
      unitNumber: string(),
      current: {
        type: 'boolean',
        description: "True only when the certificate verified (every check) and the chain holds its anchor as the unit's current one",
      },
      verified: { type: 'boolean', description: 'Every check of a credential verification passed (see checks)' },
      issuer: object({ did: string(), name: nullable(string('As accredited on chain; null when not accredited')) }),
      checks: { type: 'array', items: ref('Check') },
      anchoredAt: nullable(dateTime('When the anchor was written; null unless current')),
      sequence: nullable({ type: 'integer', description: "The certificate's sequence for its unit; null unless verified" }),
    }),
    Openid4vpResponseForm: object(
      {
        vp_token: string('JSON: {"<credential query id>": ["<presentation>"]}'),
        state: string("The request id (the request object's state)"),
        error: string("A wallet's error response instead of vp_token (e.g. access_denied)"),
        error_description: string(),
        response: string(
          "direct_post.jwt only, and then alone: a compact JWE (ECDH-ES to the key in the request object's client_metadata.jwks, A128GCM or A256GCM, its kid) of the JSON object {vp_token, state} (or {error, state})",
        ),
      },
      [],
    ),
    Openid4vpResponseAck: object({ redirect_uri: string('Where the wallet sends the user back to') }, []),
    PresentationRequestInput: object({
      credentialTypes: { type: 'array', items: credentialType, minItems: 1, maxItems: 10, uniqueItems: true },
      purpose: string('Shown to the holder', { minLength: 1, maxLength: 500 }),
    }),
    PresentationRequest: object(
      {
        id: string(),
        challenge: string('Random, used once'),
        domain: string('The audience the presentation must name'),
        credentialTypes: { type: 'array', items: credentialType },
        purpose: string(),
        expiresAt: dateTime(),
        createdAt: dateTime(),
        usedAt: nullable(dateTime()),
        used: { type: 'boolean' },
        verifier: ref('VerifierIdentity'),
        result: { oneOf: [ref('PresentationOutcome'), { type: 'null' }] },
      },
      ['id', 'challenge', 'domain', 'credentialTypes', 'purpose', 'expiresAt'],
    ),
    VerifierIdentity: object(
      {
        id: string('The registered relying party (govcred relying-party create)'),
        name: object({ 'zh-CN': string('Display name shown to the holder'), en: string('Display name in English') }),
      },
      ['id', 'name'],
      { description: 'Who asks: present on the requests of a registered relying party, absent on anonymous ones' },
    ),
    PresentationOutcome: object(
      {
        verified: { type: 'boolean' },
        code: string("'OK', or the first failing check's code"),
        holder: nullable(string('The DID that signed the presentation')),
      },
      ['verified', 'code', 'holder'],
      { description: 'What is kept of the presentation that used the request (no claims)' },
    ),
    PresentationRequestResult: object(
      {
        id: string(),
        createdAt: dateTime(),
        usedAt: nullable(dateTime()),
        used: { type: 'boolean' },
        result: { oneOf: [ref('PresentationOutcome'), { type: 'null' }] },
      },
      ['id', 'createdAt', 'usedAt', 'used', 'result'],
    ),
    VerifyPresentationRequest: object({
      presentation: { description: 'A VP-JWT, or a presentation with a JwtProof2020 proof', oneOf: [string(), { type: 'object' }] },
      requestId: string('From POST /v1/presentation-requests'),
    }),
    VcApiVerifyPresentationRequest: object({
      verifiablePresentation: { oneOf: [string(), { type: 'object' }] },
      options: object({ challenge: string(undefined, { minLength: 8, maxLength: 200 }), domain: string(), checks: VERIFY_CHECKS }, [
        'challenge',
      ]),
    }),
    VcApiVerifyCredentialRequest: object({
      verifiableCredential: { oneOf: [string(), { type: 'object' }] },
      options: object({ checks: VERIFY_CHECKS }),
    }),
    AuditEntry: object({
      seq: { type: 'integer', description: 'Increasing across departments' },
      departmentId: string(),
      at: dateTime(),
      actor: string('API key id, or cli:<user>'),
      action: string(undefined, { enum: [...AUDIT_ACTIONS] }),
      credentialId: nullable(string()),
      txHash,
      details: { type: 'object' },
      prevHash: string("The department's previous entry's hash"),
      hash: string(),
    }),
    AuditPage: object({
      entries: { type: 'array', items: ref('AuditEntry'), description: 'Newest first' },
      nextBefore: nullable({ type: 'integer', description: 'Pass as before for the next (older) page' }),
    }),
    AuditVerification: object(
      {
        ok: { type: 'boolean' },
        departmentId: string(),
        entries: { type: 'integer' },
        head: object({ seq: { type: 'integer' }, hash: string() }),
        problems: { type: 'array', items: object({ seq: nullable({ type: 'integer' }), code: errorCode, message: string() }) },
      },
      ['ok', 'departmentId', 'entries', 'problems'],
    ),
    Network: object(
      {
        name: string('did:ethr network name'),
        chainId: { type: 'integer' },
        rpcUrl: string('JSON-RPC URL for verifiers'),
        contracts: object(
          Object.fromEntries(['didRegistry', 'trustedIssuers', 'schemas', 'status', 'anchors', 'governance'].map((k) => [k, address])),
        ),
        issuerTrust: object(
          {
            x509RootCertificatePem: string(
              'The consortium root CA certificate (PEM) that wallets and verifiers trust for SD-JWT VC x5c chains',
            ),
            x509RootCertificateSha256: string('SHA-256 of its DER, hex'),
            subject: string(),
            validTo: dateTime(),
            sdJwtVc: object({ alg: string(), x5c: string(), onChainKey: string() }),
            openid4vpVerifiers: object({ clientIdPrefix: string(), x5c: string() }, undefined, {
              description: "The same root certifies the relying parties' OpenID4VP request-object keys (client_id x509_san_dns:<domain>)",
            }),
          },
          undefined,
          { description: "A full node only: what to trust the departments' SD-JWT VCs and the relying parties' signed requests by" },
        ),
      },
      ['name', 'chainId', 'rpcUrl', 'contracts'],
    ),
    SdJwtVcTypeMetadata: object(
      {
        vct: string('This URL'),
        name: string(),
        description: string(),
        display: {
          type: 'array',
          items: object({ lang: string(undefined, { enum: ['zh-CN', 'en'] }), name: string(), description: string() }),
        },
        claims: {
          type: 'array',
          items: object(
            {
              path: { type: 'array', items: { type: ['string', 'null'] } },
              display: { type: 'array', items: object({ lang: string(), label: string(), description: string() }) },
              sd: string(undefined, { enum: ['always', 'allowed', 'never'] }),
            },
            ['path', 'sd'],
          ),
        },
      },
      ['vct', 'name', 'display', 'claims'],
    ),
    Issuer: object({
      did,
      account: address,
      name: string(),
      unifiedSocialCreditCode: string(),
      credentialTypes: { type: 'array', items: string(), description: 'Type names (a hash when unknown to this node)' },
      status: string(undefined, { enum: [...ISSUER_STATUS] }),
      accreditedNow: { type: 'boolean' },
      validFrom: dateTime(),
      validUntil: nullable(dateTime('null: no end')),
      registeredAt: dateTime(),
      statusChangedAt: dateTime(),
    }),
    IssuerList: object({ issuers: { type: 'array', items: ref('Issuer') } }),
    Health: object({
      status: string(undefined, { enum: ['ok', 'unavailable'] }),
      chain: object({ ok: { type: 'boolean' }, blockNumber: { type: 'integer' }, chainId: { type: 'integer' }, error: string() }, ['ok']),
      database: object({ ok: { type: 'boolean' }, mode: string(), error: string() }, ['ok']),
    }),
    DidResolutionResult: object(
      {
        '@context': string(undefined, { const: 'https://w3id.org/did-resolution/v1' }),
        didDocument: nullable({ type: 'object' }),
        didResolutionMetadata: {
          type: 'object',
          properties: { contentType: string(), error: string('invalidDid, notFound, methodNotSupported, …') },
        },
        didDocumentMetadata: { type: 'object' },
      },
      ['didResolutionMetadata', 'didDocumentMetadata'],
    ),
    OpenApiDocument: object({ openapi: string(undefined, { pattern: '^3\\.1\\.' }) }, ['openapi'], {
      description: 'This document (OpenAPI 3.1)',
    }),
  }
}
