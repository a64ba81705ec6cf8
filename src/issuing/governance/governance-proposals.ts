import { AbiCoder, Contract, Interface, keccak256, toUtf8Bytes, type JsonRpcProvider } from 'ethers'
import type { ChainWriter } from '../../chain/chain-writer.js'
import { loadArtifact, type ContractName } from '../../chain/contract-artifacts.js'
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
  private readonly contract: Contract

  constructor(
    readonly address: string,
    private readonly provider: JsonRpcProvider,
    private readonly writer: ChainWriter,
  ) {
    this.contract = new Contract(address, loadArtifact('ConsortiumGovernance').abi, provider)
  }

  static proposalId(action: Pick<GovernanceAction, 'contract' | 'target' | 'method' | 'args' | 'salt'>): string {
    const data = new Interface(loadArtifact(action.contract).abi).encodeFunctionData(action.method, action.args as unknown[])
    return keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'bytes', 'bytes32'], [action.target, data, action.salt]))
  }

  async state(proposalId: string, members: GovernanceMember[] = []): Promise<ProposalState> {
    const threshold = Number(await this.contract.threshold())
    const [, , proposer, approvals, executed] = await this.contract.getProposal(proposalId)
    const exists = proposer !== '0x0000000000000000000000000000000000000000'
    const approvedBy: string[] = []
    for (const member of members) if (exists && (await this.contract.hasApproved(proposalId, member.address))) approvedBy.push(member.alias)
    return { proposalId, exists, approvals: Number(approvals), executed, threshold, approvedBy }
  }

  /** Submits a proposal as `member`; returns its id (existing proposals are left as they are). */
  async propose(action: GovernanceAction, member: GovernanceMember): Promise<ProposalState> {
    const proposalId = Governance.proposalId(action)
    const current = await this.state(proposalId)
    if (!current.exists) {
      const data = new Interface(loadArtifact(action.contract).abi).encodeFunctionData(action.method, action.args as unknown[])
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
