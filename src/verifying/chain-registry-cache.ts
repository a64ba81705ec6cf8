import { getAddress, type JsonRpcProvider } from 'ethers'
import { Resolver, type DIDResolutionResult } from 'did-resolver'
import { getResolver as ethrResolver } from 'ethr-did-resolver'
import KeyResolver from 'key-did-resolver'
import { credentialTypeHash } from '../chain/registries/credential-type-hash.js'
import type { RegistryClients } from '../chain/registries/registry-clients.js'
import { ISSUER_STATUS } from '../chain/registries/trusted-issuer-registry.js'
import type { Deployments } from '../config/deployments-file.js'
import { ethrDidToAddress } from '../shared/identity/ethr-did.js'
import type { ChainWatcher, Invalidation } from './chain-watcher.js'

export interface IssuerRecord {
  account: string
  name: string
  credentialTypeHashes: Set<string>
  validFrom: number
  validUntil: bigint
  /** [status, at] pairs in order; status 1 active, 2 suspended, 3 revoked. */
  history: [number, number][]
  status: number
}

export interface SchemaAnchor {
  contentHash: string
  deprecated: boolean
}

/** DID documents of did:ethr may change by expiry of a delegate without an event; bound their age. */
const DID_CACHE_TTL_MS = 60_000

/** How much the cache keeps. */
export interface CacheLimits {
  /** Entries of each map of registered issuers' data: DID documents, issuer records, schema anchors, status bits. */
  entries: number
  /**
   * DID documents and issuer lookups of accounts the trusted-issuer registry does not know (holders, did:key,
   * anyone's DID sent to the resolver route): a small LRU of their own, so that no number of them can push
   * a registered issuer's entries out.
   */
  others: number
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { entries: 50_000, others: 1_000 }

type DidEntry = { at: number; result: Promise<DIDResolutionResult> }

/**
 * The chain as a verifier sees it, cached: DID documents, issuer accreditations, schema anchors and
 * status bits, each dropped when the ChainWatcher reports an event touching it.
 */
export class ChainRegistryCache {
  private readonly resolver: Resolver
  private readonly limits: CacheLimits
  /** DID documents of registered issuers' accounts. */
  private readonly dids = new Map<string, DidEntry>()
  /** Every other DID document (holders, did:key, unknown accounts). */
  private readonly otherDids: LruMap<DidEntry>
  /** Accounts the trusted-issuer registry knows (an entry, whatever its status). */
  private readonly registered = new Set<string>()
  private readonly issuers = new Map<string, Promise<IssuerRecord | null>>()
  /** Issuer lookups until the registry answers with an entry: pending ones and the accounts it does not know. */
  private readonly otherIssuers: LruMap<Promise<IssuerRecord | null>>
  private readonly schemas = new Map<string, Promise<SchemaAnchor | null>>()
  private readonly otherSchemas: LruMap<Promise<SchemaAnchor | null>>
  private readonly status = new Map<string, Promise<{ revoked: boolean; suspended: boolean }>>()
  private readonly otherStatus: LruMap<Promise<{ revoked: boolean; suspended: boolean }>>
  readonly stats = { didHits: 0, didMisses: 0, chainReads: 0 }

  constructor(
    provider: JsonRpcProvider,
    readonly deployments: Deployments,
    private readonly registries: Pick<RegistryClients, 'trustedIssuers' | 'schemas' | 'status'>,
    watcher: ChainWatcher,
    limits: Partial<CacheLimits> = {},
  ) {
    this.limits = { ...DEFAULT_CACHE_LIMITS, ...limits }
    this.otherDids = new LruMap(this.limits.others)
    this.otherIssuers = new LruMap(this.limits.others)
    this.otherSchemas = new LruMap(this.limits.others)
    this.otherStatus = new LruMap(this.limits.others)
    const { contracts } = deployments
    this.resolver = new Resolver({
      ...ethrResolver({
        networks: [{ name: deployments.name, chainId: deployments.chainId, provider: provider as never, registry: contracts.didRegistry }],
      }),
      ...KeyResolver.getResolver(),
    })
    watcher.onInvalidate((i) => this.invalidate(i))
  }

