import type { Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { ApiErrorCode } from '../shared/errors/error-codes.js'

const HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'",
}

const body = (code: ApiErrorCode, message: string) => JSON.stringify({ error: { code, message } })

/**
 * Node's HTTP server answers some requests itself, before express sees them: a request line or header it
 * cannot parse (raw bytes above 0x7f in the path, control characters: 400), headers larger than its limit
 * (431), a request timeout (408) and an `Expect` header other than `100-continue` (417). Its own answers have
 * no body; these handlers give them the API's `{"error":{"code","message"}}` shape (ERR_BAD_REQUEST) instead.
 *
 * @example
 * answerProtocolErrors(app.listen(8080))
 */
export function answerProtocolErrors(server: Server): void {
  server.on('checkExpectation', (req, res: ServerResponse) => {
    const expectation = String(req.headers.expect ?? '').slice(0, 100)
    const text = body('ERR_BAD_REQUEST', `the expectation "${expectation}" cannot be met: only "Expect: 100-continue" is served`)
    res.writeHead(417, { ...HEADERS, Connection: 'close' }).end(text)
  })
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way (or a client gone) cannot get another one.
    const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent
    if (error.code === 'ECONNRESET' || !socket.writable || inProgress) {
      socket.destroy()
      return
    }
    const [status, reason, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request line and headers are larger than the server reads']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'the request did not arrive in time']
          : [400, 'Bad Request', 'the request cannot be parsed as HTTP/1.1 (e.g. raw bytes or control characters in the path or a header)']
    const text = body('ERR_BAD_REQUEST', message)
    const head = Object.entries({ ...HEADERS, 'Content-Length': String(Buffer.byteLength(text)), Connection: 'close' })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')
    socket.end(`HTTP/1.1 ${status} ${reason}\r\n${head}\r\n${text}`)
  })
}
