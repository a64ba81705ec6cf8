import type { LocalizedText } from './display.js'

/** A public P-256 key as JWK (what a key proof and `cnf.jwk` carry). */
export interface PublicJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
}

/**
 * A holder key: a WebCrypto ECDSA P-256 private key made with `extractable: false` (the browser never hands
 * out its bytes, not even to this code), kept as the CryptoKey object itself (structured-cloneable), with
 * its public JWK beside it.
 */
export interface HolderKeyRecord {
  id: string
  privateKey: CryptoKey
  publicJwk: PublicJwk
  createdAt: string
}

/** The status of a held credential as last read from its issuer's status list. */
export type CredentialStatusValue = 'valid' | 'suspended' | 'revoked' | 'unknown'

export interface StoredStatus {
  value: CredentialStatusValue
  /** When it was read (ISO 8601). */
  checkedAt: string
  /** Why it is `unknown`, in English, for a developer (no status list, unverifiable, unreachable). */
  reason?: string
}

/** How an issuer presents itself (OpenID4VCI issuer metadata `display`). */
export interface IssuerDisplay {
  name: LocalizedText
  logo?: { uri: string; altText: LocalizedText }
}

/** How a credential type presents itself (the configuration's display and the `vct` type metadata). */
export interface TypeDisplay {
  name: LocalizedText
  description?: LocalizedText
  backgroundColor?: string
  textColor?: string
}

/** A credential the wallet holds: the SD-JWT VC as issued (with every disclosure) and what the cards show. */
export interface StoredCredential {
  id: string
  format: 'dc+sd-jwt'
  /** The SD-JWT VC compact form as issued: `<issuer JWT>~<disclosure>~…~`. */
  compact: string
  /** The holder key (HolderKeyRecord.id) it is bound to by `cnf.jwk`. */
  keyId: string
  credentialIssuer: string
  credentialConfigurationId: string
  vct: string
  issuer: IssuerDisplay
  type: TypeDisplay
  /** Claim labels by path text (`enterpriseName`, `insurances.*.type`) from the type metadata. */
  claimLabels: Record<string, LocalizedText>
  /** SHA-256 (base64url) of the offer it came from: tells a second use of the same offer. */
  offerHash: string
  receivedAt: string
  status?: StoredStatus
}

/** One presentation request the holder answered or declined: who, when, what was asked — never claim values. */
export interface HistoryEntry {
  id: string
  at: string
  clientId: string
  host: string
  verifierName: LocalizedText
  purpose: LocalizedText
  credentials: { queryId: string; credentialId: string; typeName: LocalizedText; vct: string; claims: string[] }[]
  outcome: 'sent' | 'declined' | 'failed'
  /** For a failed one: the wallet-core code of what went wrong. */
  reason?: string
}

/**
 * Where the wallet keeps its data on the device. The portal uses IndexedDB (indexeddb-storage.ts); the
 * interface keeps the protocol code independent of it.
 */
export interface WalletStorage {
  listCredentials(): Promise<StoredCredential[]>
  getCredential(id: string): Promise<StoredCredential | undefined>
  putCredential(credential: StoredCredential): Promise<void>
  /** Removes a credential and its holder key in one step. */
  deleteCredential(id: string): Promise<void>
  getKey(id: string): Promise<HolderKeyRecord | undefined>
  putKey(key: HolderKeyRecord): Promise<void>
  deleteKey(id: string): Promise<void>
  addHistory(entry: HistoryEntry): Promise<void>
  /** Newest first. */
  listHistory(): Promise<HistoryEntry[]>
  /** Removes every history entry (the holder's "clear history"). */
  clearHistory(): Promise<void>
  /** Removes everything the wallet keeps (credentials, keys, history, settings) in one step. */
  clearAll(): Promise<void>
  getSetting<T>(name: string): Promise<T | undefined>
  putSetting(name: string, value: unknown): Promise<void>
  close(): void
}
