import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeJWT } from 'did-jwt'
import type { DataSource } from 'typeorm'
import { createWalletAgent, type WalletAgent, type WalletNetwork } from './wallet-agent.js'
import { WalletError } from './wallet-errors.js'
import { WalletCredentialStore } from './wallet-credential-store.js'
import { receiveCredential, type ReceiveOptions, type ReceivedCredential } from './openid4vci-receive.js'
import { describeImported, describeReceived, type HeldCredential } from './held-credentials.js'
import { WalletHistoryStore, type PresentationHistoryEntry } from './wallet-history-store.js'
import {
  declinePresentation,
  preparePresentation,
  sendPresentation,
  type Openid4vpOptions,
  type PresentationPlan,
  type PresentationSent,
} from './openid4vp-present.js'

export { WalletError, type WalletErrorCode } from './wallet-errors.js'
export type { ReceiveOptions, ReceivedCredential, TxCodeDescription } from './openid4vci-receive.js'
export type { HeldClaim, HeldCredential } from './held-credentials.js'
export type { Openid4vpOptions, PlannedCredential, PresentationPlan, PresentationSent } from './openid4vp-present.js'
export type { PresentationHistoryEntry, RequestedCredential } from './wallet-history-store.js'

export interface WalletCredential {
  id: string
  /** The hash the wallet stores it under. */
  hash: string
  types: string[]
  issuer: string
  /** The issuer's name as the credential states it, when it does. */
  issuerName?: string
  subject: string | null
  issuedAt: string | null
  expiresAt: string | null
  jwt: string
}

export interface PresentationRequestLike {
  challenge: string
  /** The audience (aud) the presentation is addressed to: the verifier's host. */
  domain: string
  credentialTypes?: string[]
  purpose?: string
  /** A registered relying party's identity, as its request states it. */
  verifier?: { id?: string; name?: { 'zh-CN'?: string; en?: string } }
}

/** What a presentation would disclose, before it is signed: the holder and the chosen credentials. */
export interface PresentationSelection {
  holder: string
  credentials: WalletCredential[]
}

/**
 * A holder's wallet: DIDs, credentials, and presentations that disclose only the chosen credentials.
 *
 * @example
 * const wallet = await HolderWallet.open({ dir: './wallet' })
 * const did = await wallet.createDid('key')
 * await wallet.importCredential(jwt)
 * const vp = await wallet.present(request, { holder: did })
 * await wallet.receive('openid-credential-offer://?credential_offer_uri=…', { txCode: '123456' })
 * const held = await wallet.describeCredentials() // type, issuer, status, validity, claims
 * const plan = await wallet.openPresentationRequest('openid4vp://?client_id=x509_san_dns:bank.example&request_uri=…')
 * await wallet.sendPresentation(plan) // after the holder agreed; else wallet.declinePresentation(plan)
 */
export class HolderWallet {
  private readonly received: WalletCredentialStore
  private readonly history: WalletHistoryStore

  private constructor(
    private readonly agent: WalletAgent,
    private readonly db: DataSource,
    readonly dir: string,
    readonly network: WalletNetwork,
  ) {
    this.received = new WalletCredentialStore(db)
    this.history = new WalletHistoryStore(db)
  }

  /** Opens (or creates) a wallet; the key-encryption secret comes from `secret` or `<dir>/wallet-secret` (0600). */
  static async open(options: { dir: string; secret?: string; network?: WalletNetwork }): Promise<HolderWallet> {
    const secret = options.secret ?? walletSecret(options.dir)
    if (!/^[0-9a-f]{64}$/i.test(secret)) throw new WalletError('ERR_WALLET_SECRET', 'the wallet secret must be 64 hex digits')
    const network = options.network ?? { name: 'govcred', chainId: 20191 }
    const { agent, db } = await createWalletAgent(options.dir, secret, network)
    return new HolderWallet(agent, db, options.dir, network)
  }

  async close(): Promise<void> {
    if (this.db.isInitialized) await this.db.destroy()
  }

