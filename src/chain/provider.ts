import { JsonRpcProvider, Network } from 'ethers'

/**
 * A JSON-RPC provider tuned for a consortium chain: no response cache (a cached nonce breaks the
 * second transaction sent in quick succession) and no request batching (batching stalls each call ~10 ms).
 *
 * @example
 * const provider = createProvider('http://127.0.0.1:8545', 20191)
 */
export function createProvider(rpcUrl: string, chainId?: number | string): JsonRpcProvider {
  const network = chainId === undefined || chainId === '' ? undefined : Network.from(Number(chainId))
  return new JsonRpcProvider(rpcUrl, network, {
    cacheTimeout: -1,
    batchMaxCount: 1,
    staticNetwork: network ?? false,
    pollingInterval: 250,
  })
}

/**
 * Checks that the chain answers and has the expected chain id; the message names the URL.
 */
export async function assertChainReachable(rpcUrl: string, expectedChainId?: number): Promise<number> {
  let chainIdHex: string
  try {
    // A plain request: an ethers provider would log "failed to detect network" retries on its own.
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(10_000),
    })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    const body = (await res.json()) as { result?: string; error?: { message?: string } }
    if (typeof body.result !== 'string') throw new Error(body.error?.message ?? 'no chain id in the answer')
    chainIdHex = body.result
  } catch (cause) {
    throw new Error(`The chain at ${rpcUrl} cannot be reached: ${(cause as Error).message}`, { cause })
  }
  const chainId = Number(BigInt(chainIdHex))
  if (expectedChainId !== undefined && chainId !== expectedChainId) {
    throw new Error(`The chain at ${rpcUrl} has chain id ${chainId}, but GOVCRED_CHAIN_ID is ${expectedChainId}`)
  }
  return chainId
}
