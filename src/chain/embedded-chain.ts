import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dumpState, startAnvil, type AnvilNode } from './anvil-node.js'
import { writeStateAtomically } from './state-file.js'
import { ChainUnavailableError } from './chain-errors.js'

interface NodeFile {
  rpcUrl: string
  /** The govcred process that owns the node. */
  pid: number
  /** The Anvil process itself. */
  anvilPid?: number
}

/** What the supervisor of an owned node reports: a crash, a restart, or giving up. */
export type ChainEvent =
  | { kind: 'crashed'; pid: number; code: number | null; signal: string | null; stderr: string }
  | { kind: 'restarted'; pid: number; rpcUrl: string; inMs: number }
  | { kind: 'gave-up'; crashes: number; error: string }

export interface EmbeddedChain {
  rpcUrl: string
  /** True when this process started the node (and must stop it). */
  owned: boolean
  /** The Anvil process now (it changes when the supervisor restarts it); undefined when not owned. */
  pid(): number | undefined
  /**
   * Saves the chain's state to the state file (atomically) and resolves once it is on disk: every write mined
   * before the call is then durable. Concurrent calls share dumps: one dump covers every call made before it began.
   */
  persist(): Promise<void>
  /** Called after the supervisor restarted a crashed node on the same state file and port (owned nodes only). */
  onRestart(listener: () => Promise<void> | void): void
  stop(): Promise<void>
}

/**
 * The embedded chain: reuses a node another govcred process of this data directory already runs
 * (so CLI commands work beside `npm start`), or starts Anvil on the persisted state.
 */
export interface EmbeddedChainSettings {
  /** The node's files live in `<dataDir>/chain`. */
  dataDir: string
  chainId: number
  /** 0: any free port. */
  port: number
  stateFile: string
  /** When the state file is missing: the genesis time of the chain rebuilt in its place (see AnvilOptions). */
  genesisTimestamp?: number
  /** Seconds between safety-net saves of the state when blocks were mined outside ChainWriter (0: none). */
  stateIntervalSeconds: number
  /** Crash and restart reports of an owned node. */
  onEvent?: (event: ChainEvent) => void
  /** Crashes within `crashWindowMs` after which the supervisor gives up (default 5 within 60 s). */
  maxCrashes?: number
  crashWindowMs?: number
}

export async function openEmbeddedChain(settings: EmbeddedChainSettings): Promise<EmbeddedChain> {
  // The node's URL (an open development node: see startAnvil) and its state are the owner's alone.
  mkdirSync(join(settings.dataDir, 'chain'), { recursive: true, mode: 0o700 })
  const nodeFile = join(settings.dataDir, 'chain', 'node.json')
  const running = await runningNode(nodeFile)
  if (running) {
    const saver = new StateSaver(running.rpcUrl, settings.stateFile)
    return {
      rpcUrl: running.rpcUrl,
      owned: false,
      pid: () => undefined,
      persist: () => saver.persist(),
      onRestart: () => {},
      stop: async () => {},
    }
  }
  await stopOrphanedNode(nodeFile, settings.stateFile)
  const start = (port: number) =>
    startAnvil({ chainId: settings.chainId, port, stateFile: settings.stateFile, genesisTimestamp: settings.genesisTimestamp })
  let node: AnvilNode = await start(settings.port)
  const writeNodeFile = () => {
    writeFileSync(nodeFile, JSON.stringify({ rpcUrl: node.rpcUrl, pid: process.pid, anvilPid: node.pid } satisfies NodeFile), {
      mode: 0o600,
    })
    chmodSync(nodeFile, 0o600) // a file left by a crashed process keeps its old mode
  }
  writeNodeFile()
  const rpcUrl = node.rpcUrl
  const saver = new StateSaver(rpcUrl, settings.stateFile)
  const restartListeners: (() => Promise<void> | void)[] = []
  const maxCrashes = settings.maxCrashes ?? 5
  const crashWindowMs = settings.crashWindowMs ?? 60_000
  const crashes: number[] = []
  let stopping = false
  let gaveUp: string | undefined
  let restarting: Promise<void> | undefined

  const supervise = (current: AnvilNode) => {
    void current.exited.then(async ({ code, signal }) => {
      if (stopping || current !== node) return
      settings.onEvent?.({ kind: 'crashed', pid: current.pid, code, signal, stderr: current.stderr().trim().slice(-500) })
      restarting = restart()
      await restarting
      restarting = undefined
    })
  }
  const restart = async () => {
    for (;;) {
      const now = Date.now()
      crashes.push(now)
      while (crashes.length > 0 && crashes[0] < now - crashWindowMs) crashes.shift()
      if (crashes.length > maxCrashes) {
        gaveUp = `the embedded Anvil crashed ${crashes.length} times within ${Math.round(crashWindowMs / 1000)} s; not restarting it`
        settings.onEvent?.({ kind: 'gave-up', crashes: crashes.length, error: gaveUp })
        return
      }
      // 0.2 s, then twice as long for each crash in the window (at most 5 s).
      await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** (crashes.length - 1), 5_000)))
      if (stopping) return
      const began = Date.now()
      try {
        // The same port, so that the RPC URL every client holds stays right, on the last saved state.
        node = await start(node.port)
      } catch (error) {
        settings.onEvent?.({ kind: 'crashed', pid: node.pid, code: null, signal: null, stderr: (error as Error).message.slice(-500) })
        continue
      }
      if (stopping) {
        await node.stop()
        return
      }
      writeNodeFile()
      supervise(node)
      settings.onEvent?.({ kind: 'restarted', pid: node.pid, rpcUrl: node.rpcUrl, inMs: Date.now() - began })
      for (const listener of restartListeners) await listener()
      return
    }
  }
  supervise(node)

  // A safety net for blocks mined outside ChainWriter (which saves after each of its writes).
  let savedBlock = -1
  const timer =
    settings.stateIntervalSeconds > 0
      ? setInterval(() => {
          void blockNumber(rpcUrl)
            .then(async (head) => {
              if (head === savedBlock) return
              await saver.persist()
              savedBlock = head
            })
            .catch(() => undefined)
        }, settings.stateIntervalSeconds * 1000)
      : undefined
  timer?.unref()

  return {
    rpcUrl,
    owned: true,
    pid: () => node.pid,
    persist: async () => {
      if (gaveUp) throw new ChainUnavailableError(gaveUp)
      await saver.persist()
    },
    onRestart(listener) {
      restartListeners.push(listener)
    },
    async stop() {
      stopping = true
      if (timer) clearInterval(timer)
      await restarting?.catch(() => undefined)
      // Everything ChainWriter sent is saved already; this keeps what was mined otherwise (never an emptier state).
      if (node.alive()) await saver.persist().catch(() => undefined)
      await node.stop()
      rmSync(nodeFile, { force: true })
      if (existsSync(settings.stateFile)) chmodSync(settings.stateFile, 0o600)
    },
  }
}