  /** A new holder DID: did:key (default) or did:ethr on the consortium network (no transaction). */
  async createDid(method: 'key' | 'ethr' = 'key', alias?: string): Promise<string> {
    const identifier =
      method === 'key'
        ? await this.agent.didManagerCreate({ provider: 'did:key', alias, options: { keyType: 'Secp256k1' } })
        : // Without a network option Veramo makes a mainnet DID (did:ethr:0x…), which the consortium's verifiers cannot resolve.
          await this.agent.didManagerCreate({ provider: 'did:ethr', alias, options: { network: this.network.name } })
    return identifier.did
  }

  async listDids(): Promise<{ did: string; alias?: string }[]> {
    return (await this.agent.didManagerFind()).map((i) => ({ did: i.did, alias: i.alias }))
  }

  /** Stores a VC-JWT issued to one of this wallet's DIDs. */
  async importCredential(jwt: string): Promise<WalletCredential> {
    let payload: Record<string, any>
    try {
      payload = decodeJWT(jwt.trim()).payload as Record<string, any>
    } catch {
      throw new WalletError('ERR_MALFORMED_JWT', 'not a VC-JWT')
    }
    if (!payload.vc) throw new WalletError('ERR_NOT_A_CREDENTIAL', 'the JWT carries no verifiable credential')
    const subject = payload.sub ?? payload.vc.credentialSubject?.id
    const mine = (await this.listDids()).some((d) => d.did === subject)
    if (!mine) throw new WalletError('ERR_NOT_MY_CREDENTIAL', `the credential is about ${subject ?? 'nobody'}, not a DID of this wallet`)
    const hash = await this.agent.dataStoreSaveVerifiableCredential({
      verifiableCredential: {
        ...payload.vc,
        issuer: { id: payload.iss },
        credentialSubject: { ...payload.vc.credentialSubject, id: subject },
        id: payload.jti ?? payload.vc.id,
        issuanceDate: new Date((payload.nbf ?? payload.iat ?? 0) * 1000).toISOString(),
        ...(payload.exp ? { expirationDate: new Date(payload.exp * 1000).toISOString() } : {}),
        proof: { type: 'JwtProof2020', jwt: jwt.trim() },
      },
    })
    return toWalletCredential(hash, jwt.trim(), payload)
  }

  /**
   * Receives a credential by OpenID4VCI (pre-authorized code, optional transaction code) from an offer link
   * (`openid-credential-offer://…`) or the https URL of an offer, bound to a new P-256 key of this wallet.
   */
  async receive(offer: string, options: ReceiveOptions = {}): Promise<ReceivedCredential> {
    return receiveCredential({ agent: this.agent, store: this.received }, offer, options)
  }

  /**
   * Everything the wallet holds, with type and issuer names, status (an SD-JWT VC's from its status list token,
   * a received VC-JWT's from its issuing service's verifier, an imported one's unknown), validity and claims.
   */
  async describeCredentials(options: { fetch?: typeof fetch } = {}): Promise<HeldCredential[]> {
    const fetchImpl = options.fetch ?? fetch
    const imported = (await this.listCredentials()).map((c) => describeImported(c.jwt, c.id))
    const received = await Promise.all((await this.received.list()).map((row) => describeReceived(row, fetchImpl)))
    return [...imported, ...received]
  }

  /**
   * Opens an OpenID4VP request link: fetches and verifies the signed request object (the verifier's x5c
   * certificate names the client_id's host; with trusted roots, chains to one), and picks for each credential
   * asked for (DCQL) the wallet's SD-JWT VC and the claims to disclose. Nothing is sent: show the plan first.
   */
  async openPresentationRequest(uri: string, options: Openid4vpOptions = {}): Promise<PresentationPlan> {
    return preparePresentation(this.openid4vpDeps(), uri, options)
  }

  /** Sends the plan's presentations (only the claims asked for, with key binding) by direct_post; kept in the history. */
  async sendPresentation(plan: PresentationPlan, options: Openid4vpOptions = {}): Promise<PresentationSent> {
    return sendPresentation(this.openid4vpDeps(), plan, options)
  }

  /** Records in the history that the holder declined the plan; nothing is sent. */
  async declinePresentation(plan: PresentationPlan): Promise<void> {
    return declinePresentation(this.openid4vpDeps(), plan)
  }

  /** Who asked for what and when, and whether it was sent (newest first); never the claim values. */
  async presentationHistory(): Promise<PresentationHistoryEntry[]> {
    return this.history.list()
  }

