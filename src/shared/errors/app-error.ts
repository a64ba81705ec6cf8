import type { ApiErrorCode } from './error-codes.js'

/**
 * The one error model of govcred: a stable `code`, an HTTP status, and optional field-level details.
 *
 * @example
 * throw new ValidationError('ERR_INVALID_HOLDER', 'holder must be a DID', { details: [{ field: '/holder' }] })
 */
export class AppError extends Error {
  readonly code: ApiErrorCode
  readonly status: number
  readonly details?: unknown

  constructor(code: ApiErrorCode, message: string, options: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.status = options.status ?? 500
    this.details = options.details
  }
}

type SubclassOptions = { details?: unknown; cause?: unknown }

/** 400: the request is malformed. */
export class BadRequestError extends AppError {
  constructor(code: ApiErrorCode, message: string, options: SubclassOptions = {}) {
    super(code, message, { ...options, status: 400 })
  }
}

/** 422: well-formed but the content is not acceptable (schema, field errors). */
export class ValidationError extends AppError {
  constructor(code: ApiErrorCode, message: string, options: SubclassOptions = {}) {
    super(code, message, { ...options, status: 422 })
  }
}

/** 401: no or wrong credentials. */
export class UnauthorizedError extends AppError {
  constructor(code: ApiErrorCode, message: string, options: SubclassOptions = {}) {
    super(code, message, { ...options, status: 401 })
  }
}

/** 403: authenticated but not allowed. */
export class ForbiddenError extends AppError {
  constructor(code: ApiErrorCode, message: string, options: SubclassOptions = {}) {
    super(code, message, { ...options, status: 403 })
  }
}

/** 404: not there (or not visible to the caller). */
export class NotFoundError extends AppError {
  constructor(code: ApiErrorCode, message: string, options: SubclassOptions = {}) {
    super(code, message, { ...options, status: 404 })
  }
}

/** 409: conflicts with the current state. */
export class ConflictError extends AppError {
  constructor(code: ApiErrorCode, message: string, options: SubclassOptions = {}) {
    super(code, message, { ...options, status: 409 })
  }
}

/** 502/503: a dependency (the chain) failed or cannot be reached. */
export class UpstreamError extends AppError {
  constructor(code: ApiErrorCode, message: string, options: SubclassOptions & { status?: 502 | 503 } = {}) {
    super(code, message, { ...options, status: options.status ?? 503 })
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError
}
