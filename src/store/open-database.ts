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
  await applyStoragePragmas(db)
  return db
}

/**
 * The settings of every govcred database connection. With WAL, `synchronous = NORMAL` syncs at checkpoints
 * instead of every commit: a crash of the process loses nothing committed; only a power cut can lose the
 * last commits (the outbox reconciles against the chain). A page cache of 64 MiB instead of SQLite's 2 MiB
 * keeps the upper levels of the indices of a million records in memory, so inserts at random index positions
 * (ids, holders, status indices) do not read their pages back from the file each time; it is a bound, so the
 * process's memory stays flat however large the store grows.
 */
export async function applyStoragePragmas(db: DataSource): Promise<void> {
  await db.query('PRAGMA synchronous = NORMAL')
  await db.query(`PRAGMA cache_size = -${PAGE_CACHE_KIB}`)
}

const PAGE_CACHE_KIB = 65_536
