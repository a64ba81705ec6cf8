import type { IAgentPlugin, IPluginMethodMap } from '@veramo/core-types'
import type { RegistryClients } from '../../chain/registries/registry-clients.js'
import type { AnchoredSchema } from '../../chain/registries/schema-registry.js'

export type { AnchoredSchema }

/** Reads of the on-chain schema registry. */
export interface ISchemaRegistry extends IPluginMethodMap {
  /** The anchored schema version, or null when it was never published. */
  schemaRegistryGet(args: { schemaId: string; version: string }): Promise<AnchoredSchema | null>
  schemaRegistryList(): Promise<AnchoredSchema[]>
}

/** Veramo plugin over the schema registry client. */
export class SchemaRegistryPlugin implements IAgentPlugin {
  readonly methods: ISchemaRegistry

  constructor(registries: Pick<RegistryClients, 'schemas'>) {
    const client = registries.schemas
    this.methods = {
      schemaRegistryGet: (args) => client.get(args.schemaId, args.version),
      schemaRegistryList: () => client.list(),
    }
  }
}
