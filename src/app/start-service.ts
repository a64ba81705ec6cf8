import type { Server } from 'node:http'
import type { Config } from '../config/config.js'
import { createApp } from '../http/create-app.js'
import { portalBuilt } from '../http/routes/portal-routes.js'
import { readOnlyRpcUrl } from '../http/routes/chain-rpc-routes.js'
import { serve } from './serve.js'
import { healthProbes } from './health-probes.js'
import { bootstrapDemo } from './bootstrap-demo.js'
import { openServiceContext, type ServiceContext } from './service-context.js'
import type { Logger } from '../shared/logger.js'
import { createIssuanceServices, type IssuanceServices } from './issuance-services.js'
import { createOid4vciServices } from './oid4vci-services.js'
import { createStatusListTokens } from './status-list-service.js'
import { createRelyingPartyIdentities } from './relying-party-identity-services.js'
import type { RelyingPartyIdentities } from '../verifying/relying-parties/verifier-identity.js'
import { createVerifierService, type VerifierService } from '../verifying/verifier-service.js'
import { Openid4vpVerifier } from '../verifying/openid4vp/openid4vp-verifier.js'
import type { Config as GovcredConfig } from '../config/config.js'
import { createWebhookDispatcher, notifyAnswersByWebhook } from './webhook-services.js'
import type { WebhookDispatcher } from '../verifying/relying-parties/webhook-delivery.js'
import { relyingPartyApiDeps } from './relying-party-api-services.js'
import { createOnestopServices } from './onestop-services.js'
import { startRetention, type Retention } from './retention.js'
import { defaultRulesDir, publishDemoRules } from './demo-onestop-rules.js'
import { FeedbackStore } from '../feedback/feedback-store.js'
import { PortalAccounts } from '../accounts/portal-accounts.js'
import { departmentAccountPrincipals } from '../http/department-auth.js'
import { OnestopRules } from '../issuing/onestop/publish-rule.js'
import { RuleStore } from '../issuing/onestop/rule-store.js'
import { issuanceChainView } from './issuance-chain-view.js'

export interface RunningService {
  ctx: ServiceContext
  issuance: IssuanceServices
  verifier: VerifierService
  /** The relying parties' verifier identities (OpenID4VP request-object keys and certificates). */
  relyingPartyIdentities: RelyingPartyIdentities
  /** Deliveries of presentation results to the relying parties' webhooks (background, durable, bounded). */
  webhooks: WebhookDispatcher
  /** The portal's accounts and sessions (clerks, supervisors, bank officers, operators). */
  accounts: PortalAccounts
  /** The hourly pass that forgets dead offers' claims and deletes one-stop cases that have done their work. */
  retention: Retention
  server: Server
  url: string
  /** What /v1/network advertises: the read-only endpoint (POST /v1/chain/rpc) or GOVCRED_PUBLIC_RPC_URL. */
  publicRpcUrl: string
  startedInMs: number
  stop(): Promise<void>
}

/**
 * Starts govcred: chain, registries, agent, demo bootstrap (embedded default), HTTP server.
 */
