import { Contract, type ContractRunner } from 'ethers'
import { readRegistry } from '../chain-errors.js'
import { loadArtifact } from '../contract-artifacts.js'

/** Typed reads of the AnchorRegistry contract: one latest value per (account, key). */
export class AnchorRegistryClient {
  private readonly contract: Contract

  constructor(
    readonly address: string,
    runner: ContractRunner,
  ) {
    this.contract = new Contract(address, loadArtifact('AnchorRegistry').abi, runner)
  }

  /** The value `account` anchored under `key` and the block time it did; zero hash and 0 when never. */
  async anchorOf(account: string, key: string): Promise<[string, bigint]> {
    return readRegistry('anchorOf', () => this.contract.getFunction('anchorOf').staticCall(account, key) as Promise<[string, bigint]>)
  }
}
