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
const MAX_ENTRIES = 50_000

/**
 * The chain as a verifier sees it, cached: DID documents, issuer accreditations, schema anchors and
 * status bits, each dropped when the ChainWatcher reports an event touching it.
 */
export class ChainRegistryCache {
  private readonly resolver: Resolver
  private readonly dids = new Map<string, { at: number; result: Promise<DIDResolutionResult> }>()
  private readonly issuers = new Map<string, Promise<IssuerRecord | null>>()
  private readonly schemas = new Map<string, Promise<SchemaAnchor | null>>()
  private readonly status = new Map<string, Promise<{ revoked: boolean; suspended: boolean }>>()
  readonly stats = { didHits: 0, didMisses: 0, chainReads: 0 }

  constructor(
    provider: JsonRpcProvider,
    readonly deployments: Deployments,
    private readonly registries: Pick<RegistryClients, 'trustedIssuers' | 'schemas' | 'status'>,
    watcher: ChainWatcher,
  ) {
    const { contracts } = deployments
    this.resolver = new Resolver({
      ...ethrResolver({
        networks: [{ name: deployments.name, chainId: deployments.chainId, provider: provider as never, registry: contracts.didRegistry }],
      }),
      ...KeyResolver.getResolver(),
    })
    watcher.onInvalidate((i) => this.invalidate(i))
  }

  /** Resolves a DID (without fragment); failures are returned as data, and not cached. */
  resolveDid(did: string): Promise<DIDResolutionResult> {
    const key = did.split('#')[0]
    const cached = this.dids.get(key)
    if (cached && (key.startsWith('did:key:') || Date.now() - cached.at < DID_CACHE_TTL_MS)) {
      this.stats.didHits++
      return cached.result
    }
    this.stats.didMisses++
    const result = this.resolver.resolve(key).then(
      (r) => {
        if (r.didResolutionMetadata?.error) this.dids.delete(key)
        return r
      },
      (error: unknown) => {
        this.dids.delete(key)
        throw error
      },
    )
    this.remember(this.dids, key, { at: Date.now(), result })
    return result
  }

  issuer(account: string): Promise<IssuerRecord | null> {
    const key = account.toLowerCase()
    let cached = this.issuers.get(key)
    if (!cached) {
      cached = this.readIssuer(getAddress(account)).catch((error) => {
        this.issuers.delete(key)
        throw error
      })
      this.remember(this.issuers, key, cached)
    }
    return cached
  }

  schema(schemaId: string, version: string): Promise<SchemaAnchor | null> {
    const key = `${schemaId}@${version}`
    let cached = this.schemas.get(key)
    if (!cached) {
      cached = this.readSchema(schemaId, version).catch((error) => {
        this.schemas.delete(key)
        throw error
      })
      this.remember(this.schemas, key, cached)
    }
    return cached
  }

  statusOf(account: string, index: number): Promise<{ revoked: boolean; suspended: boolean }> {
    const key = `${account.toLowerCase()}:${index}`
    let cached = this.status.get(key)
    if (!cached) {
      this.stats.chainReads++
      cached = this.registries.status.statusOf(account, index)
      cached.catch(() => this.status.delete(key))
      this.remember(this.status, key, cached)
    }
    return cached
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
        this.issuers.clear()
        this.schemas.clear()
        this.status.clear()
        break
      case 'schemas':
        this.schemas.clear()
        break
      case 'issuer':
        this.issuers.delete(invalidation.account.toLowerCase())
        break
      case 'did':
        for (const did of this.dids.keys())
          if (ethrDidToAddress(did)?.toLowerCase() === invalidation.account.toLowerCase()) this.dids.delete(did)
        break
      case 'status': {
        const prefix = `${invalidation.account.toLowerCase()}:`
        for (const key of this.status.keys()) if (key.startsWith(prefix)) this.status.delete(key)
        break
      }
    }
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string)
    map.set(key, value)
  }
}
