import type { Request, RequestHandler, Response } from 'express'
import { ipKeyGenerator, rateLimit } from 'express-rate-limit'
import { DEFAULT_RATE_LIMITS, type RateLimitSettings } from '../config/rate-limit-settings.js'
import type { ApiErrorCode } from '../shared/errors/error-codes.js'

/**
 * Every route that takes no department API key, by path prefix: anyone may call them, so each client gets a
 * budget per minute and all of them together a bounded number of requests in flight.
 */
export const PUBLIC_ROUTE_PREFIXES = [
  '/v1/presentation-requests',
  '/v1/presentations/verify',
  '/presentations/verify',
  '/credentials/verify',
  '/1.0/identifiers',
  '/v1/issuers',
  '/v1/network',
  '/v1/schemas',
  '/v1/feedback',
  '/v1/onestop/bundles',
  '/v1/onestop/cases',
  '/v1/chain/rpc',
  '/v1/property/units',
  '/oid4vci',
  '/oid4vp',
  '/.well-known/openid-credential-issuer',
  '/.well-known/oauth-authorization-server',
  '/status-lists',
  '/vct',
  '/openapi.json',
] as const

export const HEALTH_ROUTE = '/healthz'

/** Seconds a client refused by the concurrency cap is asked to wait. */
const BUSY_RETRY_AFTER_SECONDS = 1
const WINDOW_MS = 60_000

/**
 * Who a request counts against, and with what budget. The default is the remote address (the client as
 * express sees it: the socket's address, or X-Forwarded-For as far as GOVCRED_TRUST_PROXY trusts it).
 * A relying party's API key may later get a budget of its own: return `{ key: 'rp:<id>', perMinute }` for it.
 */
export type ClientIdentity = (req: Request) => { key: string; perMinute?: number } | undefined

export interface PublicLimits {
  /** Per-client budget and concurrency cap, mounted on PUBLIC_ROUTE_PREFIXES. */
  public: RequestHandler[]
  /** Per-client budget of GET /healthz (generous: load balancers probe it). */
  health: RequestHandler
}

/**
 * The public routes' limits: 429 ERR_RATE_LIMITED with Retry-After past a client's budget per minute, and
 * 503 ERR_BUSY with Retry-After while `publicConcurrency` public requests are in flight. Counters are in
 * memory, per process.
 *
 * @example
 * const limits = publicLimits(settings)
 * app.use([...PUBLIC_ROUTE_PREFIXES], ...limits.public)
 * app.use(HEALTH_ROUTE, limits.health)
 */
export function publicLimits(settings: RateLimitSettings = DEFAULT_RATE_LIMITS, identify?: ClientIdentity): PublicLimits {
  return {
    public: [perClientLimit(settings.perMinute, identify), concurrencyCap(settings.publicConcurrency)],
    health: perClientLimit(settings.healthPerMinute),
  }
}

function perClientLimit(perMinute: number, identify?: ClientIdentity): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: (req) => identify?.(req)?.perMinute ?? perMinute,
    keyGenerator: (req) => identify?.(req)?.key ?? `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // X-Forwarded-For without GOVCRED_TRUST_PROXY is the client's own claim and is ignored on purpose.
    validate: { xForwardedForHeader: false, forwardedHeader: false, ip: false },
    handler: (_req, res) =>
      sendError(res, 429, 'ERR_RATE_LIMITED', `more than ${perMinute} requests a minute from this client: retry after Retry-After seconds`),
  })
}

/** At most `max` requests in flight through it; the slot is freed when the answer is sent or the client goes away. */
function concurrencyCap(max: number): RequestHandler {
  let inFlight = 0
  return (_req, res, next) => {
    if (inFlight >= max) {
      res.setHeader('Retry-After', String(BUSY_RETRY_AFTER_SECONDS))
      sendError(res, 503, 'ERR_BUSY', `${max} public requests are in progress: retry after Retry-After seconds`)
      return
    }
    inFlight++
    let released = false
    const release = () => {
      if (released) return
      released = true
      inFlight--
    }
    res.once('finish', release)
    res.once('close', release)
    next()
  }
}

function sendError(res: Response, status: number, code: ApiErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } })
}
