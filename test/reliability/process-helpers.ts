/**
 * govcred as real child processes for the reliability tests: `node --import tsx src/main.ts …` (or
 * `npm start`) in a data directory, each in its own process group so that the cleanup reaches everything.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface GovcredProcess {
  child: ChildProcess
  output(): string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  running(): boolean
}

const started: GovcredProcess[] = []

/** Runs `govcred <args>` (or `npm start` with `npm: true`) with only the given GOVCRED_* settings. */
export function runGovcred(args: string[], env: Record<string, string>, options: { npm?: boolean } = {}): GovcredProcess {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_') && !key.startsWith('npm_') && key !== 'PORT'),
  )
  const [command, commandArgs] = options.npm
    ? ['npm', ['start', '--silent']]
    : [process.execPath, ['--import', 'tsx', 'src/main.ts', ...args]]
  const child = spawn(command, commandArgs, {
    cwd: PROJECT_ROOT,
    env: { ...clean, GOVCRED_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const proc = { child, output: () => output, exited, running: () => child.exitCode === null && child.signalCode === null }
  started.push(proc)
  return proc
}

/** SIGKILL to the process group of every process started here that still runs (afterAll). */
export async function killAll(): Promise<void> {
  for (const proc of started) {
    if (proc.running() && proc.child.pid) signal(-proc.child.pid, 'SIGKILL')
  }
  await Promise.all(started.map((p) => Promise.race([p.exited, delay(5000)])))
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch {
    // gone
  }
}

/** Alive and not a zombie (a dead child whose parent, here possibly a non-reaping pid 1, has not reaped it). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Waits until none of `pids` runs; resolves with the ones still running after `ms`. */
export async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!pids.some(isRunning)) return []
    await delay(50)
  }
  return pids.filter(isRunning)
}

export async function waitHealthy(url: string, proc: GovcredProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!proc.running()) throw new Error(`govcred exited during start:\n${proc.output()}`)
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {
      // not yet
    }
    await delay(100)
  }
  throw new Error(`govcred did not answer within ${timeoutMs} ms:\n${proc.output()}`)
}

/** The service and its Anvil, from the embedded chain's `<dataDir>/chain/node.json`. */
export function servicePids(dataDir: string): { service: number; anvil: number } {
  const node = JSON.parse(readFileSync(join(dataDir, 'chain', 'node.json'), 'utf8')) as { pid: number; anvilPid: number }
  return { service: node.pid, anvil: node.anvilPid }
}

export function lockExists(dataDir: string): boolean {
  return existsSync(join(dataDir, 'govcred.lock'))
}

export function freePort(): Promise<number> {
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
