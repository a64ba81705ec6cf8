/**
 * The peer: a stock Veramo 7 agent, configured from GET /v1/network exactly as the docs of
 * ethr-did-resolver and Veramo show (default ethers provider settings, no cache), verifying VC-JWTs.
 *
 * @example
 * const stock = createStockAgent(network)
 * const result = await stock.verify(jwt)
 */
import { createAgent, type ICredentialPlugin, type IResolver } from '@veramo/core'
import { CredentialPlugin } from '@veramo/credential-w3c'
import { CredentialProviderJWT } from '@veramo/credential-jwt'
import { DIDResolverPlugin } from '@veramo/did-resolver'
import { Resolver } from 'did-resolver'
import { getResolver } from 'ethr-did-resolver'

export interface NetworkInfo {
  name: string
  chainId: number
  rpcUrl: string
  contracts: { didRegistry: string; trustedIssuers: string; schemas: string; status: string }
}

export interface StockAgent {
  /** Verifies one VC-JWT; null when verified, else the reason. */
  verify(jwt: string): Promise<string | null>
  /** Whether `policies: { credentialStatus: false }` had to be passed (stock Veramo has no status checker for our type). */
  readonly statusPolicyDisabled: boolean
}

export function stockResolver(network: NetworkInfo): Resolver {
  return new Resolver(
    getResolver({
      networks: [{ name: network.name, chainId: network.chainId, rpcUrl: network.rpcUrl, registry: network.contracts.didRegistry }],
    }),
  )
}

export function createStockAgent(network: NetworkInfo): StockAgent {
  const agent = createAgent<IResolver & ICredentialPlugin>({
    // did-resolver 6 (ours) and Veramo's did-resolver differ only in their type declarations.
    plugins: [new DIDResolverPlugin({ resolver: stockResolver(network) as never }), new CredentialPlugin([new CredentialProviderJWT()])],
  })
  let disableStatus = false
  const state = {
    get statusPolicyDisabled() {
      return disableStatus
    },
    async verify(jwt: string): Promise<string | null> {
      try {
        const result = await agent.verifyCredential({
          credential: jwt,
          ...(disableStatus ? { policies: { credentialStatus: false } } : {}),
        })
        return result.verified ? null : `not verified: ${result.error?.message ?? 'no reason'}`
      } catch (error) {
        const message = (error as Error).message
        if (!disableStatus && /credential status/i.test(message)) {
          disableStatus = true
          return state.verify(jwt)
        }
        return message
      }
    },
  }
  return state
}
