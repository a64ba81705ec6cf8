import type { ErrorRequestHandler, RequestHandler, Response } from 'express'
import { ChainUnavailableError, isConnectivityError } from '../chain/chain-errors.js'
import { AppError, isAppError, UpstreamError } from '../shared/errors/app-error.js'
import type { ApiErrorCode } from '../shared/errors/error-codes.js'
import type { Logger } from '../shared/logger.js'
import { storageFailureOf } from '../store/storage-failure.js'

/** Unknown routes get the same error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, 'ERR_NOT_FOUND', `no route for ${req.method} ${req.path}`)
}

/**
 * The one place where errors from below become answers: AppError → its status and code; the chain not
 * answering → 503 ERR_CHAIN_UNAVAILABLE; the database failing to store (disk full, I/O error) → 503
 * ERR_STORAGE_UNAVAILABLE; body-parser failures → 400/413/415; anything else → 500 with
 * details hidden (and logged). The original error stays the cause.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return
    const answer = translateError(error)
    if (answer) {
      if (answer.status >= 500) {
        logger.error(`${req.method} ${req.path}: ${answer.code} ${answer.message}`, {
          cause: String((answer.cause as Error)?.message ?? ''),
        })
      }
      sendError(res, answer.status, answer.code, answer.message, answer.details)
      return
    }
    logger.error(`${req.method} ${req.path} failed: ${(error as Error)?.stack ?? String(error)}`)
    sendError(res, 500, 'ERR_INTERNAL', 'internal error')
  }
}

/** The AppError an error from a library or a lower layer stands for; undefined when it is unexpected. */
export function translateError(error: unknown): AppError | undefined {
  if (isAppError(error)) return error
  if (error instanceof ChainUnavailableError) return new UpstreamError('ERR_CHAIN_UNAVAILABLE', error.message, { cause: error })
  if (isConnectivityError(error))
    return new UpstreamError('ERR_CHAIN_UNAVAILABLE', 'the chain cannot be reached right now; nothing was decided', { cause: error })
  const storage = storageFailureOf(error)
  if (storage)
    return new UpstreamError(
      'ERR_STORAGE_UNAVAILABLE',
      `the database cannot be written right now (${storage.code}): nothing of this request was committed; retry later`,
      { cause: error },
    )
  const type = (error as { type?: string } | undefined)?.type
  if (type === 'entity.parse.failed')
    return new AppError('ERR_MALFORMED_JSON', 'the request body is not valid JSON', { status: 400, cause: error })
  if (type === 'entity.too.large')
    return new AppError('ERR_BODY_TOO_LARGE', 'the request body is larger than the limit', { status: 413, cause: error })
  if (type === 'encoding.unsupported' || type === 'charset.unsupported')
    return new AppError('ERR_UNSUPPORTED_ENCODING', 'unsupported body encoding', { status: 415, cause: error })
  const status = (error as { status?: number } | undefined)?.status
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new AppError('ERR_BAD_REQUEST', (error as Error).message, { status, cause: error })
  return undefined
}

function sendError(res: Response, status: number, code: ApiErrorCode, message: string, details?: unknown): void {
  res.status(status).json({ error: { code, message, ...(details === undefined ? {} : { details }) } })
}
