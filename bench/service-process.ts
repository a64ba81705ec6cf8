/**
 * The govcred service as a child process of the bench, so that server and load generator run on
 * separate cores. Started in a fresh data directory on a free loopback port; stopped by signalling the
 * server process itself (its pid is in `<dataDir>/chain/node.json`; the tsx wrapper may not forward
 * signals), then the wrapper.
 *
 * @example
 * const service = await startServiceProcess()
 * try { … fetch(`${service.url}/healthz`) … } finally { await service.stop() }
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export interface ServiceProcess {
  url: string
  port: number
  dataDir: string
  /** The server's own pid (from node.json), once known. */
  serverPid(): number | undefined
  /** What the child printed (stdout and stderr), for error reports. */
  output(): string
  /** SIGTERM to the server, then the wrapper; SIGKILL after a grace period; deletes the data directory. */
  stop(options?: { keepData?: boolean }): Promise<void>
}

export interface StartOptions {
  /** Extra node flags (e.g. --cpu-prof). When given, the server runs as `node --import tsx …` with no wrapper. */
  nodeArgs?: string[]
  env?: Record<string, string>
  startTimeoutMs?: number
  /** Start on this existing data directory (one a previous run stopped with keepData) instead of a fresh one. */
  dataDir?: string
}

const ROOT = resolve(import.meta.dirname, '..')

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolvePort(port))
    })
  })
}

export async function startServiceProcess(options: StartOptions = {}): Promise<ServiceProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'govcred-bench-'))
  // A reused directory still names the previous server's pid: read only the one this start writes.
  rmSync(join(dataDir, 'chain', 'node.json'), { force: true })
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const env = {
    ...process.env,
    GOVCRED_DATA_DIR: dataDir,
    PORT: String(port),
    GOVCRED_LOG_LEVEL: 'silent',
    // The bench is one client (127.0.0.1) on purpose hammering the public routes: lift the per-client limits and the cap.
    GOVCRED_RATE_LIMIT_PER_MINUTE: '1000000',
    GOVCRED_RATE_LIMIT_HEALTH_PER_MINUTE: '1000000',
    GOVCRED_PUBLIC_CONCURRENCY: '100000',
    // The bench prepares thousands of anonymous presentation requests before verifying them.
    GOVCRED_ANONYMOUS_REQUESTS_MAX: '1000000',
    ...options.env,
  }
  const [command, args] = options.nodeArgs
    ? [process.execPath, [...options.nodeArgs, '--import', 'tsx', 'src/main.ts', 'start']]
    : [join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/main.ts', 'start']]
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  let childExited = false
  void exited.then(() => {
    childExited = true
  })

  let pid: number | undefined
  const readPid = () => {
    const file = join(dataDir, 'chain', 'node.json')
    if (pid === undefined && existsSync(file)) {
      try {
        pid = (JSON.parse(readFileSync(file, 'utf8')) as { pid?: number }).pid
      } catch {
        // written but not complete yet
      }
    }
    return pid
  }

  let stopped = false
  const service: ServiceProcess = {
    url,
    port,
    dataDir,
    serverPid: readPid,
    output: () => output,
    async stop({ keepData = false } = {}) {
      if (stopped) return
      stopped = true
      readPid()
      signal(pid, 'SIGTERM')
      if (!(await within(exited, 15_000))) {
        signal(child.pid, 'SIGTERM')
        if (!(await within(exited, 5_000))) {
          signal(pid, 'SIGKILL')
          signal(child.pid, 'SIGKILL')
          await within(exited, 5_000)
        }
      } else if (pid !== child.pid) {
        signal(child.pid, 'SIGTERM')
      }
      // A server that crashed or was killed leaves its Anvil running: find it by our unique data directory.
      const leftovers = processesMentioning(dataDir)
      for (const leftover of leftovers) signal(leftover, 'SIGTERM')
      for (let i = 0; i < 50 && processesMentioning(dataDir).length > 0; i++) await sleep(100)
      for (const leftover of processesMentioning(dataDir)) signal(leftover, 'SIGKILL')
      if (!keepData) rmSync(dataDir, { recursive: true, force: true })
    },
  }

  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000)
  try {
    for (;;) {
      if (childExited) throw new Error(`the service exited during start:\n${output}`)
      if (Date.now() > deadline) throw new Error(`the service did not become healthy in time:\n${output}`)
      if (readPid() !== undefined && existsSync(join(dataDir, 'demo.json')) && (await healthy(url))) break
      await sleep(200)
    }
  } catch (error) {
    await service.stop()
    throw error
  }
  return service
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })
    await res.arrayBuffer()
    return res.status === 200
  } catch {
    return false
  }
}

/** Pids of processes whose command line contains `text` (Linux /proc; empty elsewhere). */
function processesMentioning(text: string): number[] {
  if (!existsSync('/proc')) return []
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined || pid <= 0) return
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}

async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(false), ms)
  })
  const result = await Promise.race([promise.then(() => true), timeout])
  clearTimeout(timer)
  return result
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))
