import { AUDIT_ACTIONS } from '../../issuing/audit/audit-log.js'
import type { ApiErrorCode } from '../../shared/errors/error-codes.js'
import { ref, type SchemaObject } from './openapi-schemas.js'

export type PathItems = Record<string, Record<string, SchemaObject>>

interface OperationSpec {
  operationId: string
  tag: string
  summary: string
  description?: string
  /** Department routes: Bearer API key, 401 documented. */
  department?: boolean
  /**
   * Relying-party routes: an optional Bearer key (`grp_…`, govcred relying-party create); `owner` when a
   * relying party's request answers only to that party's key.
   */
  relyingParty?: 'optional' | 'owner'
  parameters?: SchemaObject[]
  body?: string
  responses: Record<number, SchemaObject>
  /** The stable ERR_ codes each error status answers with. */
  errors?: Record<number, ApiErrorCode[]>
  /** The route writes to the database: 503 ERR_STORAGE_UNAVAILABLE when it cannot (disk full, I/O error). */
  writes?: boolean
}

const REASON: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media encoding',
  422: 'Unprocessable content',
  429: 'Too many requests',
  502: 'Bad gateway',
  503: 'Service unavailable',
}

const json = (schema: SchemaObject) => ({ 'application/json': { schema } })
const reply = (description: string, schema: string, headers?: SchemaObject): SchemaObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(ref(schema)),
})
const header = (description: string) => ({ description, schema: { type: 'string' } })
const pathParam = (name: string, description: string, example?: string): SchemaObject => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
  ...(example ? { example } : {}),
})
const query = (name: string, description: string, schema: SchemaObject = { type: 'string' }, required = false): SchemaObject => ({
  name,
  in: 'query',
  required,
  description,
  schema,
})

function errorResponse(status: number, codes: ApiErrorCode[]): SchemaObject {
  return { description: `${REASON[status]}: ${codes.join(', ')}`, 'x-error-codes': codes, content: json(ref('Error')) }
}

/** Turns a spec into an OpenAPI operation, adding the errors every body / every department route can give. */
function operation(spec: OperationSpec): SchemaObject {
  const errors: Record<number, ApiErrorCode[]> = {}
  const add = (status: number, codes: ApiErrorCode[]) => void (errors[status] = [...new Set([...(errors[status] ?? []), ...codes])])
  if (spec.body) {
    add(400, ['ERR_MALFORMED_JSON', 'ERR_BAD_REQUEST'])
    add(413, ['ERR_BODY_TOO_LARGE'])
    add(415, ['ERR_UNSUPPORTED_ENCODING'])
  }
  if (spec.department) add(401, ['ERR_AUTH_REQUIRED', 'ERR_AUTH_INVALID'])
  // Public routes: a budget per client per minute and a cap on requests in flight (src/http/rate-limits.ts).
  if (!spec.department) {
    add(429, ['ERR_RATE_LIMITED'])
    add(503, ['ERR_BUSY'])
  }
  if (spec.writes) add(503, ['ERR_STORAGE_UNAVAILABLE'])
  if (spec.relyingParty) add(401, spec.relyingParty === 'owner' ? ['ERR_AUTH_REQUIRED', 'ERR_AUTH_INVALID'] : ['ERR_AUTH_INVALID'])
  for (const [status, codes] of Object.entries(spec.errors ?? {})) add(Number(status), codes)
  const responses: Record<string, SchemaObject> = { ...spec.responses }
  for (const [status, codes] of Object.entries(errors).sort(([a], [b]) => Number(a) - Number(b))) {
    responses[status] ??= errorResponse(Number(status), codes)
  }
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.department ? { security: [{ bearerAuth: [] }] } : {}),
    ...(spec.relyingParty ? { security: [{ relyingPartyAuth: [] }, {}] } : {}),
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.body ? { requestBody: { required: true, content: json(ref(spec.body)) } } : {}),
    responses,
  }
}

