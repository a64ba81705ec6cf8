import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../shared/logger.js'

/** Directories holding keys, records or the chain state: the owner only. */
export const PRIVATE_DIR_MODE = 0o700
/** Files in them: the owner reads and writes. */
export const PRIVATE_FILE_MODE = 0o600

/**
 * The files govcred keeps in a data directory (relative to it). Only these are tightened: a data directory
 * may be shared with files that are not govcred's business.
 */
export const DATA_FILES = [
  'govcred.sqlite',
  'govcred.sqlite-wal',
  'govcred.sqlite-shm',
  'govcred.sqlite-journal',
  'verifier.sqlite',
  'verifier.sqlite-wal',
  'verifier.sqlite-shm',
  'verifier.sqlite-journal',
  'deployments.json',
  'deployments.json.tmp',
  'demo.json',
  'kms-secret',
  join('chain', 'node.json'),
  join('chain', 'anvil-state.json'),
  join('issuer-ca', 'root-ca.pem'),
  join('issuer-ca', 'root-ca.key.enc'),
]

/** Sub-directories of a full node's data directory that hold govcred's files (verifier-only mode has none). */
export const DATA_DIRS = ['chain', 'issuer-ca']

export interface LoosePath {
  path: string
  kind: 'directory' | 'file'
  /** The permission bits found, e.g. 0o755. */
  mode: number
  /** True when it was changed to the private mode; false when that failed (not ours, read-only, …). */
  tightened: boolean
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`

/**
 * Creates the data directory (and `chain/`) with mode 0700, and checks what already exists: a directory
 * looser than 0700 or a govcred file looser than 0600 (group or others may read it) is changed to the
 * private mode, with a warning that names the path, the mode it had and the fix. Symbolic links are
 * left alone. Returns what was found.
 *
 * @example
 * prepareDataDirectory('/var/lib/govcred', logger)
 */
export function prepareDataDirectory(dataDir: string, logger: Logger, options: { subdirectories?: string[] } = {}): LoosePath[] {
  const dirs = [dataDir, ...(options.subdirectories ?? DATA_DIRS).map((d) => join(dataDir, d))]
  for (const dir of dirs) mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  const found: LoosePath[] = []
  for (const dir of dirs) {
    const loose = tighten(dir, 'directory')
    if (loose) found.push(loose)
  }
  for (const file of DATA_FILES) {
    const loose = tighten(join(dataDir, file), 'file')
    if (loose) found.push(loose)
  }
  for (const loose of found) logger.warn(describe(loose), { path: loose.path, mode: octal(loose.mode) })
  return found
}

/** Creates an empty file with mode 0600 unless it exists (SQLite gives its -wal and -shm files the database file's mode). */
export function createPrivateFile(file: string): void {
  if (existsSync(file)) return
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE))
}

/**
 * Sets a file govcred just wrote to 0600 when it is looser (a file written without an explicit mode, or
 * replaced by rename, has the process's umask). Quiet: nothing else could have read it inside a 0700 directory.
 */
export function makePrivate(file: string): void {
  const loose = tighten(file, 'file')
  if (loose && !loose.tightened) throw new Error(`cannot make ${file} private (mode ${octal(loose.mode)}): run chmod 600 ${file}`)
}

function tighten(path: string, kind: LoosePath['kind']): LoosePath | undefined {
  let stat
  try {
    stat = lstatSync(path)
  } catch {
    return undefined
  }
  if (stat.isSymbolicLink()) return undefined
  if (kind === 'directory' ? !stat.isDirectory() : !stat.isFile()) return undefined
  const mode = stat.mode & 0o777
  if ((mode & 0o077) === 0) return undefined
  const wanted = kind === 'directory' ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE
  try {
    chmodSync(path, mode & wanted)
    return { path, kind, mode, tightened: true }
  } catch {
    return { path, kind, mode, tightened: false }
  }
}

function describe(loose: LoosePath): string {
  const what = loose.kind === 'directory' ? 'data directory' : 'data file'
  const wanted = loose.kind === 'directory' ? '700' : '600'
  return loose.tightened
    ? `${what} ${loose.path} was mode ${octal(loose.mode)} (readable by other users); changed to 0${wanted} (chmod ${wanted} ${loose.path})`
    : `${what} ${loose.path} is mode ${octal(loose.mode)} (readable by other users) and could not be changed: run chmod ${wanted} ${loose.path}`
}
