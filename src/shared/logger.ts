export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** One JSON line per event on stderr when GOVCRED_LOG_FORMAT=json, readable lines otherwise. */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  const json = env.GOVCRED_LOG_FORMAT === 'json'
  const quiet = env.GOVCRED_LOG_LEVEL === 'silent'
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (quiet) return
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
