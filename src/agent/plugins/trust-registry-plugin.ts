import type { IAgentPlugin, IPluginMethodMap } from '@veramo/core-types'
import type { RegistryClients } from '../../chain/registries/registry-clients.js'
import { ISSUER_STATUS, type IssuerEntry, type IssuerStatus } from '../../chain/registries/trusted-issuer-registry.js'
import { toIssuerAddress } from '../../shared/identity/ethr-did.js'

export { ISSUER_STATUS, type IssuerStatus }

export interface AccreditedIssuer extends Omit<IssuerEntry, 'validUntil'> {
  /** Unix seconds, capped at Number.MAX_SAFE_INTEGER for an open-ended accreditation. */
  validUntil: number
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
 * Veramo plugin over the trusted-issuer registry client.
 *
 * @example
 * const ok = await agent.trustRegistryIsAccredited({ issuer: did, credentialType: 'BusinessLicenseCredential' })
 */
export class TrustRegistryPlugin implements IAgentPlugin {
  readonly methods: ITrustRegistry

  constructor(registries: Pick<RegistryClients, 'trustedIssuers'>) {
    const client = registries.trustedIssuers
    this.methods = {
      async trustRegistryIsAccredited({ issuer, credentialType, at }) {
        const account = toIssuerAddress(issuer)
        if (!account) return false
        return client.isAccredited(account, credentialType, at ?? Math.floor(Date.now() / 1000))
      },
      async trustRegistryGetIssuer({ issuer }) {
        const account = toIssuerAddress(issuer)
        if (!account) return null
        const entry = await client.getIssuer(account)
        return entry ? toAccredited(entry) : null
      },
      async trustRegistryListIssuers() {
        return (await client.listIssuers()).map(toAccredited)
      },
    }
  }
}

function toAccredited(entry: IssuerEntry): AccreditedIssuer {
  const cap = BigInt(Number.MAX_SAFE_INTEGER)
  return { ...entry, validUntil: Number(entry.validUntil > cap ? cap : entry.validUntil) }
}
