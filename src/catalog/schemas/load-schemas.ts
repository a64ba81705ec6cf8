import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CREDENTIAL_TYPES, CREDENTIAL_TYPE_NAMES, isCredentialTypeName, type CredentialTypeName } from '../credential-types.js'
import { schemaContentHash } from './schema-hash.js'

/** A claims schema as published: the JSON, its on-chain content hash and its `$id`. */
export interface LoadedSchema {
  readonly schemaId: CredentialTypeName
  readonly version: string
  /** Parsed schema JSON; frozen, shared between callers. */
  readonly schema: Readonly<Record<string, unknown>>
  /** {@link schemaContentHash} of `schema`. */
  readonly contentHash: string
  /** The schema's `$id`. */
  readonly uri: string
}

/** The schema file does not describe the catalogue entry that points at it. */
export class SchemaLoadError extends Error {
  static readonly code = 'ERR_SCHEMA_INVALID'
  readonly code = 'ERR_SCHEMA_INVALID'
  override name = 'SchemaLoadError'
}

const cache = new Map<CredentialTypeName, LoadedSchema>()

/**
 * Absolute path of the project's `schemas/` directory
 * (this file sits at `src/credentials/schemas/`, three levels below the project root).
 *
 * @example
 * schemasDir() // => '/srv/govcred/schemas'
 */
export function schemasDir(): string {
  return fileURLToPath(new URL('../../../schemas/', import.meta.url))
}

/**
 * Reads, checks and hashes the claims schema of one credential type. Cached after the first read.
 *
 * @throws SchemaLoadError if the file's `$id`, `x-govcred.credentialType` or `x-govcred.version`
 *   disagree with the catalogue; the underlying error if the file is missing or not JSON.
 * @example
 * const { contentHash, uri } = loadSchema('BusinessLicenseCredential')
 * // uri === 'https://schemas.govcred.example/business-license-credential/1.0.0'
 */
export function loadSchema(typeName: CredentialTypeName): LoadedSchema {
  if (!isCredentialTypeName(typeName)) {
    throw new TypeError(`unknown credential type: ${String(typeName)}`)
  }
  const cached = cache.get(typeName)
  if (cached) return cached
  const loaded = readSchema(typeName)
  cache.set(typeName, loaded)
  return loaded
}

/**
 * Loads every catalogue schema, in catalogue order.
 *
 * @example
 * for (const s of loadAllSchemas()) registry.register(s.schemaId, s.version, s.contentHash, s.uri)
 */
export function loadAllSchemas(): readonly LoadedSchema[] {
  return CREDENTIAL_TYPE_NAMES.map(loadSchema)
}

function readSchema(typeName: CredentialTypeName): LoadedSchema {
  const entry = CREDENTIAL_TYPES[typeName]
  const file = join(schemasDir(), entry.schemaFile)
  const schema = deepFreeze(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
  const meta = schema['x-govcred'] as { credentialType?: unknown; version?: unknown } | undefined
  const uri = schema.$id
  if (meta?.credentialType !== entry.type || meta.version !== entry.schemaVersion) {
    throw new SchemaLoadError(`${entry.schemaFile}: x-govcred does not declare ${entry.type} ${entry.schemaVersion}`)
  }
  if (typeof uri !== 'string' || !uri.endsWith(`/${entry.schemaVersion}`)) {
    throw new SchemaLoadError(`${entry.schemaFile}: $id must be a URI ending in /${entry.schemaVersion}`)
  }
  return Object.freeze({
    schemaId: typeName,
    version: entry.schemaVersion,
    schema,
    contentHash: schemaContentHash(schema),
    uri,
  })
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
