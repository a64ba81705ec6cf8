import { SELECTABLE_CHECK_NAMES } from '../../verifying/check-selection.js'
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
const errorCode = string('A stable error code', { pattern: '^ERR_[A-Z0-9_]+$' })

/** Check names in the order a presentation verification runs them. */
const CHECK_NAMES = [
  'proof',
  'holderSignature',
  'presentationValidity',
  'challenge',
  'domain',
  'credentialProof',
  'credentialSignature',
  'issuerResolved',
  'issuerAccredited',
  'schema',
  'status',
  'validity',
  'holderIsSubject',
  'requestedTypes',
]

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
    VerifiedCredential: object({
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
    }),
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
    }),
    StatusChangeResult: object({
      credentialId: string(),
      status: credentialState,
      changed: { type: 'boolean', description: 'False when the credential already was in that state' },
      txHash,
      onChain: string(undefined, { enum: ['confirmed', 'pending', 'unchanged'] }),
    }),
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
    Network: object({
      name: string('did:ethr network name'),
      chainId: { type: 'integer' },
      rpcUrl: string('JSON-RPC URL for verifiers'),
      contracts: object(
        Object.fromEntries(['didRegistry', 'trustedIssuers', 'schemas', 'status', 'anchors', 'governance'].map((k) => [k, address])),
      ),
    }),
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
