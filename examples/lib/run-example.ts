/**
 * What every example shares: its options, the command-line runner, a holder wallet in a fresh
 * directory, and waiting for the chain to catch up.
 */
import { mkdirSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { ApiError } from './client.js'
import type { LogLine } from './narrator.js'

export interface ExampleOptions {
  /** Default: GOVCRED_URL, else http://127.0.0.1:8080. */
  baseUrl?: string
  /** The service's data directory (demo.json, and the examples' wallets). Default: GOVCRED_DATA_DIR, else ./data. */
  dataDir?: string
  /** Where the narration goes. Default: console.log. */
  log?: LogLine
}

/**
 * Runs an example's `main` from the command line: exit code 0 when it completes, 1 with the error code
 * printed when it fails.
 *
 * @example
 * if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runFromCommandLine(main)
 */
export async function runFromCommandLine(main: (options?: ExampleOptions) => Promise<unknown>): Promise<void> {
  try {
    await main()
    process.exit(0)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const message = (error as Error)?.message ?? String(error)
    console.error('')
    console.error(`✗ 示例未完成 / The example did not complete: ${typeof code === 'string' ? code : 'ERR_EXAMPLE_FAILED'}`)
    console.error(`  ${message}`)
    if (error instanceof ApiError && error.details !== undefined) console.error(`  ${JSON.stringify(error.details)}`)
    if (!(error instanceof ApiError)) console.error((error as Error)?.stack ?? '')
    process.exit(1)
  }
}

/**
 * Opens a new holder wallet in `<dataDir>/examples/<name>-XXXXXX` (keys encrypted with a secret kept in
 * that directory, as `govcred wallet` does).
 */
export async function openExampleWallet(dataDir: string, name: string): Promise<HolderWallet> {
  const parent = join(dataDir, 'examples')
  mkdirSync(parent, { recursive: true })
  return HolderWallet.open({ dir: mkdtempSync(join(parent, `${name}-`)) })
}

/**
 * Polls `read` until `done` holds (the chain confirms within a block or a status batch), or throws
 * ERR_EXAMPLE_TIMEOUT after `timeoutMs`.
 */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new ApiError('ERR_EXAMPLE_TIMEOUT', `${what} did not happen within ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
