import { ConfigError } from './config-error.js'
import { envReader } from './env-reader.js'

export const LOG_FORMATS = ['text', 'json'] as const
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const

export interface LogSettings {
  /** `json`: one JSON object per line; `text`: readable lines. */
  readonly format: (typeof LOG_FORMATS)[number]
  /** The least severe level written; `silent` writes nothing. */
  readonly level: (typeof LOG_LEVELS)[number]
}

/**
 * GOVCRED_LOG_FORMAT and GOVCRED_LOG_LEVEL, read before any other configuration so that every command
 * (and a configuration error) is logged the same way.
 *
 * @example
 * const logger = createLogger(loadLogSettings(process.env))
 */
export function loadLogSettings(env: NodeJS.ProcessEnv = process.env): LogSettings {
  const read = envReader(env)
  const settings = {
    format: read.oneOf('GOVCRED_LOG_FORMAT', LOG_FORMATS, 'text'),
    level: read.oneOf('GOVCRED_LOG_LEVEL', LOG_LEVELS, 'info'),
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems)
  return Object.freeze(settings)
}
