import { linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Logger } from '../shared/logger.js'

/** The lock file of a data directory, held by the one service (`start` or `verifier`) that runs on it. */
export const LOCK_FILE = 'govcred.lock'

/** What a lock file says about the service that holds it. */
export interface LockHolder {
  pid: number
  /** When the service started (ISO 8601). */
  startedAt: string
  /** `start`, `verifier`, … */
  command: string
  /** The service's URL, once it listens. */
  url?: string
  /** The kernel's start time of `pid` (Linux), so that a reused pid is not taken for the holder. */
  processStart?: string
  /** This acquisition's own id: a release never removes a lock another process took over. */
  token: string
}

export interface DataDirLock {
  file: string
  holder: LockHolder
  /** Records the service's URL in the lock, for the message a second start shows. */
  setUrl(url: string): void
  /** Removes the lock if it is still this process's; idempotent. */
  release(): void
}

/** A second service on a data directory that one already runs on. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `another govcred service is running on the data directory ${dataDir}: ` +
        `pid ${holder.pid} (govcred ${holder.command}), since ${holder.startedAt}` +
        (holder.url ? `, at ${holder.url}` : '') +
        `. Stop it first (kill ${holder.pid}), or give this one its own GOVCRED_DATA_DIR. ` +
        'CLI commands (governance, apikey, department, …) work beside the running service without stopping it.',
    )
    this.name = 'DataDirLockedError'
  }
}

/**
 * Takes the exclusive lock of a data directory for a service, before any chain or database work: the
 * file `<dataDir>/govcred.lock` is created atomically (written complete, then hard-linked into place,
 * which fails when it exists) with the holder's pid, start time and command. A lock whose process is gone
 * (or whose pid now belongs to another process) is stale: it is taken over, with a log line. The lock is
 * removed by `release()` and, as a last resort, when this process exits; after `kill -9` it stays
 * behind, stale, until the next start takes it over.
 *
 * Only services take it: CLI commands that share the running service's chain (through
 * `<dataDir>/chain/node.json`) and database keep working beside it.
 *
 * @example
 * const lock = acquireDataDirLock(config.dataDir, 'start', logger) // throws DataDirLockedError
 * lock.setUrl(serving.url)
 * lock.release()
 */
export function acquireDataDirLock(dataDir: string, command: string, logger: Logger): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, LOCK_FILE)
  const holder: LockHolder = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    command,
    processStart: processStartTime(process.pid),
    token: randomUUID(),
  }
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(file, holder)) break
    const current = readHolder(file)
    if (current === 'missing') continue // released between our two steps: try again
    if (current !== 'unreadable' && isHeld(current)) throw new DataDirLockedError(dataDir, current)
    if (attempt >= 3) throw new Error(`cannot take the lock ${file}: it keeps changing; is another govcred starting?`)
    takeOverStale(file, current, logger)
  }

  let released = false
  const onExit = () => release()
  function release() {
    if (released) return
    released = true
    process.removeListener('exit', onExit)
    const current = readHolder(file)
    if (typeof current === 'object' && current.token === holder.token) rmSync(file, { force: true })
  }
  process.once('exit', onExit)
  return {
    file,
    holder,
    setUrl(url) {
      if (released) return
      holder.url = url
      // Rewritten in place (same inode): the lock is never absent while held.
      writeFileSync(file, JSON.stringify(holder), { mode: 0o600 })
    },
    release,
  }
}

/** The file's content written in full under a unique name, then linked into place: never half a lock. */
function tryCreate(file: string, holder: LockHolder): boolean {
  const temp = `${file}.${holder.token}.tmp`
  writeFileSync(temp, JSON.stringify(holder), { mode: 0o600, flag: 'wx' })
  try {
    linkSync(temp, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    rmSync(temp, { force: true })
  }
}

function readHolder(file: string): LockHolder | 'missing' | 'unreadable' {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing'
    throw error
  }
  try {
    const parsed = JSON.parse(text) as LockHolder
    return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : 'unreadable'
  } catch {
    return 'unreadable'
  }
}

/** The holder's process is alive and is the same process (not a later one that got its pid). */
function isHeld(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    // EPERM: alive, but another user's; a data directory is its owner's alone, so it is not ours to take.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const now = processStartTime(holder.pid)
  return !holder.processStart || !now || now === holder.processStart
}

/**
 * Removes a stale lock. Two starts that both find it stale must not both remove it (the second would remove
 * the first's new lock): the removal happens under a short-lived takeover lock, after checking that the
 * lock is still the stale one.
 */
function takeOverStale(file: string, stale: LockHolder | 'unreadable', logger: Logger): void {
  const guard = `${file}.takeover`
  try {
    writeFileSync(guard, String(process.pid), { mode: 0o600, flag: 'wx' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    // A takeover left behind by a process that died within it: old guards are removed.
    const age = Date.now() - statSafe(guard)
    if (age > 10_000) rmSync(guard, { force: true })
    sleep(100)
    return
  }
  try {
    const current = readHolder(file)
    const same = stale === 'unreadable' ? current === 'unreadable' : typeof current === 'object' && current.token === stale.token
    if (!same) return
    rmSync(file, { force: true })
    logger.warn(
      stale === 'unreadable'
        ? `took over an unreadable lock ${file}`
        : `took over a stale lock ${file}: pid ${stale.pid} (govcred ${stale.command}, since ${stale.startedAt}) is no longer running`,
    )
  } finally {
    rmSync(guard, { force: true })
  }
}

function statSafe(path: string): number {
  try {
    return statSync(path).mtimeMs
  } catch {
    return Date.now()
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot); undefined where there is no /proc. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may contain spaces: count from its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}
