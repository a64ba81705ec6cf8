import { Router, type ErrorRequestHandler, type RequestHandler } from 'express'

/** Where govcred serves the chain's read-only JSON-RPC; `/v1/network` advertises `<public URL>` + this path. */
export const CHAIN_RPC_PATH = '/v1/chain/rpc'
/** Most requests in one JSON-RPC batch: ethers' JsonRpcProvider batches up to 100 calls by default. */
export const MAX_RPC_BATCH = 100
/** Widest `eth_getLogs` block range (inclusive) forwarded; a verifier's watcher asks for a few blocks at a time. */
export const MAX_LOG_BLOCK_RANGE = 5000
/** Most gas an `eth_call` may burn (the embedded node's block gas limit is 1e9): registry reads need well under 1M. */
export const MAX_CALL_GAS = 50_000_000n
/** How long the node has to answer a forwarded request, unless told (GOVCRED_RPC_TIMEOUT_MS): the provider's default. */
export const RPC_UPSTREAM_TIMEOUT_MS = 3000

/**
 * The methods forwarded to the node: reads a stock ethr-did-resolver, an ethers provider and govcred's own
 * verifier-only mode need. Everything else (`anvil_*`, `evm_*`, `hardhat_*`, `debug_*`, `personal_*`,
 * `eth_sendTransaction`, `eth_sendRawTransaction`, `eth_accounts`, `eth_sign*`, filters, …) is refused.
 */
export const ALLOWED_RPC_METHODS: ReadonlySet<string> = new Set([
  'eth_chainId',
  'net_version',
  'eth_blockNumber',
  'eth_call',
  'eth_getCode',
  'eth_getLogs',
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getTransactionReceipt',
])

/** JSON-RPC 2.0 error codes this endpoint answers with itself (the node's own errors pass through). */
export const RPC_ERRORS = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
} as const

/**
 * The read-only endpoint's public URL: under GOVCRED_PUBLIC_URL, or under the URL the server listens at
 * when the public URL was derived from port 0 (tests, `PORT=0`).
 *
 * @example
 * readOnlyRpcUrl('https://govcred.example.gov.cn/', 'http://127.0.0.1:8080') // => 'https://govcred.example.gov.cn/v1/chain/rpc'
 */
export function readOnlyRpcUrl(publicUrl: string, listeningUrl: string): string {
  let base = publicUrl
  try {
    if (new URL(publicUrl).port === '0') base = listeningUrl
  } catch {
    base = listeningUrl
  }
  return `${base.replace(/\/+$/, '')}${CHAIN_RPC_PATH}`
}

export interface ChainRpcRouteDeps {
  /** The node's own JSON-RPC URL (the embedded Anvil on loopback, or GOVCRED_RPC_URL). Never advertised. */
  upstreamUrl: string
  /** Default RPC_UPSTREAM_TIMEOUT_MS. */
  timeoutMs?: number
}

type Id = string | number | null
interface RpcError {
  code: number
  message: string
  data?: unknown
}
interface RpcResponse {
  jsonrpc: '2.0'
  id: Id
  result?: unknown
  error?: RpcError
}
/** One entry of what the client sent, judged: answered here, forwarded, or a notification (no answer). */
type Judged =
  | { kind: 'answer'; response: RpcResponse }
  | { kind: 'forward'; id: Id; method: string; params: unknown[]; logRange?: LogRange }
  | { kind: 'notification' }
interface LogRange {
  from: BlockRef
  to: BlockRef
}
type BlockRef = { number: bigint } | { tag: 'latest' | 'earliest' }

class ChainUnreachable extends Error {}

const rpcError = (id: Id, code: number, message: string, data?: unknown): RpcResponse => ({
  jsonrpc: '2.0',
  id,
  error: { code, message, ...(data === undefined ? {} : { data }) },
})

