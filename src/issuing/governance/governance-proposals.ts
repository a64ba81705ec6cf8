import { keccak256, toUtf8Bytes } from 'ethers'
import type { ChainWriter } from '../../chain/chain-writer.js'
import { encodeCall, type ContractName } from '../../chain/contract-artifacts.js'
import { GovernanceContractClient } from '../../chain/registries/governance-contract.js'
import type { GovernanceMember } from './governance-members.js'

export interface GovernanceAction {
  contract: ContractName
  target: string
  method: string
  args: readonly unknown[]
  /** Distinguishes repeated actions with the same call (e.g. a second suspension); stable for retries. */
  salt: string
  label: string
}

export interface ProposalState {
  proposalId: string
  exists: boolean
  approvals: number
  executed: boolean
  threshold: number
  approvedBy: string[]
}

export const saltOf = (text: string) => keccak256(toUtf8Bytes(text))

/** Reads and drives proposals on the ConsortiumGovernance contract. */
export class Governance {
  readonly address: string

  constructor(
    private readonly contract: GovernanceContractClient,
    private readonly writer: ChainWriter,
  ) {
    this.address = contract.address
  }

  static proposalId(action: Pick<GovernanceAction, 'contract' | 'target' | 'method' | 'args' | 'salt'>): string {
    return GovernanceContractClient.proposalId(action)
  }

  async state(proposalId: string, members: GovernanceMember[] = []): Promise<ProposalState> {
    const threshold = await this.contract.threshold()
    const proposal = await this.contract.proposal(proposalId)
    const approvedBy: string[] = []
    for (const member of members)
      if (proposal && (await this.contract.hasApproved(proposalId, member.address))) approvedBy.push(member.alias)
    return {
      proposalId,
      exists: proposal !== null,
      approvals: proposal?.approvals ?? 0,
      executed: proposal?.executed ?? false,
      threshold,
      approvedBy,
    }
  }

  /** Submits a proposal as `member`; returns its id (existing proposals are left as they are). */
  async propose(action: GovernanceAction, member: GovernanceMember): Promise<ProposalState> {
    const proposalId = Governance.proposalId(action)
    const current = await this.state(proposalId)
    if (!current.exists) {
      const data = encodeCall(action.contract, action.method, action.args)
      await this.writer.submit({
        id: `propose:${proposalId}`,
        account: member.address,
        contract: 'ConsortiumGovernance',
        target: this.address,
        method: 'propose',
        args: [action.target, data, action.salt],
        label: `propose ${action.label}`,
      })
    }
    return this.state(proposalId)
  }

  /** Approves a proposal as `member` (a no-op when that member already approved or it already executed). */
  async approve(proposalId: string, member: GovernanceMember): Promise<ProposalState> {
    const current = await this.state(proposalId, [member])
    if (!current.exists) throw new Error(`no proposal ${proposalId} on chain`)
    if (!current.executed && current.approvedBy.length === 0) {
      await this.writer.submit({
        id: `approve:${proposalId}:${member.address.toLowerCase()}`,
        account: member.address,
        contract: 'ConsortiumGovernance',
        target: this.address,
        method: 'approve',
        args: [proposalId],
        label: `approve ${proposalId}`,
      })
    }
    return this.state(proposalId)
  }

  /**
   * Proposes with the first member and approves with the next ones until the proposal executes:
   * the governance path for a node that holds several member keys (the embedded consortium).
   */
  async proposeAndApprove(action: GovernanceAction, members: GovernanceMember[]): Promise<ProposalState> {
    if (members.length === 0) throw new Error('no governance member keys on this node')
    let state = await this.propose(action, members[0])
    for (const member of members.slice(1)) {
      if (state.executed) break
      state = await this.approve(state.proposalId, member)
    }
    if (!state.executed) {
      throw new Error(`proposal ${state.proposalId} has ${state.approvals} of ${state.threshold} approvals; other members must approve it`)
    }
    return state
  }
}
