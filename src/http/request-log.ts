import type { RequestHandler } from 'express'
import type { Logger } from '../shared/logger.js'

/**
 * One line per request: method, path (no query string: it may carry a certificate), status, duration.
 * Headers and bodies are never logged (API keys, personal data).
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint()
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const line = `${req.method} ${req.path} ${res.statusCode} ${ms.toFixed(1)} ms`
      if (res.statusCode >= 500) logger.error(line)
      else logger.info(line)
    })
    next()
  }
}
