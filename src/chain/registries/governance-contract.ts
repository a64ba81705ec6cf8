import { AbiCoder, Contract, getAddress, keccak256, ZeroAddress, type ContractRunner, type EventLog, type Log } from 'ethers'
import { readRegistry } from '../chain-errors.js'
import { encodeCall, loadArtifact, type ContractName } from '../contract-artifacts.js'

/** Where a proposal stands, as ConsortiumGovernance.getProposalStatus answers. */
export const PROPOSAL_STATUS = ['unknown', 'open', 'executed', 'expired', 'cancelled'] as const
export type ProposalStatus = (typeof PROPOSAL_STATUS)[number]

export interface ProposalRecord {
  proposer: string
  approvals: number
  executed: boolean
  target: string
  /** The ABI-encoded call the proposal makes. */
  data: string
  status: Exclude<ProposalStatus, 'unknown'>
  /** Block timestamps (seconds). */
  createdAt: number
  expiresAt: number
  /** Block of the (latest) ProposalCreated event; its approvals are logged from there on. */
  createdBlock: number
  /** 0 for the first proposal of this id, one more for each re-proposal after expiry or cancellation. */
  round: number
}

/** One approval, from the contract's ProposalApproved events. */
export interface ApprovalRecord {
  member: string
  /** Approvals counted right after this one. */
  approvals: number
  blockNumber: number
  transactionHash: string
}

/** The call a proposal executes once approved. */
export interface ProposedCall {
  contract: ContractName
  target: string
  method: string
  args: readonly unknown[]
  salt: string
}

/** Typed reads of the ConsortiumGovernance contract (state and event logs), and the proposal id it derives. */
export class GovernanceContractClient {
  private readonly contract: Contract

  constructor(
    readonly address: string,
    runner: ContractRunner,
  ) {
    this.contract = new Contract(address, loadArtifact('ConsortiumGovernance').abi, runner)
  }

  /** keccak256(abi.encode(target, calldata, salt)), as the contract computes it. */
  static proposalId(call: ProposedCall): string {
    const data = encodeCall(call.contract, call.method, call.args)
    return keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'bytes', 'bytes32'], [call.target, data, call.salt]))
  }

  async threshold(): Promise<number> {
    return Number(await readRegistry('threshold', () => this.contract.threshold()))
  }

  /** The current members, checksummed, in the contract's order. */
  async members(): Promise<string[]> {
    const members: string[] = await readRegistry('getMembers', () => this.contract.getMembers())
    return members.map((m) => getAddress(m))
  }

  isMember(account: string): Promise<boolean> {
    return readRegistry('isMember', () => this.contract.isMember(account))
  }

  /** Seconds a proposal stays open, fixed at deployment. */
  async proposalLifetime(): Promise<number> {
    return Number(await readRegistry('proposalLifetime', () => this.contract.proposalLifetime()))
  }

  /** The proposal, or null when none has that id. */
  async proposal(proposalId: string): Promise<ProposalRecord | null> {
    const [[target, data, proposer, approvals, executed, createdAt], [status, expiresAt, createdBlock, round]] = await Promise.all([
      readRegistry('getProposal', () => this.contract.getProposal(proposalId)),
      readRegistry('getProposalStatus', () => this.contract.getProposalStatus(proposalId)),
    ])
    if (proposer === ZeroAddress) return null
    return {
      proposer: getAddress(proposer),
      approvals: Number(approvals),
      executed,
      target: getAddress(target),
      data,
      status: PROPOSAL_STATUS[Number(status)] as ProposalRecord['status'],
      createdAt: Number(createdAt),
      expiresAt: Number(expiresAt),
      createdBlock: Number(createdBlock),
      round: Number(round),
    }
  }

  hasApproved(proposalId: string, member: string): Promise<boolean> {
    return readRegistry('hasApproved', () => this.contract.hasApproved(proposalId, member))
  }

  /**
   * Who approved the proposal's current round, in order, from its ProposalApproved events (so also members who
   * were removed since, and for executed proposals). The proposer's own approval comes first.
   */
  async approvals(proposalId: string, fromBlock: number): Promise<ApprovalRecord[]> {
    const [created, approved] = await Promise.all([
      readRegistry('ProposalCreated logs', () => this.contract.queryFilter(this.contract.filters.ProposalCreated(proposalId), fromBlock)),
      readRegistry('ProposalApproved logs', () => this.contract.queryFilter(this.contract.filters.ProposalApproved(proposalId), fromBlock)),
    ])
    // Only the approvals after the latest ProposalCreated: an earlier round's approvals in the same block do not count.
    const start = created.reduce<Log | undefined>((latest, log) => (!latest || position(log) > position(latest) ? log : latest), undefined)
    return approved
      .filter((log) => !start || position(log) > position(start))
      .sort((a, b) => position(a) - position(b))
      .map((log) => {
        const { args } = log as EventLog
        return {
          member: getAddress(args[1] as string),
          approvals: Number(args[2]),
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
        }
      })
  }
}

const position = (log: Log): number => log.blockNumber * 1_000_000 + log.index
