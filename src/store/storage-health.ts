import type { DataSource } from 'typeorm'
import type { StorageFailure } from './storage-failure.js'

/** The storage failure writes of one DataSource are seeing, since when and how often. */
export interface StorageFailureRecord extends StorageFailure {
  /** When the first write of this run of failures failed (ISO 8601). */
  since: string
  /** When the latest one failed. */
  lastAt: string
  /** How many writes failed since the last one that succeeded. */
  failedWrites: number
}

const failures = new WeakMap<DataSource, StorageFailureRecord>()

/** Records that a write of `db` failed for a storage reason (health turns unhealthy). */
export function recordStorageFailure(db: DataSource, failure: StorageFailure): void {
  const now = new Date().toISOString()
  const previous = failures.get(db)
  failures.set(db, { ...failure, since: previous?.since ?? now, lastAt: now, failedWrites: (previous?.failedWrites ?? 0) + 1 })
}

/** Records that a write of `db` committed: the storage works again. */
export function recordStorageSuccess(db: DataSource): void {
  failures.delete(db)
}

/** The run of storage failures `db`'s writes are in, or undefined when the last write committed. */
export function currentStorageFailure(db: DataSource): StorageFailureRecord | undefined {
  return failures.get(db)
}
