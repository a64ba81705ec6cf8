import type { IAgentPlugin, IPluginMethodMap } from '@veramo/core-types'
import type { Contract } from 'ethers'
import { registryContract, type RegistryPluginOptions } from './registry-contracts.js'

export interface AnchoredSchema {
  schemaId: string
  version: string
  contentHash: string
  uri: string
  publishedAt: number
  deprecated: boolean
}

/** Reads of the on-chain schema registry. */
export interface ISchemaRegistry extends IPluginMethodMap {
  /** The anchored schema version, or null when it was never published. */
  schemaRegistryGet(args: { schemaId: string; version: string }): Promise<AnchoredSchema | null>
  schemaRegistryList(): Promise<AnchoredSchema[]>
}

/** Veramo plugin over the SchemaRegistry contract. */
export class SchemaRegistryPlugin implements IAgentPlugin {
  readonly methods: ISchemaRegistry
  private readonly contract: Contract

  constructor(options: RegistryPluginOptions) {
    this.contract = registryContract('SchemaRegistry', options)
    this.methods = {
      schemaRegistryGet: (args) => this.get(args.schemaId, args.version),
      schemaRegistryList: () => this.list(),
    }
  }

  private async get(schemaId: string, version: string): Promise<AnchoredSchema | null> {
    if (!(await this.contract.isPublished(schemaId, version))) return null
    const [contentHash, uri, publishedAt, deprecated] = await this.contract.getSchema(schemaId, version)
    return { schemaId, version, contentHash, uri, publishedAt: Number(publishedAt), deprecated }
  }

  private async list(): Promise<AnchoredSchema[]> {
    const ids: string[] = await this.contract.getSchemaIds()
    const all: AnchoredSchema[] = []
    for (const id of ids) {
      const versions: string[] = await this.contract.getVersions(id)
      for (const version of versions) {
        const schema = await this.get(id, version)
        if (schema) all.push(schema)
      }
    }
    return all
  }
}