const RPC_REQUEST: SchemaObject = {
  type: 'object',
  required: ['jsonrpc', 'method'],
  properties: {
    jsonrpc: { const: '2.0' },
    id: { type: ['string', 'number', 'null'] },
    method: { type: 'string', example: 'eth_blockNumber' },
    params: { type: 'array' },
  },
}
const RPC_REQUESTS: SchemaObject = { oneOf: [RPC_REQUEST, { type: 'array', items: RPC_REQUEST, minItems: 1, maxItems: 100 }] }
const RPC_ANSWER: SchemaObject = {
  type: 'object',
  required: ['jsonrpc', 'id'],
  properties: {
    jsonrpc: { const: '2.0' },
    id: { type: ['string', 'number', 'null'] },
    result: {},
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'integer' }, message: { type: 'string' }, data: {} },
    },
  },
}
const RPC_ANSWERS: SchemaObject = { oneOf: [RPC_ANSWER, { type: 'array', items: RPC_ANSWER }] }
const DID_EXAMPLE = 'did:ethr:govcred:0x0000000000000000000000000000000000000001'
const CHAIN: Record<number, ApiErrorCode[]> = { 503: ['ERR_CHAIN_UNAVAILABLE'] }
const RESOLUTION_TYPE = 'application/ld+json;profile="https://w3id.org/did-resolution";charset=utf-8'
const resolution = (description: string) => ({ description, content: { [RESOLUTION_TYPE]: { schema: ref('DidResolutionResult') } } })
const verification = (
  body: string,
  operationId: string,
  summary: string,
  description: string,
  extra: Pick<OperationSpec, 'relyingParty' | 'errors' | 'writes'> = {},
) =>
  operation({
    operationId,
    tag: 'verification',
    summary,
    description,
    body,
    responses: {
      200: reply('Verified: every check passed', 'VerificationResult'),
      422: reply('Not verified: the failing checks carry their ERR_ codes (see Check)', 'VerificationResult'),
    },
    relyingParty: extra.relyingParty,
    writes: extra.writes,
    errors: { 400: ['ERR_INVALID_REQUEST'], ...CHAIN, ...extra.errors },
  })

/**
 * Paths served in both modes: health, network, issuers, the DID resolver driver, the verifier API and
 * this document.
 *
 * @example
 * Object.keys(sharedPaths()) // => ['/healthz', '/openapi.json', '/v1/network', …]
 */
