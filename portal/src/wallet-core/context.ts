import type { WalletStorage } from './storage.js'

/**
 * What every wallet-core operation runs with: the device's storage, the wallet's home node (the origin that
 * served the portal: its `GET /v1/network` names the consortium root the wallet trusts), fetch and a clock.
 */
export interface WalletContext {
  storage: WalletStorage
  /** The home node's origin, e.g. `https://govcred.nanjing.gov.cn`. */
  homeUrl: string
  fetch: typeof fetch
  /** Per-request timeout (ms). */
  timeoutMs: number
  /** Milliseconds since the epoch. */
  now(): number
  /** The consortium root (PEM) once read in this session. */
  trustRoot?: Promise<string>
}
