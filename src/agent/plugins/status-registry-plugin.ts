import type { IAgentPlugin, IPluginMethodMap } from '@veramo/core-types'
import type { RegistryClients } from '../../chain/registries/registry-clients.js'
import type { CredentialStatusBits } from '../../chain/registries/status-registry.js'
import { toIssuerAddress } from '../../shared/identity/ethr-did.js'

export type { CredentialStatusBits }

/** Reads of the on-chain credential status registry. */
export interface IStatusRegistry extends IPluginMethodMap {
  /** Revocation and suspension bits of one index of an issuer's lists, in one call. */
  statusRegistryRead(args: { issuer: string; index: number }): Promise<CredentialStatusBits>
}

/** Veramo plugin over the status registry client. */
export class StatusRegistryPlugin implements IAgentPlugin {
  readonly methods: IStatusRegistry

  constructor(registries: Pick<RegistryClients, 'status'>) {
    const client = registries.status
    this.methods = {
      async statusRegistryRead({ issuer, index }) {
        const account = toIssuerAddress(issuer)
        if (!account) throw new Error(`not an issuer DID or address: ${issuer}`)
        return client.statusOf(account, index)
      },
    }
  }
}
