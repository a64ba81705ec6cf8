import type { DataSource, EntityManager } from 'typeorm'
import { execute } from './execute.js'

const queues = new WeakMap<DataSource, Promise<unknown>>()

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
 * Runs `work` in a database transaction, one at a time per DataSource.
 *
 * @example
 * await writeTransaction(db, async (m) => { await m.query('INSERT …'); await m.query('UPDATE …') })
 */
export function writeTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return withWriteLock(db, () => db.transaction(work))
}

/**
 * One write statement under the same lock. Every write of the process goes through the lock; a single
 * statement is atomic on its own, so it needs no BEGIN/COMMIT of its own.
 */
export function writeQuery(db: DataSource, sql: string, params: unknown[] = []): Promise<unknown> {
  return withWriteLock(db, () => db.query(sql, params))
}

/** writeQuery that answers how many rows the statement changed. */
export function writeExecute(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  return withWriteLock(db, () => execute(db, sql, params))
}
