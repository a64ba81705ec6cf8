import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** The one-stop service's settings (GOVCRED_ONESTOP_*). */
export interface OnestopSettings {
  /** Where the bundles are (GOVCRED_ONESTOP_BUNDLES_DIR). */
  readonly bundlesDir: string
  /**
   * GOVCRED_ONESTOP_CASE_TTL_SECONDS: how long a finished case (completed, refused, failed) is kept after its last
   * change, then deleted with its form and the claims it was decided on (default 30 days).
   */
  readonly caseTtlSeconds: number
  /** GOVCRED_ONESTOP_MAX_OPEN_CASES: most cases waiting for a wallet at once; more answer 429 (default 10,000). */
  readonly maxOpenCases: number
}

export const DEFAULT_CASE_TTL_SECONDS = 30 * 86_400
export const DEFAULT_MAX_OPEN_CASES = 10_000

/** `<repo>/rules/bundles`: this file sits at `src/config/`, two levels below the project root. */
export function defaultBundlesDir(): string {
  return fileURLToPath(new URL('../../rules/bundles', import.meta.url))
}

/**
 * GOVCRED_ONESTOP_BUNDLES_DIR: the one-stop bundles (`*.json`, relative to the working directory; default
 * `<repo>/rules/bundles`); a missing directory means no bundles. GOVCRED_ONESTOP_CASE_TTL_SECONDS (1 hour to
 * 10 years) and GOVCRED_ONESTOP_MAX_OPEN_CASES (1 to 1,000,000).
 *
 * @example
 * readOnestopSettings(read) // { bundlesDir: '/srv/govcred/rules/bundles', caseTtlSeconds: 2592000, maxOpenCases: 10000 }
 */
export function readOnestopSettings(read: Reader): OnestopSettings {
  const dir = read.string('GOVCRED_ONESTOP_BUNDLES_DIR')
  return Object.freeze({
    bundlesDir: dir === undefined ? defaultBundlesDir() : resolve(dir),
    caseTtlSeconds: read.int('GOVCRED_ONESTOP_CASE_TTL_SECONDS', DEFAULT_CASE_TTL_SECONDS, 3600, 10 * 365 * 86_400),
    maxOpenCases: read.int('GOVCRED_ONESTOP_MAX_OPEN_CASES', DEFAULT_MAX_OPEN_CASES, 1, 1_000_000),
  })
}
