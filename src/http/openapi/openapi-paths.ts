import { AUDIT_ACTIONS } from '../../issuing/audit/audit-log.js'
import type { Oid4vciErrorCode } from '../../issuing/offers/oid4vci-errors.js'
import type { ApiErrorCode } from '../../shared/errors/error-codes.js'
import { ref, type SchemaObject } from './openapi-schemas.js'

export type PathItems = Record<string, Record<string, SchemaObject>>

export interface OperationSpec {
  operationId: string
  tag: string
  summary: string
  description?: string
  /** Department routes: Bearer API key or a clerk's portal session, 401 documented. */
  department?: boolean
  /** Portal-session routes (GET /v1/session, the password change): the session cookie only, 401 documented. */
  session?: boolean
  /**
   * Relying-party routes: an optional Bearer key (`grp_…`, govcred relying-party create); `owner` when a
   * relying party's request answers only to that party's key; `required` for the party's own routes (a key
   * always, no anonymous alternative, not rate-limited like a public route).
   */
  relyingParty?: 'optional' | 'owner' | 'required'
  /** Platform-operator routes: Bearer operator key (`gop_…`, govcred operator key-create), 401 documented. */
  operator?: boolean
  /** OpenID4VCI credential endpoint: the access token of the token endpoint (oid4vciAccessToken), 401 documented. */
  accessToken?: boolean
  /** A one-stop case: the access token its POST answered (onestopCaseToken). */
  caseToken?: boolean
  parameters?: SchemaObject[]
  body?: string
  /** The body may be left out (documented as not required); it is checked when sent. */
  bodyOptional?: boolean
  /** The body's media type; JSON unless said (the token endpoint takes a form). */
  bodyMedia?: 'application/x-www-form-urlencoded'
  responses: Record<number, SchemaObject>
  /** The stable ERR_ codes each error status answers with. */
  errors?: Record<number, ApiErrorCode[]>
  /** The route writes to the database: 503 ERR_STORAGE_UNAVAILABLE when it cannot (disk full, I/O error). */
  writes?: boolean
  /**
   * The OAuth endpoints (token, nonce, credential): per status, the refusals answered in the specifications'
   * shape (OAuthError), each OAuth error code with the govcred codes it comes with (`govcred_code`). A status
   * that also has `errors` (the body parser, the rate limiter, the chain) answers either shape.
   */
  oauthErrors?: Record<number, Partial<Record<Oid4vciErrorCode, ApiErrorCode[]>>>
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
export const reply = (description: string, schema: string, headers?: SchemaObject): SchemaObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(ref(schema)),
})
const header = (description: string) => ({ description, schema: { type: 'string' } })
export const pathParam = (name: string, description: string, example?: string): SchemaObject => ({
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

/**
 * An error status of an OAuth endpoint: `{"error": <oauth code>, "error_description", "govcred_code"}`; where
 * `house` codes are answered too (before the route: body parser, rate limiter; after it: chain, storage), either
 * shape.
 */
function oauthErrorResponse(status: number, oauth: Partial<Record<Oid4vciErrorCode, ApiErrorCode[]>>, house: ApiErrorCode[]): SchemaObject {
  const pairs = Object.entries(oauth) as [Oid4vciErrorCode, ApiErrorCode[]][]
  const govcred = [...new Set([...pairs.flatMap(([, codes]) => codes), ...house])]
  const described = pairs.map(([error, codes]) => `${error} (govcred_code ${codes.join(', ')})`).join('; ')
  return {
    description: `${REASON[status]}: ${described}${house.length ? `; or {"error":{"code"}}: ${house.join(', ')}` : ''}`,
    'x-oauth-error-codes': pairs.map(([error]) => error),
    'x-error-codes': govcred,
    content: json(house.length ? { oneOf: [ref('OAuthError'), ref('Error')] } : ref('OAuthError')),
  }
}

/** Turns a spec into an OpenAPI operation, adding the errors every body / every department route can give. */
export function operation(spec: OperationSpec): SchemaObject {
  const errors: Record<number, ApiErrorCode[]> = {}
  const add = (status: number, codes: ApiErrorCode[]) => void (errors[status] = [...new Set([...(errors[status] ?? []), ...codes])])
  if (spec.body) {
    add(400, ['ERR_MALFORMED_JSON', 'ERR_BAD_REQUEST'])
    add(413, ['ERR_BODY_TOO_LARGE'])
    add(415, ['ERR_UNSUPPORTED_ENCODING'])
  }
  if (spec.department || spec.operator) add(401, ['ERR_AUTH_REQUIRED', 'ERR_AUTH_INVALID'])
  // Or a portal session (src/http/portal-session.ts): it may have ended, or be of another kind of account.
  if (spec.department || spec.operator) {
    add(401, ['ERR_SESSION_EXPIRED'])
    add(403, ['ERR_ROLE_FORBIDDEN'])
  }
  if (spec.session) add(401, ['ERR_AUTH_REQUIRED', 'ERR_SESSION_EXPIRED'])
  // Public routes: a budget per client per minute and a cap on requests in flight (src/http/rate-limits.ts).
  if (!spec.department && !spec.operator && spec.relyingParty !== 'required') {
    add(429, ['ERR_RATE_LIMITED'])
    add(503, ['ERR_BUSY'])
  }
  if (spec.writes) add(503, ['ERR_STORAGE_UNAVAILABLE'])
  if (spec.relyingParty) add(401, spec.relyingParty === 'optional' ? ['ERR_AUTH_INVALID'] : ['ERR_AUTH_REQUIRED', 'ERR_AUTH_INVALID'])
  for (const [status, codes] of Object.entries(spec.errors ?? {})) add(Number(status), codes)
  const responses: Record<string, SchemaObject> = { ...spec.responses }
  const statuses = [...new Set([...Object.keys(errors), ...Object.keys(spec.oauthErrors ?? {})])].map(Number).sort((a, b) => a - b)
  for (const status of statuses) {
    const oauth = spec.oauthErrors?.[status]
    responses[status] ??= oauth ? oauthErrorResponse(status, oauth, errors[status] ?? []) : errorResponse(status, errors[status]!)
  }
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.department ? { security: [{ bearerAuth: [] }, { portalSession: [] }] } : {}),
    ...(spec.session ? { security: [{ portalSession: [] }] } : {}),
    ...(spec.relyingParty
      ? { security: spec.relyingParty === 'required' ? [{ relyingPartyAuth: [] }] : [{ relyingPartyAuth: [] }, {}] }
      : {}),
    ...(spec.operator ? { security: [{ operatorAuth: [] }, { portalSession: [] }] } : {}),
    ...(spec.accessToken ? { security: [{ oid4vciAccessToken: [] }] } : {}),
    ...(spec.caseToken ? { security: [{ onestopCaseToken: [] }] } : {}),
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.body
      ? { requestBody: { required: !spec.bodyOptional, content: { [spec.bodyMedia ?? 'application/json']: { schema: ref(spec.body) } } } }
      : {}),
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
 * Paths served in both modes: health, network, issuers, the DID resolver driver, the verifier API (with
 * OpenID4VP's request and response endpoints) and this document.
 *
 * @example
 * Object.keys(sharedPaths()) // => ['/healthz', '/openapi.json', '/v1/network', …]
 */
export function sharedPaths(): PathItems {
  return {
    ...openid4vpPaths(),
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
          'A registered relying party sends its key (`Authorization: Bearer grp_…`): the request carries its display names (`verifier`) and only it reads the result. Without a key the request is anonymous, taken only where GOVCRED_ANONYMOUS_REQUESTS is on (401 ERR_RELYING_PARTY_REQUIRED otherwise) and capped at GOVCRED_ANONYMOUS_REQUESTS_MAX open requests (429 ERR_TOO_MANY_OPEN_REQUESTS with Retry-After). With `protocol: "openid4vp"` (a relying party only) the body is `{credentials: [{id, type, claims, format}], purpose, responseMode}`: `format` dc+sd-jwt (default) or jwt_vc_json (a VP-JWT; the party is given only the claims asked for), `responseMode` direct_post (default) or direct_post.jwt (the wallet encrypts its response to an ephemeral key of the request).',
        relyingParty: 'optional',
        body: 'PresentationRequestInput',
        responses: { 201: reply('The request to send to the holder', 'PresentationRequest') },
        writes: true,
        errors: {
          401: ['ERR_RELYING_PARTY_REQUIRED'],
          422: ['ERR_INVALID_REQUEST', 'ERR_OPENID4VP_UNAVAILABLE'],
          429: ['ERR_TOO_MANY_OPEN_REQUESTS'],
        },
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
    body: 'StatusChangeRequest',
    bodyOptional: true,
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
        ? { 400: ['ERR_INVALID_REQUEST'], 404: ['ERR_CREDENTIAL_NOT_FOUND'], 502: ['ERR_STATUS_WRITE_REFUSED'] }
        : {
            400: ['ERR_INVALID_REQUEST'],
            404: ['ERR_CREDENTIAL_NOT_FOUND'],
            409: ['ERR_CREDENTIAL_REVOKED'],
            502: ['ERR_STATUS_WRITE_REFUSED'],
          },
  })
}

const DEPARTMENT_ID = pathParam('departmentId', 'The department id', 'market-supervision')
const NO_STORE = { 'Cache-Control': header('no-store') }
const PUBLIC_CACHE = { 'Cache-Control': header('public, max-age=300') }
const UNKNOWN_ISSUER: Record<number, ApiErrorCode[]> = { 404: ['ERR_DEPARTMENT_NOT_FOUND'] }
/** What issuing through an offer can refuse (the checks of POST /v1/credentials, at redemption). */
const DENIED: ApiErrorCode[] = [
  'ERR_AUTH_INVALID',
  'ERR_SCOPE',
  'ERR_NOT_ACCREDITED',
  'ERR_UNIT_HAS_CURRENT_CERTIFICATE',
  ...NOT_ISSUABLE,
  'ERR_UNKNOWN_TYPE',
  'ERR_CLAIMS_INVALID',
  'ERR_VALIDITY',
  'ERR_INVALID_HOLDER',
  'ERR_INVALID_REQUEST',
]

/**
 * OpenID4VP 1.0, the wallet's side of a relying party's request, in both modes (a full node's KMS holds the
 * verifier identities that sign request objects; a verifier-only node signs with the certificates installed
 * there). Refusals in the OAuth error shape with govcred_code.
 */
function openid4vpPaths(): PathItems {
  const REQUEST_ID = pathParam('id', "The presentation request id (the request object's state)")
  return {
    '/oid4vp/requests/{id}': {
      get: operation({
        operationId: 'openid4vpRequestObject',
        tag: 'verification',
        summary: 'OpenID4VP request_uri: the signed request object (application/oauth-authz-req+jwt)',
        description:
          "A JWT signed with the relying party's verifier identity (header alg ES256, typ oauth-authz-req+jwt, x5c: the leaf certificate from the consortium root naming the party's DNS name): client_id x509_san_dns:<domain>, response_type vp_token, response_mode direct_post, response_uri, nonce, state (the request id), dcql_query (dc+sd-jwt per requested credential, with credential_sets carrying the purpose), client_metadata, aud https://self-issued.me/v2, iat, exp (the request's expiry). Served while the request is pending only.",
        parameters: [REQUEST_ID],
        responses: {
          200: {
            description: 'The request object',
            content: {
              'application/oauth-authz-req+jwt': {
                schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
              },
            },
          },
        },
        oauthErrors: {
          400: { invalid_request: ['ERR_REQUEST_ANSWERED', 'ERR_REQUEST_EXPIRED'] },
          404: { invalid_request: ['ERR_UNKNOWN_REQUEST'] },
          // A verifier-only node's party whose installed certificate ended after the request was made.
          422: { invalid_request: ['ERR_OPENID4VP_UNAVAILABLE'] },
        },
      }),
    },
    '/oid4vp/responses/{id}': {
      post: operation({
        operationId: 'openid4vpResponse',
        tag: 'verification',
        summary: 'OpenID4VP response_uri: the wallet posts vp_token and state (direct_post), or response (direct_post.jwt)',
        description:
          'vp_token is the OpenID4VP 1.0 JSON object {"<credential query id>": ["<SD-JWT VC presentation with a key-binding JWT>"]}; the key-binding JWT names the request nonce and aud = the client_id. The presentations are verified against the chain and the result is kept for the relying party (GET /v1/presentation-requests/{id}): a failed verification (revoked, wrong nonce, undisclosed claim…) is answered 200 like a passed one. A wallet error response (error, error_description) answers the request as declined. Once answered, a second response is refused (ERR_REQUEST_ANSWERED). A request made with responseMode direct_post.jwt takes only `response`, a JWE of the same parameters encrypted to the ephemeral key its request object names (ECDH-ES, A128GCM or A256GCM, that key\'s kid); anything in the clear is refused (ERR_RESPONSE_NOT_ENCRYPTED), as is a JWE that is malformed, of another alg or enc, for another key or tampered. The key lives in the verifier\'s memory only: after a restart such a pending request reads as expired.',
        parameters: [REQUEST_ID],
        body: 'Openid4vpResponseForm',
        bodyMedia: 'application/x-www-form-urlencoded',
        responses: { 200: reply('Taken; redirect_uri when the relying party registered one', 'Openid4vpResponseAck') },
        writes: true,
        oauthErrors: {
          400: {
            invalid_request: [
              'ERR_INVALID_REQUEST',
              'ERR_STATE_MISMATCH',
              'ERR_REQUEST_ANSWERED',
              'ERR_REQUEST_EXPIRED',
              'ERR_VP_TOKEN_MALFORMED',
              'ERR_VP_TOKEN_UNKNOWN_QUERY',
              'ERR_VP_TOKEN_TOO_MANY',
              'ERR_RESPONSE_NOT_ENCRYPTED',
              'ERR_RESPONSE_JWE_MALFORMED',
              'ERR_RESPONSE_JWE_UNSUPPORTED',
              'ERR_RESPONSE_KEY_MISMATCH',
              'ERR_RESPONSE_DECRYPTION_FAILED',
              'ERR_BAD_REQUEST',
            ],
          },
          404: { invalid_request: ['ERR_UNKNOWN_REQUEST'] },
          413: { invalid_request: ['ERR_BODY_TOO_LARGE'] },
          415: { invalid_request: ['ERR_UNSUPPORTED_ENCODING'] },
        },
        errors: { 503: ['ERR_CHAIN_UNAVAILABLE'] },
      }),
    },
  }
}

/**
 * The OpenID4VCI 1.0 credential issuer of each department (pre-authorized code flow) and the department API
 * that makes its offers (full mode only).
 */
function oid4vciPaths(): PathItems {
  return {
    '/.well-known/openid-credential-issuer/oid4vci/{departmentId}': {
      get: operation({
        operationId: 'getCredentialIssuerMetadata',
        tag: 'oid4vci',
        summary: 'OpenID4VCI credential issuer metadata of a department (public)',
        description:
          'The credential_issuer is BASE/oid4vci/{departmentId} (RFC 8414-style path insertion). Display names in zh-CN and en; per credential type two configurations: <Type>_sd_jwt (dc+sd-jwt, ES256, cnf.jwk binding; when the node issues SD-JWT VCs) and <Type>_jwt_vc_json (the VC-JWT, bound to a did:jwk or did:key); key proofs of type jwt signed ES256, EdDSA or ES256K.',
        parameters: [DEPARTMENT_ID],
        responses: { 200: reply('The metadata', 'CredentialIssuerMetadata', PUBLIC_CACHE) },
        errors: UNKNOWN_ISSUER,
      }),
    },
    '/.well-known/oauth-authorization-server/oid4vci/{departmentId}': {
      get: operation({
        operationId: 'getAuthorizationServerMetadata',
        tag: 'oid4vci',
        summary: 'RFC 8414 authorization-server metadata of a department (its own; pre-authorized code only)',
        parameters: [DEPARTMENT_ID],
        responses: { 200: reply('The metadata', 'AuthorizationServerMetadata', PUBLIC_CACHE) },
        errors: UNKNOWN_ISSUER,
      }),
    },
    '/oid4vci/{departmentId}/jwks': {
      get: operation({
        operationId: 'getAccessTokenKeys',
        tag: 'oid4vci',
        summary: "The keys the node's access tokens are signed with (the jwks_uri)",
        parameters: [DEPARTMENT_ID],
        responses: {
          200: {
            description: 'A JWK set (public keys)',
            headers: PUBLIC_CACHE,
            content: { 'application/jwk-set+json': { schema: ref('JwkSet') } },
          },
        },
        errors: UNKNOWN_ISSUER,
      }),
    },
    '/oid4vci/{departmentId}/offers/{reference}': {
      get: operation({
        operationId: 'getCredentialOffer',
        tag: 'oid4vci',
        summary: 'A credential offer by reference (the credential_offer_uri of the deep link; public, unguessable)',
        description: 'Served while its pre-authorized code is unused, the offer is not void and not expired; 404 otherwise.',
        parameters: [DEPARTMENT_ID, pathParam('reference', 'The unguessable reference of the offer URI (43 base64url characters)')],
        responses: { 200: reply('The credential offer', 'CredentialOffer', NO_STORE) },
        errors: { 404: ['ERR_OFFER_NOT_FOUND'] },
      }),
    },
    '/oid4vci/{departmentId}/token': {
      post: operation({
        operationId: 'oid4vciToken',
        tag: 'oid4vci',
        summary: 'Token endpoint: the pre-authorized code and its tx_code for an access token',
        description: `grant_type ${'urn:ietf:params:oauth:grant-type:pre-authorized_code'}, pre-authorized_code and tx_code, form-encoded; a DPoP header binds the token to a key (optional). The code is one-time and expires with the offer (GOVCRED_OFFER_TTL_SECONDS); each wrong tx_code counts, and GOVCRED_OFFER_TX_CODE_ATTEMPTS of them void the offer (ERR_OFFER_VOIDED). Refusals are OAuth error responses with govcred's code in govcred_code.`,
        parameters: [DEPARTMENT_ID],
        body: 'TokenRequest',
        bodyMedia: 'application/x-www-form-urlencoded',
        responses: { 200: reply('The access token (Bearer, or DPoP when bound)', 'AccessTokenResponse', NO_STORE) },
        writes: true,
        oauthErrors: {
          400: {
            invalid_request: ['ERR_INVALID_REQUEST', 'ERR_DEPARTMENT_NOT_FOUND', 'ERR_TX_CODE_REQUIRED', 'ERR_BAD_REQUEST'],
            unsupported_grant_type: ['ERR_UNSUPPORTED_GRANT_TYPE'],
            invalid_grant: [
              'ERR_PRE_AUTHORIZED_CODE_INVALID',
              'ERR_PRE_AUTHORIZED_CODE_USED',
              'ERR_OFFER_EXPIRED',
              'ERR_OFFER_VOIDED',
              'ERR_TX_CODE_INVALID',
            ],
            invalid_dpop_proof: ['ERR_PROOF_INVALID'],
          },
          413: { invalid_request: ['ERR_BODY_TOO_LARGE', 'ERR_BAD_REQUEST'] },
          415: { invalid_request: ['ERR_UNSUPPORTED_ENCODING'] },
        },
      }),
    },
    '/oid4vci/{departmentId}/nonce': {
      post: operation({
        operationId: 'oid4vciNonce',
        tag: 'oid4vci',
        summary: 'Nonce endpoint: a fresh c_nonce for the key proof (one-time, short-lived)',
        parameters: [DEPARTMENT_ID],
        responses: { 200: reply('The nonce', 'NonceResponse', NO_STORE) },
        oauthErrors: { 404: { invalid_request: ['ERR_DEPARTMENT_NOT_FOUND'] } },
      }),
    },
    '/oid4vci/{departmentId}/credential': {
      post: operation({
        operationId: 'oid4vciCredential',
        tag: 'oid4vci',
        summary: "Credential endpoint: the offer's one credential, bound to the key of a jwt key proof",
        description:
          "Authorization: Bearer <access token> (or DPoP <access token> with a DPoP proof when the token is DPoP-bound). The request names the offered credential_configuration_id (or, draft-style, its format with vct / credential_definition) and carries one jwt key proof (proofs.jwt or proof): typ openid4vci-proof+jwt, alg ES256, EdDSA or ES256K, the key as jwk (or kid did:key / did:jwk), aud the credential_issuer, iat within the last 5 minutes, nonce from the nonce endpoint (used up by this request). Issued through the same checks and records as POST /v1/credentials; refusals are OAuth error responses with govcred's code in govcred_code, and nothing is issued.",
        accessToken: true,
        parameters: [DEPARTMENT_ID],
        body: 'CredentialRequest',
        responses: { 200: reply('The credential (an SD-JWT VC or a VC-JWT)', 'CredentialResponse', NO_STORE) },
        writes: true,
        errors: CHAIN,
        oauthErrors: {
          400: {
            invalid_credential_request: ['ERR_INVALID_REQUEST'],
            invalid_request: ['ERR_INVALID_REQUEST', 'ERR_PROOF_INVALID'],
            unknown_credential_configuration: ['ERR_CREDENTIAL_CONFIGURATION_NOT_OFFERED'],
            unknown_credential_identifier: ['ERR_INVALID_REQUEST'],
            invalid_proof: ['ERR_PROOF_INVALID'],
            invalid_nonce: ['ERR_NONCE_INVALID'],
            credential_request_denied: DENIED,
          },
          401: {
            invalid_token: ['ERR_AUTH_REQUIRED', 'ERR_ACCESS_TOKEN_INVALID', 'ERR_OFFER_REDEEMED', 'ERR_OFFER_VOIDED'],
            invalid_dpop_proof: ['ERR_ACCESS_TOKEN_INVALID'],
          },
          404: { invalid_request: ['ERR_DEPARTMENT_NOT_FOUND'] },
        },
      }),
    },
    '/v1/credential-offers': {
      post: operation({
        operationId: 'createCredentialOffer',
        tag: 'oid4vci',
        summary: 'Make a credential offer for a standard wallet (OpenID4VCI pre-authorized code)',
        department: true,
        description:
          "The type and claims are checked as POST /v1/credentials checks them (scope, accreditation on chain, the type's schema), with no holder: the wallet's key becomes the holder at redemption. Answers the deep link (openid-credential-offer://?credential_offer_uri=…), its QR code (SVG) and the six-digit transaction code for the applicant, which is shown in this answer only. The offer expires after GOVCRED_OFFER_TTL_SECONDS.",
        body: 'CredentialOfferRequest',
        responses: {
          201: reply('Offered', 'CreatedCredentialOffer', {
            Location: header('The offer URL (GET /v1/credential-offers/{id})'),
            'Cache-Control': header('no-store'),
          }),
        },
        writes: true,
        errors: {
          403: ['ERR_SCOPE', 'ERR_NOT_ACCREDITED'],
          409: ['ERR_SCHEMA_NOT_ANCHORED', 'ERR_SCHEMA_HASH_MISMATCH'],
          422: ['ERR_INVALID_REQUEST', 'ERR_UNKNOWN_TYPE', 'ERR_CLAIMS_INVALID', 'ERR_VALIDITY'],
          ...CHAIN,
        },
      }),
    },
    '/v1/credential-offers/{id}': {
      get: operation({
        operationId: 'getCredentialOfferStatus',
        tag: 'oid4vci',
        summary: 'One offer of the department: offered, redeemed (and the credential id), expired or voided',
        department: true,
        parameters: [pathParam('id', 'The offer id (a UUID)')],
        responses: { 200: reply('The offer', 'CredentialOfferStatus') },
        errors: { 403: ['ERR_SCOPE'], 404: ['ERR_OFFER_NOT_FOUND'] },
      }),
    },
  }
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
    ...oid4vciPaths(),
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
    '/vct/{type}': {
      get: operation({
        operationId: 'getSdJwtVcTypeMetadata',
        tag: 'credentials',
        summary: 'SD-JWT VC type metadata of a credential type (what its vct resolves to; public)',
        description:
          'draft-ietf-oauth-sd-jwt-vc type metadata: the type name and description in zh-CN and en, and per claim (path) its labels in both and whether the holder may disclose it on its own (sd always) or it is always shown (sd never).',
        parameters: [pathParam('type', 'The credential type name', 'BusinessLicenseCredential')],
        responses: { 200: reply('The type metadata', 'SdJwtVcTypeMetadata') },
        errors: { 404: ['ERR_UNKNOWN_TYPE'] },
      }),
    },
    '/status-lists/{departmentId}': {
      get: operation({
        operationId: 'getStatusList',
        tag: 'credentials',
        summary: "The department's IETF Token Status List (public), built from the on-chain bits",
        description:
          'draft-ietf-oauth-status-list: a JWT (typ statuslist+jwt, ES256, header x5c: the department leaf certificate and the consortium root) with sub (this URL), iat, exp, ttl and status_list {bits: 2, lst}; entry idx of an SD-JWT VC (status.status_list.idx) is 0 valid, 1 invalid (revoked), 2 suspended. Read from CredentialStatusRegistry and current within one block of a status change; cacheable for what is left of its ttl (Cache-Control).',
        parameters: [pathParam('departmentId', 'The department id', 'market-supervision')],
        responses: {
          200: {
            description: 'The status list token',
            headers: { 'Cache-Control': header('public, max-age = what is left of the ttl') },
            content: { 'application/statuslist+jwt': { schema: { type: 'string', pattern: '^[\\w-]+\\.[\\w-]+\\.[\\w-]+$' } } },
          },
        },
        errors: { 404: ['ERR_DEPARTMENT_NOT_FOUND'], ...CHAIN },
      }),
    },
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
