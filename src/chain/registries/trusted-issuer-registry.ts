import { Contract, getAddress, type ContractRunner } from 'ethers'
import { readRegistry } from '../chain-errors.js'
import { loadArtifact } from '../contract-artifacts.js'
import { credentialTypeHash } from './credential-type-hash.js'

export const ISSUER_STATUS = ['none', 'active', 'suspended', 'revoked'] as const
export type IssuerStatus = (typeof ISSUER_STATUS)[number]

/** One entry of the trusted-issuer registry, as stored on chain. */
export interface IssuerEntry {
  account: string
  name: string
  unifiedSocialCreditCode: string
  /** keccak256 hashes of the accredited credential type names (see credentialTypeHash). */
  credentialTypeHashes: string[]
  validFrom: number
  /** 2^64-1 when open-ended. */
  validUntil: bigint
  status: IssuerStatus
  registeredAt: number
  statusChangedAt: number
}

/** [status, at] pairs in order; status 1 active, 2 suspended, 3 revoked. */
export type IssuerStatusHistory = [number, number][]

/** Typed reads of the TrustedIssuerRegistry contract. */
export class TrustedIssuerRegistryClient {
  private readonly contract: Contract

  constructor(
    readonly address: string,
    runner: ContractRunner,
  ) {
    this.contract = new Contract(address, loadArtifact('TrustedIssuerRegistry').abi, runner)
  }

  /** Is `account` accredited for the credential type at `at` (unix seconds), as the contract decides? */
  isAccredited(account: string, credentialType: string, at: number | bigint): Promise<boolean> {
    return readRegistry('isAccredited', () => this.contract.isAccredited(account, credentialTypeHash(credentialType), BigInt(at)))
  }

  /** The entry, or null when the registry does not know the account. */
  async getIssuer(account: string): Promise<IssuerEntry | null> {
    return readRegistry('getIssuer', async () => {
      try {
        return toEntry(await this.contract.getIssuer(getAddress(account)))
      } catch (error) {
        if ((error as { revert?: { name?: string } }).revert?.name === 'UnknownIssuer') return null
        throw error
      }
    })
  }

  async statusHistory(account: string): Promise<IssuerStatusHistory> {
    const history: unknown[][] = await readRegistry('getStatusHistory', () => this.contract.getStatusHistory(getAddress(account)))
    return history.map((h) => [Number(h[0]), Number(h[1])])
  }

  async listIssuers(): Promise<IssuerEntry[]> {
    return readRegistry('listIssuers', async () => {
      const accounts: string[] = await this.contract.getIssuerAccounts()
      return Promise.all(accounts.map(async (account) => toEntry(await this.contract.getIssuer(account))))
    })
  }
}

function toEntry(raw: Record<string, unknown> & unknown[]): IssuerEntry {
  return {
    account: String(raw.account),
    name: String(raw.name),
    unifiedSocialCreditCode: String(raw.unifiedSocialCreditCode),
    credentialTypeHashes: Array.from(raw.credentialTypes as string[]).map(String),
    validFrom: Number(raw.validFrom),
    validUntil: BigInt(raw.validUntil as bigint),
    status: ISSUER_STATUS[Number(raw.status)] ?? 'none',
    registeredAt: Number(raw.registeredAt),
    statusChangedAt: Number(raw.statusChangedAt),
  }
}