const UNAVAILABLE = (id: Id) =>
  rpcError(id, RPC_ERRORS.internal, 'the chain cannot be reached right now', { code: 'ERR_CHAIN_UNAVAILABLE' })

/**
 * POST /v1/chain/rpc: a read-only JSON-RPC 2.0 endpoint (single requests and batches) in front of the node.
 * Only ALLOWED_RPC_METHODS are forwarded; `eth_call` must name a contract (`to`), carries no state
 * overrides and burns at most MAX_CALL_GAS; `eth_getLogs` spans at most MAX_LOG_BLOCK_RANGE blocks. Refusals are JSON-RPC errors with
 * HTTP 200; when the node does not answer, the forwarded entries carry -32603 with
 * `data.code: "ERR_CHAIN_UNAVAILABLE"` and the answer is HTTP 503.
 *
 * Returns the route and the handler that answers a body that is not JSON with -32700 (the app's JSON body
 * parser runs before any route); register both.
 *
 * @example
 * app.use(chainRpcRoutes({ upstreamUrl: 'http://127.0.0.1:8545' }))
 */
export function chainRpcRoutes(deps: ChainRpcRouteDeps): [Router, ErrorRequestHandler] {
  const router = Router()
  const timeoutMs = deps.timeoutMs ?? RPC_UPSTREAM_TIMEOUT_MS
  const handler: RequestHandler = async (req, res) => {
    const { status, body } = await answer(req.body, deps.upstreamUrl, timeoutMs)
    if (body === undefined) res.status(204).end()
    else res.status(status).json(body)
  }
  router.post(CHAIN_RPC_PATH, handler)
  const parseErrors: ErrorRequestHandler = (error, req, res, next) => {
    const type = (error as { type?: string } | undefined)?.type
    if (req.method !== 'POST' || req.path !== CHAIN_RPC_PATH || type !== 'entity.parse.failed') return next(error)
    // express.json is strict (objects and arrays only): JSON that is neither is an invalid request.
    const raw = (error as { body?: unknown }).body
    const isJson = typeof raw === 'string' && parsesAsJson(raw)
    res
      .status(200)
      .json(
        isJson
          ? rpcError(null, RPC_ERRORS.invalidRequest, 'a JSON-RPC request is an object, a batch an array of them')
          : rpcError(null, RPC_ERRORS.parse, 'the body is not valid JSON'),
      )
  }
  return [router, parseErrors]
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** The HTTP status and body for what the client sent; body undefined: nothing to answer (notifications only). */
async function answer(body: unknown, upstreamUrl: string, timeoutMs: number): Promise<{ status: number; body?: unknown }> {
  if (body === undefined) {
    return { status: 200, body: rpcError(null, RPC_ERRORS.parse, 'send a JSON body with content-type: application/json') }
  }
  const batch = Array.isArray(body)
  const entries: unknown[] = batch ? body : [body]
  if (batch && entries.length === 0) return { status: 200, body: rpcError(null, RPC_ERRORS.invalidRequest, 'an empty batch') }
  if (entries.length > MAX_RPC_BATCH) {
    return {
      status: 200,
      body: rpcError(null, RPC_ERRORS.invalidRequest, `a batch of ${entries.length} requests; at most ${MAX_RPC_BATCH} are answered`),
    }
  }
  const judged = entries.map(judge)
  const responses: (RpcResponse | undefined)[] = judged.map((j) => (j.kind === 'answer' ? j.response : undefined))
  const forwarded = judged.flatMap((j, index) => (j.kind === 'forward' ? [{ index, entry: j }] : []))
  let unavailable = false
  if (forwarded.length > 0) {
    const upstream = new Upstream(upstreamUrl, timeoutMs)
    try {
      const ready: { index: number; entry: Extract<Judged, { kind: 'forward' }> }[] = []
      for (const item of forwarded) {
        const refused = item.entry.logRange ? await boundLogRange(item.entry, upstream) : undefined
        if (refused) responses[item.index] = refused
        else ready.push(item)
      }
      const results = await upstream.call(ready.map(({ entry }) => ({ method: entry.method, params: entry.params })))
      ready.forEach(({ index, entry }, i) => (responses[index] = { jsonrpc: '2.0', id: entry.id, ...results[i] }))
    } catch (error) {
      if (!(error instanceof ChainUnreachable)) throw error
      unavailable = true
      for (const { index, entry } of forwarded) responses[index] ??= UNAVAILABLE(entry.id)
    }
  }
  const answered = judged.flatMap((j, i) => (j.kind === 'notification' ? [] : [responses[i]!]))
  const status = unavailable ? 503 : 200
  if (answered.length === 0) return { status }
  return { status, body: batch ? answered : answered[0] }
}

const isId = (value: unknown): value is Id =>
  value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const QUANTITY = /^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/

/** Judges one entry of a request: refused here (with its error), forwarded, or a notification. */
function judge(entry: unknown): Judged {
  if (!isRecord(entry)) return refuse(null, RPC_ERRORS.invalidRequest, 'a JSON-RPC request is an object')
  const hasId = Object.hasOwn(entry, 'id')
  const id = hasId && isId(entry.id) ? entry.id : null
  if (hasId && !isId(entry.id)) return refuse(null, RPC_ERRORS.invalidRequest, 'id must be a string, a number or null')
  if (entry.jsonrpc !== '2.0' || typeof entry.method !== 'string') {
    return refuse(id, RPC_ERRORS.invalidRequest, 'a JSON-RPC 2.0 request has jsonrpc "2.0" and a method')
  }
  if (entry.params !== undefined && !Array.isArray(entry.params)) {
    return refuse(id, RPC_ERRORS.invalidParams, 'params must be an array')
  }
  const method = entry.method
  const params = (entry.params as unknown[] | undefined) ?? []
  const judged = judgeMethod(id, method, params)
  // A notification (no id) gets no answer, refused or not; a read without an answer is pointless, so it is not sent.
  if (!hasId) return { kind: 'notification' }
  return judged
}

function refuse(id: Id, code: number, message: string): Judged {
  return { kind: 'answer', response: rpcError(id, code, message) }
}

function judgeMethod(id: Id, method: string, params: unknown[]): Judged {
  if (!ALLOWED_RPC_METHODS.has(method)) {
    const shown = method.length > 64 ? `${method.slice(0, 64)}…` : method
    return refuse(id, RPC_ERRORS.methodNotFound, `${shown} is not available: this endpoint is read-only`)
  }
  if (method === 'eth_call') {
    const call = params[0]
    if (!isRecord(call) || typeof call.to !== 'string' || !ADDRESS.test(call.to)) {
      return refuse(id, RPC_ERRORS.invalidParams, 'eth_call needs a call object whose "to" is a contract address')
    }
    if (params.length > 2) return refuse(id, RPC_ERRORS.invalidParams, 'eth_call takes a call and a block, no state overrides')
    if (call.gas !== undefined && (typeof call.gas !== 'string' || !QUANTITY.test(call.gas) || BigInt(call.gas) > MAX_CALL_GAS)) {
      return refuse(id, RPC_ERRORS.invalidParams, `eth_call gas must be a quantity of at most ${MAX_CALL_GAS}`)
    }
    // Without a gas limit the node would allow a call its whole block gas limit.
    return { kind: 'forward', id, method, params: [{ ...call, gas: call.gas ?? `0x${MAX_CALL_GAS.toString(16)}` }, ...params.slice(1)] }
  }
  if (method === 'eth_getLogs') {
    const filter = params[0]
    if (params.length !== 1 || !isRecord(filter)) return refuse(id, RPC_ERRORS.invalidParams, 'eth_getLogs takes one filter object')
    if (filter.blockHash !== undefined) {
      if (filter.fromBlock !== undefined || filter.toBlock !== undefined) {
        return refuse(id, RPC_ERRORS.invalidParams, 'a filter has either blockHash or fromBlock/toBlock')
      }
      return { kind: 'forward', id, method, params }
    }
    const from = blockRef(filter.fromBlock)
    const to = blockRef(filter.toBlock)
    if (!from || !to) return refuse(id, RPC_ERRORS.invalidParams, 'fromBlock and toBlock are block numbers or tags')
    return { kind: 'forward', id, method, params, logRange: { from, to } }
  }
  return { kind: 'forward', id, method, params }
}

/** A block number or tag of a log filter; absent means latest. Pending, safe and finalized read as latest. */
function blockRef(value: unknown): BlockRef | undefined {
  if (value === undefined || value === null) return { tag: 'latest' }
  if (typeof value !== 'string') return undefined
  if (value === 'latest' || value === 'pending' || value === 'safe' || value === 'finalized') return { tag: 'latest' }
  if (value === 'earliest') return { tag: 'earliest' }
  return QUANTITY.test(value) ? { number: BigInt(value) } : undefined
}

/**
 * Resolves the filter's range to block numbers (asking the node for its latest block when a tag needs it),
 * refuses it when wider than MAX_LOG_BLOCK_RANGE, and rewrites the filter with the numbers it was judged on.
 */
async function boundLogRange(entry: Extract<Judged, { kind: 'forward' }>, upstream: Upstream): Promise<RpcResponse | undefined> {
  const range = entry.logRange!
  const resolve = async (ref: BlockRef) => ('number' in ref ? ref.number : ref.tag === 'earliest' ? 0n : await upstream.latestBlock())
  const from = await resolve(range.from)
  const to = await resolve(range.to)
  const width = to - from + 1n
  if (width > BigInt(MAX_LOG_BLOCK_RANGE)) {
    return rpcError(
      entry.id,
      RPC_ERRORS.invalidParams,
      `eth_getLogs spans ${width} blocks (${from} to ${to}); at most ${MAX_LOG_BLOCK_RANGE} are answered: ask in smaller ranges`,
    )
  }
  const filter = entry.params[0] as Record<string, unknown>
  entry.params = [{ ...filter, fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` }]
  return undefined
}

/** The node, for one client request: forwards calls (one batch), and reads the latest block once at most. */
class Upstream {
  private latest?: Promise<bigint>

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  latestBlock(): Promise<bigint> {
    this.latest ??= this.call([{ method: 'eth_blockNumber', params: [] }]).then(([answer]) => {
      if (typeof answer?.result !== 'string' || !QUANTITY.test(answer.result)) throw new ChainUnreachable('no block number')
      return BigInt(answer.result)
    })
    return this.latest
  }

  /** Sends the calls (one request, or one batch) and returns each one's result or error, in order. */
  async call(calls: { method: string; params: unknown[] }[]): Promise<Pick<RpcResponse, 'result' | 'error'>[]> {
    if (calls.length === 0) return []
    const requests = calls.map((c, id) => ({ jsonrpc: '2.0', id, method: c.method, params: c.params }))
    let parsed: unknown
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(requests.length === 1 ? requests[0] : requests),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      parsed = await res.json()
    } catch (cause) {
      throw new ChainUnreachable('the node did not answer', { cause })
    }
    const answers = Array.isArray(parsed) ? parsed : [parsed]
    const byId = new Map<unknown, unknown>(answers.filter(isRecord).map((a) => [a.id, a]))
    return requests.map(({ id }) => {
      const answer = byId.get(id)
      if (!isRecord(answer)) throw new ChainUnreachable('the node answered without this request')
      if (isRecord(answer.error)) {
        const { code, message, data } = answer.error
        return {
          error: {
            code: typeof code === 'number' ? code : RPC_ERRORS.internal,
            message: typeof message === 'string' ? message : 'the node refused the request',
            ...(data === undefined ? {} : { data }),
          },
        }
      }
      return { result: answer.result ?? null }
    })
  }
}
