import { Contract, type ContractRunner } from 'ethers'
import { readRegistry } from '../chain-errors.js'
import { loadArtifact } from '../contract-artifacts.js'

export interface CredentialStatusBits {
  revoked: boolean
  suspended: boolean
}

/** Typed reads of the CredentialStatusRegistry contract. */
export class StatusRegistryClient {
  private readonly contract: Contract

  constructor(
    readonly address: string,
    runner: ContractRunner,
  ) {
    this.contract = new Contract(address, loadArtifact('CredentialStatusRegistry').abi, runner)
  }

  /** Revocation and suspension bits of one index of an issuer's lists, in one call. */
  async statusOf(account: string, index: number): Promise<CredentialStatusBits> {
    const [revoked, suspended]: [boolean, boolean] = await readRegistry('statusOf', () => this.contract.statusOf(account, BigInt(index)))
    return { revoked, suspended }
  }

  /** The audit-chain head anchored with the issuer's latest status batch, and when. */
  async auditHeadOf(account: string): Promise<[string, bigint]> {
    return readRegistry('auditHeadOf', () => this.contract.getFunction('auditHeadOf').staticCall(account) as Promise<[string, bigint]>)
  }
}