export async function startService(config: Config, logger: Logger, options: { demo?: boolean } = {}): Promise<RunningService> {
  const started = Date.now()
  const ctx = await openServiceContext(config, { logger })
  let issuanceStarted: IssuanceServices | undefined
  let verifierStarted: VerifierService | undefined
  let webhooksStarted: WebhookDispatcher | undefined
  let retentionStarted: Retention | undefined
  try {
    const verifier = createVerifierService({ ...verifierSettings(config, ctx), registries: ctx.registries })
    const issuance = createIssuanceServices(ctx, logger, { chain: issuanceChainView(verifier.deps.cache, verifier.watcher) })
    const relyingPartyIdentities = createRelyingPartyIdentities(ctx)
    const accounts = new PortalAccounts(ctx.db, config.accounts)
    const demo = options.demo ?? config.demo
    if (demo) {
      // Before the batcher and anchoring start: Veramo's own writes (new DIDs and keys) take no write lock.
      const boot = await bootstrapDemo(ctx, issuance.keys, relyingPartyIdentities, accounts)
      const published = boot.schemas.filter((s) => s.outcome === 'published').length
      logger.info(`demo ready: ${boot.departments.length} departments, ${published} schemas newly published`, { file: boot.file })
    }
    await issuance.start()
    issuanceStarted = issuance
    await verifier.start()
    verifierStarted = verifier
    const webhooks = createWebhookDispatcher(ctx.db, ctx.kmsSecret.secret, config.webhooks, logger)
    notifyAnswersByWebhook(verifier.deps.requests, webhooks, logger)
    webhooks.start()
    webhooksStarted = webhooks
    ctx.writer.onMined((write) => {
      if (write.contract === 'CredentialStatusRegistry') {
        const account = /^0x[0-9a-f]{40}$/i.test(write.account) ? write.account : ''
        if (account) verifier.watcher.notify({ kind: 'status', account, purpose: -1 })
      } else if (write.contract === 'ConsortiumGovernance') {
        verifier.watcher.notify({ kind: 'all' })
      }
    })
    let publicRpcUrl = config.chain.publicRpcUrl ?? readOnlyRpcUrl(config.publicUrl, config.publicUrl)
    const statusLists = createStatusListTokens({
      provider: ctx.provider,
      status: ctx.registries.status,
      departments: ctx.departments,
      issuerKeys: issuance.issuerKeys,
      watcher: verifier.watcher,
      publicUrl: issuance.publicUrl,
    })
    const onestopRules = new OnestopRules({
      rules: new RuleStore(ctx.db),
      departments: ctx.departments,
      writer: ctx.writer,
      anchors: ctx.registries.anchors,
    })
    const oid4vci = createOid4vciServices(ctx, issuance, departmentAccountPrincipals(accounts.accounts))
    const openid4vp = new Openid4vpVerifier({
      requests: verifier.deps.requests,
      parties: verifier.relyingParties,
      identities: relyingPartyIdentities,
      ctx: verifier.deps,
      ensureFresh: () => verifier.watcher.ensureFresh(),
      publicUrl: issuance.publicUrl,
    })
    const onestop = await createOnestopServices({
      db: ctx.db,
      settings: config.onestop,
      rules: onestopRules,
      departments: ctx.departments,
      audit: issuance.audit,
      offers: oid4vci.offers,
      parties: verifier.relyingParties,
      openid4vp,
      requests: verifier.deps.requests,
      logger,
    })
    const retention = startRetention({ offers: oid4vci.offers.offers, cases: onestop.cases, logger })
    retentionStarted = retention
    if (demo) {
      const published = await publishDemoRules(onestopRules, ctx.departments, defaultRulesDir(), logger)
      logger.info(`demo one-stop rules: ${published.map((r) => `${r.ruleId}@${r.version} ${r.outcome}`).join(', ')}`)
    }
    const app = createApp({
      deployments: ctx.deployments,
      health: healthProbes(ctx.provider, ctx.db),
      // Through the verifier's cache: issuers' documents are answered from it, and other DIDs cannot push them out.
      resolveDid: (did) => verifier.deps.cache.resolveDid(did),
      trustRegistry: ctx.agent,
      // The node's own URL (Anvil's: an open development node) is never advertised.
      publicRpcUrl: () => publicRpcUrl,
      chainRpc: { upstreamUrl: ctx.rpcUrl, timeoutMs: config.chain.rpcTimeoutMs },
      logger,
      accessLog: config.accessLog,
      rateLimits: config.rateLimits,
      issuance: {
        ...issuance,
        departments: ctx.departments,
        onestopRules,
        onestopCases: onestop,
      },
      oid4vci,
      verifier,
      openid4vp,
      statusLists,
      issuerKeys: issuance.issuerKeys,
      vct: { publicUrl: issuance.publicUrl },
      schemaRegistry: ctx.registries.schemas,
      feedback: { store: new FeedbackStore(ctx.db, { maxStored: config.feedback.maxStored }), settings: config.feedback },
      portal: { dir: config.portalDir },
      accounts: { portal: accounts, publicUrl: issuance.publicUrl },
      ...relyingPartyApiDeps(ctx.db, verifier.relyingParties, ctx.kmsSecret.secret, config.webhooks),
    })
    const serving = await serve(app, config)
    if (!(await portalBuilt(config.portalDir)))
      logger.warn(`the portal is not built in ${config.portalDir}: / says how to build it (npm run build)`)
    publicRpcUrl = config.chain.publicRpcUrl ?? readOnlyRpcUrl(config.publicUrl, serving.url)
    // GOVCRED_PUBLIC_URL, or where the server listens when it names port 0.
    if (new URL(config.publicUrl).port === '0') issuance.setPublicUrl(serving.url)
    let stopping: Promise<void> | undefined
    return {
      ctx,
      issuance,
      verifier,
      relyingPartyIdentities,
      webhooks,
      accounts,
      retention,
      server: serving.server,
      url: serving.url,
      publicRpcUrl,
      startedInMs: Date.now() - started,
      stop() {
        stopping ??= (async () => {
          await serving.close()
          retention.stop()
          await webhooks.stop()
          verifier.stop()
          await issuance.stop()
          await ctx.close()
        })()
        return stopping
      },
    }
  } catch (error) {
    retentionStarted?.stop()
    await webhooksStarted?.stop()
    verifierStarted?.stop()
    await issuanceStarted?.stop().catch(() => undefined)
    await ctx.close()
    throw error
  }
}

/** The verifier settings of a full node, from the validated config. */
export function verifierSettings(config: GovcredConfig, ctx: Pick<ServiceContext, 'provider' | 'deployments' | 'db'>) {
  return {
    provider: ctx.provider,
    deployments: ctx.deployments,
    db: ctx.db,
    domain: config.verifier.domain,
    access: config.verifierAccess,
    policy: { requireCurrentAccreditation: config.verifier.requireCurrentAccreditation },
    watcher: {
      pollMs: config.verifier.pollMs,
      freshnessMs: Math.min(100, config.verifier.pollMs),
      maxStalenessMs: config.verifier.maxStalenessMs,
      syncWaitMs: config.chain.rpcTimeoutMs,
    },
  }
}
