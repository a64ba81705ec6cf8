import { Contract, getAddress, keccak256, toUtf8Bytes, type JsonRpcProvider } from 'ethers'
import { Resolver, type DIDResolutionResult } from 'did-resolver'
import { getResolver as ethrResolver } from 'ethr-did-resolver'
import KeyResolver from 'key-did-resolver'
import { loadArtifact } from '../chain/contract-artifacts.js'
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
  private readonly trustedIssuers: Contract
  private readonly schemaRegistry: Contract
  private readonly statusRegistry: Contract
  readonly stats = { didHits: 0, didMisses: 0, chainReads: 0 }

  constructor(provider: JsonRpcProvider, readonly deployments: Deployments, watcher: ChainWatcher) {
    const { contracts } = deployments
    this.resolver = new Resolver({
      ...ethrResolver({ networks: [{ name: deployments.name, chainId: deployments.chainId, provider: provider as never, registry: contracts.didRegistry }] }),
      ...KeyResolver.getResolver(),
    })
    this.trustedIssuers = new Contract(contracts.trustedIssuers, loadArtifact('TrustedIssuerRegistry').abi, provider)
    this.schemaRegistry = new Contract(contracts.schemas, loadArtifact('SchemaRegistry').abi, provider)
    this.statusRegistry = new Contract(contracts.status, loadArtifact('CredentialStatusRegistry').abi, provider)
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
      cached = this.statusRegistry.statusOf(account, BigInt(index)).then(([revoked, suspended]: [boolean, boolean]) => ({ revoked, suspended }))
      cached.catch(() => this.status.delete(key))
      this.remember(this.status, key, cached)
    }
    return cached
  }

  /** Accredited for the type at `at` (unix seconds), per the issuer's on-chain history. */
  static accreditedAt(record: IssuerRecord | null, credentialType: string, at: number): boolean {
    if (!record) return false
    if (!record.credentialTypeHashes.has(typeHash(credentialType))) return false
    if (at < record.validFrom || BigInt(at) >= record.validUntil) return false
    let status = 0
    for (const [s, when] of record.history) if (when <= at) status = s
    return status === 1
  }

  private async readIssuer(account: string): Promise<IssuerRecord | null> {
    this.stats.chainReads++
    let raw: Record<string, unknown> & unknown[]
    try {
      raw = await this.trustedIssuers.getIssuer(account)
    } catch (error) {
      if ((error as { revert?: { name?: string } }).revert?.name === 'UnknownIssuer') return null
      throw error
    }
    const history: unknown[][] = await this.trustedIssuers.getStatusHistory(account)
    return {
      account,
      name: String(raw.name),
      credentialTypeHashes: new Set(Array.from(raw.credentialTypes as string[]).map(String)),
      validFrom: Number(raw.validFrom),
      validUntil: BigInt(raw.validUntil as bigint),
      history: history.map((h) => [Number(h[0]), Number(h[1])]),
      status: Number(raw.status),
    }
  }

  private async readSchema(schemaId: string, version: string): Promise<SchemaAnchor | null> {
    this.stats.chainReads++
    if (!(await this.schemaRegistry.isPublished(schemaId, version))) return null
    const [contentHash, , , deprecated] = await this.schemaRegistry.getSchema(schemaId, version)
    return { contentHash, deprecated }
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
        for (const did of this.dids.keys()) if (ethrDidToAddress(did)?.toLowerCase() === invalidation.account.toLowerCase()) this.dids.delete(did)
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

const typeHashes = new Map<string, string>()

function typeHash(credentialType: string): string {
  let hash = typeHashes.get(credentialType)
  if (!hash) {
    hash = keccak256(toUtf8Bytes(credentialType))
    if (typeHashes.size < 1000) typeHashes.set(credentialType, hash)
  }
  return hash
}
