import { Contract, type ContractRunner } from 'ethers'
import { readRegistry } from '../chain-errors.js'
import { loadArtifact } from '../contract-artifacts.js'

export interface AnchoredSchema {
  schemaId: string
  version: string
  contentHash: string
  uri: string
  publishedAt: number
  deprecated: boolean
}

/** Typed reads of the SchemaRegistry contract. */
export class SchemaRegistryClient {
  private readonly contract: Contract

  constructor(
    readonly address: string,
    runner: ContractRunner,
  ) {
    this.contract = new Contract(address, loadArtifact('SchemaRegistry').abi, runner)
  }

  /** The anchored schema version, or null when it was never published. */
  get(schemaId: string, version: string): Promise<AnchoredSchema | null> {
    return readRegistry('getSchema', async () => {
      if (!(await this.contract.isPublished(schemaId, version))) return null
      const [contentHash, uri, publishedAt, deprecated] = await this.contract.getSchema(schemaId, version)
      return { schemaId, version, contentHash, uri, publishedAt: Number(publishedAt), deprecated }
    })
  }

  async list(): Promise<AnchoredSchema[]> {
    const ids: string[] = await readRegistry('getSchemaIds', () => this.contract.getSchemaIds())
    const all: AnchoredSchema[] = []
    for (const id of ids) {
      const versions: string[] = await readRegistry('getVersions', () => this.contract.getVersions(id))
      for (const version of versions) {
        const schema = await this.get(id, version)
        if (schema) all.push(schema)
      }
    }
    return all
  }
}
