import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/**
 * Limits on the public routes (every route that takes no department API key): per client and per minute,
 * and in flight at once. Department routes are not limited by these.
 */
export interface RateLimitSettings {
  /** Requests per client (remote address) per minute to the public routes together (GOVCRED_RATE_LIMIT_PER_MINUTE). */
  readonly perMinute: number
  /** Requests per client per minute to GET /healthz, counted apart (GOVCRED_RATE_LIMIT_HEALTH_PER_MINUTE). */
  readonly healthPerMinute: number
  /** Public requests in flight at once, all clients together; beyond it 503 ERR_BUSY (GOVCRED_PUBLIC_CONCURRENCY). */
  readonly publicConcurrency: number
  /**
   * Express's `trust proxy` (GOVCRED_TRUST_PROXY): false (the default) keys clients on the connection's remote
   * address; behind a gateway, the number of proxy hops or the proxies' addresses, so that the client is read
   * from X-Forwarded-For as the gateway wrote it.
   */
  readonly trustProxy: false | number | string
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = Object.freeze({
  perMinute: 600,
  healthPerMinute: 6000,
  publicConcurrency: 64,
  trustProxy: false,
})

const NAMED_PROXIES = ['loopback', 'linklocal', 'uniquelocal']
const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}(\/\d{1,2})?$/
const IPV6 = /^[0-9a-fA-F:]+(\/\d{1,3})?$/

/** GOVCRED_RATE_LIMIT_*, GOVCRED_PUBLIC_CONCURRENCY and GOVCRED_TRUST_PROXY; problems go to `read.problems`. */
export function readRateLimitSettings(read: Reader): RateLimitSettings {
  const perMinute = read.int('GOVCRED_RATE_LIMIT_PER_MINUTE', DEFAULT_RATE_LIMITS.perMinute, 1, 1_000_000)
  const healthPerMinute = read.int('GOVCRED_RATE_LIMIT_HEALTH_PER_MINUTE', DEFAULT_RATE_LIMITS.healthPerMinute, 1, 1_000_000)
  const publicConcurrency = read.int('GOVCRED_PUBLIC_CONCURRENCY', DEFAULT_RATE_LIMITS.publicConcurrency, 1, 100_000)
  return Object.freeze({ perMinute, healthPerMinute, publicConcurrency, trustProxy: readTrustProxy(read) })
}

function readTrustProxy(read: Reader): RateLimitSettings['trustProxy'] {
  const raw = read.string('GOVCRED_TRUST_PROXY')
  if (raw === undefined || ['false', 'no', '0', 'off'].includes(raw.toLowerCase())) return false
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw)
    if (hops >= 1 && hops <= 10) return hops
  } else {
    const parts = raw.split(',').map((p) => p.trim())
    if (parts.every((p) => NAMED_PROXIES.includes(p) || IPV4.test(p) || (p.includes(':') && IPV6.test(p)))) return parts.join(',')
  }
  read.problems.push(
    `GOVCRED_TRUST_PROXY must be false, a number of proxy hops (1 to 10), or a comma-separated list of proxy addresses, subnets, loopback, linklocal or uniquelocal (got "${raw}"; "true" would let any client choose its own address)`,
  )
  return false
}
