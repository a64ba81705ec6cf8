import type { ServiceContext } from './service-context.js'
import type { Logger } from '../shared/logger.js'
import { AuditLog } from '../issuing/audit/audit-log.js'
import { AuditAnchoring } from '../issuing/audit/audit-anchoring.js'
import { ApiKeyStore } from '../issuing/departments/api-keys/api-key-store.js'
import { CredentialStore } from '../issuing/records/credential-store.js'
import { StatusBatcher } from '../issuing/status/status-batcher.js'
import type { IssuerDeps } from '../issuing/issuance/issue-credential.js'
import type { StatusDeps } from '../issuing/status/change-status.js'
import { PropertyAnchoring } from '../issuing/property/property-anchoring.js'
import type { PolicyDeps } from '../issuing/policies/issue-with-policies.js'

export interface IssuanceServices {
  issuer: IssuerDeps
  status: StatusDeps
  keys: ApiKeyStore
  audit: AuditLog
  anchoring: AuditAnchoring
  batcher: StatusBatcher
  credentials: CredentialStore
  property: PropertyAnchoring
  policies: PolicyDeps
  /** POST /credentials/issue signs generic credentials for keys with the generic scope (GOVCRED_GENERIC_ISSUANCE). */
  genericIssuance: boolean
  start(): Promise<void>
  stop(): Promise<void>
}

/** Everything the issuing side needs, built from an open service context. */
export function createIssuanceServices(ctx: ServiceContext, logger: Logger, options: { anchorIntervalMs?: number } = {}): IssuanceServices {
  const audit = new AuditLog(ctx.db)
  const credentials = new CredentialStore(ctx.db)
  const anchoring = new AuditAnchoring({
    db: ctx.db,
    log: audit,
    writer: ctx.writer,
    registries: ctx.registries,
    departments: ctx.departments,
    logger,
  })
  const property = new PropertyAnchoring({
    db: ctx.db,
    writer: ctx.writer,
    anchors: ctx.registries.anchors,
    departments: ctx.departments,
    logger,
  })
  const batcher = new StatusBatcher(
    {
      db: ctx.db,
      writer: ctx.writer,
      audit,
      credentials,
      statusRegistry: ctx.deployments.contracts.status,
      logger,
      anchors: anchoring,
      propertyAnchors: property,
    },
    {
      maxBatch: ctx.config.issuance.statusBatchMax,
      windowMs: 20,
      burstWindowMs: 200,
      maxDelayMs: 2000,
      retryMs: 2000,
    },
  )
  const issuer = { agent: ctx.agent, db: ctx.db, credentials, audit, deployments: ctx.deployments }
  const status = { db: ctx.db, credentials, batcher, departments: ctx.departments, propertyAnchors: property }
  return {
    issuer,
    status,
    property,
    policies: { issuer, status, property },
    genericIssuance: ctx.config.issuance.genericIssuance,
    keys: new ApiKeyStore(ctx.db),
    audit,
    anchoring,
    batcher,
    credentials,
    async start() {
      await batcher.start()
      const resent = await property.recover()
      if (resent > 0) logger.info(`sent ${resent} property anchors left over from the last run`)
      anchoring.start(options.anchorIntervalMs ?? 60_000)
    },
    async stop() {
      anchoring.stop()
      await batcher.stop()
    },
  }
}
