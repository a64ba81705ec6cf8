import type { StatusListJWTHeaderParameters, StatusListJWTPayload } from '@sd-jwt/jwt-status-list'
import type { StatusListWords } from '../../chain/registries/status-registry.js'
import { NotFoundError } from '../../shared/errors/app-error.js'
import type { Department } from '../departments/department-store.js'
import type { IssuerKeys } from '../issuer-keys/issuer-keys.js'
import { compressStatusList, STATUS_LIST_BITS, statusListBytes } from './status-list-encoding.js'

/** Path of a department's status list token under the node's public URL. */
export const STATUS_LIST_PATH = '/status-lists'
/** Seconds a consumer may cache a token before fetching a fresh one (its `ttl`, and the Cache-Control bound). */
export const STATUS_LIST_TTL_SECONDS = 60
/** Seconds a token is valid (`exp` - `iat`): what a consumer that cannot reach this node may rely on at most. */
export const STATUS_LIST_VALIDITY_SECONDS = 3600

/**
 * The `status.status_list.uri` of a department's SD-JWT VCs and the `sub` of its status list tokens.
 *
 * @example
 * statusListUri('https://govcred.example.gov.cn', 'market-supervision') // => 'https://govcred.example.gov.cn/status-lists/market-supervision'
 */
export function statusListUri(publicUrl: string, departmentId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${STATUS_LIST_PATH}/${encodeURIComponent(departmentId)}`
}

export interface StatusListTokenDeps {
  departments: { get(id: string): Promise<Pick<Department, 'id' | 'account'> | undefined> }
  issuerKeys: Pick<IssuerKeys, 'current'>
  /** Reads both of an issuer's lists at one block (StatusRegistryClient.listsAt). */
  status: { listsAt(account: string, blockTag: number): Promise<StatusListWords> }
  /**
   * Resolves once the status events of the chain have reached `invalidate` as of at most a moment ago; throws
   * ChainUnavailableError when the chain has not been reached within the staleness bound (the verifier's
   * ChainWatcher.ensureFresh).
   */
  ensureFresh(): Promise<void>
  /** The chain's latest block number (ChainUnavailableError when it does not answer). */
  latestBlock(): Promise<number>
  /** The node's public base URL (GOVCRED_PUBLIC_URL, or where it listens): a function, as it is known once listening. */
  publicUrl(): string
  ttlSeconds?: number
  validitySeconds?: number
  /** Unix seconds; the clock by default. */
  now?: () => number
}

/** A signed status list token (`application/statuslist+jwt`) and what its answer's headers need. */
export interface StatusListToken {
  jwt: string
  iat: number
  exp: number
  ttl: number
  /** The block whose state the list shows (the chain's bits were read at it). */
  block: number
  /** How long the built list took: read from the chain, encoded and compressed (ms). */
  buildMs: number
}

interface BuiltList {
  block: number
  lst: string
  buildMs: number
}

/**
 * IETF Token Status Lists (draft-ietf-oauth-status-list) of this node's departments, built from the on-chain
 * revocation and suspension bits of CredentialStatusRegistry (the chain is the source of truth) and signed ES256
 * with the department's issuing key (header x5c). A department's list is read again (at the latest block) once
 * the chain watcher reports a status event of its account, so a change shows within one block; otherwise the
 * list is reused and only re-signed when the token is half its ttl old.
 */
export class StatusListTokens {
  /** Per account: the list as last read from the chain, for the version of its status events it was read at. */
  private readonly lists = new Map<string, { version: string; built: Promise<BuiltList> }>()
  /** Per department: the token signed over a list, and when it was begun (unix seconds). */
  private readonly tokens = new Map<string, { list: Promise<BuiltList>; at: number; token: Promise<StatusListToken> }>()
  private readonly versions = new Map<string, number>()
  private epoch = 0
  private readonly ttl: number
  private readonly validity: number
  private readonly now: () => number

  constructor(private readonly deps: StatusListTokenDeps) {
    this.ttl = deps.ttlSeconds ?? STATUS_LIST_TTL_SECONDS
    this.validity = deps.validitySeconds ?? STATUS_LIST_VALIDITY_SECONDS
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000))
  }

  /** A status event of `account` (or, without one, anything: the chain went back, logs were lost) was seen. */
  invalidate(account?: string): void {
    if (account === undefined) {
      this.epoch++
      return
    }
    const key = account.toLowerCase()
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1)
  }

  /**
   * The department's current token. 404 ERR_DEPARTMENT_NOT_FOUND for a department this node does not issue for;
   * 503 ERR_CHAIN_UNAVAILABLE (ChainUnavailableError) when the chain has not been reached within the staleness bound.
   * Concurrent callers share one chain read and one signature.
   */
  async token(departmentId: string): Promise<StatusListToken> {
    const department = await this.deps.departments.get(departmentId)
    if (!department) throw new NotFoundError('ERR_DEPARTMENT_NOT_FOUND', `no department "${departmentId}" issues on this node`)
    await this.deps.ensureFresh()
    const list = this.currentList(department.account.toLowerCase())
    const cached = this.tokens.get(department.id)
    if (cached && cached.list === list && this.now() - cached.at < this.ttl / 2) return cached.token
    const entry = { list, at: this.now(), token: this.sign(department.id, list) }
    this.tokens.set(department.id, entry)
    entry.token.catch(() => {
      if (this.tokens.get(department.id) === entry) this.tokens.delete(department.id)
    })
    return entry.token
  }

  /**
   * The list of `account` for the current version of its status events, read when it must be (re)built: at the
   * latest block, asked for after the version was taken, so the read includes every event that version counts
   * (a later event changes the version, and the next request reads again).
   */
  private currentList(account: string): Promise<BuiltList> {
    const version = `${this.epoch}:${this.versions.get(account) ?? 0}`
    const cached = this.lists.get(account)
    if (cached?.version === version) return cached.built
    const started = performance.now()
    const built = (async () => {
      const block = await this.deps.latestBlock()
      const words = await this.deps.status.listsAt(account, block)
      return { block, lst: compressStatusList(statusListBytes(words)), buildMs: performance.now() - started }
    })()
    const entry = { version, built }
    this.lists.set(account, entry)
    built.catch(() => {
      if (this.lists.get(account) === entry) this.lists.delete(account)
    })
    return built
  }

  private async sign(departmentId: string, list: Promise<BuiltList>): Promise<StatusListToken> {
    const [built, key] = await Promise.all([list, this.deps.issuerKeys.current(departmentId)])
    const iat = this.now()
    const exp = iat + this.validity
    const header: StatusListJWTHeaderParameters = { alg: 'ES256', typ: 'statuslist+jwt', kid: key.kid, x5c: key.x5c }
    const payload: StatusListJWTPayload = {
      sub: statusListUri(this.deps.publicUrl(), departmentId),
      iat,
      exp,
      ttl: this.ttl,
      status_list: { bits: STATUS_LIST_BITS, lst: built.lst },
    }
    const signingInput = `${base64url(header)}.${base64url(payload)}`
    const signature = await key.sign(new TextEncoder().encode(signingInput))
    return {
      jwt: `${signingInput}.${Buffer.from(signature).toString('base64url')}`,
      iat,
      exp,
      ttl: this.ttl,
      block: built.block,
      buildMs: built.buildMs,
    }
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}
