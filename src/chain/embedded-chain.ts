import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startAnvil, type AnvilNode } from './anvil-node.js'
import type { Config } from '../config/config.js'

interface NodeFile {
  rpcUrl: string
  pid: number
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
export async function openEmbeddedChain(config: Config): Promise<EmbeddedChain> {
  const nodeFile = join(config.dataDir, 'chain', 'node.json')
  const running = await runningNode(nodeFile)
  if (running) return { rpcUrl: running.rpcUrl, owned: false, stop: async () => {} }
  const node: AnvilNode = await startAnvil({
    chainId: config.chain.chainId,
    port: config.chain.embeddedPort,
    stateFile: config.chain.stateFile,
    stateIntervalSeconds: config.chain.stateIntervalSeconds,
  })
  writeFileSync(nodeFile, JSON.stringify({ rpcUrl: node.rpcUrl, pid: process.pid } satisfies NodeFile))
  return {
    rpcUrl: node.rpcUrl,
    owned: true,
    async stop() {
      await node.stop()
      rmSync(nodeFile, { force: true })
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