export function sharedPaths(): PathItems {
  return {
    '/healthz': {
      get: operation({
        operationId: 'getHealth',
        tag: 'service',
        summary: 'Chain reachable and database answering',
        responses: { 200: reply('Healthy', 'Health'), 503: reply('The chain or the database does not answer', 'Health') },
      }),
    },
    '/openapi.json': {
      get: operation({
        operationId: 'getOpenApiDocument',
        tag: 'service',
        summary: 'This OpenAPI document',
        responses: { 200: reply('The document for this mode', 'OpenApiDocument') },
      }),
    },
    '/v1/network': {
      get: operation({
        operationId: 'getNetwork',
        tag: 'network',
        summary: 'Network name, chain id, RPC URL and registry addresses',
        description: 'Everything a verifier needs to configure a stock ethr-did-resolver and find the registries.',
        responses: { 200: reply('The network', 'Network') },
      }),
    },
    '/v1/chain/rpc': {
      post: {
        ...operation({
          operationId: 'chainRpc',
          tag: 'network',
          summary: 'Read-only JSON-RPC 2.0 of the chain (the rpcUrl of /v1/network)',
          description:
            'Single requests and batches (at most 100) of eth_chainId, net_version, eth_blockNumber, eth_call (to a contract, no state overrides), eth_getCode, eth_getLogs (at most 5,000 blocks), eth_getBlockByNumber, eth_getBlockByHash and eth_getTransactionReceipt, forwarded to the node. Every other method is refused with -32601; errors are JSON-RPC error objects with HTTP 200. When the node does not answer: HTTP 503, -32603 with data.code ERR_CHAIN_UNAVAILABLE.',
          responses: {
            200: {
              description: 'JSON-RPC answers (an array for a batch); refusals carry -32700, -32600, -32601 or -32602',
              'x-error-codes': [-32700, -32600, -32601, -32602, -32603],
              content: json(RPC_ANSWERS),
            },
            503: {
              description: 'Service unavailable: the node does not answer (-32603, data.code ERR_CHAIN_UNAVAILABLE)',
              'x-error-codes': ['ERR_CHAIN_UNAVAILABLE'],
              content: json(RPC_ANSWERS),
            },
          },
          errors: { 413: ['ERR_BODY_TOO_LARGE'], 415: ['ERR_UNSUPPORTED_ENCODING'] },
        }),
        requestBody: { required: true, content: json(RPC_REQUESTS) },
      },
    },
    '/v1/issuers': {
      get: operation({
        operationId: 'listIssuers',
        tag: 'issuers',
        summary: 'The trusted-issuer registry, read from the chain',
        responses: { 200: reply('The issuers', 'IssuerList') },
        errors: CHAIN,
      }),
    },
    '/v1/issuers/{did}': {
      get: operation({
        operationId: 'getIssuer',
        tag: 'issuers',
        summary: 'One trusted issuer',
        parameters: [pathParam('did', 'A did:ethr or an address', DID_EXAMPLE)],
        responses: { 200: reply('The issuer', 'Issuer') },
        errors: { 400: ['ERR_INVALID_DID'], 404: ['ERR_ISSUER_NOT_FOUND'], ...CHAIN },
      }),
    },
    '/1.0/identifiers/{did}': {
      get: {
        operationId: 'resolveDid',
        tags: ['resolver'],
        summary: 'Universal Resolver driver: resolve a DID',
        description:
          "The DID Resolution spec's HTTP(S) binding. Errors keep the resolution result shape; didResolutionMetadata.error names the problem. Accept: application/did-resolution (or application/ld+json) for the result, application/did+ld+json or application/did+json for the document alone.",
        parameters: [pathParam('did', 'The DID to resolve', DID_EXAMPLE)],
        responses: {
          200: resolution('The DID document'),
          400: resolution('invalidDid'),
          404: resolution('notFound (also unknownNetwork: a did:ethr network this resolver has no registry for)'),
          406: resolution('representationNotSupported'),
          410: resolution('The DID is deactivated (didDocumentMetadata.deactivated)'),
          501: resolution('methodNotSupported (unsupportedDidMethod), or featureNotSupported for a DID URL'),
          503: resolution('internalError: the chain cannot be read right now (ERR_CHAIN_UNAVAILABLE in the message)'),
        },
      },
    },
    '/v1/presentation-requests': {
      post: operation({
        operationId: 'createPresentationRequest',
        tag: 'verification',
        summary: 'Create a presentation request (challenge, domain, expiry)',
        description:
          'A registered relying party sends its key (`Authorization: Bearer grp_…`): the request carries its display names (`verifier`) and only it reads the result. Without a key the request is anonymous, taken only where GOVCRED_ANONYMOUS_REQUESTS is on (401 ERR_RELYING_PARTY_REQUIRED otherwise) and capped at GOVCRED_ANONYMOUS_REQUESTS_MAX open requests (429 ERR_TOO_MANY_OPEN_REQUESTS with Retry-After).',
        relyingParty: 'optional',
        body: 'PresentationRequestInput',
        responses: { 201: reply('The request to send to the holder', 'PresentationRequest') },
        writes: true,
        errors: { 401: ['ERR_RELYING_PARTY_REQUIRED'], 422: ['ERR_INVALID_REQUEST'], 429: ['ERR_TOO_MANY_OPEN_REQUESTS'] },
      }),
    },
    '/v1/presentation-requests/{id}': {
      get: operation({
        operationId: 'getPresentationRequest',
        tag: 'verification',
        summary: 'Read a presentation request (what the wallet fetches)',
        description:
          "Anyone holding the id reads what the holder needs (with `verifier` for a relying party's request). The owner's key adds createdAt, usedAt, used and result; another relying party's key gets 404.",
        relyingParty: 'optional',
        parameters: [pathParam('id', 'The request id')],
        responses: {
          200: reply(
            "The request; with the owner's key (or when anonymous) also createdAt, usedAt, used and result",
            'PresentationRequest',
          ),
        },
        errors: { 404: ['ERR_UNKNOWN_REQUEST'] },
      }),
    },
    '/v1/presentation-requests/{id}/result': {
      get: operation({
        operationId: 'getPresentationRequestResult',
        tag: 'verification',
        summary: 'Whether the request was answered, and the outcome (the owner only)',
        description:
          "A relying party's request answers to that party's key only: 401 without a key, 404 for another party's key. An anonymous request's result is anyone's who holds the id.",
        relyingParty: 'owner',
        parameters: [pathParam('id', 'The request id')],
        responses: { 200: reply('Used or not, and the outcome of the presentation that used it', 'PresentationRequestResult') },
        errors: { 404: ['ERR_UNKNOWN_REQUEST'] },
      }),
    },
    '/v1/presentations/verify': {
      post: verification(
        'VerifyPresentationRequest',
        'verifyPresentation',
        'Verify a presentation answering a presentation request',
        "The request is used up once a presentation signed by its holder arrives, whatever the outcome. A relying party's request is verified with that party's key only (401 without, 404 with another's).",
        { relyingParty: 'owner', errors: { 404: ['ERR_UNKNOWN_REQUEST'] }, writes: true },
      ),
    },
    '/presentations/verify': {
      post: verification(
        'VcApiVerifyPresentationRequest',
        'vcApiVerifyPresentation',
        'W3C VC-API: verify a presentation',
        "options.challenge is required and accepted once; a presentation request's challenge is refused here. The used challenge is kept for an hour, so the presentation must carry an iat at most an hour old (or an exp within the hour): otherwise it is refused ERR_PRESENTATION_EXPIRED. options.checks selects the credential checks that count, as for POST /credentials/verify; the presentation's own checks always count.",
        { writes: true, errors: { 400: ['ERR_INVALID_REQUEST', 'ERR_UNKNOWN_CHECK'] } },
      ),
    },
    '/credentials/verify': {
      post: verification(
        'VcApiVerifyCredentialRequest',
        'vcApiVerifyCredential',
        'W3C VC-API: verify one credential',
        "A VC-JWT, or its JSON form with a JwtProof2020 proof: the JSON must state exactly what the JWT signs (ERR_JSON_FORM_MISMATCH). Without options.checks every check counts. With it (VC-API names: proof, credentialStatus, expiration, credentialSchema, issuer), verified means: the signature checks, which always run, and the selected ones passed. The issuer's accreditation always runs: when not selected and failed it is reported in warnings, the credential's issuerAccredited is false and no issuer name is shown.",
        { errors: { 400: ['ERR_INVALID_REQUEST', 'ERR_UNKNOWN_CHECK'] } },
      ),
    },
  }
}