  private openid4vpDeps() {
    return { agent: this.agent, store: this.received, history: this.history }
  }

  /** The VC-JWTs imported into this wallet (those a presentation can carry). */
  async listCredentials(): Promise<WalletCredential[]> {
    const rows = await this.agent.dataStoreORMGetVerifiableCredentials()
    return rows.map((row) => {
      const jwt = (row.verifiableCredential.proof as { jwt: string }).jwt
      return toWalletCredential(row.hash, jwt, decodeJWT(jwt).payload as Record<string, any>)
    })
  }

  /**
   * The credentials a presentation would disclose: the chosen ones, or by default one per requested type,
   * the newest within its validity period, of the holder. Nothing is signed; show this to the holder first.
   */
  async select(
    request: Pick<PresentationRequestLike, 'credentialTypes'>,
    choice: { holder?: string; credentialIds?: string[] } = {},
  ): Promise<PresentationSelection> {
    const all = await this.listCredentials()
    const holder = choice.holder ?? (await this.listDids())[0]?.did
    if (!holder) throw new WalletError('ERR_NO_HOLDER', 'the wallet has no DID yet')
    let chosen: WalletCredential[]
    if (choice.credentialIds) {
      chosen = choice.credentialIds.map((id) => {
        const found = all.find((c) => c.id === id || c.hash === id)
        if (!found) throw new WalletError('ERR_UNKNOWN_CREDENTIAL', `no credential ${id} in the wallet`)
        return found
      })
    } else {
      const now = new Date().toISOString()
      const current = (c: WalletCredential) => (c.issuedAt ?? '') <= now && (c.expiresAt === null || c.expiresAt > now)
      chosen = (request.credentialTypes ?? []).map((type) => {
        // The newest one within its validity period; an expired or not-yet-valid one only when nothing else is held.
        const found = all
          .filter((c) => c.types.includes(type) && c.subject === holder)
          .sort((a, b) => Number(current(b)) - Number(current(a)) || (b.issuedAt ?? '').localeCompare(a.issuedAt ?? ''))[0]
        if (!found) throw new WalletError('ERR_NO_MATCHING_CREDENTIAL', `the wallet holds no ${type} of ${holder}`)
        return found
      })
    }
    if (chosen.length === 0) throw new WalletError('ERR_NOTHING_TO_PRESENT', 'choose at least one credential')
    return { holder, credentials: chosen }
  }

  /**
   * Answers a presentation request with a VP-JWT bound to its challenge and domain, containing only
   * the chosen credentials (see select()). The domain must be where the request came from: take requests
   * from fetchPresentationRequest(), which sets it from the URL, never from what a fetched request claims.
   */
  async present(request: PresentationRequestLike, choice: { holder?: string; credentialIds?: string[] } = {}): Promise<string> {
    if (typeof request.challenge !== 'string' || request.challenge === '' || typeof request.domain !== 'string' || request.domain === '') {
      throw new WalletError('ERR_REQUEST_MALFORMED', 'a presentation request needs a challenge and a domain')
    }
    const { holder, credentials } = await this.select(request, choice)
    const vp = await this.agent.createVerifiablePresentation({
      presentation: { holder, verifiableCredential: credentials.map((c) => c.jwt) },
      proofFormat: 'jwt',
      challenge: request.challenge,
      domain: request.domain,
    })
    return (vp.proof as { jwt: string }).jwt
  }
}

/**
 * Fetches a presentation request and addresses it to where it was fetched from: its `domain` becomes the
 * URL's host. A request that names another domain is refused (ERR_DOMAIN_MISMATCH): a phishing site serving a
 * real verifier's request would otherwise get a presentation the real verifier accepts in the phisher's
 * session. A redirect to another host is refused for the same reason.
 *
 * @example
 * const request = await fetchPresentationRequest('https://bank.example/v1/presentation-requests/…')
 * // request.domain === 'bank.example'
 */
