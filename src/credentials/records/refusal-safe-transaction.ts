import type { DataSource, EntityManager } from 'typeorm'
import { writeTransaction } from '../../store/write-transaction.js'

const WRITE = /^\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b/i

/**
 * `writeTransaction`, except that a failure before `work` wrote anything commits instead of rolling back.
 *
 * SQLite through TypeORM runs every query of the process on one connection, so a ROLLBACK also undoes
 * what other code wrote outside any transaction while this one was open (a chain outbox row, an API key).
 * A refused request (unknown credential, revoked seller, a unit that already has a certificate) refuses
 * before it writes, so it has nothing of its own to undo; committing keeps the others' writes. A failure
 * after this work wrote still rolls back.
 *
 * @example
 * const record = await refusalSafeTransaction(db, async (m) => {
 *   const found = await store.getOwned(departmentId, id, m)
 *   if (!found) throw new NotFoundError('ERR_CREDENTIAL_NOT_FOUND', '…') // commits: nothing written yet
 *   await m.query('UPDATE govcred_credentials SET status = ? WHERE id = ?', ['revoked', id])
 *   return found
 * })
 */
export async function refusalSafeTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const outcome = await writeTransaction(db, async (manager) => {
    let wrote = false
    const tracked = new Proxy(manager, {
      get(target, property, receiver) {
        // Anything but raw queries (entity methods, the runner itself) may write unseen: count it as a write.
        if (property === 'queryRunner') wrote = true
        if (property !== 'query') return Reflect.get(target, property, receiver)
        return async (sql: string, parameters?: unknown[]) => {
          const result = await target.query(sql, parameters)
          if (WRITE.test(sql)) wrote = true
          return result
        }
      },
    })
    try {
      return { ok: true as const, value: await work(tracked) }
    } catch (error) {
      if (wrote) throw error
      return { ok: false as const, error }
    }
  })
  if (!outcome.ok) throw outcome.error
  return outcome.value
}
