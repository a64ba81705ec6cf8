import { AppError } from '../shared/errors/app-error.js'

/** How many cases may wait for a wallet at once, and how long a finished one is kept. */
export interface CaseLimits {
  /** Most cases in `awaiting-presentation` (unexpired) at once; the next answers 429. */
  maxOpen: number
  /** How long a finished case (completed, refused, failed, or stuck in progress) is kept after its last change. */
  finishedTtlMs: number
}

/** An unanswered case is deleted this long after its presentation request expired (it can no longer resume). */
export const UNANSWERED_KEPT_MS = 86_400_000

/** 429 ERR_TOO_MANY_OPEN_CASES, with the seconds until the first waiting case expires (the Retry-After header). */
export class TooManyOpenCasesError extends AppError {
  constructor(
    maxOpen: number,
    readonly retryAfterSeconds: number,
  ) {
    super('ERR_TOO_MANY_OPEN_CASES', `${maxOpen} one-stop cases are waiting for a wallet already: try again in a few minutes`, {
      status: 429,
    })
  }
}
