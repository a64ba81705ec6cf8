import type { IssuanceChainView } from '../issuing/issuance/issuance-chain-view.js'
import { ChainRegistryCache } from '../verifying/chain-registry-cache.js'
import type { ChainWatcher } from '../verifying/chain-watcher.js'

/**
 * Issuance's chain reads through the verifier's cache: accreditation and schema anchors are read once and
 * dropped by the chain watcher when an event touches them (and on every governance write this node mines), so
 * a suspension or a re-accreditation is seen by the next issuance within a block, as by verifiers.
 */
export function issuanceChainView(cache: ChainRegistryCache, watcher: Pick<ChainWatcher, 'ensureFresh'>): IssuanceChainView {
  return {
    async isAccredited(account, credentialType, at) {
      await watcher.ensureFresh()
      return ChainRegistryCache.accreditedAt(await cache.issuer(account), credentialType, at)
    },
    async isActiveIssuer(account) {
      await watcher.ensureFresh()
      return (await cache.issuer(account))?.status === 1
    },
    async schemaAnchor(schemaId, version) {
      await watcher.ensureFresh()
      return cache.schema(schemaId, version)
    },
  }
}
