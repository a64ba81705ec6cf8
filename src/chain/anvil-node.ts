import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { anvilBinaryPath } from './anvil-binary.js'

/** The only address Anvil listens on. */
export const LOOPBACK = '127.0.0.1'

export interface AnvilOptions {
  chainId: number
  /** Loopback port; 0 picks a free one. */
  port?: number
  /** File the chain state is loaded from at start and dumped to on exit; omit for a throwaway chain. */
  stateFile?: string
  /** Seconds between periodic state dumps (only with stateFile). */
  stateIntervalSeconds?: number
  /** Block gas limit; status batches of hundreds of bits need more than the default 30M. */
  gasLimit?: bigint
}

export interface AnvilNode {
  rpcUrl: string
  port: number
  pid: number
  /** Stops the node with SIGTERM so Anvil dumps its state, and waits for the exit. */
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
    args.push('--state', options.stateFile, '--state-interval', String(options.stateIntervalSeconds ?? 5))
  }
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const rpcUrl = `http://${LOOPBACK}:${port}`
  // If this process exits without stop() (an uncaught error), the node must not outlive it.
  const onExit = () => child.kill('SIGTERM')
  process.once('exit', onExit)
  child.once('exit', () => process.removeListener('exit', onExit))
  await waitUntilReady(rpcUrl, child, () => stderr)
  return {
    rpcUrl,
    port,
    pid: child.pid ?? -1,
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
