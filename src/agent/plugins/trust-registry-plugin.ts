import type { IAgentPlugin, IPluginMethodMap } from '@veramo/core-types'
import type { Contract } from 'ethers'
import { keccak256, toUtf8Bytes } from 'ethers'
import { toIssuerAddress } from '../../shared/identity/ethr-did.js'
import { registryContract, type RegistryPluginOptions } from './registry-contracts.js'

export const ISSUER_STATUS = ['none', 'active', 'suspended', 'revoked'] as const
export type IssuerStatus = (typeof ISSUER_STATUS)[number]

export interface AccreditedIssuer {
  account: string
  name: string
  unifiedSocialCreditCode: string
  /** keccak256 hashes of the accredited credential type names. */
  credentialTypeHashes: string[]
  validFrom: number
  validUntil: number
  status: IssuerStatus
  registeredAt: number
  statusChangedAt: number
}

/** Reads of the on-chain trusted-issuer registry. */
export interface ITrustRegistry extends IPluginMethodMap {
  /** Is this issuer (DID or address) accredited for the credential type at `at` (unix seconds, default now)? */
  trustRegistryIsAccredited(args: { issuer: string; credentialType: string; at?: number }): Promise<boolean>
  /** The issuer's entry, or null when the chain does not know it. */
  trustRegistryGetIssuer(args: { issuer: string }): Promise<AccreditedIssuer | null>
  trustRegistryListIssuers(): Promise<AccreditedIssuer[]>
}

/**
 * Veramo plugin over the TrustedIssuerRegistry contract.
 *
 * @example
 * const ok = await agent.trustRegistryIsAccredited({ issuer: did, credentialType: 'BusinessLicenseCredential' })
 */
export class TrustRegistryPlugin implements IAgentPlugin {
  readonly methods: ITrustRegistry
  private readonly contract: Contract

  constructor(options: RegistryPluginOptions) {
    this.contract = registryContract('TrustedIssuerRegistry', options)
    this.methods = {
      trustRegistryIsAccredited: (args) => this.isAccredited(args),
      trustRegistryGetIssuer: (args) => this.getIssuer(args.issuer),
      trustRegistryListIssuers: () => this.listIssuers(),
    }
  }

  private async isAccredited({ issuer, credentialType, at }: { issuer: string; credentialType: string; at?: number }): Promise<boolean> {
    const account = toIssuerAddress(issuer)
    if (!account) return false
    const when = BigInt(at ?? Math.floor(Date.now() / 1000))
    return this.contract.isAccredited(account, keccak256(toUtf8Bytes(credentialType)), when)
  }

  private async getIssuer(issuer: string): Promise<AccreditedIssuer | null> {
    const account = toIssuerAddress(issuer)
    if (!account) return null
    try {
      return toIssuer(await this.contract.getIssuer(account))
    } catch (error) {
      if ((error as { revert?: { name?: string } }).revert?.name === 'UnknownIssuer') return null
      throw error
    }
  }

  private async listIssuers(): Promise<AccreditedIssuer[]> {
    const accounts: string[] = await this.contract.getIssuerAccounts()
    return Promise.all(accounts.map(async (account) => toIssuer(await this.contract.getIssuer(account))))
  }
}

function toIssuer(raw: Record<string, unknown> & unknown[]): AccreditedIssuer {
  return {
    account: String(raw.account),
    name: String(raw.name),
    unifiedSocialCreditCode: String(raw.unifiedSocialCreditCode),
    credentialTypeHashes: Array.from(raw.credentialTypes as string[]).map(String),
    validFrom: Number(raw.validFrom),
    validUntil: Number((raw.validUntil as bigint) > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : (raw.validUntil as bigint)),
    status: ISSUER_STATUS[Number(raw.status)] ?? 'none',
    registeredAt: Number(raw.registeredAt),
    statusChangedAt: Number(raw.statusChangedAt),
  }
}