  /**
   * Resolves a DID (without fragment); failures are returned as data, and not cached. Only the documents of
   * accounts the trusted-issuer registry knows go to the main cache; every other DID (a holder's, a did:key,
   * any DID an anonymous caller asks the resolver route for) to the small LRU of others.
   */
  resolveDid(did: string): Promise<DIDResolutionResult> {
    const key = did.split('#')[0]
    const cached = this.cachedDid(key)
    if (cached && (key.startsWith('did:key:') || Date.now() - cached.at < DID_CACHE_TTL_MS)) {
      this.stats.didHits++
      return cached.result
    }
    this.stats.didMisses++
    const forget = () => {
      if (this.dids.get(key) === entry) this.dids.delete(key)
      if (this.otherDids.peek(key) === entry) this.otherDids.delete(key)
    }
    const entry: DidEntry = {
      at: Date.now(),
      result: this.resolver.resolve(key).then(
        (r) => {
          if (r.didResolutionMetadata?.error) forget()
          return r
        },
        (error: unknown) => {
          forget()
          throw error
        },
      ),
    }
    if (this.isRegisteredDid(key)) {
      this.otherDids.delete(key)
      this.remember(this.dids, key, entry)
    } else {
      this.dids.delete(key)
      this.otherDids.set(key, entry)
    }
    return entry.result
  }

  /** How many entries each part of the cache holds (for tests and operators). */
  sizes(): Record<'dids' | 'otherDids' | 'issuers' | 'otherIssuers' | 'schemas' | 'otherSchemas' | 'status' | 'otherStatus', number> {
    return {
      dids: this.dids.size,
      otherDids: this.otherDids.size,
      issuers: this.issuers.size,
      otherIssuers: this.otherIssuers.size,
      schemas: this.schemas.size,
      otherSchemas: this.otherSchemas.size,
      status: this.status.size,
      otherStatus: this.otherStatus.size,
    }
  }

  issuer(account: string): Promise<IssuerRecord | null> {
    const key = account.toLowerCase()
    return this.lookup(
      this.issuers,
      this.otherIssuers,
      key,
      () => this.readIssuer(getAddress(account)),
      (record) => record !== null,
      () => {
        this.registered.add(key)
        this.promoteDids(key)
      },
    )
  }

  schema(schemaId: string, version: string): Promise<SchemaAnchor | null> {
    // Anchored schemas are few; lookups of names and versions that are not anchored stay among the others.
    return this.lookup(
      this.schemas,
      this.otherSchemas,
      `${schemaId}@${version}`,
      () => this.readSchema(schemaId, version),
      (anchor) => anchor !== null,
    )
  }

  statusOf(account: string, index: number): Promise<{ revoked: boolean; suspended: boolean }> {
    const owner = account.toLowerCase()
    // Status bits of accounts the registry does not know stay among the others.
    return this.lookup(
      this.status,
      this.otherStatus,
      `${owner}:${index}`,
      () => {
        this.stats.chainReads++
        return this.registries.status.statusOf(account, index)
      },
      () => this.registered.has(owner),
    )
  }

  /** Accredited for the type at `at` (unix seconds), per the issuer's on-chain history. */
  static accreditedAt(record: IssuerRecord | null, credentialType: string, at: number): boolean {
    if (!record) return false
    if (!record.credentialTypeHashes.has(credentialTypeHash(credentialType))) return false
    if (at < record.validFrom || BigInt(at) >= record.validUntil) return false
    let status = 0
    for (const [s, when] of record.history) if (when <= at) status = s
    return status === 1
  }

  private async readIssuer(account: string): Promise<IssuerRecord | null> {
    this.stats.chainReads++
    const entry = await this.registries.trustedIssuers.getIssuer(account)
    if (!entry) return null
    const history = await this.registries.trustedIssuers.statusHistory(account)
    return {
      account,
      name: entry.name,
      credentialTypeHashes: new Set(entry.credentialTypeHashes),
      validFrom: entry.validFrom,
      validUntil: entry.validUntil,
      history,
      status: ISSUER_STATUS.indexOf(entry.status),
    }
  }

  private async readSchema(schemaId: string, version: string): Promise<SchemaAnchor | null> {
    this.stats.chainReads++
    const anchored = await this.registries.schemas.get(schemaId, version)
    return anchored && { contentHash: anchored.contentHash, deprecated: anchored.deprecated }
  }

