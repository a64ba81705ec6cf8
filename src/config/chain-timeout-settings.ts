import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** Deadlines of every call to the chain's JSON-RPC; shared by the full node and verifier-only mode. */
export interface ChainTimeoutSettings {
  /**
   * Longest wait for one JSON-RPC answer (GOVCRED_RPC_TIMEOUT_MS): the provider behind the registry clients,
   * DID resolution, the chain watcher, the ChainWriter and the read-only endpoint POST /v1/chain/rpc. A request
   * past it is "the chain cannot be reached" (503 ERR_CHAIN_UNAVAILABLE), never a wait of minutes.
   */
  readonly rpcTimeoutMs: number
}

export const DEFAULT_RPC_TIMEOUT_MS = 3000

/** GOVCRED_RPC_TIMEOUT_MS (100 ms to 120 s); problems go to `read.problems`. */
export function readChainTimeoutSettings(read: Reader): ChainTimeoutSettings {
  return Object.freeze({ rpcTimeoutMs: read.int('GOVCRED_RPC_TIMEOUT_MS', DEFAULT_RPC_TIMEOUT_MS, 100, 120_000) })
}
