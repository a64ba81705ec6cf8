import { operation, pathParam, reply, type OperationSpec, type PathItems } from './openapi-paths.js'

const TAG = 'relying-parties'
const NOT_FOUND: NonNullable<OperationSpec['errors']> = { 404: ['ERR_RELYING_PARTY_NOT_FOUND'] }
const INVALID_QUERY: NonNullable<OperationSpec['errors']> = { 400: ['ERR_INVALID_QUERY'] }
const ID = pathParam('id', 'The relying party id', 'demo-bank-of-nanjing')
const OPERATOR = 'The platform operator only (`Authorization: Bearer gop_…`, govcred operator key-create).'

const operatorOperation = (spec: Omit<OperationSpec, 'tag' | 'operator'>) =>
  operation({ ...spec, tag: TAG, operator: true, description: `${OPERATOR} ${spec.description ?? ''}`.trim() })
const selfOperation = (spec: Omit<OperationSpec, 'tag' | 'relyingParty'>) => operation({ ...spec, tag: TAG, relyingParty: 'required' })

/**
 * The relying-party API, served by a full node and by a verifier-only node: registration by the platform
 * operator (`/v1/relying-parties…`) and a party's self-service with its own key (`/v1/relying-party…`).
 *
 * @example
 * Object.keys(relyingPartyPaths()) // => ['/v1/relying-parties', '/v1/relying-parties/{id}', …]
 */
export function relyingPartyPaths(): PathItems {
  return {
    '/v1/relying-parties': {
      post: operatorOperation({
        operationId: 'createRelyingParty',
        summary: 'Register a relying party (a bank or another verifier), with its first API key',
        description:
          'Its API key, and with webhookUrl its webhook signing secret, are in this answer only. The verifier identity (request-object key and certificate for x509_san_dns:<domain>) is made on first use. Every field problem is listed in `details`.',
        body: 'RelyingPartyCreateRequest',
        responses: { 201: reply('Registered (key and webhook secret shown once)', 'RegisteredRelyingParty') },
        writes: true,
        errors: { 400: ['ERR_INVALID_REQUEST', 'ERR_INVALID_QUERY'], 409: ['ERR_RELYING_PARTY_EXISTS'] },
      }),
      get: operatorOperation({
        operationId: 'listRelyingParties',
        summary: 'The registered relying parties, with client ids, certificate fingerprints, key ids and webhook URLs',
        responses: { 200: reply('Every relying party of this node', 'RelyingPartyList') },
        errors: INVALID_QUERY,
      }),
    },
    '/v1/relying-parties/{id}': {
      get: operatorOperation({
        operationId: 'getRelyingParty',
        summary: 'One relying party',
        parameters: [ID],
        responses: { 200: reply('The relying party', 'RelyingParty') },
        errors: { ...NOT_FOUND, ...INVALID_QUERY },
      }),
    },
    '/v1/relying-parties/{id}/keys': {
      post: operatorOperation({
        operationId: 'createRelyingPartyKey',
        summary: 'A new API key for the relying party (shown once)',
        parameters: [ID],
        body: 'RelyingPartyKeyRequest',
        responses: { 201: reply('The new key', 'CreatedRelyingPartyKey') },
        writes: true,
        errors: { 400: ['ERR_INVALID_REQUEST', 'ERR_INVALID_QUERY'], ...NOT_FOUND },
      }),
    },
    '/v1/relying-parties/{id}/keys/{keyId}': {
      delete: operatorOperation({
        operationId: 'revokeRelyingPartyKey',
        summary: 'Revoke one of its API keys, at once',
        parameters: [ID, pathParam('keyId', 'The key id')],
        responses: { 200: reply('Revoked', 'RevokedRelyingPartyKey') },
        writes: true,
        errors: { ...INVALID_QUERY, 404: ['ERR_RELYING_PARTY_NOT_FOUND', 'ERR_RELYING_PARTY_KEY_NOT_FOUND'] },
      }),
    },
    '/v1/relying-parties/{id}/webhook': {
      put: operatorOperation({
        operationId: 'setRelyingPartyWebhook',
        summary: 'Set (or replace) its webhook: a new signing secret, shown once',
        description: 'The URL is checked against the SSRF rules: https to a public host; no private, link-local or reserved address.',
        parameters: [ID],
        body: 'WebhookRequest',
        responses: { 200: reply('The webhook and its new secret', 'WebhookChange') },
        writes: true,
        errors: { 400: ['ERR_INVALID_REQUEST', 'ERR_INVALID_QUERY'], ...NOT_FOUND },
      }),
      delete: operatorOperation({
        operationId: 'removeRelyingPartyWebhook',
        summary: 'Remove its webhook',
        parameters: [ID],
        responses: { 200: reply('Removed (webhook: null)', 'WebhookChange') },
        writes: true,
        errors: { ...NOT_FOUND, ...INVALID_QUERY },
      }),
    },
    '/v1/relying-party': {
      get: selfOperation({
        operationId: 'getOwnRelyingParty',
        summary: 'Who the calling relying party is registered as (names, client id, certificate, webhook)',
        description: "A relying party's own key (`Authorization: Bearer grp_…`); it sees nothing of another party.",
        responses: { 200: reply('The calling relying party', 'RelyingPartySelf') },
        errors: INVALID_QUERY,
      }),
    },
    '/v1/relying-party/webhook': {
      put: selfOperation({
        operationId: 'setOwnRelyingPartyWebhook',
        summary: "Set (or replace) the calling relying party's webhook: a new signing secret, shown once",
        body: 'WebhookRequest',
        responses: { 200: reply('The webhook and its new secret', 'WebhookChange') },
        writes: true,
        errors: { 400: ['ERR_INVALID_REQUEST', 'ERR_INVALID_QUERY'] },
      }),
      delete: selfOperation({
        operationId: 'removeOwnRelyingPartyWebhook',
        summary: "Remove the calling relying party's webhook",
        responses: { 200: reply('Removed (webhook: null)', 'WebhookChange') },
        writes: true,
        errors: INVALID_QUERY,
      }),
    },
  }
}
