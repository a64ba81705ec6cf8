export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export interface LoggerOptions {
  /** `json`: one JSON object per line; `text`: readable lines. */
  format: 'text' | 'json'
  /** The least severe level written (`debug` is `info`: nothing logs below it); `silent` writes nothing. */
  level: 'debug' | 'info' | 'warn' | 'error' | 'silent'
}

const SEVERITY = { debug: 0, info: 0, warn: 1, error: 2, silent: 3 } as const

/**
 * Writes to stderr: one JSON line per event, or readable lines.
 *
 * @example
 * const logger = createLogger({ format: 'text', level: 'info' })
 * logger.warn('chain unreachable', { rpcUrl })
 */
export function createLogger(options: LoggerOptions = { format: 'text', level: 'info' }): Logger {
  const json = options.format === 'json'
  const least = SEVERITY[options.level]
  const write = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => {
    if (SEVERITY[level] < least) return
    if (json) {
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`)
    } else {
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''
      process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}${extra}\n`)
    }
  }
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  }
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} }
