/**
 * A small keep-alive HTTP client (node:http, one socket per in-flight request) and a fixed-concurrency
 * runner that times a batch of prepared requests.
 *
 * @example
 * const client = new JsonClient('http://127.0.0.1:8080', 16)
 * const { status, body } = await client.post('/v1/presentation-requests', { credentialTypes, purpose })
 */
import { Agent, request } from 'node:http'

export interface JsonResponse {
  status: number
  text: string
}

export class JsonClient {
  private agent: Agent
  private readonly host: string
  private readonly port: number

  constructor(
    baseUrl: string,
    private readonly connections: number,
  ) {
    const url = new URL(baseUrl)
    this.host = url.hostname
    this.port = Number(url.port)
    this.agent = this.newAgent()
  }

  private newAgent(): Agent {
    return new Agent({ keepAlive: true, maxSockets: this.connections, maxFreeSockets: this.connections })
  }

  /**
   * Drops the pooled connections. Call before a timed section that follows CPU-bound work: while the
   * event loop was blocked, the server may have closed idle keep-alive sockets (its keepAliveTimeout is
   * 5 s) without the agent noticing, and reusing one fails with "socket hang up".
   */
  reset(): void {
    this.agent.destroy()
    this.agent = this.newAgent()
  }

  /** POST with a body already serialized (so timing covers the server, not our JSON.stringify). */
  postRaw(path: string, body: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
    return this.send('POST', path, body, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    })
  }

  /** GET over the pooled keep-alive connections. */
  getRaw(path: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
    return this.send('GET', path, undefined, headers)
  }

  private send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<JsonResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path,
          method,
          agent: this.agent,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
          res.on('error', reject)
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  }

  async post<T = any>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const res = await this.postRaw(path, JSON.stringify(body), headers)
    return { status: res.status, body: parseOrText(res.text) as T }
  }

  async get<T = any>(path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`http://${this.host}:${this.port}${path}`)
    return { status: res.status, body: parseOrText(await res.text()) as T }
  }

  close(): void {
    this.agent.destroy()
  }
}

export interface LoadResult {
  count: number
  ok: number
  failures: number
  seconds: number
  perSecond: number
  p50Ms: number
  p99Ms: number
  firstFailure?: string
}

/**
 * Runs `task` once per item with `concurrency` in flight and times the whole batch. `task` returns
 * null for success, or a short description of what went wrong.
 */
export async function runLoad<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, i: number) => Promise<string | null>,
): Promise<LoadResult> {
  const latencies = new Float64Array(items.length)
  let failures = 0
  let firstFailure: string | undefined
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      const started = performance.now()
      let problem: string | null
      try {
        problem = await task(items[i]!, i)
      } catch (error) {
        problem = (error as Error).message
      }
      latencies[i] = performance.now() - started
      if (problem !== null) {
        failures++
        firstFailure ??= problem
      }
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  const seconds = (performance.now() - started) / 1000
  const sorted = Array.from(latencies).sort((a, b) => a - b)
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
  return {
    count: items.length,
    ok: items.length - failures,
    failures,
    seconds,
    perSecond: items.length / seconds,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    ...(firstFailure !== undefined ? { firstFailure } : {}),
  }
}

/**
 * Calls `task` with `concurrency` in flight until `durationMs` has passed; for the slow stock verifier,
 * whose rate is not known in advance.
 */
export async function runFor(durationMs: number, concurrency: number, task: (i: number) => Promise<string | null>): Promise<LoadResult> {
  const latencies: number[] = []
  let failures = 0
  let firstFailure: string | undefined
  let next = 0
  const started = performance.now()
  const deadline = started + durationMs
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = next++
      const t0 = performance.now()
      let problem: string | null
      try {
        problem = await task(i)
      } catch (error) {
        problem = (error as Error).message
      }
      latencies.push(performance.now() - t0)
      if (problem !== null) {
        failures++
        firstFailure ??= problem
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0
  return {
    count: latencies.length,
    ok: latencies.length - failures,
    failures,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    ...(firstFailure !== undefined ? { firstFailure } : {}),
  }
}

function parseOrText(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return text
  }
}
