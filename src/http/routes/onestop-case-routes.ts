import { Router, type RequestHandler } from 'express'
import { TooManyOpenCasesError } from '../../cases/case-limits.js'
import type { OnestopCases } from '../../cases/onestop-cases.js'
import type { ReviewQueue } from '../../cases/review-queue.js'
import { UnauthorizedError } from '../../shared/errors/app-error.js'
import { principalOf } from '../department-auth.js'
import { parseQuery, type QuerySpec } from '../query-params.js'

const REVIEW_QUERY = { state: { kind: 'enum', values: ['open', 'approved', 'refused'] } } as const satisfies QuerySpec

/**
 * One-stop cases. Applicants (anonymous, rate-limited as public routes) list the bundles, open a case and read it
 * with its access token; the department's clerks (API key or portal session) work their review queue.
 */
export function onestopCaseRoutes(deps: { cases: OnestopCases; reviews: ReviewQueue; authenticate: RequestHandler }): Router {
  const router = Router()
  router.get('/v1/onestop/bundles', async (_req, res) => {
    res.json({ bundles: await deps.cases.listBundles() })
  })
  router.post('/v1/onestop/cases', async (req, res) => {
    const { token, view } = await deps.cases.open(req.body).catch((error: unknown) => {
      if (error instanceof TooManyOpenCasesError) res.set('Retry-After', String(error.retryAfterSeconds))
      throw error
    })
    res
      .status(201)
      .setHeader('Cache-Control', 'no-store')
      .json({ ...view, token })
  })
  router.get('/v1/onestop/cases/:id', async (req, res) => {
    if (req.headers.authorization === undefined)
      throw new UnauthorizedError(
        'ERR_AUTH_REQUIRED',
        "send the case's access token (Authorization: Bearer), which opening the case answered",
      )
    const bearer = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(req.headers.authorization)?.[1]
    res.setHeader('Cache-Control', 'no-store').json(await deps.cases.view(String(req.params.id), bearer))
  })
  router.get('/v1/onestop/reviews', deps.authenticate, async (req, res) => {
    const principal = principalOf(req)
    const q = parseQuery(req.query, REVIEW_QUERY)
    res.json({ reviews: await deps.reviews.list(principal, q.state ?? 'open') })
  })
  router.post('/v1/onestop/reviews/:id/approve', deps.authenticate, async (req, res) => {
    res.json(await deps.reviews.approve(principalOf(req), String(req.params.id)))
  })
  router.post('/v1/onestop/reviews/:id/refuse', deps.authenticate, async (req, res) => {
    res.json(await deps.reviews.refuse(principalOf(req), String(req.params.id), req.body))
  })
  return router
}
