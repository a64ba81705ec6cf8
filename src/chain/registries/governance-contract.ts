import { AbiCoder, Contract, keccak256, ZeroAddress, type ContractRunner } from 'ethers'
import { readRegistry } from '../chain-errors.js'
import { encodeCall, loadArtifact, type ContractName } from '../contract-artifacts.js'

export interface ProposalRecord {
  proposer: string
  approvals: number
  executed: boolean
}

/** The call a proposal executes once approved. */
export interface ProposedCall {
  contract: ContractName
  target: string
  method: string
  args: readonly unknown[]
  salt: string
}

/** Typed reads of the ConsortiumGovernance contract, and the proposal id it derives. */
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

  /** The proposal, or null when none has that id. */
  async proposal(proposalId: string): Promise<ProposalRecord | null> {
    const [, , proposer, approvals, executed] = await readRegistry('getProposal', () => this.contract.getProposal(proposalId))
    if (proposer === ZeroAddress) return null
    return { proposer, approvals: Number(approvals), executed }
  }

  hasApproved(proposalId: string, member: string): Promise<boolean> {
    return readRegistry('hasApproved', () => this.contract.hasApproved(proposalId, member))
  }
}
