import sqlite3 from 'sqlite3'

/**
 * The sqlite3 module for TypeORM's `driver` option. TypeORM calls `driver.verbose()`, which makes sqlite3
 * record a stack trace on every call (7 % of a verification's CPU); this driver's verbose() is a no-op.
 */
export const quietSqlite3 = Object.assign(Object.create(sqlite3) as typeof sqlite3, {
  verbose() {
    return quietSqlite3
  },
})
