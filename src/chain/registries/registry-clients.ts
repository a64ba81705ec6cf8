import type { ContractRunner } from 'ethers'
import type { ContractAddresses } from '../../config/deployments-file.js'
import { AnchorRegistryClient } from './anchor-registry.js'
import { GovernanceContractClient } from './governance-contract.js'
import { SchemaRegistryClient } from './schema-registry.js'
import { StatusRegistryClient } from './status-registry.js'
import { TrustedIssuerRegistryClient } from './trusted-issuer-registry.js'

/** One typed client per govcred registry; built once per process from the deployments. */
export interface RegistryClients {
  trustedIssuers: TrustedIssuerRegistryClient
  schemas: SchemaRegistryClient
  status: StatusRegistryClient
  anchors: AnchorRegistryClient
  governance: GovernanceContractClient
}

/**
 * The registry clients over one provider (reads) for the deployed addresses.
 *
 * @example
 * const registries = createRegistryClients(provider, deployments.contracts)
 * await registries.trustedIssuers.isAccredited(account, 'BusinessLicenseCredential', now)
 */
export function createRegistryClients(
  runner: ContractRunner,
  contracts: Pick<ContractAddresses, 'trustedIssuers' | 'schemas' | 'status' | 'anchors' | 'governance'>,
): RegistryClients {
  return {
    trustedIssuers: new TrustedIssuerRegistryClient(contracts.trustedIssuers, runner),
    schemas: new SchemaRegistryClient(contracts.schemas, runner),
    status: new StatusRegistryClient(contracts.status, runner),
    anchors: new AnchorRegistryClient(contracts.anchors, runner),
    governance: new GovernanceContractClient(contracts.governance, runner),
  }
}
