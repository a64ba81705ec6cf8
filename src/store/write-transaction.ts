import type { DataSource, EntityManager, QueryRunner } from 'typeorm'
import { execute } from './execute.js'
import { storageFailureOf } from './storage-failure.js'
import { currentStorageFailure, recordStorageFailure, recordStorageSuccess } from './storage-health.js'

const queues = new WeakMap<DataSource, Promise<unknown>>()
const probes = new WeakMap<DataSource, Promise<void>>()

/**
 * Runs `work` alone among this process's writes. SQLite through TypeORM shares one connection, so a
 * write made while another transaction is open would join it (and vanish with its rollback), and two
 * overlapping transactions would nest ("cannot start a transaction within a transaction").
 */
function withWriteLock<T>(db: DataSource, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(db) ?? Promise.resolve()
  const next = previous.catch(() => undefined).then(work)
  queues.set(db, next)
  return next
}

/**
 * Runs one write and keeps the storage health up to date: a commit clears a recorded storage failure, a
 * storage failure (disk full, I/O error, read-only file…) is recorded, and the error goes on unchanged
 * (src/http/error-middleware.ts answers 503 ERR_STORAGE_UNAVAILABLE for it).
 */
async function tracked<T>(db: DataSource, write: () => Promise<T>): Promise<T> {
  try {
    const result = await write()
    recordStorageSuccess(db)
    return result
  } catch (error) {
    const failure = storageFailureOf(error)
    if (failure) recordStorageFailure(db, failure)
    throw error
  }
}

/**
 * Runs `work` in a database transaction, one at a time per DataSource.
 *
 * @example
 * await writeTransaction(db, async (m) => { await m.query('INSERT …'); await m.query('UPDATE …') })
 */
export function writeTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return withWriteLock(db, () =>
    tracked(db, async () => {
      try {
        return await db.transaction(work)
      } catch (error) {
        await settleConnection(db)
        throw error
      }
    }),
  )
}

/**
 * One write statement under the same lock. Every write of the process goes through the lock; a single
 * statement is atomic on its own, so it needs no BEGIN/COMMIT of its own.
 */
export function writeQuery(db: DataSource, sql: string, params: unknown[] = []): Promise<unknown> {
  return withWriteLock(db, () => tracked(db, () => db.query(sql, params)))
}

/** writeQuery that answers how many rows the statement changed. */
export function writeExecute(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  return withWriteLock(db, () => tracked(db, () => execute(db, sql, params)))
}

/**
 * A read that must see committed rows only. SQLite through TypeORM shares one connection, so a read made while
 * another caller's transaction is open sees that transaction's rows, which vanish if it rolls back. A read whose
 * result goes to the chain (queued status bits, an audit head) waits for the write lock, as writes do; it does not
 * count as a write for the storage health.
 *
 * @example
 * const head = await committedRead(db, () => log.head(departmentId))
 */
export function committedRead<T>(db: DataSource, read: () => Promise<T>): Promise<T> {
  return withWriteLock(db, read)
}

/**
 * Resolves when `db` can be written: at once when its last write committed; after a storage failure, only
 * when a probe write (rewriting the file header's `user_version` with its own value) commits, which clears
 * the failure. Rejects naming the failure while writes keep failing, or when the probe cannot get the write
 * lock within `waitMs` (writes are queued behind failing ones). For /healthz.
 *
 * @example
 * await probeWritable(db) // throws "writes fail since …: SQLITE_FULL: database or disk is full"
 */
export async function probeWritable(db: DataSource, waitMs = 500): Promise<void> {
  if (!currentStorageFailure(db)) return
  // One probe in the queue at a time, however often /healthz is asked.
  let probe = probes.get(db)
  if (!probe) {
    probe = withWriteLock(db, async () => {
      if (!currentStorageFailure(db)) return
      await tracked(db, async () => {
        const [{ user_version: version }] = (await db.query('PRAGMA user_version')) as { user_version: number }[]
        await db.query(`PRAGMA user_version = ${Number(version)}`)
      }).catch(() => undefined) // recorded by tracked(); reported below
    }).finally(() => probes.delete(db))
    probes.set(db, probe)
  }
  let timer: NodeJS.Timeout | undefined
  await Promise.race([probe, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]).finally(() => clearTimeout(timer))
  const failure = currentStorageFailure(db)
  if (failure)
    throw new Error(`writes fail since ${failure.since} (${failure.failedWrites} failed): ${failure.message}`, { cause: failure })
}

/**
 * After a failed transaction, makes sure both SQLite and TypeORM are back outside any transaction. When
 * COMMIT fails (SQLITE_FULL, SQLITE_IOERR) SQLite has already rolled back, so TypeORM's own ROLLBACK fails
 * and its one shared query runner keeps believing a transaction is open: every later "transaction" would
 * become a SAVEPOINT nested in one that is never committed, and answer success for writes that are lost.
 */
async function settleConnection(db: DataSource): Promise<void> {
  const connection = (db.driver as { databaseConnection?: SqliteConnection }).databaseConnection
  if (connection && typeof connection.run === 'function') {
    // "cannot rollback - no transaction is active" is the expected answer when SQLite rolled back itself.
    await new Promise<void>((resolve) => connection.run('ROLLBACK', [], () => resolve()))
  }
  // SQLite's TypeORM driver hands out one shared query runner; reset the state its failed COMMIT left behind.
  const runner = db.createQueryRunner() as QueryRunner & { isTransactionActive: boolean; transactionDepth?: number }
  runner.isTransactionActive = false
  runner.transactionDepth = 0
}

interface SqliteConnection {
  run(sql: string, params: unknown[], callback: (error: Error | null) => void): void
}
