import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const WATCHDOG = fileURLToPath(new URL('./parent-watchdog.mjs', import.meta.url))

/**
 * Makes `child` (the embedded Anvil) end with this process, even on `kill -9`: a tiny watchdog process
 * (`parent-watchdog.mjs`) holds a pipe from this process and stops the child when the pipe closes. It ends
 * by itself when the child does, and is killed at once when the child exits first. Neither the watchdog
 * nor its pipe keeps this process alive.
 */
export function watchParent(child: ChildProcess): void {
  if (!child.pid) return
  const watchdog = spawn(process.execPath, [WATCHDOG, String(child.pid)], { stdio: ['pipe', 'ignore', 'inherit'] })
  watchdog.unref()
  // The pipe is the signal itself: nothing is written to it, and it must not hold the event loop open.
  ;(watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  watchdog.on('error', () => undefined)
  child.once('exit', () => watchdog.kill('SIGKILL'))
}
