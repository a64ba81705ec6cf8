/**
 * The govcred service as a child process, for the interop tests: started with `govcred start` in a fresh
 * data directory on a free loopback port, reached only over HTTP and through the files it writes there.
 *
 * The interop tests import nothing from `src/` or `test/helpers/`, so that they see govcred the way an
 * outside verifier does. This helper keeps that rule: it imports node builtins only.
 *
 * @example
 * const service = await startServiceProcess({ prefix: 'govcred-interop-' })
 * try {
 *   const { status, body } = await service.call('/v1/network')
 * } finally {
 *   await service.stop()
 * }
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const OUTPUT_KEPT = 8000
const STOP_GRACE_MS = 30_000
const KILL_GRACE_MS = 5_000

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface DemoDepartment {
  id: string
  did: string
  account: string
  apiKey: string
  credentialTypes: string[]
}

export interface CallInit {
  /** GET without a body, POST with one, unless given. */
  method?: string
  /** Sent as JSON. */
  body?: unknown
  /** An API key, sent as `authorization: Bearer <key>`. */
  key?: string
  headers?: Record<string, string>
}

export interface ServiceProcess {
  baseUrl: string
  dataDir: string
  /** fetch against the service: JSON in, and out (the text when the answer is not JSON). */
  call(path: string, init?: CallInit): Promise<{ status: number; body: any }>
  /** `<dataDir>/demo.json`: the demo departments with their API keys. */
  demo(): { departments: DemoDepartment[] }
  /** The service process's pid, from the embedded chain's `<dataDir>/chain/node.json` (once written). */
  pid(): number | undefined
  /** The last few KB the process printed (stdout and stderr), for error messages. */
  output(): string
  /**
   * SIGTERM to the service; after 30 s, SIGKILL to its process group (Anvil included). Deletes the data
   * directory unless `keepData`. Resolves with how it exited (undefined if even SIGKILL did not end it).
   * Safe to call again.
   */
  stop(options?: { keepData?: boolean }): Promise<Exit | undefined>
}

/** Starts `govcred start` and waits until it answers GET /healthz; on failure, stops it and throws with its output. */
export async function startServiceProcess(options: { prefix: string; startTimeoutMs?: number }): Promise<ServiceProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), options.prefix))
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  // node itself (not npx or the tsx CLI) is the child, so child.pid is the service and SIGTERM reaches it.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...inherited, GOVCRED_DATA_DIR: dataDir, PORT: String(port), GOVCRED_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a last-resort kill reaches Anvil too.
    detached: true,
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const running = () => child.exitCode === null && child.signalCode === null
  // An unref'd timer: a grace period that is not needed does not hold the worker open.
  const exitsWithin = (ms: number) => Promise.race([exited.then(() => true), delay(ms, false, { ref: false })])

  const pid = () => {
    const nodeFile = join(dataDir, 'chain', 'node.json')
    if (!existsSync(nodeFile)) return undefined
    try {
      return (JSON.parse(readFileSync(nodeFile, 'utf8')) as { pid: number }).pid
    } catch {
      return undefined // being written
    }
  }

  const service: ServiceProcess = {
    baseUrl,
    dataDir,
    call: (path, init) => callJson(baseUrl, path, init),
    demo: () => JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { departments: DemoDepartment[] },
    pid,
    output: () => output,
    async stop({ keepData = false } = {}) {
      if (running()) {
        const target = pid() ?? child.pid
        if (target) signal(target, 'SIGTERM')
        if (!(await exitsWithin(STOP_GRACE_MS)) && child.pid) {
          signal(-child.pid, 'SIGKILL')
          await exitsWithin(KILL_GRACE_MS)
        }
      }
      if (!keepData) rmSync(dataDir, { recursive: true, force: true })
      return running() ? undefined : await exited
    },
  }

  try {
    await waitForHealth(
      baseUrl,
      options.startTimeoutMs ?? 60_000,
      () => !running(),
      () => output,
    )
  } catch (error) {
    await service.stop()
    throw error
  }
  return service
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function waitForHealth(baseUrl: string, timeoutMs: number, hasExited: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`govcred exited during start:\n${output()}`)
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) })
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await delay(250)
  }
  throw new Error(`govcred did not answer /healthz within ${timeoutMs / 1000} s:\n${output()}`)
}

async function callJson(baseUrl: string, path: string, init: CallInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  try {
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  } catch {
    return { status: res.status, body: text }
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}
