import type { IAgentPlugin, IPluginMethodMap } from '@veramo/core-types'
import type { Contract } from 'ethers'
import { toIssuerAddress } from '../../shared/identity/ethr-did.js'
import { registryContract, type RegistryPluginOptions } from './registry-contracts.js'

export interface CredentialStatusBits {
  revoked: boolean
  suspended: boolean
}

/** Reads of the on-chain credential status registry. */
export interface IStatusRegistry extends IPluginMethodMap {
  /** Revocation and suspension bits of one index of an issuer's lists, in one call. */
  statusRegistryRead(args: { issuer: string; index: number }): Promise<CredentialStatusBits>
}

/** Veramo plugin over the CredentialStatusRegistry contract. */
export class StatusRegistryPlugin implements IAgentPlugin {
  readonly methods: IStatusRegistry
  private readonly contract: Contract

  constructor(options: RegistryPluginOptions) {
    this.contract = registryContract('CredentialStatusRegistry', options)
    this.methods = {
      statusRegistryRead: (args) => this.read(args.issuer, args.index),
    }
  }

  private async read(issuer: string, index: number): Promise<CredentialStatusBits> {
    const account = toIssuerAddress(issuer)
    if (!account) throw new Error(`not an issuer DID or address: ${issuer}`)
    const [revoked, suspended] = await this.contract.statusOf(account, BigInt(index))
    return { revoked, suspended }
  }
}
