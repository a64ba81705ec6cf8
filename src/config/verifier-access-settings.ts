import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { ConfigError } from './config-error.js'
import { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** Who may create presentation requests on this node's verifier. */
export interface VerifierAccessSettings {
  /**
   * GOVCRED_ANONYMOUS_REQUESTS: whether POST /v1/presentation-requests answers without a relying party's
   * key. Default `true` with the embedded (demo) chain, `false` with an external chain and in verifier-only
   * mode, where relying parties are registered with `govcred relying-party create`.
   */
  readonly anonymousRequests: boolean
  /** GOVCRED_ANONYMOUS_REQUESTS_MAX: most open (unused, unexpired) anonymous requests at once (default 1,000). */
  readonly anonymousRequestsMax: number
  /**
   * GOVCRED_PRESENTATION_RESULT_TTL_SECONDS: how long the result of an answered OpenID4VP request (its checks
   * and the disclosed claims) is kept for its relying party to read, then purged (default 86,400: a day).
   */
  readonly presentationResultTtlSeconds: number
}

export const DEFAULT_ANONYMOUS_REQUESTS_MAX = 1000
export const DEFAULT_PRESENTATION_RESULT_TTL_SECONDS = 86_400

/**
 * Reads GOVCRED_ANONYMOUS_REQUESTS and GOVCRED_ANONYMOUS_REQUESTS_MAX; `anonymousDefault` is the mode's
 * default (true only for the embedded demo chain).
 *
 * @example
 * const access = readVerifierAccessSettings(read, mode === 'embedded')
 */
export function readVerifierAccessSettings(read: Reader, anonymousDefault: boolean): VerifierAccessSettings {
  return {
    anonymousRequests: read.bool('GOVCRED_ANONYMOUS_REQUESTS', anonymousDefault),
    anonymousRequestsMax: read.int('GOVCRED_ANONYMOUS_REQUESTS_MAX', DEFAULT_ANONYMOUS_REQUESTS_MAX, 1, 1_000_000),
    presentationResultTtlSeconds: read.int(
      'GOVCRED_PRESENTATION_RESULT_TTL_SECONDS',
      DEFAULT_PRESENTATION_RESULT_TTL_SECONDS,
      60,
      90 * 86_400,
    ),
  }
}

/** The database `govcred relying-party …` works on, and the migrations it needs. */
export interface RelyingPartyDatabase {
  readonly file: string
  readonly kind: 'full' | 'verifier'
}

/**
 * Where the relying parties of a node are kept: with `--verifier`, the verifier-only node's
 * `$GOVCRED_DATA_DIR/verifier.sqlite` (default data dir `./data-verifier`, as `govcred verifier` uses);
 * otherwise the full node's `$GOVCRED_DATA_DIR/govcred.sqlite` (default `./data`), or the directory's
 * `verifier.sqlite` when only that one exists.
 *
 * @example
 * const { file, kind } = relyingPartyDatabase(process.env, { verifier: false })
 */
export function relyingPartyDatabase(env: NodeJS.ProcessEnv, options: { verifier: boolean }): RelyingPartyDatabase {
  const read = envReader(env)
  const configured = read.string('GOVCRED_DATA_DIR')
  if (options.verifier) return { file: resolve(configured ?? './data-verifier', 'verifier.sqlite'), kind: 'verifier' }
  const dataDir = resolve(configured ?? './data')
  const full = resolve(dataDir, 'govcred.sqlite')
  const verifier = resolve(dataDir, 'verifier.sqlite')
  if (!existsSync(full) && existsSync(verifier)) return { file: verifier, kind: 'verifier' }
  if (!existsSync(full)) {
    throw new ConfigError([
      `no govcred database in ${dataDir}: start the node there first (npm start, or govcred verifier with --verifier)`,
    ])
  }
  return { file: full, kind: 'full' }
}
