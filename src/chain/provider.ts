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
export async function assertChainReachable(provider: JsonRpcProvider, rpcUrl: string, expectedChainId?: number): Promise<number> {
  let chainIdHex: string
  let timer: NodeJS.Timeout | undefined
  try {
    chainIdHex = await Promise.race([
      provider.send('eth_chainId', []) as Promise<string>,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000)
      }),
    ])
  } catch (cause) {
    throw new Error(`The chain at ${rpcUrl} cannot be reached: ${(cause as Error).message}`, { cause })
  } finally {
    clearTimeout(timer)
  }
  const chainId = Number(BigInt(chainIdHex))
  if (expectedChainId !== undefined && chainId !== expectedChainId) {
    throw new Error(`The chain at ${rpcUrl} has chain id ${chainId}, but GOVCRED_CHAIN_ID is ${expectedChainId}`)
  }
  return chainId
}
