import type { SchemaRegistryClient } from '../../chain/registries/schema-registry.js'
import { loadAllSchemas, type LoadedSchema } from '../../catalog/schemas/load-schemas.js'
import type { GovernanceMember } from './governance-members.js'
import { saltOf, type Governance } from './governance-proposals.js'

export interface SchemaPublication {
  schemaId: string
  version: string
  contentHash: string
  outcome: 'published' | 'already-published'
}

/**
 * Publishes every schema in schemas/ through governance, skipping versions already anchored.
 * A version anchored with a different hash is an error: versions are never overwritten.
 */
export async function publishSchemas(
  governance: Governance,
  members: GovernanceMember[],
  registry: SchemaRegistryClient,
  schemas: readonly LoadedSchema[] = loadAllSchemas(),
): Promise<SchemaPublication[]> {
  const results: SchemaPublication[] = []
  for (const schema of schemas) {
    const anchored = await registry.get(schema.schemaId, schema.version)
    if (anchored) {
      const anchoredHash = anchored.contentHash
      if (anchoredHash !== schema.contentHash) {
        throw new Error(
          `schema ${schema.schemaId} ${schema.version} is anchored with hash ${anchoredHash} but schemas/ has ${schema.contentHash}; ` +
            'publish the change as a new version',
        )
      }
      results.push({ schemaId: schema.schemaId, version: schema.version, contentHash: schema.contentHash, outcome: 'already-published' })
      continue
    }
    await governance.proposeAndApprove(
      {
        contract: 'SchemaRegistry',
        target: registry.address,
        method: 'publishSchema',
        args: [schema.schemaId, schema.version, schema.contentHash, schema.uri],
        salt: saltOf(`publishSchema:${schema.schemaId}:${schema.version}`),
        label: `publish schema ${schema.schemaId} ${schema.version}`,
      },
      members,
    )
    results.push({ schemaId: schema.schemaId, version: schema.version, contentHash: schema.contentHash, outcome: 'published' })
  }
  return results
}
