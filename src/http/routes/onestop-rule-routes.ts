import { Router, type RequestHandler } from 'express'
import type { OnestopRules } from '../../issuing/onestop/publish-rule.js'
import { principalOf } from '../department-auth.js'

const RULE_PATH = '/v1/onestop/rules/:id/:version'

/**
 * One-stop rule management. The department (API key, or a supervisor's session) creates drafts, tests them on
 * sample `{credentials, form}` inputs without issuing, publishes (hash anchored on chain) and retires its own
 * rules; anyone reads the published rules with their hash and anchor.
 */
export function onestopRuleRoutes(deps: { rules: OnestopRules; authenticate: RequestHandler }): Router {
  const router = Router()
  router.post('/v1/onestop/rules', deps.authenticate, async (req, res) => {
    res.status(201).json(await deps.rules.createDraft(principalOf(req), req.body))
  })
  router.post(`${RULE_PATH}/test`, deps.authenticate, async (req, res) => {
    res.json(await deps.rules.test(principalOf(req), ...ruleOf(req.params), req.body))
  })
  router.post(`${RULE_PATH}/publish`, deps.authenticate, async (req, res) => {
    res.json(await deps.rules.publish(principalOf(req), ...ruleOf(req.params)))
  })
  router.post(`${RULE_PATH}/retire`, deps.authenticate, async (req, res) => {
    res.json(await deps.rules.retire(principalOf(req), ...ruleOf(req.params)))
  })
  router.get('/v1/onestop/rules', async (_req, res) => {
    res.json({ rules: await deps.rules.listPublished() })
  })
  router.get(RULE_PATH, async (req, res) => {
    res.json(await deps.rules.getPublic(...ruleOf(req.params)))
  })
  return router
}

/** The rule id and version of a rule path. */
function ruleOf(params: Record<string, string | string[]>): [string, string] {
  return [String(params.id), String(params.version)]
}
