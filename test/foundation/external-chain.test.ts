import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { getAddress, ZeroHash } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAnvil, type AnvilNode } from '../../src/chain/anvil-node.js'
import { loadConfig } from '../../src/config/config.js'
import { openServiceContext, type ServiceContext } from '../../src/app/service-context.js'
import { silentLogger } from '../../src/shared/logger.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SECRET = '5e'.repeat(32)
const UNREACHABLE = 'http://127.0.0.1:1'

let node: AnvilNode
const dirs: string[] = []
const contexts: ServiceContext[] = []

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'govcred-external-'))
  dirs.push(dir)
  return dir
}

/** Member addresses generated elsewhere (outside the demo, deploy takes them from the settings). */
const MEMBERS = [1, 2, 3].map((n) => getAddress(`0x${String(n).repeat(40)}`))

function externalConfig(dataDir: string, rpcUrl: string) {
  return loadConfig({
    GOVCRED_CHAIN_MODE: 'external',
    GOVCRED_RPC_URL: rpcUrl,
    GOVCRED_KMS_SECRET: SECRET,
    GOVCRED_DATA_DIR: dataDir,
    GOVCRED_GOVERNANCE_MEMBERS: MEMBERS.join(','),
    GOVCRED_GOVERNANCE_THRESHOLD: '2',
  })
}

async function open(...args: Parameters<typeof openServiceContext>): Promise<ServiceContext> {
  const ctx = await openServiceContext(...args)
  contexts.push(ctx)
  return ctx
}

/** The error an open fails with; an open that succeeds is closed and fails the test. */
async function openFailure(...args: Parameters<typeof openServiceContext>): Promise<Error> {
  let ctx: ServiceContext
  try {
    ctx = await openServiceContext(...args)
  } catch (error) {
    expect(error).toBeInstanceOf(Error)
    return error as Error
  }
  await ctx.close()
  throw new Error('openServiceContext succeeded but should have failed')
}

/** Runs the CLI as an operator would, with only the given GOVCRED_* settings in its environment. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_') && key !== 'PORT'))
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`govcred ${args.join(' ')} did not exit within 60 s; stderr: ${stderr}`))
    }, 60_000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

beforeAll(async () => {
  node = await startAnvil({ chainId: 20191 })
})
afterAll(async () => {
  for (const ctx of contexts) await ctx.close()
  await node?.stop()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('openServiceContext with an external chain', () => {
  it('rejects with a message naming the URL when the chain cannot be reached', async () => {
    const dataDir = tempDir()
    await expect(openServiceContext(externalConfig(dataDir, UNREACHABLE), { logger: silentLogger })).rejects.toThrow(UNREACHABLE)
  })

  it('deploys the registries when asked and writes the deployments file; a second open reuses it', async () => {
    const dataDir = tempDir()
    const config = externalConfig(dataDir, node.rpcUrl)
    expect(existsSync(config.chain.deploymentsFile)).toBe(false)

    const deployed = await open(config, { logger: silentLogger, deployIfMissing: true })

    expect(deployed.chain).toBeUndefined()
    expect(deployed.rpcUrl).toBe(node.rpcUrl)
    expect(await deployed.registries.governance.members()).toEqual(MEMBERS)
    const file = JSON.parse(readFileSync(config.chain.deploymentsFile, 'utf8'))
    expect(file).toEqual(deployed.deployments)
    expect(file).toMatchObject({ name: 'govcred', chainId: 20191 })
    for (const [key, address] of Object.entries(file.contracts as Record<string, string>)) {
      expect(await deployed.provider.getCode(address), key).not.toBe('0x')
    }
    const deployerNonce = await deployed.provider.getTransactionCount(file.deployer)
    const fileText = readFileSync(config.chain.deploymentsFile, 'utf8')
    await deployed.close()

    const reopened = await open(config, { logger: silentLogger })

    expect(reopened.deployments).toEqual(file)
    expect(readFileSync(config.chain.deploymentsFile, 'utf8')).toBe(fileText)
    expect(await reopened.provider.getTransactionCount(file.deployer)).toBe(deployerNonce)
    expect(reopened.members.map((m) => m.address)).toEqual(deployed.members.map((m) => m.address))
    expect((await reopened.governance.state(ZeroHash)).threshold).toBe(2)
    await reopened.close()
  })

  it('without a deployments file and without deployIfMissing, fails pointing at "govcred deploy"', async () => {
    const dataDir = tempDir()
    const config = externalConfig(dataDir, node.rpcUrl)
    const error = await openFailure(config, { logger: silentLogger })
    expect(error.message).toContain('govcred deploy')
    expect(error.message).toContain(config.chain.deploymentsFile)
    expect(existsSync(config.chain.deploymentsFile)).toBe(false)
  })

  it('refuses a deployments file written for another chain', async () => {
    const dataDir = tempDir()
    const other = await startAnvil({ chainId: 777 })
    try {
      const config = externalConfig(dataDir, node.rpcUrl)
      const ctx = await open(config, { logger: silentLogger, deployIfMissing: true })
      await ctx.close()
      const error = await openFailure(externalConfig(dataDir, other.rpcUrl), { logger: silentLogger })
      expect(error.message).toMatch(/is for chain 20191.*is chain 777/)
    } finally {
      await other.stop()
    }
  })
})

describe('govcred start (the CLI)', () => {
  it('exits non-zero naming the RPC URL when the external chain cannot be reached', async () => {
    const dataDir = tempDir()
    const { code, stderr } = await runCli(['start'], {
      GOVCRED_CHAIN_MODE: 'external',
      GOVCRED_RPC_URL: UNREACHABLE,
      GOVCRED_KMS_SECRET: SECRET,
      GOVCRED_DATA_DIR: dataDir,
      PORT: '0',
    })
    expect(code).not.toBe(0)
    expect(code).not.toBeNull()
    expect(stderr).toContain(UNREACHABLE)
  })

  it('exits non-zero listing the problem when PORT is not a port', async () => {
    const dataDir = tempDir()
    const { code, stderr } = await runCli(['start'], { PORT: 'notaport', GOVCRED_DATA_DIR: dataDir })
    expect(code).not.toBe(0)
    expect(code).not.toBeNull()
    expect(stderr).toContain('Invalid configuration')
    expect(stderr).toMatch(/PORT must be an integer .*"notaport"/)
    // Validation comes first: nothing was started or written.
    expect(existsSync(join(dataDir, 'chain'))).toBe(false)
  })
})
