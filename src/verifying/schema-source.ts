import type { ValidateFunction } from 'ajv'
import { loadAllSchemas } from '../catalog/schemas/load-schemas.js'
import { schemaContentHash } from '../catalog/schemas/schema-hash.js'
import { createClaimsAjv, validateClaims, type FieldError } from '../catalog/schemas/validate-claims.js'
import { isCredentialTypeName } from '../catalog/credential-types.js'

export interface KnownSchema {
  schemaId: string
  version: string
  contentHash: string
  validate(claims: unknown): { ok: true } | { ok: false; errors: FieldError[] }
}

/**
 * The schemas a verifier holds (the files shipped in schemas/, plus any given), by id and version.
 * The verifier compares each one's hash with the chain before trusting it.
 */
export class SchemaSource {
  private readonly schemas = new Map<string, KnownSchema>()

  constructor(extra: { schemaId: string; version: string; schema: Record<string, unknown> }[] = []) {
    for (const loaded of loadAllSchemas()) {
      const typeName = loaded.schemaId
      this.schemas.set(key(loaded.schemaId, loaded.version), {
        schemaId: loaded.schemaId,
        version: loaded.version,
        contentHash: loaded.contentHash,
        validate: (claims) => (isCredentialTypeName(typeName) ? validateClaims(typeName, claims) : { ok: true }),
      })
    }
    const ajv = extra.length > 0 ? createClaimsAjv() : undefined
    for (const item of extra) {
      let compiled: ValidateFunction | undefined
      this.schemas.set(key(item.schemaId, item.version), {
        schemaId: item.schemaId,
        version: item.version,
        contentHash: schemaContentHash(item.schema),
        validate: (claims) => {
          compiled ??= ajv!.compile(item.schema)
          return compiled(claims)
            ? { ok: true }
            : {
                ok: false,
                errors: (compiled.errors ?? []).map((e) => ({
                  field: e.instancePath,
                  code: 'ERR_FIELD_INVALID' as const,
                  message: e.message ?? 'invalid',
                })),
              }
        },
      })
    }
  }

  get(schemaId: string, version: string): KnownSchema | undefined {
    return this.schemas.get(key(schemaId, version))
  }
}

const key = (schemaId: string, version: string) => `${schemaId}@${version}`