  private invalidate(invalidation: Invalidation): void {
    switch (invalidation.kind) {
      case 'all':
        this.dids.clear()
        this.otherDids.clear()
        this.registered.clear()
        this.issuers.clear()
        this.otherIssuers.clear()
        this.schemas.clear()
        this.otherSchemas.clear()
        this.status.clear()
        this.otherStatus.clear()
        break
      case 'schemas':
        this.schemas.clear()
        this.otherSchemas.clear()
        break
      case 'issuer':
        this.issuers.delete(invalidation.account.toLowerCase())
        this.otherIssuers.delete(invalidation.account.toLowerCase())
        break
      case 'did': {
        const account = invalidation.account.toLowerCase()
        for (const did of [...this.dids.keys()]) if (ethrDidToAddress(did)?.toLowerCase() === account) this.dids.delete(did)
        for (const did of [...this.otherDids.keys()]) if (ethrDidToAddress(did)?.toLowerCase() === account) this.otherDids.delete(did)
        break
      }
      case 'status': {
        const prefix = `${invalidation.account.toLowerCase()}:`
        for (const key of [...this.status.keys()]) if (key.startsWith(prefix)) this.status.delete(key)
        for (const key of [...this.otherStatus.keys()]) if (key.startsWith(prefix)) this.otherStatus.delete(key)
        break
      }
    }
  }

  /**
   * A cached read: the main map when `keep` says its answer is worth keeping, otherwise (and while it is pending)
   * the LRU of others. A failed read is forgotten; an invalidation while it is pending wins over its answer.
   */
  private lookup<V>(
    main: Map<string, Promise<V>>,
    others: LruMap<Promise<V>>,
    key: string,
    read: () => Promise<V>,
    keep: (value: V) => boolean,
    kept?: () => void,
  ): Promise<V> {
    const cached = main.get(key) ?? others.get(key)
    if (cached) return cached
    const pending: Promise<V> = read().then(
      (value) => {
        if (keep(value) && others.peek(key) === pending) {
          others.delete(key)
          this.remember(main, key, pending)
          kept?.()
        }
        return value
      },
      (error: unknown) => {
        if (others.peek(key) === pending) others.delete(key)
        throw error
      },
    )
    others.set(key, pending)
    return pending
  }

  private cachedDid(key: string): DidEntry | undefined {
    const main = this.dids.get(key)
    if (main) return main
    const other = this.otherDids.get(key)
    if (other && this.isRegisteredDid(key)) {
      this.otherDids.delete(key)
      this.remember(this.dids, key, other)
    }
    return other
  }

  /** A did:ethr whose account the trusted-issuer registry knows (as read through issuer()). */
  private isRegisteredDid(did: string): boolean {
    if (!did.startsWith('did:ethr:')) return false
    const account = ethrDidToAddress(did)
    return account !== undefined && this.registered.has(account.toLowerCase())
  }

  /** An account just found registered: its DID documents already cached among the others move to the main cache. */
  private promoteDids(account: string): void {
    for (const did of [...this.otherDids.keys()]) {
      if (ethrDidToAddress(did)?.toLowerCase() !== account) continue
      const entry = this.otherDids.peek(did)!
      this.otherDids.delete(did)
      this.remember(this.dids, did, entry)
    }
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (!map.has(key) && map.size >= this.limits.entries) map.delete(map.keys().next().value as string)
    map.set(key, value)
  }
}

/** A Map of at most `capacity` entries that forgets the least recently used one first. */
class LruMap<V> {
  private readonly map = new Map<string, V>()

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.map.size
  }

  /** The value, now the most recently used. */
  get(key: string): V | undefined {
    const value = this.map.get(key)
    if (value !== undefined) {
      this.map.delete(key)
      this.map.set(key, value)
    }
    return value
  }

  /** The value, without changing its recency. */
  peek(key: string): V | undefined {
    return this.map.get(key)
  }

  set(key: string, value: V): void {
    this.map.delete(key)
    if (this.capacity <= 0) return
    while (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as string)
    this.map.set(key, value)
  }

  delete(key: string): void {
    this.map.delete(key)
  }

  keys(): IterableIterator<string> {
    return this.map.keys()
  }

  clear(): void {
    this.map.clear()
  }
}
