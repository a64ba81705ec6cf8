import { Router } from 'express'
import { CREDENTIAL_TYPES, CREDENTIAL_TYPE_NAMES, type CredentialTypeName } from '../../catalog/credential-types.js'
import { loadSchema } from '../../catalog/schemas/load-schemas.js'
import { SD_JWT_TYPES } from '../../catalog/sd-jwt/sd-jwt-types.js'
import type { AnchoredSchema, SchemaRegistryClient } from '../../chain/registries/schema-registry.js'

export interface SchemaRouteDeps {
  /** The on-chain schema registry (reads only). */
  schemas: Pick<SchemaRegistryClient, 'get'>
}

/**
 * Where a type's schema stands on chain, as issuance judges it (src/issuing/issuance/issue-credential.ts,
 * assertIssuable): `anchored` (published, not deprecated, the same canonical hash: credentials of the type are
 * issued and verify), `not-anchored`, `deprecated`, or `hash-mismatch` (the chain has another schema).
 */
export type AnchorState = 'anchored' | 'not-anchored' | 'deprecated' | 'hash-mismatch'

/** One credential type of the catalogue with its JSON Schema and what the chain's schema registry holds for it. */
export interface PublishedSchema {
  type: CredentialTypeName
  version: string
  /** The schema's `$id`. */
  uri: string
  /** The department (profile id) that issues the type. */
  department: string
  title: { 'zh-CN': string; en: string }
  description: { 'zh-CN': string; en: string }
  /** keccak256 of the RFC 8785 canonical JSON of `schema`: what the chain anchors. */
  contentHash: string
  anchor: { state: AnchorState; contentHash: string | null; uri: string | null; publishedAt: string | null }
  schema: Readonly<Record<string, unknown>>
}

/**
 * GET /v1/schemas (public, both modes): each credential type of the catalogue with its bilingual title and
 * description, its JSON Schema, the schema's canonical hash, and its anchor state read from the chain's schema
 * registry, so that anyone can see that what departments issue against is what the consortium published.
 * 503 ERR_CHAIN_UNAVAILABLE when the chain does not answer.
 *
 * @example
 * app.use(schemaRoutes({ schemas: registries.schemas }))
 */
export function schemaRoutes(deps: SchemaRouteDeps): Router {
  const router = Router()
  router.get('/v1/schemas', async (_req, res) => {
    const schemas = await Promise.all(CREDENTIAL_TYPE_NAMES.map((type) => describe(type, deps.schemas)))
    res.json({ schemas })
  })
  return router
}

async function describe(type: CredentialTypeName, registry: SchemaRouteDeps['schemas']): Promise<PublishedSchema> {
  const definition = CREDENTIAL_TYPES[type]
  const loaded = loadSchema(type)
  const anchored = await registry.get(definition.schemaId, definition.schemaVersion)
  return {
    type,
    version: definition.schemaVersion,
    uri: loaded.uri,
    department: definition.department,
    title: { 'zh-CN': definition.titleZh, en: definition.titleEn },
    description: { 'zh-CN': SD_JWT_TYPES[type].descriptionZh, en: SD_JWT_TYPES[type].descriptionEn },
    contentHash: loaded.contentHash,
    anchor: {
      state: anchorState(anchored, loaded.contentHash),
      contentHash: anchored?.contentHash ?? null,
      uri: anchored?.uri ?? null,
      publishedAt: anchored ? new Date(anchored.publishedAt * 1000).toISOString() : null,
    },
    schema: loaded.schema,
  }
}

function anchorState(anchored: AnchoredSchema | null, contentHash: string): AnchorState {
  if (!anchored) return 'not-anchored'
  if (anchored.deprecated) return 'deprecated'
  return anchored.contentHash.toLowerCase() === contentHash.toLowerCase() ? 'anchored' : 'hash-mismatch'
}