const NOT_ISSUABLE: ApiErrorCode[] = [
  'ERR_SCHEMA_NOT_ANCHORED',
  'ERR_SCHEMA_HASH_MISMATCH',
  'ERR_STATUS_LIST_FULL',
  'ERR_STATUS_INDEX_EXHAUSTED',
]
const ISSUE_ERRORS: Record<number, ApiErrorCode[]> = {
  403: ['ERR_SCOPE', 'ERR_NOT_ACCREDITED'],
  409: ['ERR_UNIT_HAS_CURRENT_CERTIFICATE', ...NOT_ISSUABLE],
  ...CHAIN,
}
const INVALID: ApiErrorCode[] = ['ERR_INVALID_REQUEST', 'ERR_INVALID_HOLDER', 'ERR_CLAIMS_INVALID', 'ERR_VALIDITY']
const LIMIT = query('limit', '1 to 200, default 50', { type: 'integer', minimum: 1, maximum: 200, default: 50 })
const CREDENTIAL_ID = pathParam('id', 'The credential id (urn:uuid:…)')
const PREFER = {
  name: 'Prefer',
  in: 'header',
  required: false,
  schema: { type: 'string', examples: ['respond-async'] },
  description: 'RFC 7240: respond-async answers once the change is recorded (202), not once it is mined',
}

function statusChange(action: 'revoke' | 'suspend' | 'reinstate', summary: string): SchemaObject {
  return operation({
    operationId: `${action}Credential`,
    tag: 'credentials',
    summary,
    department: true,
    parameters: [CREDENTIAL_ID, PREFER],
    writes: true,
    responses: {
      200: reply('Mined (confirmed), or already in that state (unchanged)', 'StatusChangeResult'),
      202: reply('Recorded; sent with the next status batch (pending)', 'StatusChangeResult', {
        Location: header('The credential status URL'),
        'Preference-Applied': header('respond-async, when asked'),
      }),
    },
    // Revocation is final: suspending or reinstating a revoked credential conflicts; revoking it again is a no-op.
    errors:
      action === 'revoke'
        ? { 404: ['ERR_CREDENTIAL_NOT_FOUND'], 502: ['ERR_STATUS_WRITE_REFUSED'] }
        : { 404: ['ERR_CREDENTIAL_NOT_FOUND'], 409: ['ERR_CREDENTIAL_REVOKED'], 502: ['ERR_STATUS_WRITE_REFUSED'] },
  })
}