/**
 * Dumps Anvil's state into the state file, one dump at a time: a call made while a dump runs waits for the next
 * one (which starts after it), and all calls made during one dump share the next.
 */
class StateSaver {
  private running?: Promise<void>
  private queued?: Promise<void>

  constructor(
    private readonly rpcUrl: string,
    private readonly stateFile: string,
  ) {}

  persist(): Promise<void> {
    if (!this.running) {
      this.running = this.dump().finally(() => {
        this.running = undefined
      })
      return this.running
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined
        return this.persist()
      })
    return this.queued
  }

  private async dump(): Promise<void> {
    let state: string
    try {
      state = await dumpState(this.rpcUrl)
    } catch (error) {
      throw new ChainUnavailableError(`the embedded chain's state could not be read to be saved: ${(error as Error).message}`, {
        cause: error,
      })
    }
    try {
      writeStateAtomically(this.stateFile, state)
    } catch (error) {
      throw new ChainUnavailableError(`the embedded chain's state could not be saved to ${this.stateFile}: ${(error as Error).message}`, {
        cause: error,
      })
    }
  }
}

async function blockNumber(rpcUrl: string): Promise<number> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
    signal: AbortSignal.timeout(5_000),
  })
  const body = (await res.json()) as { result?: string }
  if (typeof body.result !== 'string') throw new Error('no block number')
  return Number(BigInt(body.result))
}

async function runningNode(nodeFile: string): Promise<NodeFile | undefined> {
  if (!existsSync(nodeFile)) return undefined
  let file: NodeFile
  try {
    file = JSON.parse(readFileSync(nodeFile, 'utf8'))
    process.kill(file.pid, 0)
  } catch {
    return undefined
  }
  try {
    const res = await fetch(file.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(2000),
    })
    return res.ok ? file : undefined
  } catch {
    return undefined
  }
}

/**
 * An Anvil left running by a govcred process that died without stopping it would keep serving a chain beside a
 * new one: save its state (it may hold writes mined after the last save), then stop it, before starting another.
 */
async function stopOrphanedNode(nodeFile: string, stateFile?: string): Promise<void> {
  if (!existsSync(nodeFile)) return
  let file: NodeFile
  try {
    file = JSON.parse(readFileSync(nodeFile, 'utf8'))
  } catch {
    return
  }
  if (!file.anvilPid || !isAlive(file.anvilPid) || !isAnvil(file.anvilPid)) return
  if (stateFile) await new StateSaver(file.rpcUrl, stateFile).persist().catch(() => undefined)
  process.kill(file.anvilPid, 'SIGTERM')
  const deadline = Date.now() + 15_000
  while (isAlive(file.anvilPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  if (isAlive(file.anvilPid)) process.kill(file.anvilPid, 'SIGKILL')
  rmSync(nodeFile, { force: true })
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Only a process whose command line is anvil's is ours to stop (pids are reused). */
function isAnvil(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('anvil')
  } catch {
    return process.platform !== 'linux'
  }
}
