import { Router, type RequestHandler } from 'express'
import { ipKeyGenerator, rateLimit } from 'express-rate-limit'
import type { FeedbackSettings } from '../../config/portal-settings.js'
import { parseFeedback } from '../../feedback/feedback-input.js'
import { FEEDBACK_LIST_MAX_LIMIT, type FeedbackStore } from '../../feedback/feedback-store.js'
import { parseQuery, type QuerySpec } from '../query-params.js'

export interface FeedbackRouteDeps {
  store: Pick<FeedbackStore, 'add' | 'list'>
  /** Who may read the feedback: the platform operator (requireOperator). */
  requireOperator: RequestHandler
  settings: Pick<FeedbackSettings, 'perHour'>
}

const HOUR_MS = 3_600_000

const LIST_QUERY = {
  limit: { kind: 'integer', min: 1, max: FEEDBACK_LIST_MAX_LIMIT },
  before: { kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, accepts: 'a positive integer (a previous nextBefore)' },
} as const satisfies QuerySpec

/**
 * The portal's feedback box. POST /v1/feedback: anyone, anonymous (a public route: the per-minute budget and
 * the in-flight cap apply, and on top a budget of `perHour` messages per client) → 201 `{id}`; nothing of the
 * message reaches the log. GET /v1/feedback: the platform operator only, newest first, paged with `before`.
 *
 * @example
 * app.use(feedbackRoutes({ store: new FeedbackStore(db, { maxStored: 10_000 }), requireOperator: requireOperator(keys), settings }))
 */
export function feedbackRoutes(deps: FeedbackRouteDeps): Router {
  const router = Router()
  router.post('/v1/feedback', hourlyBudget(deps.settings.perHour), async (req, res) => {
    const { id } = await deps.store.add(parseFeedback(req.body))
    res.status(201).json({ id })
  })
  router.get('/v1/feedback', deps.requireOperator, async (req, res) => {
    const q = parseQuery(req.query, LIST_QUERY)
    res.json(await deps.store.list({ limit: q.limit, before: q.before }))
  })
  return router
}

/** `perHour` feedback messages per client (its remote address, as GOVCRED_TRUST_PROXY reads it), counted in memory. */
function hourlyBudget(perHour: number): RequestHandler {
  return rateLimit({
    windowMs: HOUR_MS,
    limit: perHour,
    keyGenerator: (req) => `feedback:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    validate: { xForwardedForHeader: false, forwardedHeader: false, ip: false },
    handler: (_req, res) =>
      res.status(429).json({
        error: {
          code: 'ERR_RATE_LIMITED',
          message: `more than ${perHour} feedback messages an hour from this client (GOVCRED_FEEDBACK_PER_HOUR): retry after Retry-After seconds`,
        },
      }),
  })
}
