import { ChainUnavailableError } from '../chain/chain-errors.js'
import { Interface, type JsonRpcProvider, type Log } from 'ethers'
import { loadArtifact } from '../chain/contract-artifacts.js'
import type { ContractAddresses } from '../config/deployments-file.js'

export type Invalidation =
  | { kind: 'did'; account: string }
  | { kind: 'issuer'; account: string }
  | { kind: 'status'; account: string; purpose: number }
  | { kind: 'schemas' }
  | { kind: 'all' }

export interface ChainWatcherOptions {
  /** How often the chain is polled for new blocks. */
  pollMs: number
  /** A verification re-syncs first when the last sync is older than this. */
  freshnessMs: number
  /** Past this without reaching the chain, verification fails closed. */
  maxStalenessMs: number
  /**
   * Longest a verification waits for a re-sync before it is judged by the staleness bound (the JSON-RPC
   * timeout, GOVCRED_RPC_TIMEOUT_MS): a hung node delays an answer by at most this, never minutes.
   */
  syncWaitMs: number
}

export const DEFAULT_WATCHER_OPTIONS: ChainWatcherOptions = { pollMs: 250, freshnessMs: 100, maxStalenessMs: 15_000, syncWaitMs: 3000 }

/**
 * Follows new blocks and turns the registries' events into cache invalidations, so cached DID
 * documents, accreditations, schema hashes and status bits change within one block of a change
 * on chain. When logs cannot be read for a range, everything is invalidated.
 */
export class ChainWatcher {
  private lastBlock = -1
  /** On the monotonic clock: a wall clock stepped back (NTP) must not stretch the staleness bound. */
  private lastSyncAt = Number.NEGATIVE_INFINITY
  private inFlight?: Promise<void>
  private timer?: NodeJS.Timeout
  private readonly listeners = new Set<(i: Invalidation) => void>()
  private readonly parsers: { address: string; iface: Interface; contract: 'did' | 'issuers' | 'schemas' | 'status' }[]

  constructor(
    private readonly provider: JsonRpcProvider,
    contracts: ContractAddresses,
    readonly options: ChainWatcherOptions = DEFAULT_WATCHER_OPTIONS,
  ) {
    this.parsers = [
      { address: contracts.didRegistry.toLowerCase(), iface: new Interface(loadArtifact('EthereumDIDRegistry').abi), contract: 'did' },
      {
        address: contracts.trustedIssuers.toLowerCase(),
        iface: new Interface(loadArtifact('TrustedIssuerRegistry').abi),
        contract: 'issuers',
      },
      { address: contracts.schemas.toLowerCase(), iface: new Interface(loadArtifact('SchemaRegistry').abi), contract: 'schemas' },
      { address: contracts.status.toLowerCase(), iface: new Interface(loadArtifact('CredentialStatusRegistry').abi), contract: 'status' },
    ]
  }

  onInvalidate(listener: (i: Invalidation) => void): void {
    this.listeners.add(listener)
  }

  get blockNumber(): number {
    return this.lastBlock
  }

  /** Wall-clock time (ms) of the last successful sync; 0 before the first. */
  get lastSyncedAt(): number {
    return Number.isFinite(this.lastSyncAt) ? Date.now() - (performance.now() - this.lastSyncAt) : 0
  }

  async start(): Promise<void> {
    await this.sync()
    this.timer = setInterval(() => void this.sync().catch(() => undefined), this.options.pollMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  /**
   * Makes sure caches reflect the chain as of at most `freshnessMs` ago; throws ChainUnavailableError
   * when the chain has not been reached for longer than the staleness bound. Waits for a re-sync at most
   * `syncWaitMs` (the sync goes on in the background), so it answers within that, whatever the node does.
   */
  async ensureFresh(): Promise<void> {
    if (performance.now() - this.lastSyncAt <= this.options.freshnessMs) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      // Failures are judged below by the staleness bound.
      this.sync().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.syncWaitMs)
      }),
    ]).finally(() => clearTimeout(timer))
    const age = performance.now() - this.lastSyncAt
    if (age > this.options.maxStalenessMs) {
      const since = Number.isFinite(age) ? `for ${Math.round(age / 1000)} s` : 'since this verifier started'
      throw new ChainUnavailableError(`the chain has not been reached ${since} (bound ${this.options.maxStalenessMs / 1000} s)`)
    }
  }

  /** One poll: new blocks → their registry logs → invalidations. Concurrent callers share it. */
  sync(): Promise<void> {
    this.inFlight ??= this.syncOnce().finally(() => {
      this.inFlight = undefined
    })
    return this.inFlight
  }

  private async syncOnce(): Promise<void> {
    const startedAt = performance.now()
    const latest = await this.provider.getBlockNumber()
    if (this.lastBlock < 0) {
      this.lastBlock = latest
    } else if (latest < this.lastBlock) {
      // The chain went back (a restarted dev chain): nothing cached can be trusted.
      this.emit({ kind: 'all' })
      this.lastBlock = latest
    } else if (latest > this.lastBlock) {
      try {
        const logs = await this.provider.getLogs({
          fromBlock: this.lastBlock + 1,
          toBlock: latest,
          address: this.parsers.map((p) => p.address),
        })
        for (const log of logs) this.handle(log)
      } catch {
        this.emit({ kind: 'all' })
      }
      this.lastBlock = latest
    }
    this.lastSyncAt = startedAt
  }

  private handle(log: Log): void {
    const parser = this.parsers.find((p) => p.address === log.address.toLowerCase())
    if (!parser) return
    const topicAccount = log.topics[1] ? `0x${log.topics[1].slice(26)}` : undefined
    switch (parser.contract) {
      case 'did':
        if (topicAccount) this.emit({ kind: 'did', account: topicAccount })
        break
      case 'issuers':
        if (topicAccount) this.emit({ kind: 'issuer', account: topicAccount })
        break
      case 'schemas':
        this.emit({ kind: 'schemas' })
        break
      case 'status': {
        const parsed = safeParse(parser.iface, log)
        if (parsed?.name === 'StatusUpdated')
          this.emit({ kind: 'status', account: String(parsed.args[0]), purpose: Number(parsed.args[1]) })
        break
      }
    }
  }

  /** Invalidates at once what this process itself just changed on chain, ahead of the next poll. */
  notify(invalidation: Invalidation): void {
    this.emit(invalidation)
  }

  private emit(invalidation: Invalidation): void {
    for (const listener of this.listeners) listener(invalidation)
  }
}

function safeParse(iface: Interface, log: Log) {
  try {
    return iface.parseLog({ topics: [...log.topics], data: log.data })
  } catch {
    return null
  }
}
