import { createServer } from 'node:net'

/** The HTTP port is taken (or cannot be bound): found before any chain, database or bootstrap work. */
export class PortUnavailableError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    reason: string,
  ) {
    super(
      `cannot listen on ${host}:${port} (${reason}): ` +
        (reason === 'EADDRINUSE' ? 'another process uses this port; stop it, or ' : '') +
        `choose another port with PORT=<number> (and the address with HOST)`,
    )
    this.name = 'PortUnavailableError'
  }
}

/**
 * Binds the service's port for a moment and lets it go, so that a taken port refuses the start at once.
 * Port 0 (any free port) is always available.
 */
export async function assertPortAvailable(port: number, host: string): Promise<void> {
  if (port === 0) return
  await new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => reject(new PortUnavailableError(port, host, error.code ?? error.message)))
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve()))
  })
}

/** The same message for a listen that fails later (a port taken between the probe and the listen). */
export function describeListenError(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code
  return code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' ? new PortUnavailableError(port, host, code) : error
}
