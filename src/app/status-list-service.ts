import type { JsonRpcProvider } from 'ethers'
import { readRegistry } from '../chain/chain-errors.js'
import type { StatusRegistryClient } from '../chain/registries/status-registry.js'
import type { DepartmentStore } from '../issuing/departments/department-store.js'
import type { IssuerKeys } from '../issuing/issuer-keys/issuer-keys.js'
import { StatusListTokens } from '../issuing/status-list/status-list-tokens.js'
import type { ChainWatcher } from '../verifying/chain-watcher.js'

/**
 * The departments' status list tokens, kept current by the verifier's chain watcher: each status event (seen in a
 * polled block, or notified by this node's own writer when its batch is mined) makes the account's list read again.
 */
export function createStatusListTokens(deps: {
  provider: JsonRpcProvider
  status: StatusRegistryClient
  departments: DepartmentStore
  issuerKeys: Pick<IssuerKeys, 'current'>
  watcher: ChainWatcher
  publicUrl: () => string
}): StatusListTokens {
  const tokens = new StatusListTokens({
    departments: deps.departments,
    issuerKeys: deps.issuerKeys,
    status: deps.status,
    ensureFresh: () => deps.watcher.ensureFresh(),
    latestBlock: () => readRegistry('eth_blockNumber', () => deps.provider.getBlockNumber()),
    publicUrl: deps.publicUrl,
  })
  deps.watcher.onInvalidate((invalidation) => {
    if (invalidation.kind === 'status') tokens.invalidate(invalidation.account)
    else if (invalidation.kind === 'all') tokens.invalidate()
  })
  return tokens
}
