import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startAnvil, type AnvilNode } from './anvil-node.js'

interface NodeFile {
  rpcUrl: string
  /** The govcred process that owns the node. */
  pid: number
  /** The Anvil process itself. */
  anvilPid?: number
}

export interface EmbeddedChain {
  rpcUrl: string
  /** True when this process started the node (and must stop it). */
  owned: boolean
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
  stateIntervalSeconds: number
}

export async function openEmbeddedChain(settings: EmbeddedChainSettings): Promise<EmbeddedChain> {
  // The node's URL (an open development node: see startAnvil) and its state are the owner's alone.
  mkdirSync(join(settings.dataDir, 'chain'), { recursive: true, mode: 0o700 })
  const nodeFile = join(settings.dataDir, 'chain', 'node.json')
  const running = await runningNode(nodeFile)
  if (running) return { rpcUrl: running.rpcUrl, owned: false, stop: async () => {} }
  await stopOrphanedNode(nodeFile)
  const node: AnvilNode = await startAnvil({
    chainId: settings.chainId,
    port: settings.port,
    stateFile: settings.stateFile,
    stateIntervalSeconds: settings.stateIntervalSeconds,
  })
  writeFileSync(nodeFile, JSON.stringify({ rpcUrl: node.rpcUrl, pid: process.pid, anvilPid: node.pid } satisfies NodeFile), {
    mode: 0o600,
  })
  chmodSync(nodeFile, 0o600) // a file left by a crashed process keeps its old mode
  return {
    rpcUrl: node.rpcUrl,
    owned: true,
    async stop() {
      await node.stop()
      rmSync(nodeFile, { force: true })
      // Anvil writes its state with the process umask; keep it the owner's (the directory is 0700 anyway).
      if (existsSync(settings.stateFile)) chmodSync(settings.stateFile, 0o600)
    },
  }
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
 * An Anvil left running by a govcred process that died without stopping it would keep writing its state
 * file beside a new one: ask it to stop (it dumps its state on SIGTERM) before starting another.
 */
async function stopOrphanedNode(nodeFile: string): Promise<void> {
  if (!existsSync(nodeFile)) return
  let file: NodeFile
  try {
    file = JSON.parse(readFileSync(nodeFile, 'utf8'))
  } catch {
    return
  }
  if (!file.anvilPid || !isAlive(file.anvilPid) || !isAnvil(file.anvilPid)) return
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
