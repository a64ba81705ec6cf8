import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DataSource } from 'typeorm'
import { Entities } from '@veramo/data-store'
import { allMigrations } from '../../src/store/migrations/index.js'
import { quietSqlite3 } from '../../src/store/sqlite-driver.js'

/**
 * A real SQLite file in a new temporary directory, migrated as a full node's database (with Veramo's entities,
 * as agent.yml opens it), in WAL mode. `close()` destroys the connection and deletes the directory.
 *
 * @example
 * const { db, close } = await openTestDatabase('govcred-audit-')
 */
export async function openTestDatabase(prefix: string): Promise<{ db: DataSource; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const db = await new DataSource({
    type: 'sqlite',
    driver: quietSqlite3,
    database: join(dir, 'govcred.sqlite'),
    enableWAL: true,
    busyTimeout: 10_000,
    entities: Entities,
    migrations: allMigrations,
    migrationsRun: true,
    logging: false,
  }).initialize()
  return {
    db,
    dir,
    async close() {
      if (db.isInitialized) await db.destroy()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
