/**
 * A raw HTTP/1.1 client for the hostile-input suite: it sends exactly the bytes a case names (invalid UTF-8
 * in the path or body, odd or missing content types, repeated headers), which `fetch` would refuse or
 * normalise, and prints any case as a `curl` line a human can replay.
 *
 * Every string of a `HostileRequest` is a *binary string*: one character per byte (latin1), so a case
 * shows its exact bytes when fast-check prints it.
 *
 * @example
 * const answer = await sendRaw({ host: '127.0.0.1', port }, { method: 'GET', target: '/healthz', headers: [] })
 */
import { connect } from 'node:net'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHash } from 'node:crypto'

export interface HostileRequest {
  /** Which generator made it (an operation `GET /v1/issuers/{did}`, or a token kind), for reports. */
  label: string
  method: string
  /** The request target as sent (a binary string): path and query. */
  target: string
  /** Header lines as sent (binary strings); Host, Connection and Content-Length are added. */
  headers: [string, string][]
  /** The body as sent (a binary string); undefined sends none and no Content-Length. */
  body?: string
}

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  /** The body decoded as UTF-8. */
  text: string
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
}

/** UTF-8 bytes of a JavaScript string, as a binary string. */
export const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')

/** A JSON value serialised and UTF-8 encoded, as a binary string. */
export const jsonBytes = (value: unknown): string => utf8(JSON.stringify(value) ?? 'null')

/**
 * Sends one request on a fresh connection (Connection: close) and reads the whole answer. `localAddress`
 * picks the client's loopback address (the rate limits key on it). Rejects when no answer comes within
 * `timeoutMs` or the connection closes without one.
 */
export function sendRaw(
  server: { host: string; port: number },
  request: HostileRequest,
  options: { timeoutMs?: number; localAddress?: string } = {},
): Promise<RawAnswer> {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${server.host}:${server.port}`, 'Connection: close']
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`)
  if (request.body !== undefined) lines.push(`Content-Length: ${request.body.length}`)
  const bytes = Buffer.from(`${lines.join('\r\n')}\r\n\r\n${request.body ?? ''}`, 'latin1')
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect({ host: server.host, port: server.port, localAddress: options.localAddress })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within ${options.timeoutMs ?? 15_000} ms`))
    }, options.timeoutMs ?? 15_000)
    let settled = false
    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const received = Buffer.concat(chunks)
      // The server may answer early (413, 400) and close while the body is still being written: an answer
      // that arrived counts, whatever the socket said afterwards.
      const answer = received.length > 0 ? parseAnswer(received, request.method) : undefined
      if (answer) resolve(answer)
      else reject(new Error(`the connection closed without an answer${error ? ` (${error.message})` : ''}`))
    }
    // No half-close after the request: Node's HTTP server drops a request whose client sent FIN (httpAllowHalfOpen).
    socket.on('connect', () => socket.write(bytes))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('end', () => finish())
    socket.on('close', () => finish())
    socket.on('error', (error) => finish(error))
  })
}

function parseAnswer(received: Buffer, method: string): RawAnswer | undefined {
  const headEnd = received.indexOf('\r\n\r\n')
  if (headEnd < 0) return undefined
  const [statusLine = '', ...headerLines] = received.subarray(0, headEnd).toString('latin1').split('\r\n')
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)
  if (!match) return undefined
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  let body = received.subarray(headEnd + 4)
  if (method === 'HEAD') body = Buffer.alloc(0)
  else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body)
  const text = body.toString('utf8')
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: Number(match[1]), headers, text, json }
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at)
    if (lineEnd < 0) break
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16)
    if (!Number.isFinite(size) || size === 0) break
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
  return Buffer.concat(parts)
}

/** Bash ANSI-C quoting ($'…') of a binary string: any byte survives the copy and paste. */
function bashQuote(binary: string): string {
  let out = "$'"
  for (const char of binary) {
    const code = char.charCodeAt(0)
    if (char === "'" || char === '\\') out += `\\${char}`
    else if (code >= 0x20 && code < 0x7f) out += char
    else out += `\\x${code.toString(16).padStart(2, '0')}`
  }
  return `${out}'`
}

/**
 * A ready-to-run `curl` line for a case, against `$GOVCRED_URL` (default the service's URL at the time).
 * Keys are shown as sent; a large body goes to a file in the temporary directory that the line reads.
 */
export function curlLine(request: HostileRequest, baseUrl: string): string {
  const parts = ['curl', '-sS', '-i', '--path-as-is', '-X', bashQuote(request.method)]
  const sent = new Set(request.headers.map(([name]) => name.toLowerCase()))
  for (const [name, value] of request.headers) parts.push('-H', bashQuote(`${name}: ${value}`))
  if (request.body !== undefined) {
    // curl adds its own content type to --data-binary: an empty header line removes it when the case sent none.
    if (!sent.has('content-type')) parts.push('-H', "'Content-Type:'")
    if (request.body.length <= 2000) parts.push('--data-binary', bashQuote(request.body))
    else {
      const file = join(tmpdir(), `govcred-fuzz-body-${createHash('sha256').update(request.body, 'latin1').digest('hex').slice(0, 16)}.bin`)
      writeFileSync(file, Buffer.from(request.body, 'latin1'))
      parts.push('--data-binary', `@${file}`)
    }
  }
  parts.push(`"\${GOVCRED_URL:-${baseUrl}}"${bashQuote(request.target)}`)
  return parts.join(' ')
}
