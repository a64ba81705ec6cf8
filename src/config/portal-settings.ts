import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** Where the built portal is (the single-page app express serves at `/`). */
export interface PortalSettings {
  /** The directory `scripts/build-portal.mjs` writes (GOVCRED_PORTAL_DIR; default `<repo>/dist/portal`). */
  readonly portalDir: string
}

/** What anonymous visitors may leave in the feedback box (POST /v1/feedback), so that it cannot fill the disk. */
export interface FeedbackSettings {
  /** Feedback messages per client (remote address) per hour (GOVCRED_FEEDBACK_PER_HOUR). */
  readonly perHour: number
  /** Messages kept at most; beyond it new feedback is refused until an operator clears some (GOVCRED_FEEDBACK_MAX_STORED). */
  readonly maxStored: number
}

export const DEFAULT_FEEDBACK_SETTINGS: FeedbackSettings = Object.freeze({ perHour: 10, maxStored: 10_000 })

/** `<repo>/dist/portal`: this file sits at `src/config/`, two levels below the project root. */
export function defaultPortalDir(): string {
  return fileURLToPath(new URL('../../dist/portal', import.meta.url))
}

/**
 * GOVCRED_PORTAL_DIR (a directory; relative to the working directory; default `<repo>/dist/portal`). A missing
 * directory is not a problem: the service then answers `/` with a page that says how to build the portal.
 *
 * @example
 * readPortalSettings(read) // { portalDir: '/srv/govcred/dist/portal' }
 */
export function readPortalSettings(read: Reader): PortalSettings {
  const dir = read.string('GOVCRED_PORTAL_DIR')
  return Object.freeze({ portalDir: dir === undefined ? defaultPortalDir() : resolve(dir) })
}

/**
 * GOVCRED_FEEDBACK_PER_HOUR (1 to 1000, default 10) and GOVCRED_FEEDBACK_MAX_STORED (1 to 1,000,000, default 10,000).
 *
 * @example
 * readFeedbackSettings(read) // { perHour: 10, maxStored: 10000 }
 */
export function readFeedbackSettings(read: Reader): FeedbackSettings {
  return Object.freeze({
    perHour: read.int('GOVCRED_FEEDBACK_PER_HOUR', DEFAULT_FEEDBACK_SETTINGS.perHour, 1, 1000),
    maxStored: read.int('GOVCRED_FEEDBACK_MAX_STORED', DEFAULT_FEEDBACK_SETTINGS.maxStored, 1, 1_000_000),
  })
}
