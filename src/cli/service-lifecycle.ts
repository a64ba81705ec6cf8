import { acquireDataDirLock, type DataDirLock } from '../app/data-dir-lock.js'
import { assertPortAvailable } from '../app/port-probe.js'
import type { Logger } from '../shared/logger.js'

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
const SIGNAL_NUMBERS: Record<(typeof SIGNALS)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }

/**
 * What `start` and `verifier` do around the service itself, before any chain or database work: take the
 * data directory's lock (one service per data directory) and check that the HTTP port is free. Then
 * SIGINT, SIGTERM and SIGHUP (a closed terminal) stop the service cleanly, its embedded chain included;
 * a signal that arrives while it is still starting ends the process at once (the chain's watchdog and
 * the exit handlers take Anvil and the lock with it).
 */
export async function runService<T extends { url: string; stop(): Promise<void> }>(
  settings: {
    dataDir: string
    port: number
    host: string
    command: string
    /**
     * Stop when the parent process goes away (this process is re-parented). For `npm start`: npm forwards
     * SIGINT and SIGTERM, but dies of SIGHUP (or of kill -9) without telling its child.
     */
    stopWithParent?: boolean
  },
  logger: Logger,
  start: () => Promise<T>,
): Promise<T> {
  const lock: DataDirLock = acquireDataDirLock(settings.dataDir, settings.command, logger)
  let running: T | undefined
  const onSignal = (signal: (typeof SIGNALS)[number]) => {
    if (signal === 'SIGHUP') {
      // The terminal is gone: writing to it fails (EIO), which must not interrupt the shutdown.
      process.stdout.on('error', () => undefined)
      process.stderr.on('error', () => undefined)
    }
    for (const s of SIGNALS) process.removeAllListeners(s)
    if (!running) {
      lock.release()
      process.exit(128 + SIGNAL_NUMBERS[signal])
    }
    logger.info(`${signal} received, shutting down`)
    running.stop().then(
      () => {
        lock.release()
        process.exit(0)
      },
      (error) => {
        logger.error(`shutdown failed: ${(error as Error).message}`)
        lock.release()
        process.exit(1)
      },
    )
  }
  for (const s of SIGNALS) process.once(s, () => onSignal(s))
  if (settings.stopWithParent) {
    const parent = process.ppid
    const watch = setInterval(() => {
      if (process.ppid === parent) return
      clearInterval(watch)
      logger.warn(`the parent process ${parent} is gone`)
      onSignal('SIGHUP')
    }, 250)
    watch.unref()
  }
  try {
    await assertPortAvailable(settings.port, settings.host)
    running = await start()
  } catch (error) {
    for (const s of SIGNALS) process.removeAllListeners(s)
    lock.release()
    throw error
  }
  lock.setUrl(running.url)
  return running
}
