/**
 * What issuance asks the chain before signing, answered from a cache that chain events keep within a block
 * of the chain (the verifier's, wired in src/app/issuance-chain-view.ts) instead of JSON-RPC calls per
 * credential. Each method throws ChainUnavailableError when the cache cannot vouch for the chain (stale past
 * the bound), as a direct read would when the chain does not answer.
 */
export interface IssuanceChainView {
  /** Accredited on chain for the type at `at` (unix seconds), under the accreditation rules verifiers apply. */
  isAccredited(account: string, credentialType: string, at: number): Promise<boolean>
  /** Registered and active, whatever the types. */
  isActiveIssuer(account: string): Promise<boolean>
  /** The anchored schema, or null when that name and version are not anchored. */
  schemaAnchor(schemaId: string, version: string): Promise<{ contentHash: string; deprecated: boolean } | null>
}
