import { Contract, isError, type ContractRunner } from 'ethers'
import { ChainUnavailableError, readRegistry } from '../chain-errors.js'
import { loadArtifact } from '../contract-artifacts.js'

export interface CredentialStatusBits {
  revoked: boolean
  suspended: boolean
}

/** Words (256 bits each) of one list: CredentialStatusRegistry.LIST_SIZE / 256. */
export const STATUS_LIST_WORDS = (1 << 20) / 256
/** Words per getWords call: 1,024 storage reads (~2.2 M gas), well under any node's eth_call gas cap. */
const WORDS_PER_CALL = 1024
/** Concurrent getWord calls when the deployed registry predates getWords. */
const SINGLE_WORD_CONCURRENCY = 32

/** Both lists of an issuer as read at one block: word w, bit i is list index w * 256 + i. */
export interface StatusListWords {
  revocation: bigint[]
  suspension: bigint[]
  blockTag: number
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

  /**
   * Every word of both of an issuer's lists, read at `blockTag` (one consistent state): 8 eth_calls of getWords.
   * A registry deployed before getWords existed is read word by word (8,192 getWord calls, slower, same result).
   */
  async listsAt(account: string, blockTag: number): Promise<StatusListWords> {
    const [revocation, suspension] = await Promise.all([this.wordsAt(account, 0, blockTag), this.wordsAt(account, 1, blockTag)])
    return { revocation, suspension, blockTag }
  }

  private hasGetWords = true

  private async wordsAt(account: string, purpose: 0 | 1, blockTag: number): Promise<bigint[]> {
    if (this.hasGetWords) {
      try {
        const chunks = await Promise.all(
          Array.from({ length: STATUS_LIST_WORDS / WORDS_PER_CALL }, (_, k) =>
            readRegistry(
              'getWords',
              () =>
                this.contract
                  .getFunction('getWords')
                  .staticCall(account, purpose, k * WORDS_PER_CALL, WORDS_PER_CALL, { blockTag }) as Promise<bigint[]>,
            ),
          ),
        )
        return chunks.flatMap((chunk) => [...chunk])
      } catch (error) {
        // An empty revert or an empty answer: no such function on this deployment (a registry from before it).
        const cause = error instanceof ChainUnavailableError ? error.cause : undefined
        if (!isError(cause, 'BAD_DATA') && !isError(cause, 'CALL_EXCEPTION')) throw error
      }
    }
    const readWord = (w: number) =>
      readRegistry('getWord', () => this.contract.getFunction('getWord').staticCall(account, purpose, w, { blockTag }) as Promise<bigint>)
    const words = new Array<bigint>(STATUS_LIST_WORDS)
    words[0] = await readWord(0)
    // getWord answers where getWords did not: remember it, and read the rest word by word.
    this.hasGetWords = false
    let next = 1
    const worker = async () => {
      for (let w = next++; w < STATUS_LIST_WORDS; w = next++) words[w] = await readWord(w)
    }
    await Promise.all(Array.from({ length: SINGLE_WORD_CONCURRENCY }, worker))
    return words
  }

  /** The audit-chain head anchored with the issuer's latest status batch, and when. */
  async auditHeadOf(account: string): Promise<[string, bigint]> {
    return readRegistry('auditHeadOf', () => this.contract.getFunction('auditHeadOf').staticCall(account) as Promise<[string, bigint]>)
  }
}
