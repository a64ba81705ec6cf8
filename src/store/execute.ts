import type { DataSource, EntityManager } from 'typeorm'

/**
 * Runs a write statement and returns how many rows it changed (DataSource.query hides that for SQLite).
 */
export async function execute(db: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<number> {
  const runner = 'createQueryRunner' in db ? db.createQueryRunner() : (db.queryRunner ?? db.connection.createQueryRunner())
  const owned = !('queryRunner' in db && db.queryRunner)
  try {
    const result = await runner.query(sql, params, true)
    return Number(result.affected ?? 0)
  } finally {
    if (owned) await runner.release()
  }
}