export async function fetchPresentationRequest(url: string, fetchImpl: typeof fetch = fetch): Promise<PresentationRequestLike> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new WalletError('ERR_REQUEST_URL', `请求地址不是 URL / not a URL: ${url}`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new WalletError('ERR_REQUEST_URL', `请求地址须为 http(s) / the request URL must be http(s): ${url}`)
  }
  const host = parsed.host.toLowerCase()
  let response: Response
  try {
    response = await fetchImpl(parsed, { headers: { accept: 'application/json' } })
  } catch (error) {
    throw new WalletError(
      'ERR_REQUEST_UNREACHABLE',
      `无法获取出示请求 / cannot fetch the presentation request ${url}: ${(error as Error).message}`,
    )
  }
  if (response.redirected && new URL(response.url).host.toLowerCase() !== host) {
    throw new WalletError(
      'ERR_DOMAIN_MISMATCH',
      `出示请求被转到另一主机 ${new URL(response.url).host} / the request at ${host} redirects to another host, ${new URL(response.url).host}`,
    )
  }
  if (!response.ok)
    throw new WalletError(
      'ERR_REQUEST_UNREACHABLE',
      `出示请求返回 HTTP ${response.status} / the presentation request ${url} answered HTTP ${response.status}`,
    )
  let body: unknown
  try {
    body = await response.json()
  } catch {
    throw new WalletError('ERR_REQUEST_MALFORMED', `出示请求不是 JSON / the presentation request at ${url} is not JSON`)
  }
  return addressedTo(body, host)
}

/** A fetched request addressed to the host it came from; refuses one that names another domain. */
export function addressedTo(body: unknown, host: string): PresentationRequestLike {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new WalletError('ERR_REQUEST_MALFORMED', '出示请求格式错误 / the presentation request is not a JSON object')
  }
  const input = body as Record<string, unknown>
  if (typeof input.challenge !== 'string' || input.challenge === '') {
    throw new WalletError('ERR_REQUEST_MALFORMED', '出示请求缺少 challenge / the presentation request has no challenge')
  }
  const types = input.credentialTypes
  if (types !== undefined && (!Array.isArray(types) || !types.every((t) => typeof t === 'string'))) {
    throw new WalletError('ERR_REQUEST_MALFORMED', '出示请求的 credentialTypes 须为字符串数组 / credentialTypes must be a list of strings')
  }
  const claimed = input.domain
  if (claimed !== undefined && (typeof claimed !== 'string' || claimed.toLowerCase() !== host.toLowerCase())) {
    throw new WalletError(
      'ERR_DOMAIN_MISMATCH',
      `出示请求声称来自 ${String(claimed)}，但获取自 ${host}，拒绝签名 / the request names the domain ${String(claimed)} but was fetched from ${host}: not signing (a site relaying another verifier's request)`,
    )
  }
  const name = (input.verifier as { name?: unknown } | undefined)?.name as Record<string, unknown> | undefined
  const verifier =
    input.verifier && typeof input.verifier === 'object'
      ? {
          ...(typeof (input.verifier as { id?: unknown }).id === 'string' ? { id: (input.verifier as { id: string }).id } : {}),
          name: {
            ...(typeof name?.['zh-CN'] === 'string' ? { 'zh-CN': name['zh-CN'] } : {}),
            ...(typeof name?.en === 'string' ? { en: name.en } : {}),
          },
        }
      : undefined
  return {
    challenge: input.challenge,
    // The claimed spelling when it matches (hosts compare case-insensitively), so aud equals the verifier's domain.
    domain: typeof claimed === 'string' ? claimed : host.toLowerCase(),
    credentialTypes: types as string[] | undefined,
    ...(typeof input.purpose === 'string' ? { purpose: input.purpose } : {}),
    ...(verifier ? { verifier } : {}),
  }
}

function toWalletCredential(hash: string, jwt: string, payload: Record<string, any>): WalletCredential {
  return {
    id: payload.jti ?? payload.vc?.id ?? hash,
    hash,
    types: payload.vc?.type ?? [],
    issuer: payload.iss,
    ...(typeof payload.vc?.issuer?.name === 'string' ? { issuerName: payload.vc.issuer.name } : {}),
    subject: payload.sub ?? payload.vc?.credentialSubject?.id ?? null,
    issuedAt: payload.nbf ? new Date(payload.nbf * 1000).toISOString() : null,
    expiresAt: payload.exp ? new Date(payload.exp * 1000).toISOString() : null,
    jwt,
  }
}

function walletSecret(dir: string): string {
  const file = join(dir, 'wallet-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dir, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return secret
}
