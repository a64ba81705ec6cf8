import type { DataSource, EntityManager } from 'typeorm'

const queues = new WeakMap<DataSource, Promise<unknown>>()

/**
 * Runs `work` in a database transaction, one at a time per DataSource. SQLite through TypeORM shares
 * one connection, so two overlapping transactions would otherwise nest ("cannot start a transaction
 * within a transaction") or mix their statements.
 *
 * @example
 * await writeTransaction(db, async (m) => { await m.query('INSERT …'); await m.query('UPDATE …') })
 */
export function writeTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const previous = queues.get(db) ?? Promise.resolve()
  const next = previous.catch(() => undefined).then(() => db.transaction(work))
  queues.set(db, next)
  return next
}

/**
 * One write statement under the same lock as writeTransaction. Every write of the process goes through
 * the lock: outside it, a write would land inside whatever transaction is open on the shared connection
 * and vanish if that transaction rolled back.
 */
export function writeQuery(db: DataSource, sql: string, params: unknown[] = []): Promise<unknown> {
  return writeTransaction(db, (manager) => manager.query(sql, params))
}
