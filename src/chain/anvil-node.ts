import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { anvilBinaryPath } from './anvil-binary.js'
import { watchParent } from './parent-watchdog.js'

/** The only address Anvil listens on. */
export const LOOPBACK = '127.0.0.1'

export interface AnvilOptions {
  chainId: number
  /** Loopback port; 0 picks a free one. */
  port?: number
  /**
   * File the chain state is loaded from at start (when it exists); omit for a throwaway chain. Anvil never writes
   * it: its owner saves the state with `dumpState` (see writeStateAtomically), never a half-written file.
   */
  stateFile?: string
  /** Block gas limit; status batches of hundreds of bits need more than the default 30M. */
  gasLimit?: bigint
  /**
   * Unix seconds of the genesis block of a chain started without state (Anvil's clock then runs from there): a
   * chain rebuilt from the database's record starts at its original deployment time, so replayed writes keep
   * their original times.
   */
  genesisTimestamp?: number
}

export interface AnvilNode {
  rpcUrl: string
  port: number
  pid: number
  /** Resolves when the process has exited, for whatever reason (stop(), a crash, kill -9). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** False once the process has exited. */
  alive(): boolean
  /** The node's last lines on stderr (for a crash report). */
  stderr(): string
  /** Stops the node with SIGTERM and waits for the exit. */
  stop(): Promise<void>
}

/**
 * Starts Anvil on 127.0.0.1 with zero gas price and zero base fee, as consortium chains run.
 *
 * Anvil is a development node: its `anvil_*`, `evm_*` and unlocked-account methods are always on. It
 * listens on loopback only, and its URL must never be handed to others; govcred serves the chain to
 * verifiers and wallets through its read-only endpoint (POST /v1/chain/rpc).
 *
 * @example
 * const node = await startAnvil({ chainId: 20191, stateFile: 'data/chain/state.json' })
 * await node.stop()
 */
export async function startAnvil(options: AnvilOptions): Promise<AnvilNode> {
  const port = options.port || (await freePort())
  const args = [
    '--host',
    LOOPBACK,
    '--port',
    String(port),
    '--chain-id',
    String(options.chainId),
    '--gas-price',
    '0',
    '--base-fee',
    '0',
    '--disable-min-priority-fee',
    '--gas-limit',
    String(options.gasLimit ?? 1_000_000_000n),
    '--accounts',
    '1',
    '--silent',
  ]
  if (options.stateFile) {
    mkdirSync(dirname(options.stateFile), { recursive: true, mode: 0o700 })
    if (existsSync(options.stateFile) && statSync(options.stateFile).size > 0) args.push('--load-state', options.stateFile)
    else if (options.genesisTimestamp) args.push('--timestamp', String(options.genesisTimestamp))
  }
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] })
  // Anvil must not outlive this process, even after kill -9 (nothing else would stop it).
  watchParent(child)
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const rpcUrl = `http://${LOOPBACK}:${port}`
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  // If this process exits without stop() (an uncaught error), the node must not outlive it.
  const onExit = () => child.kill('SIGTERM')
  process.once('exit', onExit)
  child.once('exit', () => process.removeListener('exit', onExit))
  await waitUntilReady(rpcUrl, child, () => stderr)
  return {
    rpcUrl,
    port,
    pid: child.pid ?? -1,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    stderr: () => stderr,
    stop: () => stopChild(child),
  }
}

async function waitUntilReady(rpcUrl: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000
  let exited = false
  child.once('exit', () => {
    exited = true
  })
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Anvil exited during start: ${stderr() || 'no output'}`)
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      })
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  child.kill('SIGKILL')
  throw new Error(`Anvil did not answer on ${rpcUrl} within 30 s: ${stderr()}`)
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.once('exit', () => {
      clearTimeout(killer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/**
 * Anvil's whole state (`anvil_dumpState`: hex of gzip'd JSON), asked over its own RPC.
 */
export async function dumpState(rpcUrl: string, timeoutMs = 30_000): Promise<string> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_dumpState', params: [] }),
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!res.ok) throw new Error(`anvil_dumpState answered HTTP ${res.status}`)
  const body = (await res.json()) as { result?: unknown; error?: { message?: string } }
  if (typeof body.result !== 'string') throw new Error(`anvil_dumpState failed: ${body.error?.message ?? 'no result'}`)
  return body.result
}

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
