import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { getAddress, JsonRpcProvider, Wallet, ZeroHash } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { anvilBinaryPath } from '../../src/chain/anvil-binary.js'
import { ChainRevertError, describeChainError, InsufficientFundsError } from '../../src/chain/chain-errors.js'
import { deployerWallet } from '../../src/config/kms-secret.js'
import { loadConfig } from '../../src/config/config.js'
import { openServiceContext, type ServiceContext } from '../../src/app/service-context.js'
import { accreditationChangeAction } from '../../src/issuing/governance/accreditation.js'
import { silentLogger } from '../../src/shared/logger.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { freePort, killAll, runGovcred } from './process-helpers.js'

/** Hex longer than a 32-byte hash: bytecode, calldata or raw revert data, which no message may carry. */
const LONG_HEX = /0x[0-9a-fA-F]{65,}/
const MEMBERS = [1, 2, 3].map((n) => getAddress(`0x${String(n).repeat(40)}`))

const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'govcred-operator-'))
  dirs.push(dir)
  return dir
}
let service: TestService | undefined
let ctx: ServiceContext | undefined
let anvil: ChildProcess | undefined
let blocker: Server | undefined

afterAll(async () => {
  await service?.dispose()
  await ctx?.close()
  anvil?.kill('SIGKILL')
  blocker?.close()
  await killAll()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/** An Anvil as an external consortium chain that charges gas (its default base fee, no zero gas price). */
async function chainWithGasPrice(): Promise<string> {
  const port = await freePort()
  anvil = spawn(anvilBinaryPath(), ['--host', '127.0.0.1', '--port', String(port), '--chain-id', '4242', '--silent'], { stdio: 'ignore' })
  const rpcUrl = `http://127.0.0.1:${port}`
  const provider = new JsonRpcProvider(rpcUrl, 4242, { staticNetwork: true })
  for (let i = 0; i < 200; i++) {
    try {
      await provider.getBlockNumber()
      break
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  expect(BigInt(await provider.send('eth_gasPrice', []))).toBeGreaterThan(0n)
  provider.destroy()
  return rpcUrl
}

describe('a taken port', () => {
  it('refuses the start before any bootstrap work, naming the port and how to choose another', async () => {
    const port = await freePort()
    blocker = createServer()
    await new Promise<void>((resolve) => blocker!.listen(port, '127.0.0.1', resolve))
    const dataDir = tempDir()
    const proc = runGovcred(['start'], { GOVCRED_DATA_DIR: dataDir, PORT: String(port) })
    const exit = await proc.exited
    expect(exit.code).toBe(1)
    expect(proc.output()).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`)
    expect(proc.output()).toContain('PORT=')
    // No deployment, no database, no chain: nothing was done before the port was checked.
    expect(existsSync(join(dataDir, 'deployments.json'))).toBe(false)
    expect(existsSync(join(dataDir, 'govcred.sqlite'))).toBe(false)
    expect(existsSync(join(dataDir, 'chain', 'node.json'))).toBe(false)
    expect(readdirSync(dataDir)).not.toContain('govcred.lock')
  })
})

describe('a governance proposal whose execution the target contract refuses', () => {
  it("is reported by the inner error's name and arguments (ExecutionFailed unwrapped), without raw hex", async () => {
    service = await startTestService({ demo: true })
    const { ctx: c } = service
    const [department] = await c.departments.list()
    const action = (change: 'revokeIssuer' | 'reinstateIssuer') =>
      accreditationChangeAction(c.deployments.contracts.trustedIssuers, department.account, change)
    await c.governance.proposeAndApprove(action('revokeIssuer'), c.members)
    const error = await c.governance.proposeAndApprove(action('reinstateIssuer'), c.members).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ChainRevertError)
    const revert = error as ChainRevertError
    expect(revert.errorName).toBe('IssuerRevoked')
    expect(revert.errorArgs.map((a) => String(a).toLowerCase())).toEqual([department.account.toLowerCase()])
    expect(revert.message).toMatch(/^IssuerRevoked\(0x[0-9a-fA-F]{40}\) \(when governance proposal 0x[0-9a-f]{64} was executed\)$/)
    expect(revert.message).not.toContain('ExecutionFailed')
    expect(describeChainError(error)).toBe(revert.message)
    // The outbox keeps the decoded reason too.
    const failed = (await c.writer.list('failed')).at(-1)
    expect(failed?.error).toContain('IssuerRevoked(')
    expect(failed?.error).not.toMatch(LONG_HEX)
  })
})

describe('insufficient funds on a chain with a gas price', () => {
  let rpcUrl: string
  beforeAll(async () => {
    rpcUrl = await chainWithGasPrice()
  })

  it('govcred deploy names the contract, the step, the deployer, its balance and the gas price, without bytecode', async () => {
    const secret = randomBytes(32).toString('hex')
    const deployer = deployerWallet(secret).address
    const proc = runGovcred(['deploy'], {
      GOVCRED_CHAIN_MODE: 'external',
      GOVCRED_RPC_URL: rpcUrl,
      GOVCRED_CHAIN_ID: '4242',
      GOVCRED_KMS_SECRET: secret,
      GOVCRED_DATA_DIR: tempDir(),
      GOVCRED_GOVERNANCE_MEMBERS: MEMBERS.join(','),
      GOVCRED_GOVERNANCE_THRESHOLD: '2',
    })
    const exit = await proc.exited
    const output = proc.output()
    expect(exit.code).toBe(1)
    expect(output).toContain('insufficient funds for deploying EthereumDIDRegistry (step 1 of 6')
    expect(output).toContain(`account ${deployer} has a balance of 0 wei`)
    expect(output).toMatch(/gas price is [1-9]\d* wei/)
    expect(output).not.toMatch(LONG_HEX)
    expect(output.length).toBeLessThan(1500)
  })

  it('a chain write from an unfunded account names the account, its balance and the gas price', async () => {
    const secret = randomBytes(32).toString('hex')
    const deployer = deployerWallet(secret).address
    const funder = new JsonRpcProvider(rpcUrl, 4242, { staticNetwork: true })
    await funder.send('anvil_setBalance', [deployer, '0x56BC75E2D63100000']) // 100 ether: the deployer is funded
    funder.destroy()
    const dataDir = tempDir()
    const config = loadConfig({
      GOVCRED_CHAIN_MODE: 'external',
      GOVCRED_RPC_URL: rpcUrl,
      GOVCRED_KMS_SECRET: secret,
      GOVCRED_DATA_DIR: dataDir,
      GOVCRED_GOVERNANCE_MEMBERS: MEMBERS.join(','),
      GOVCRED_GOVERNANCE_THRESHOLD: '2',
    })
    ctx = await openServiceContext(config, { logger: silentLogger, deployIfMissing: true })
    const unfunded = Wallet.createRandom()
    await ctx.writer.addSigner(unfunded)
    const error = await ctx.writer
      .submit({
        account: unfunded.address,
        contract: 'CredentialStatusRegistry',
        target: ctx.deployments.contracts.status,
        method: 'updateStatus',
        args: [unfunded.address, 0, [1], [], ZeroHash],
        label: 'test: a status bit from an unfunded department account',
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(error).toBeInstanceOf(InsufficientFundsError)
    const message = (error as Error).message
    expect(message).toContain(`account ${unfunded.address} has a balance of 0 wei`)
    expect(message).toMatch(/gas price is [1-9]\d* wei/)
    expect(message).not.toMatch(LONG_HEX)
  })
})
