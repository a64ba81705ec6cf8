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
