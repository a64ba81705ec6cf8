import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeJWT } from 'did-jwt'
import type { DataSource } from 'typeorm'
import { createWalletAgent, type WalletAgent, type WalletNetwork } from './wallet-agent.js'

export interface WalletCredential {
  id: string
  /** The hash the wallet stores it under. */
  hash: string
  types: string[]
  issuer: string
  subject: string | null
  issuedAt: string | null
  expiresAt: string | null
  jwt: string
}

export interface PresentationRequestLike {
  challenge: string
  domain: string
  credentialTypes?: string[]
}

/** What a holder's wallet refuses, with a stable code. */
export type WalletErrorCode =
  | 'ERR_WALLET_SECRET'
  | 'ERR_MALFORMED_JWT'
  | 'ERR_NOT_A_CREDENTIAL'
  | 'ERR_NOT_MY_CREDENTIAL'
  | 'ERR_UNKNOWN_CREDENTIAL'
  | 'ERR_NO_HOLDER'
  | 'ERR_NO_MATCHING_CREDENTIAL'
  | 'ERR_NOTHING_TO_PRESENT'

export class WalletError extends Error {
  constructor(readonly code: WalletErrorCode, message: string) {
    super(message)
    this.name = 'WalletError'
  }
}

/**
 * A holder's wallet: DIDs, credentials, and presentations that disclose only the chosen credentials.
 *
 * @example
 * const wallet = await HolderWallet.open({ dir: './wallet' })
 * const did = await wallet.createDid('key')
 * await wallet.importCredential(jwt)
 * const vp = await wallet.present(request, { holder: did })
 */
export class HolderWallet {
  private constructor(
    private readonly agent: WalletAgent,
    private readonly db: DataSource,
    readonly dir: string,
    readonly network: WalletNetwork,
  ) {}

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
    const identifier = method === 'key'
      ? await this.agent.didManagerCreate({ provider: 'did:key', alias, options: { keyType: 'Secp256k1' } })
      // Without a network option Veramo makes a mainnet DID (did:ethr:0x…), which the consortium's verifiers cannot resolve.
      : await this.agent.didManagerCreate({ provider: 'did:ethr', alias, options: { network: this.network.name } })
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
      verifiableCredential: { ...payload.vc, issuer: { id: payload.iss }, credentialSubject: { ...payload.vc.credentialSubject, id: subject }, id: payload.jti ?? payload.vc.id, issuanceDate: new Date((payload.nbf ?? payload.iat ?? 0) * 1000).toISOString(), ...(payload.exp ? { expirationDate: new Date(payload.exp * 1000).toISOString() } : {}), proof: { type: 'JwtProof2020', jwt: jwt.trim() } },
    })
    return toWalletCredential(hash, jwt.trim(), payload)
  }

  async listCredentials(): Promise<WalletCredential[]> {
    const rows = await this.agent.dataStoreORMGetVerifiableCredentials()
    return rows.map((row) => {
      const jwt = (row.verifiableCredential.proof as { jwt: string }).jwt
      return toWalletCredential(row.hash, jwt, decodeJWT(jwt).payload as Record<string, any>)
    })
  }

  /**
   * Answers a presentation request with a VP-JWT bound to its challenge and domain, containing only
   * the chosen credentials (by default one per requested type, the newest, of the holder).
   */
  async present(request: PresentationRequestLike, choice: { holder?: string; credentialIds?: string[] } = {}): Promise<string> {
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
    const vp = await this.agent.createVerifiablePresentation({
      presentation: { holder, verifiableCredential: chosen.map((c) => c.jwt) },
      proofFormat: 'jwt',
      challenge: request.challenge,
      domain: request.domain,
    })
    return (vp.proof as { jwt: string }).jwt
  }
}

function toWalletCredential(hash: string, jwt: string, payload: Record<string, any>): WalletCredential {
  return {
    id: payload.jti ?? payload.vc?.id ?? hash,
    hash,
    types: payload.vc?.type ?? [],
    issuer: payload.iss,
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
