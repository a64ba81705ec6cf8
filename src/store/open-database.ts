import { DataSource, type MigrationInterface } from 'typeorm'
import { quietSqlite3 } from './sqlite-driver.js'

/**
 * Opens a SQLite file with our settings and runs the given migrations: WAL, and `synchronous = NORMAL`
 * (a crashed process loses nothing committed; only a power cut can lose the last commits).
 *
 * @example
 * const db = await openDatabase(join(dataDir, 'verifier.sqlite'), verifierMigrations)
 */
export async function openDatabase(file: string, migrations: (new () => MigrationInterface)[]): Promise<DataSource> {
  const db = new DataSource({
    type: 'sqlite',
    driver: quietSqlite3,
    database: file,
    migrations,
    migrationsRun: true,
    synchronize: false,
    logging: false,
    enableWAL: true,
  })
  await db.initialize()
  await db.query('PRAGMA synchronous = NORMAL')
  return db
}
