import express, { type Express } from 'express'
import type { AppDeps } from './app-deps.js'
import { errorHandler, notFoundHandler } from './error-middleware.js'
import { requestLog } from './request-log.js'
import { securityHeaders } from './security-headers.js'
import { healthRoutes } from './routes/health-routes.js'
import { networkRoutes } from './routes/network-routes.js'
import { chainRpcRoutes } from './routes/chain-rpc-routes.js'
import { issuerRoutes } from './routes/issuer-routes.js'
import { resolverRoutes } from './routes/resolver-routes.js'
import { credentialRoutes } from './routes/credential-routes.js'
import { vcApiIssuerRoutes } from './routes/vc-api-issuer-routes.js'
import { auditRoutes } from './routes/audit-routes.js'
import { propertyRoutes } from './routes/property-routes.js'
import { onestopRuleRoutes } from './routes/onestop-rule-routes.js'
import { onestopCaseRoutes } from './routes/onestop-case-routes.js'
import { verifierRoutes } from './routes/verifier-routes.js'
import { openApiRoutes } from './routes/openapi-routes.js'
import { statusListRoutes } from './routes/status-list-routes.js'
import { vctRoutes } from './routes/vct-routes.js'
import { oid4vciRoutes } from './routes/oid4vci-routes.js'
import { credentialOfferRoutes } from './routes/credential-offer-routes.js'
import { openid4vpRoutes } from './routes/openid4vp-routes.js'
import { relyingPartyRoutes } from './routes/relying-party-routes.js'
import { requireOperator } from './operator-auth.js'
import { schemaRoutes } from './routes/schema-routes.js'
import { feedbackRoutes } from './routes/feedback-routes.js'
import { portalRoutes } from './routes/portal-routes.js'
import { requireDepartment } from './department-auth.js'
import { portalSessions } from './portal-session.js'
import { csrfProtection } from './csrf.js'
import { sessionRoutes } from './routes/session-routes.js'
import { credentialStatsRoutes } from './routes/credential-stats-routes.js'
import type { Account } from '../accounts/account-model.js'
import { HEALTH_ROUTE, PUBLIC_ROUTE_PREFIXES, publicLimits } from './rate-limits.js'

export const BODY_LIMIT = '256kb'

/**
 * Builds the express app from its dependencies; listening is the caller's business.
 *
 * @example
 * const app = createApp({ deployments, publicRpcUrl, logger, health, trustRegistry: agent, resolveDid, issuance, verifier })
 */
export function createApp(deps: AppDeps): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('query parser', 'simple')
  app.use(securityHeaders())
  if (deps.accessLog) app.use(requestLog(deps.logger))
  // Public routes (no department key) are limited per client and in flight, before their bodies are read.
  if (deps.rateLimits?.trustProxy) app.set('trust proxy', deps.rateLimits.trustProxy)
  const limits = publicLimits(deps.rateLimits, deps.rateLimitClient)
  app.use([...PUBLIC_ROUTE_PREFIXES], ...limits.public)
  app.use(HEALTH_ROUTE, limits.health)
  if (deps.accounts) {
    // Sign-in is anonymous: each client's attempts count against the public budget (the lockout is per account).
    app.use('/v1/session', ...limits.public)
    // Before the bodies are read: a forged request is refused unread.
    app.use(portalSessions({ accounts: deps.accounts.portal, publicUrl: deps.accounts.publicUrl }))
    app.use(csrfProtection({ publicUrl: deps.accounts.publicUrl }))
  }
  app.use(express.json({ limit: BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }))
  app.use(healthRoutes(deps))
  app.use(networkRoutes(deps))
  if (deps.chainRpc) app.use(chainRpcRoutes(deps.chainRpc))
  if (deps.accounts) {
    const { portal, publicUrl } = deps.accounts
    app.use(sessionRoutes({ accounts: portal, publicUrl, logger: deps.logger, organizationOf: organizationNames(deps) }))
  }
  if (deps.trustRegistry) app.use(issuerRoutes({ registry: deps.trustRegistry, deployments: deps.deployments }))
  if (deps.resolveDid) app.use(resolverRoutes(deps.resolveDid))
  if (deps.schemaRegistry) app.use(schemaRoutes({ schemas: deps.schemaRegistry }))
  if (deps.feedback && deps.operatorKeys) app.use(feedbackRoutes({ ...deps.feedback, requireOperator: requireOperator(deps.operatorKeys) }))
  if (deps.verifier) app.use(verifierRoutes(deps.verifier, deps.openid4vp))
  if (deps.openid4vp) app.use(openid4vpRoutes({ openid4vp: deps.openid4vp }))
  if (deps.relyingPartyApi && deps.operatorKeys) {
    app.use(relyingPartyRoutes({ ...deps.relyingPartyApi, authenticateOperator: requireOperator(deps.operatorKeys), logger: deps.logger }))
  }
  if (deps.statusLists) app.use(statusListRoutes({ tokens: deps.statusLists }))
  if (deps.vct) app.use(vctRoutes(deps.vct))
  if (deps.oid4vci) app.use(oid4vciRoutes({ protocol: deps.oid4vci.protocol }))
  if (deps.issuance) {
    const authenticate = requireDepartment(deps.issuance.keys, deps.issuance.departments)
    if (deps.oid4vci) app.use(credentialOfferRoutes({ offers: deps.oid4vci.offers, authenticate }))
    app.use(
      credentialStatsRoutes({ credentials: deps.issuance.issuer.credentials, statusChanges: deps.issuance.status.batcher, authenticate }),
    )
    app.use(
      credentialRoutes({ issuer: deps.issuance.issuer, policies: deps.issuance.policies, status: deps.issuance.status, authenticate }),
    )
    app.use(vcApiIssuerRoutes({ policies: deps.issuance.policies, authenticate, genericIssuance: deps.issuance.genericIssuance ?? false }))
    app.use(propertyRoutes({ policies: deps.issuance.policies, property: deps.issuance.property, authenticate, verifier: deps.verifier }))
    app.use(auditRoutes({ log: deps.issuance.audit, authenticate, credentials: deps.issuance.issuer.credentials }))
    if (deps.issuance.onestopRules) app.use(onestopRuleRoutes({ rules: deps.issuance.onestopRules, authenticate }))
    if (deps.issuance.onestopCases) app.use(onestopCaseRoutes({ ...deps.issuance.onestopCases, authenticate }))
  }
  // The portal's pages and files, after every API route: the API's paths keep their JSON answers (404 included).
  if (deps.portal) app.use(portalRoutes({ dir: deps.portal.dir, mode: deps.mode ?? 'full' }))
  app.use(openApiRoutes({ mode: deps.mode ?? 'full' }))
  app.use(notFoundHandler)
  app.use(errorHandler(deps.logger))
  return app
}

/** The names of a portal account's organisation (its department, its relying party, the platform), as the portal shows them. */
function organizationNames(deps: AppDeps) {
  return async (account: Account): Promise<{ name: string; nameEn: string } | undefined> => {
    if (account.kind === 'platform') return { name: '平台运营', nameEn: 'Platform operations' }
    if (account.kind === 'department') {
      const department = await deps.issuance?.departments.get(account.orgId)
      return department && { name: department.name, nameEn: department.nameEn }
    }
    const party = await deps.verifier?.relyingParties.get(account.orgId)
    return party && { name: party.nameZh, nameEn: party.nameEn }
  }
}
