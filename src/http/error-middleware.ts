import type { ErrorRequestHandler, RequestHandler } from 'express'
import { isAppError } from '../shared/errors/app-error.js'
import type { Logger } from '../shared/logger.js'

/** Unknown routes get the same error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'ERR_NOT_FOUND', message: `no route for ${req.method} ${req.path}` } })
}

/**
 * The one error handler: AppError → its status and code; body-parser failures → 400/413/415;
 * anything else → 500 with details hidden (and logged).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return
    if (isAppError(error)) {
      const body: Record<string, unknown> = { code: error.code, message: error.message }
      if (error.details !== undefined) body.details = error.details
      if (error.status >= 500) logger.error(`${req.method} ${req.path}: ${error.code} ${error.message}`, { cause: String((error.cause as Error)?.message ?? '') })
      res.status(error.status).json({ error: body })
      return
    }
    const type = (error as { type?: string }).type
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'ERR_MALFORMED_JSON', message: 'the request body is not valid JSON' } })
      return
    }
    if (type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'ERR_BODY_TOO_LARGE', message: 'the request body is larger than the limit' } })
      return
    }
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      res.status(415).json({ error: { code: 'ERR_UNSUPPORTED_ENCODING', message: 'unsupported body encoding' } })
      return
    }
    const status = (error as { status?: number }).status
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'ERR_BAD_REQUEST', message: (error as Error).message } })
      return
    }
    logger.error(`${req.method} ${req.path} failed: ${(error as Error)?.stack ?? String(error)}`)
    res.status(500).json({ error: { code: 'ERR_INTERNAL', message: 'internal error' } })
  }
}
