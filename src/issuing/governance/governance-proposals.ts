import { keccak256, toUtf8Bytes } from 'ethers'
import type { ChainWriter } from '../../chain/chain-writer.js'
import { encodeCall, type ContractName } from '../../chain/contract-artifacts.js'
import { GovernanceContractClient, type ProposalStatus } from '../../chain/registries/governance-contract.js'
import { GovernanceRefusal, type GovernanceMember } from './governance-members.js'

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
  /** unknown (no such proposal), open, executed, expired or cancelled. */
  status: ProposalStatus
  approvals: number
  executed: boolean
  threshold: number
  /** The member who proposed it (absent for an unknown id). */
  proposer?: string
  /** ISO time from which it can no longer be approved or executed. */
  expiresAt?: string
  /** The members who approved it (current round), in order, from the contract's approval events; executed ones too. */
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

  async state(proposalId: string): Promise<ProposalState> {
    const [threshold, proposal] = await Promise.all([this.contract.threshold(), this.contract.proposal(proposalId)])
    if (!proposal) return { proposalId, exists: false, status: 'unknown', approvals: 0, executed: false, threshold, approvedBy: [] }
    const approvals = await this.contract.approvals(proposalId, proposal.createdBlock)
    return {
      proposalId,
      exists: true,
      status: proposal.status,
      approvals: proposal.approvals,
      executed: proposal.executed,
      threshold,
      proposer: proposal.proposer,
      expiresAt: new Date(proposal.expiresAt * 1000).toISOString(),
      approvedBy: approvals.map((a) => a.member),
    }
  }

  /**
   * Submits a proposal as `member`; returns its state (an open or executed proposal is left as it is; one that
   * expired or was cancelled is proposed again).
   */
  async propose(action: GovernanceAction, member: GovernanceMember): Promise<ProposalState> {
    const proposalId = Governance.proposalId(action)
    const proposal = await this.contract.proposal(proposalId)
    if (!proposal || proposal.status === 'expired' || proposal.status === 'cancelled') {
      if (!(await this.contract.isMember(member.address))) {
        throw new GovernanceRefusal(`${member.alias} (${member.address}) is not a current consortium member: it cannot propose`)
      }
      const data = encodeCall(action.contract, action.method, action.args)
      await this.writer.submit({
        id: proposal ? `propose:${proposalId}:round-${proposal.round + 1}` : `propose:${proposalId}`,
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

  /**
   * Approves a proposal as `member` (a no-op when that member already approved it or it already executed).
   * Refuses an expired or cancelled proposal.
   */
  async approve(proposalId: string, member: GovernanceMember): Promise<ProposalState> {
    const proposal = await this.contract.proposal(proposalId)
    if (!proposal) throw new GovernanceRefusal(`no proposal ${proposalId} on chain`)
    if (proposal.status === 'expired' || proposal.status === 'cancelled') {
      throw new GovernanceRefusal(`proposal ${proposalId} is ${proposal.status}: it can no longer be approved; propose it again`)
    }
    if (proposal.status === 'open' && !(await this.contract.hasApproved(proposalId, member.address))) {
      await this.writer.submit({
        id: `approve:${proposalId}:${member.address.toLowerCase()}${proposal.round > 0 ? `:round-${proposal.round}` : ''}`,
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
   * Approves as one member of a consortium whose members run their own nodes: refuses when this node's key store
   * (`localMembers`) holds the proposer's key or the key of a member who already approved, since a second
   * approval from the same key store lets one operator reach the threshold alone.
   */
  async approveIndependently(proposalId: string, member: GovernanceMember, localMembers: GovernanceMember[]): Promise<ProposalState> {
    const state = await this.state(proposalId)
    if (!state.exists) throw new GovernanceRefusal(`no proposal ${proposalId} on chain`)
    if (state.status !== 'open') throw new GovernanceRefusal(`proposal ${proposalId} is ${state.status}: it cannot be approved`)
    const local = new Map([...localMembers, member].map((m) => [m.address.toLowerCase(), m]))
    const proposer = local.get(state.proposer!.toLowerCase())
    if (proposer) {
      throw new GovernanceRefusal(
        `this node's key store holds the proposer's key (${proposer.alias}, ${proposer.address}): the approval must come from ` +
          "another member's own node, so that no single operator reaches the threshold alone",
      )
    }
    const approver = state.approvedBy.map((a) => local.get(a.toLowerCase())).find((m) => m !== undefined)
    if (approver) {
      throw new GovernanceRefusal(
        `this node's key store holds the key of ${approver.alias} (${approver.address}), who already approved this proposal: ` +
          "a second approval must come from another member's own node",
      )
    }
    return this.approve(proposalId, member)
  }

  /** Cancels an open proposal; only its proposer can (`member` must hold the proposer's key). */
  async cancel(proposalId: string, member: GovernanceMember): Promise<ProposalState> {
    const proposal = await this.contract.proposal(proposalId)
    if (!proposal) throw new GovernanceRefusal(`no proposal ${proposalId} on chain`)
    if (proposal.status !== 'open') throw new GovernanceRefusal(`proposal ${proposalId} is ${proposal.status}: it cannot be cancelled`)
    if (proposal.proposer.toLowerCase() !== member.address.toLowerCase()) {
      throw new GovernanceRefusal(`only the proposer (${proposal.proposer}) can cancel proposal ${proposalId}, not ${member.address}`)
    }
    await this.writer.submit({
      id: `cancel:${proposalId}:round-${proposal.round}`,
      account: member.address,
      contract: 'ConsortiumGovernance',
      target: this.address,
      method: 'cancel',
      args: [proposalId],
      label: `cancel ${proposalId}`,
    })
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
