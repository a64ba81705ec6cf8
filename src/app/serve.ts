import type { Server } from 'node:http'
import type { Express } from 'express'
import { answerProtocolErrors } from '../http/protocol-errors.js'

export interface Serving {
  server: Server
  /** The URL to reach the server at (loopback when listening on every interface). */
  url: string
  /** Stops accepting, closes open connections and resolves once the server is closed; idempotent. */
  close(): Promise<void>
}

/**
 * Listens with an express app, reports the URL, and closes gracefully.
 *
 * @example
 * const serving = await serve(app, { port: 0, host: '127.0.0.1' })
 * await fetch(`${serving.url}/healthz`)
 * await serving.close()
 */
export async function serve(app: Express, listen: { port: number; host: string }): Promise<Serving> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(listen.port, listen.host, (error?: Error) => (error ? reject(error) : resolve(s)))
  })
  answerProtocolErrors(server)
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : listen.port
  let closing: Promise<void> | undefined
  return {
    server,
    url: `http://${listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
