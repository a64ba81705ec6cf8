/**
 * SQLite result codes that mean the storage itself failed (a full disk, an I/O error, a file that became
 * read-only, unopenable or damaged) rather than the statement: retrying the same request later can succeed,
 * and nothing the failed write did was committed.
 */
export const STORAGE_FAILURE_CODES = [
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_PERM',
] as const

export interface StorageFailure {
  /** The SQLite code, e.g. `SQLITE_FULL` (extended codes such as `SQLITE_IOERR_WRITE` are kept as they came). */
  code: string
  /** SQLite's own message, e.g. `SQLITE_FULL: database or disk is full`. */
  message: string
}

/**
 * The storage failure `error` stands for (looking through TypeORM's QueryFailedError, `driverError` and
 * `cause`), or undefined when it is anything else (a constraint, a syntax error, a refusal).
 *
 * @example
 * storageFailureOf(queryFailedError) // { code: 'SQLITE_FULL', message: 'SQLITE_FULL: database or disk is full' }
 */
export function storageFailureOf(error: unknown): StorageFailure | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const { code, message, driverError, cause } = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown }
    if (typeof code === 'string' && STORAGE_FAILURE_CODES.some((known) => code === known || code.startsWith(`${known}_`)))
      return { code, message: typeof message === 'string' ? message : code }
    current = driverError ?? cause
  }
  return undefined
}
