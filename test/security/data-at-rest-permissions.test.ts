// Issue 8, finding 8: govcred.sqlite (every issued credential, with names and masked ID numbers), the chain
// files and the wallet database were 0644 in 0755 directories. Now the data directory and <data>/chain are
// 0700 and their files 0600, the wallet's too, and a start warns about (and tightens) anything looser.
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/config.js'
import { loadVerifierConfig } from '../../src/config/verifier-config.js'
import { startService, type RunningService } from '../../src/app/start-service.js'
import { startVerifier } from '../../src/app/start-verifier.js'
import { createWalletAgent } from '../../src/wallet/wallet-agent.js'
import { silentLogger, type Logger } from '../../src/shared/logger.js'

let root: string
let dataDir: string
let umaskBefore: number
let running: RunningService | undefined

const modeOf = (path: string) => statSync(path).mode & 0o777
const config = () => loadConfig({ GOVCRED_DATA_DIR: dataDir, PORT: '0', GOVCRED_STATE_INTERVAL: '1' })

/** A logger that keeps its warnings. */
function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return { info() {}, error() {}, warn: (message) => void warnings.push(message), warnings }
}

beforeAll(() => {
  // The usual umask of a shell: what made everything 0644/0755 before.
  umaskBefore = process.umask(0o022)
  root = mkdtempSync(join(tmpdir(), 'govcred-perms-'))
  dataDir = join(root, 'data') // created by govcred, not by mkdtemp (which makes 0700 directories)
})

afterAll(async () => {
  await running?.stop()
  process.umask(umaskBefore)
  rmSync(root, { recursive: true, force: true })
})

describe('a first start (embedded chain, demo)', () => {
  it('creates the data and chain directories 0700 and every file 0600', async () => {
    running = await startService(config(), silentLogger, { demo: true })
    expect(modeOf(dataDir).toString(8)).toBe('700')
    expect(modeOf(join(dataDir, 'chain')).toString(8)).toBe('700')
    const files = ['govcred.sqlite', 'kms-secret', 'deployments.json', 'demo.json', join('chain', 'node.json')]
    for (const wal of ['govcred.sqlite-wal', 'govcred.sqlite-shm']) if (existsSync(join(dataDir, wal))) files.push(wal)
    expect(files).toContain('govcred.sqlite-wal')
    for (const file of files) expect(modeOf(join(dataDir, file)).toString(8), file).toBe('600')

    await running.stop()
    running = undefined
    // Anvil's dumped state is the owner's too.
    expect(existsSync(join(dataDir, 'chain', 'anvil-state.json'))).toBe(true)
    expect(modeOf(join(dataDir, 'chain', 'anvil-state.json')).toString(8)).toBe('600')
  })
})

describe('a start over a data directory left readable by others', () => {
  it('warns, naming each path, its mode and the fix, and makes them private', async () => {
    chmodSync(dataDir, 0o755)
    chmodSync(join(dataDir, 'chain'), 0o755)
    for (const file of ['govcred.sqlite', 'deployments.json', join('chain', 'anvil-state.json')]) chmodSync(join(dataDir, file), 0o644)

    const logger = capturingLogger()
    running = await startService(config(), logger, { demo: true })
    const warned = (path: string, mode: string, fix: string) =>
      logger.warnings.some((w) => w.includes(path) && w.includes(mode) && w.includes(`${fix} ${path}`))
    expect(warned(dataDir, '0755', 'chmod 700'), logger.warnings.join('\n')).toBe(true)
    expect(warned(join(dataDir, 'chain'), '0755', 'chmod 700'), logger.warnings.join('\n')).toBe(true)
    expect(warned(join(dataDir, 'govcred.sqlite'), '0644', 'chmod 600'), logger.warnings.join('\n')).toBe(true)
    expect(warned(join(dataDir, 'deployments.json'), '0644', 'chmod 600'), logger.warnings.join('\n')).toBe(true)

    expect(modeOf(dataDir).toString(8)).toBe('700')
    expect(modeOf(join(dataDir, 'chain')).toString(8)).toBe('700')
    for (const file of ['govcred.sqlite', 'deployments.json', join('chain', 'anvil-state.json'), join('chain', 'node.json')]) {
      expect(modeOf(join(dataDir, file)).toString(8), file).toBe('600')
    }
  })

  it('says nothing when everything is already private', async () => {
    await running!.stop()
    const logger = capturingLogger()
    running = await startService(config(), logger, { demo: true })
    expect(logger.warnings.filter((w) => w.includes('readable by other users'))).toEqual([])
  })

  it('verifier-only mode keeps its directory 0700 and its database 0600', async () => {
    const verifierDir = join(root, 'verifier')
    const verifier = await startVerifier(
      loadVerifierConfig({
        GOVCRED_RPC_URL: running!.ctx.rpcUrl,
        GOVCRED_DEPLOYMENTS_FILE: join(dataDir, 'deployments.json'),
        GOVCRED_DATA_DIR: verifierDir,
        PORT: '0',
      }),
      silentLogger,
    )
    try {
      expect(modeOf(verifierDir).toString(8)).toBe('700')
      expect(modeOf(join(verifierDir, 'verifier.sqlite')).toString(8)).toBe('600')
    } finally {
      await verifier.stop()
    }
  })
})

describe('the CLI wallet', () => {
  it('keeps its directory 0700 and its database 0600, and tightens a looser one', async () => {
    const walletDir = join(root, 'wallet')
    const open = async () => {
      const { db } = await createWalletAgent(walletDir, 'a'.repeat(64), { name: 'govcred', chainId: 20191 })
      await db.destroy()
    }
    await open()
    expect(modeOf(walletDir).toString(8)).toBe('700')
    expect(modeOf(join(walletDir, 'wallet.sqlite')).toString(8)).toBe('600')
    chmodSync(walletDir, 0o755)
    chmodSync(join(walletDir, 'wallet.sqlite'), 0o644)
    await open()
    expect(modeOf(walletDir).toString(8)).toBe('700')
    expect(modeOf(join(walletDir, 'wallet.sqlite')).toString(8)).toBe('600')
  })
})
