import type { JsonRpcProvider } from 'ethers'
import type { DataSource } from 'typeorm'
import type { GovcredAgent } from '../agent/create-agent.js'
import type { ITrustRegistry } from '../agent/plugins/trust-registry-plugin.js'
import type { Deployments } from '../config/deployments-file.js'
import type { Logger } from '../shared/logger.js'
import type { IssuanceServices } from '../app/issuance-services.js'
import type { DepartmentStore } from '../issuing/departments/department-store.js'
import type { VerifierService } from '../verifying/verifier-service.js'

/** What the HTTP app needs; tests build it from a real context without listening on a port. */
export interface AppDeps {
  /** The Veramo agent; absent in verifier-only mode. */
  agent?: GovcredAgent
  mode?: 'full' | 'verifier'
  /** Reads of the trusted-issuer registry when there is no agent (verifier-only mode). */
  trustRegistry?: Pick<ITrustRegistry, 'trustRegistryListIssuers' | 'trustRegistryGetIssuer'>
  provider: JsonRpcProvider
  db?: DataSource
  deployments: Deployments
  /** The RPC URL verifiers should use (may differ from ours behind a proxy). */
  publicRpcUrl: string
  logger: Logger
  /** Log one line per request (GOVCRED_ACCESS_LOG). */
  accessLog?: boolean
  /** The issuing side; absent in verifier-only mode. */
  issuance?: IssuanceServices & { departments: DepartmentStore }
  /** The verifying side (always present). */
  verifier?: VerifierService
}
