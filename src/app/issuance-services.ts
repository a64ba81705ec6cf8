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
import { DepartmentIssuerKeys } from '../issuing/issuer-keys/issuer-keys.js'
import { IssuerKeyStore } from '../issuing/issuer-keys/issuer-key-store.js'
import { PrivateKeyStore } from '@veramo/data-store'
import { SecretBox } from '@veramo/kms-local'
import type { SdJwtIssuerDeps } from '../issuing/sd-jwt/issue-sd-jwt-vc.js'
import type { IssuanceChainView } from '../issuing/issuance/issuance-chain-view.js'
import { KeyObjectVcJwtSigner } from '../agent/vc-jwt-signer.js'
import { IssuedCommits } from '../issuing/issuance/issued-commits.js'

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
  /** The departments' ES256 issuing keys (SD-JWT VC, status list tokens): certified by the root CA, registered on chain. */
  issuerKeys: DepartmentIssuerKeys
  /** What issueSdJwtVc needs. */
  sdJwt: SdJwtIssuerDeps
  /** The node's public URL (config.publicUrl, or the listening URL once known when it names port 0). */
  publicUrl(): string
  setPublicUrl(url: string): void
  /** POST /credentials/issue signs generic credentials for keys with the generic scope (GOVCRED_GENERIC_ISSUANCE). */
  genericIssuance: boolean
  start(): Promise<void>
  stop(): Promise<void>
}

/** Everything the issuing side needs, built from an open service context. */
export function createIssuanceServices(
  ctx: ServiceContext,
  logger: Logger,
  options: { anchorIntervalMs?: number; chain?: IssuanceChainView } = {},
): IssuanceServices {
  let publicBase = ctx.config.publicUrl
  const publicUrl = () => publicBase
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
      burstWindowMs: 1000,
      maxDelayMs: 5000,
      retryMs: 2000,
    },
  )
  const issuer: IssuerDeps = {
    agent: ctx.agent,
    db: ctx.db,
    credentials,
    audit,
    deployments: ctx.deployments,
    signer: new KeyObjectVcJwtSigner(ctx.agent, ctx.db, ctx.kmsSecret.secret),
    commits: new IssuedCommits({ db: ctx.db, credentials, audit }),
    ...(options.chain ? { chain: options.chain } : {}),
  }
  const status = { db: ctx.db, credentials, batcher, departments: ctx.departments, propertyAnchors: property }
  const policies = { issuer, status, property }
  const issuerKeys = new DepartmentIssuerKeys({
    agent: ctx.agent,
    store: new IssuerKeyStore(ctx.db),
    writer: ctx.writer,
    departments: ctx.departments,
    didRegistry: ctx.deployments.contracts.didRegistry,
    publicUrl,
    rootCa: ctx.issuerRootCa,
    logger,
    privateKeys: new PrivateKeyStore(ctx.db, new SecretBox(ctx.kmsSecret.secret)),
  })
  return {
    issuer,
    status,
    property,
    policies,
    issuerKeys,
    sdJwt: { policies, issuerKeys, publicUrl },
    publicUrl,
    setPublicUrl: (url) => void (publicBase = url),
    genericIssuance: ctx.config.issuance.genericIssuance,
    keys: new ApiKeyStore(ctx.db),
    audit,
    anchoring,
    batcher,
    credentials,
    async start() {
      await batcher.start()
      // Every department's issuing key exists (certified, registered on chain) before a request needs it: issuing
      // an SD-JWT VC inside a caller's transaction cannot create one. Made on the first start, then read from the database.
      for (const department of await ctx.departments.list()) {
        await issuerKeys.current(department.id).catch((error) => {
          logger.warn(`the SD-JWT issuing key of ${department.id} is not ready: ${(error as Error).message}`)
        })
      }
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
