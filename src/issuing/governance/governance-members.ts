import type { IDIDManager, IIdentifier, IKeyManager, TAgent } from '@veramo/core-types'
import { KmsSigner } from '../../chain/kms-signer.js'
import { ethrDidToAddress } from '../../shared/identity/ethr-did.js'

export interface GovernanceMember {
  alias: string
  did: string
  address: string
  signer: KmsSigner
}

/** The slice of the agent governance uses: member identities, and signing with their keys. */
export type GovernanceAgent = TAgent<Pick<IDIDManager, 'didManagerGetOrCreate' | 'didManagerFind'> & Pick<IKeyManager, 'keyManagerSign'>>

export const memberAlias = (n: number) => `governance-${n}`

/** The consortium member identities this node holds keys for (aliases governance-1..N), created when missing. */
export async function ensureGovernanceMembers(agent: GovernanceAgent, networkName: string, count: number): Promise<GovernanceMember[]> {
  const members: GovernanceMember[] = []
  for (let n = 1; n <= count; n++) {
    const identifier = await agent.didManagerGetOrCreate({ alias: memberAlias(n), provider: 'did:ethr', options: { network: networkName } })
    members.push(toMember(agent, identifier))
  }
  return members
}

/** Members already present locally (no creation). */
export async function localGovernanceMembers(agent: GovernanceAgent): Promise<GovernanceMember[]> {
  const all = await agent.didManagerFind({ provider: 'did:ethr' })
  return all
    .filter((identifier) => identifier.alias?.startsWith('governance-'))
    .sort((a, b) => Number(a.alias!.split('-')[1]) - Number(b.alias!.split('-')[1]))
    .map((identifier) => toMember(agent, identifier))
}

/** An ethers signer for a did:ethr identifier whose controller key is in our KMS. */
export function signerFor(agent: TAgent<Pick<IKeyManager, 'keyManagerSign'>>, identifier: IIdentifier): KmsSigner {
  const key = identifier.keys.find((k) => k.kid === identifier.controllerKeyId) ?? identifier.keys[0]
  return new KmsSigner(key, agent)
}

function toMember(agent: GovernanceAgent, identifier: IIdentifier): GovernanceMember {
  return {
    alias: identifier.alias!,
    did: identifier.did,
    address: ethrDidToAddress(identifier.did)!,
    signer: signerFor(agent, identifier),
  }
}