/**
 * Paths of the issuing side (full mode only): the department credential API, the VC-API issuer route,
 * property transfers and the audit trail.
 *
 * @example
 * issuerPaths()['/v1/credentials'].post.security // => [{ bearerAuth: [] }]
 */
export function issuerPaths(): PathItems {
  return {
    '/v1/credentials': {
      post: operation({
        operationId: 'issueCredential',
        tag: 'credentials',
        summary: 'Issue a credential (VC-JWT) to a holder',
        department: true,
        description:
          'No transaction is sent. A property certificate anchors the unit; a social-security status supersedes the previous one.',
        body: 'IssueRequest',
        responses: { 201: reply('Issued', 'IssuedCredential', { Location: header('The credential URL') }) },
        writes: true,
        errors: { ...ISSUE_ERRORS, 422: [...INVALID, 'ERR_UNKNOWN_TYPE'] },
      }),
      get: operation({
        operationId: 'listCredentials',
        tag: 'credentials',
        summary: "The department's credentials, newest first",
        department: true,
        parameters: [
          query('type', 'Credential type'),
          query('status', 'active, suspended or revoked', { type: 'string', enum: ['active', 'suspended', 'revoked'] }),
          query('holder', 'Holder DID'),
          query('subject', "The type's subject key (USCC, unit number, masked ID number)"),
          query('issuedFrom', 'ISO 8601 date or date-time'),
          query('issuedUntil', 'ISO 8601 date or date-time'),
          LIMIT,
          query('cursor', "The previous page's nextCursor"),
        ],
        responses: { 200: reply('A page', 'CredentialPage') },
        errors: { 400: ['ERR_INVALID_QUERY'] },
      }),
    },
    '/v1/credentials/{id}': {
      get: operation({
        operationId: 'getCredential',
        tag: 'credentials',
        summary: 'One credential of the department, with its JWT',
        department: true,
        parameters: [CREDENTIAL_ID],
        responses: { 200: reply('The credential', 'CredentialWithJwt') },
        errors: { 404: ['ERR_CREDENTIAL_NOT_FOUND'] },
      }),
    },
    '/v1/credentials/{id}/status': {
      get: operation({
        operationId: 'getCredentialStatus',
        tag: 'credentials',
        summary: 'Status bits on chain vs the recorded status',
        department: true,
        parameters: [CREDENTIAL_ID],
        responses: { 200: reply('The status', 'CredentialStatus') },
        errors: { 404: ['ERR_CREDENTIAL_NOT_FOUND'], ...CHAIN },
      }),
    },
    '/v1/credentials/{id}/revoke': { post: statusChange('revoke', 'Revoke (final; repeating it is a no-op)') },
    '/v1/credentials/{id}/suspend': { post: statusChange('suspend', 'Suspend') },
    '/v1/credentials/{id}/reinstate': { post: statusChange('reinstate', 'Lift a suspension') },
    '/credentials/issue': {
      post: operation({
        operationId: 'vcApiIssueCredential',
        tag: 'vc-api',
        summary: 'W3C VC-API: issue a credential',
        department: true,
        description:
          "The credential is read as VCDM 1.1 requires, each malformed case a 400 with its own code: @context a list of URLs starting with https://www.w3.org/2018/credentials/v1, type a list of strings with VerifiableCredential, issuer the calling department's DID (a string or {id}), credentialSubject an object whose id is the holder DID, dates XML Schema dateTimes, an optional urn:uuid id (409 when already used). A govcred type's claims are then checked as in POST /v1/credentials (422); the base type alone is issued as a generic, schema-less credential, only where GOVCRED_GENERIC_ISSUANCE is on and for a key scoped for VerifiableCredential ('*' does not imply it). The answer carries a described JwtProof2020 proof (created, verificationMethod, proofPurpose, proofValue = jwt).",
        body: 'VcApiIssueRequest',
        responses: { 201: reply('Issued', 'VcApiIssueResponse') },
        writes: true,
        errors: {
          ...ISSUE_ERRORS,
          400: [
            'ERR_INVALID_REQUEST',
            'ERR_CONTEXT_INVALID',
            'ERR_TYPE_INVALID',
            'ERR_UNKNOWN_TYPE',
            'ERR_INVALID_ISSUER',
            'ERR_INVALID_HOLDER',
            'ERR_VALIDITY',
            'ERR_UNSUPPORTED_PROPERTY',
            'ERR_UNSUPPORTED_OPTION',
          ],
          403: [...ISSUE_ERRORS[403]!, 'ERR_GENERIC_ISSUANCE_DISABLED', 'ERR_GENERIC_SCOPE_REQUIRED'],
          409: [...ISSUE_ERRORS[409]!, 'ERR_DUPLICATE_CREDENTIAL_ID'],
          422: ['ERR_CLAIMS_INVALID', 'ERR_VALIDITY', 'ERR_INVALID_HOLDER'],
        },
      }),
    },
    '/v1/property/transfers': {
      post: operation({
        operationId: 'transferProperty',
        tag: 'property',
        summary: "Transfer a property: revoke the seller's certificate and issue the buyer's",
        department: true,
        body: 'PropertyTransferRequest',
        responses: {
          201: reply('Transferred; revocation and anchor mined', 'PropertyTransferResult'),
          202: reply('Transferred; revocation or anchor not mined yet', 'PropertyTransferResult'),
        },
        writes: true,
        errors: {
          ...ISSUE_ERRORS,
          404: ['ERR_CREDENTIAL_NOT_FOUND'],
          409: ['ERR_CREDENTIAL_REVOKED', 'ERR_CREDENTIAL_SUSPENDED', ...NOT_ISSUABLE],
          422: [...INVALID, 'ERR_UNIT_MISMATCH'],
        },
      }),
    },
    '/v1/property/units/{unitNumber}/current': {
      post: operation({
        operationId: 'checkCurrentPropertyCertificate',
        tag: 'property',
        summary: "Is this certificate verified and the unit's current one on chain?",
        description:
          'Runs a full credential verification (issuer accredited for PropertyCertificateCredential at issuance, schema, status, validity), then reads the certificate\'s anchor. Answers 200 whenever it could decide, with current:false and the failing checks for a refused certificate (the question is "is it current", unlike /v1/presentations/verify, which answers 422 when not verified). The certificate goes in the body, never in the URL.',
        parameters: [pathParam('unitNumber', 'Real estate unit number (28 characters, GB/T 37346)')],
        body: 'CurrentCertificateRequest',
        responses: { 200: reply('The answer, with the checks', 'CurrentCertificate') },
        errors: {
          400: [
            'ERR_INVALID_UNIT_NUMBER',
            'ERR_CERTIFICATE_IN_QUERY',
            'ERR_INVALID_QUERY',
            'ERR_INVALID_REQUEST',
            'ERR_MALFORMED_JWT',
            'ERR_NOT_A_PROPERTY_CERTIFICATE',
            'ERR_UNIT_MISMATCH',
          ],
          ...CHAIN,
        },
      }),
      get: operation({
        operationId: 'getCurrentPropertyCertificate',
        tag: 'property',
        summary: 'Withdrawn: POST the certificate instead',
        description: 'A certificate in a query string ends up in gateway logs; this answers 405 (Allow: POST) whatever the query.',
        parameters: [pathParam('unitNumber', 'Real estate unit number (28 characters, GB/T 37346)')],
        responses: {},
        errors: { 405: ['ERR_METHOD_NOT_ALLOWED'] },
      }),
    },
    '/v1/audit': {
      get: operation({
        operationId: 'listAuditEntries',
        tag: 'audit',
        summary: "The department's audit entries, newest first",
        description:
          "A key restricted to some credential types sees only entries about the department's credentials of those types; entries about no credential (API keys) are for '*' keys only.",
        department: true,
        parameters: [
          LIMIT,
          query('before', "The previous page's nextBefore", { type: 'integer', minimum: 1 }),
          query('action', 'Only this action', { type: 'string', enum: [...AUDIT_ACTIONS] }),
          query('credentialId', 'Only entries about this credential', { type: 'string', minLength: 1, maxLength: 512 }),
        ],
        responses: { 200: reply('A page', 'AuditPage') },
        errors: { 400: ['ERR_INVALID_QUERY'], 404: ['ERR_CREDENTIAL_NOT_FOUND'] },
      }),
    },
    '/v1/audit/verify': {
      get: operation({
        operationId: 'verifyAuditLog',
        tag: 'audit',
        summary: 'Check the audit hash chain and its on-chain anchors',
        department: true,
        responses: { 200: reply('The check; problems carry ERR_AUDIT_ codes', 'AuditVerification') },
      }),
    },
  }
}
