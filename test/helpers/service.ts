import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type Config } from '../../src/config/config.js'
import { startService, type RunningService } from '../../src/app/start-service.js'
import { silentLogger } from '../../src/shared/logger.js'

export interface TestService extends RunningService {
  dataDir: string
  config: Config
  /** fetch against the service, JSON in and out. */
  api(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>
  /** Stops the service and deletes its data directory (unless keepData). */
  dispose(options?: { keepData?: boolean }): Promise<void>
}

/**
 * Starts a real govcred (embedded Anvil, SQLite file, HTTP on a loopback port) in a fresh data directory.
 *
 * @example
 * const service = await startTestService()
 * const { status, body } = await service.api('/healthz')
 */
export async function startTestService(
  options: { dataDir?: string; env?: Record<string, string>; demo?: boolean } = {},
): Promise<TestService> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'govcred-test-'))
  const config = loadConfig({ GOVCRED_DATA_DIR: dataDir, PORT: '0', GOVCRED_STATE_INTERVAL: '1', ...options.env })
  const service = await startService(config, silentLogger, { demo: options.demo ?? true })
  const api: TestService['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers }
    let body: string | undefined = init.rawBody
    if (init.body !== undefined) {
      body = JSON.stringify(init.body)
      headers['content-type'] ??= 'application/json'
    }
    const res = await fetch(`${service.url}${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON; return the text
    }
    return { status: res.status, body: parsed, headers: res.headers }
  }
  return {
    ...service,
    dataDir,
    config,
    api,
    async dispose({ keepData = false } = {}) {
      await service.stop()
      if (!keepData) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
