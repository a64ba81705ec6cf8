import { FetchRequest, JsonRpcProvider, Network, makeError, type FetchGetUrlFunc } from 'ethers'

/** ethers' own default is 300 s; see GOVCRED_RPC_TIMEOUT_MS (src/config/chain-timeout-settings.ts). */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 3000

/**
 * A JSON-RPC provider tuned for a consortium chain: no response cache (a cached nonce breaks the
 * second transaction sent in quick succession), no request batching (batching stalls each call ~10 ms),
 * and a deadline on every request: past `timeoutMs` the request is aborted and fails with ethers' TIMEOUT
 * (a connectivity error: 503 ERR_CHAIN_UNAVAILABLE at the edge), however the node hangs.
 *
 * @example
 * const provider = createProvider('http://127.0.0.1:8545', 20191, 3000)
 */
export function createProvider(rpcUrl: string, chainId?: number | string, timeoutMs?: number | string): JsonRpcProvider {
  const network = chainId === undefined || chainId === '' ? undefined : Network.from(Number(chainId))
  return new JsonRpcProvider(rpcConnection(rpcUrl, providerTimeout(timeoutMs)), network, {
    cacheTimeout: -1,
    batchMaxCount: 1,
    staticNetwork: network ?? false,
    pollingInterval: 250,
  })
}

function providerTimeout(timeoutMs: number | string | undefined): number {
  const value = timeoutMs === undefined || timeoutMs === '' ? DEFAULT_PROVIDER_TIMEOUT_MS : Number(timeoutMs)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`the JSON-RPC timeout must be a positive number of ms (got "${timeoutMs}")`)
  return value
}

/**
 * The provider's connection: ethers' FetchRequest with its timeout and a fetch that really aborts. ethers'
 * own Node fetch only stops waiting (its socket timeout is an idle timeout and the request is never aborted),
 * so against a hung node every timed-out request would keep a socket open until the node answers.
 */
function rpcConnection(rpcUrl: string, timeoutMs: number): FetchRequest {
  const request = new FetchRequest(rpcUrl)
  request.timeout = timeoutMs
  request.getUrlFunc = abortingGetUrl(timeoutMs)
  return request
}

function abortingGetUrl(timeoutMs: number): FetchGetUrlFunc {
  return async (req, signal) => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), timeoutMs)
    signal?.addListener(() => controller.abort())
    try {
      const headers = req.headers
      // fetch sets the length itself (and refuses a wrong one).
      delete headers['content-length']
      const res = await fetch(req.url, {
        method: req.method,
        headers,
        body: req.body ? Buffer.from(req.body) : undefined,
        signal: controller.signal,
      })
      const body = new Uint8Array(await res.arrayBuffer())
      const answerHeaders: Record<string, string> = {}
      res.headers.forEach((value, name) => {
        answerHeaders[name] = value
      })
      // fetch has already decoded a gzip body: ethers must not be told to expect one.
      delete answerHeaders['content-encoding']
      return { statusCode: res.status, statusMessage: res.statusText, headers: answerHeaders, body: body.length > 0 ? body : null }
    } catch (error) {
      if (controller.signal.aborted) {
        if (signal?.cancelled) throw makeError('request cancelled', 'CANCELLED')
        throw makeError(`the chain's JSON-RPC did not answer within ${timeoutMs} ms`, 'TIMEOUT', {
          operation: 'request',
          reason: 'timeout',
        })
      }
      throw error
    } finally {
      clearTimeout(timer)
    }
  }
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
