import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname, basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { gunzipSync } from 'node:zlib'

/**
 * The embedded chain's state file: Anvil's state as JSON (what `anvil --load-state` reads), written by govcred
 * alone (Anvil gets no `--dump-state`, whose plain writes can leave a half or empty file behind a kill or a full disk).
 */

/** The block number at the head of a state file, read from its first bytes; undefined when absent or unreadable. */
export function stateFileBlockNumber(file: string): number | undefined {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return undefined
  }
  try {
    const head = Buffer.alloc(512)
    const read = readSync(fd, head, 0, head.length, 0)
    return blockNumberOf(head.subarray(0, read).toString('utf8'))
  } finally {
    closeSync(fd)
  }
}

function blockNumberOf(head: string): number | undefined {
  const match = /^\s*\{\s*"block"\s*:\s*\{\s*"number"\s*:\s*"(0x[0-9a-fA-F]+)"/.exec(head)
  return match ? Number(BigInt(match[1])) : undefined
}

export interface StateWrite {
  /** The block number the written state ends at. */
  blockNumber: number | undefined
  bytes: number
  /** False when the file already held a later block (another process of this data directory saved it). */
  replaced: boolean
}

/**
 * Writes `anvil_dumpState`'s answer (hex of gzip'd JSON) to `file` atomically: a temporary file in the same
 * directory, fsync, rename over `file`, fsync of the directory; mode 0600. A file that already holds a later
 * block is left alone, so a state file is never replaced by an emptier one.
 */
export function writeStateAtomically(file: string, dumpHex: string): StateWrite {
  if (!/^0x[0-9a-fA-F]+$/.test(dumpHex) || dumpHex.length < 4) throw new Error('anvil_dumpState answered no state')
  const json = gunzipSync(Buffer.from(dumpHex.slice(2), 'hex'))
  const blockNumber = blockNumberOf(json.subarray(0, 512).toString('utf8'))
  if (json.length === 0 || json[0] !== 0x7b) throw new Error('anvil_dumpState answered a state that is not JSON')
  const existing = stateFileBlockNumber(file)
  if (existing !== undefined && blockNumber !== undefined && existing > blockNumber) {
    return { blockNumber, bytes: json.length, replaced: false }
  }
  const directory = dirname(file)
  const temporary = join(directory, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const fd = openSync(temporary, 'wx', 0o600)
    try {
      let offset = 0
      while (offset < json.length) offset += writeSync(fd, json, offset, json.length - offset)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, file)
  } catch (error) {
    rmSync(temporary, { force: true })
    throw error
  }
  syncDirectory(directory)
  return { blockNumber, bytes: json.length, replaced: true }
}

function syncDirectory(directory: string): void {
  let fd: number | undefined
  try {
    fd = openSync(directory, 'r')
    fsyncSync(fd)
  } catch {
    // not every platform can fsync a directory; the rename itself is atomic
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
