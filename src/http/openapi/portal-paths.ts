import { FEEDBACK_LIMITS, FEEDBACK_LOCALES } from '../../feedback/feedback-input.js'
import { FEEDBACK_LIST_MAX_LIMIT } from '../../feedback/feedback-store.js'
import { operation, reply, type PathItems } from './openapi-paths.js'
import { ref, type SchemaObject } from './openapi-schemas.js'

const CHAIN = { 503: ['ERR_CHAIN_UNAVAILABLE' as const] }
const integerQuery = (name: string, description: string, schema: SchemaObject): SchemaObject => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: { type: 'integer', ...schema },
})

/**
 * What the portal's public pages read and write besides the registries: the schema catalogue with each schema's
 * anchor (both modes) and, on a full node, the feedback box.
 *
 * @example
 * Object.keys(portalPaths({ feedback: false })) // => ['/v1/schemas']
 */
export function portalPaths(options: { feedback: boolean }): PathItems {
  return {
    '/v1/schemas': {
      get: operation({
        operationId: 'listSchemas',
        tag: 'issuers',
        summary: 'The credential types with their JSON Schemas, canonical hashes and anchor state on chain',
        description:
          "Each type of the catalogue: bilingual title and description, the JSON Schema, its hash (keccak256 of the RFC 8785 canonical JSON) and what the chain's schema registry holds for it (anchor.state: anchored, not-anchored, deprecated or hash-mismatch; issuance refuses all but anchored).",
        responses: { 200: reply('The catalogue', 'SchemaList') },
        errors: CHAIN,
      }),
    },
    ...(options.feedback
      ? {
          '/v1/feedback': {
            post: operation({
              operationId: 'sendFeedback',
              tag: 'portal',
              summary: "Leave a message in the portal's feedback box (anonymous)",
              description: `Anyone, without a key. On top of the public routes' budget, GOVCRED_FEEDBACK_PER_HOUR messages per client per hour (429 ERR_RATE_LIMITED); at most GOVCRED_FEEDBACK_MAX_STORED are kept (503 ERR_FEEDBACK_FULL beyond). page is the portal path without query or fragment. Nothing of the message is logged; nothing about the sender (address, browser) is stored.`,
              body: 'FeedbackRequest',
              responses: { 201: reply('Stored', 'FeedbackReceipt') },
              writes: true,
              errors: { 422: ['ERR_INVALID_REQUEST'], 503: ['ERR_FEEDBACK_FULL'] },
            }),
            get: operation({
              operationId: 'listFeedback',
              tag: 'portal',
              summary: 'The feedback box, newest first (the platform operator only)',
              description: 'The platform operator only (`Authorization: Bearer gop_…`, govcred operator key-create). Paged with before.',
              operator: true,
              parameters: [
                integerQuery('limit', `1 to ${FEEDBACK_LIST_MAX_LIMIT}, default 50`, {
                  minimum: 1,
                  maximum: FEEDBACK_LIST_MAX_LIMIT,
                  default: 50,
                }),
                integerQuery('before', "The previous page's nextBefore", { minimum: 1 }),
              ],
              responses: { 200: reply('A page of feedback', 'FeedbackPage') },
              // Under /v1/feedback, a public prefix: the public routes' limits apply before the key is read.
              errors: { 400: ['ERR_INVALID_QUERY'], 429: ['ERR_RATE_LIMITED'], 503: ['ERR_BUSY'] },
            }),
          },
        }
      : {}),
  }
}

const text = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'string', description, ...extra })
const nullable = (schema: SchemaObject): SchemaObject => ({ ...schema, type: [schema.type, 'null'] })
const bilingual = (description: string): SchemaObject => ({
  type: 'object',
  description,
  required: ['zh-CN', 'en'],
  properties: { 'zh-CN': text('Chinese'), en: text('English') },
})
const hash = text('32 bytes, 0x-prefixed hex', { pattern: '^0x[0-9a-fA-F]{64}$' })

/**
 * The component schemas of {@link portalPaths}, merged into the document's.
 *
 * @example
 * portalSchemas().FeedbackRequest // => { type: 'object', required: ['page', 'message'], … }
 */
export function portalSchemas(): Record<string, SchemaObject> {
  return {
    SchemaList: {
      type: 'object',
      required: ['schemas'],
      properties: { schemas: { type: 'array', items: ref('PublishedSchema') } },
    },
    PublishedSchema: {
      type: 'object',
      required: ['type', 'version', 'uri', 'department', 'title', 'description', 'contentHash', 'anchor', 'schema'],
      properties: {
        type: text('The credential type'),
        version: text('The schema version'),
        uri: text("The schema's $id"),
        department: text('The department profile that issues the type'),
        title: bilingual('The type’s name'),
        description: bilingual('What the credential attests'),
        contentHash: { ...hash, description: 'keccak256 of the RFC 8785 canonical JSON of schema' },
        anchor: {
          type: 'object',
          required: ['state', 'contentHash', 'uri', 'publishedAt'],
          properties: {
            state: text('anchored: published, not deprecated, same hash', {
              enum: ['anchored', 'not-anchored', 'deprecated', 'hash-mismatch'],
            }),
            contentHash: nullable({ ...hash, description: 'The hash the chain holds; null when not published' }),
            uri: nullable(text('The URI the chain holds')),
            publishedAt: nullable(text('When it was published on chain', { format: 'date-time' })),
          },
        },
        schema: { type: 'object', description: 'The JSON Schema (2020-12) of the credential subject' },
      },
    },
    FeedbackRequest: {
      type: 'object',
      required: ['page', 'message'],
      additionalProperties: false,
      properties: {
        page: text('The portal path the visitor was on, without query or fragment', {
          maxLength: FEEDBACK_LIMITS.page,
          pattern: '^/[^?#\\s]*$',
          examples: ['/guide'],
        }),
        message: text(`1 to ${FEEDBACK_LIMITS.message} characters`, { minLength: 1, maxLength: FEEDBACK_LIMITS.message }),
        rating: { type: 'integer', minimum: 1, maximum: 5, description: '1 (poor) to 5 (good)' },
        contact: text('How to reach the visitor, when they want an answer', { maxLength: FEEDBACK_LIMITS.contact }),
        locale: text('The portal language the visitor used', { enum: [...FEEDBACK_LOCALES] }),
      },
    },
    FeedbackReceipt: { type: 'object', required: ['id'], properties: { id: text('The stored message’s id') } },
    FeedbackPage: {
      type: 'object',
      required: ['feedback', 'nextBefore'],
      properties: {
        feedback: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'page', 'message', 'rating', 'contact', 'locale', 'createdAt'],
            properties: {
              id: text('The message id'),
              page: text('The portal path'),
              message: text('What the visitor wrote'),
              rating: { type: ['integer', 'null'], minimum: 1, maximum: 5 },
              contact: nullable(text('How to reach the visitor')),
              locale: nullable(text('The portal language', { enum: [...FEEDBACK_LOCALES, null] })),
              createdAt: text('When it was received', { format: 'date-time' }),
            },
          },
        },
        nextBefore: { type: ['integer', 'null'], description: 'Pass as before for the next page; null on the last' },
      },
    },
  }
}
