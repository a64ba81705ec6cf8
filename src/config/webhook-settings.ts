import { envReader } from './env-reader.js'
import { ConfigError } from './config-error.js'

type Reader = ReturnType<typeof envReader>

/** Webhook deliveries to relying parties (presentation results). */
export interface WebhookSettings {
  /** Attempts per event before it is given up (GOVCRED_WEBHOOK_MAX_ATTEMPTS, 1 to 20, default 5). */
  readonly maxAttempts: number
  /** Wait before the first retry, doubled for each next one (GOVCRED_WEBHOOK_BACKOFF_MS, 10 to 3,600,000, default 1,000). */
  readonly backoffMs: number
  /** Longest wait for the receiver's answer per attempt (GOVCRED_WEBHOOK_TIMEOUT_MS, 100 to 60,000, default 5,000). */
  readonly timeoutMs: number
  /**
   * GOVCRED_WEBHOOK_ALLOW_LOOPBACK: whether a webhook may point at this machine (http or https on 127.0.0.0/8,
   * ::1, localhost). Default `true` with the embedded (demo) chain, `false` otherwise. Private and link-local
   * addresses are refused always.
   */
  readonly allowLoopback: boolean
}

export const DEFAULT_WEBHOOK_SETTINGS = Object.freeze({ maxAttempts: 5, backoffMs: 1000, timeoutMs: 5000 })

/**
 * Reads GOVCRED_WEBHOOK_*; `loopbackDefault` is the mode's default (true only for the embedded demo chain).
 *
 * @example
 * const webhooks = readWebhookSettings(read, mode === 'embedded')
 */
export function readWebhookSettings(read: Reader, loopbackDefault: boolean): WebhookSettings {
  return Object.freeze({
    maxAttempts: read.int('GOVCRED_WEBHOOK_MAX_ATTEMPTS', DEFAULT_WEBHOOK_SETTINGS.maxAttempts, 1, 20),
    backoffMs: read.int('GOVCRED_WEBHOOK_BACKOFF_MS', DEFAULT_WEBHOOK_SETTINGS.backoffMs, 10, 3_600_000),
    timeoutMs: read.int('GOVCRED_WEBHOOK_TIMEOUT_MS', DEFAULT_WEBHOOK_SETTINGS.timeoutMs, 100, 60_000),
    allowLoopback: read.bool('GOVCRED_WEBHOOK_ALLOW_LOOPBACK', loopbackDefault),
  })
}

/**
 * The webhook settings `govcred relying-party` registers URLs under: the full node's (loopback allowed by
 * default with the embedded chain, as `npm start` decides), or with `verifier` the verifier-only node's
 * (loopback refused unless GOVCRED_WEBHOOK_ALLOW_LOOPBACK=true).
 *
 * @example
 * const { allowLoopback } = webhookSettingsFromEnv(process.env, { verifier: false })
 */
export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv, options: { verifier: boolean }): WebhookSettings {
  const read = envReader(env)
  const embedded =
    !options.verifier && (read.string('GOVCRED_CHAIN_MODE') ?? (read.string('GOVCRED_RPC_URL') ? 'external' : 'embedded')) === 'embedded'
  const settings = readWebhookSettings(read, embedded)
  if (read.problems.length > 0) throw new ConfigError(read.problems)
  return settings
}
