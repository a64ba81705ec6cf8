// Issue 8, finding 6: governance M-of-N must not be one operator. Three members generate their keys on their own
// nodes (three data directories, three key stores); one node cannot reach a 2-of-3 threshold alone; proposals
// expire and can be cancelled; membership and threshold change only through proposals. The CLI runs as a child
// process, as an operator would run it, against a real Anvil.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Interface, type JsonRpcProvider } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAnvil, type AnvilNode } from '../../src/chain/anvil-node.js'
import { createProvider } from '../../src/chain/provider.js'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { GovernanceContractClient } from '../../src/chain/registries/governance-contract.js'
import { readDeployments } from '../../src/config/deployments-file.js'
import { usccCheckCharacter } from '../../src/catalog/schemas/uscc.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const LIFETIME = 7 * 24 * 3600
const CLI_TIMEOUT = 120_000
const uscc = (first17: string) => first17 + usccCheckCharacter(first17)

interface Node {
  name: string
  dataDir: string
  env: Record<string, string>
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

let anvil: AnvilNode
let provider: JsonRpcProvider
let shared: string
let deploymentsFile: string
const dirs: string[] = []
let a: Node
let b: Node
let c: Node
/** Member addresses: a, b and c on their own nodes; a2 a second key on a's node, admitted in a test below. */
const address: Record<'a' | 'b' | 'c' | 'a2', string> = { a: '', b: '', c: '', a2: '' }
let governance: GovernanceContractClient

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** A member's node: its own data directory and key-encryption secret, the shared chain and deployments file. */
function memberNode(name: string): Node {
  const dataDir = tempDir(`govcred-member-${name}-`)
  return {
    name,
    dataDir,
    env: {
      GOVCRED_CHAIN_MODE: 'external',
      GOVCRED_RPC_URL: anvil.rpcUrl,
      GOVCRED_KMS_SECRET: randomBytes(32).toString('hex'),
      GOVCRED_DATA_DIR: dataDir,
      GOVCRED_DEPLOYMENTS_FILE: deploymentsFile,
      GOVCRED_LOG_LEVEL: 'warn',
    },
  }
}

/** Runs `govcred …` as a child process on `node`, with only that node's GOVCRED_* settings. */
function cli(node: Node, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_') && key !== 'PORT'))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...clean, ...node.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`govcred ${args.join(' ')} on ${node.name} did not exit in time; stderr: ${stderr}`))
    }, CLI_TIMEOUT)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

/** Runs a command that must succeed and returns its JSON output. */
async function ok(node: Node, args: string[], extraEnv?: Record<string, string>): Promise<any> {
  const run = await cli(node, args, extraEnv)
  if (run.code !== 0) throw new Error(`govcred ${args.join(' ')} on ${node.name} exited ${run.code}: ${run.stderr}`)
  return JSON.parse(run.stdout)
}

/** Runs a command that must be refused and returns its stderr. */
async function refused(node: Node, args: string[], extraEnv?: Record<string, string>): Promise<string> {
  const run = await cli(node, args, extraEnv)
  expect(run.code, `govcred ${args.join(' ')} on ${node.name} should fail; stdout: ${run.stdout}`).not.toBe(0)
  expect(run.code).not.toBeNull()
  return run.stderr
}

/** The custom error an eth_call of `execute(proposalId)` from `member` reverts with. */
async function executeRevert(proposalId: string, member: string): Promise<string> {
  const iface = new Interface(loadArtifact('ConsortiumGovernance').abi)
  try {
    await provider.call({ from: member, to: governance.address, data: iface.encodeFunctionData('execute', [proposalId]) })
  } catch (error) {
    const data = (error as { data?: string }).data ?? (error as { info?: { error?: { data?: string } } }).info?.error?.data
    return iface.parseError(data!)!.name
  }
  throw new Error('execute did not revert')
}

beforeAll(async () => {
  anvil = await startAnvil({ chainId: 20191 })
  provider = createProvider(anvil.rpcUrl, 20191)
  shared = tempDir('govcred-consortium-')
  deploymentsFile = join(shared, 'network.json')
  a = memberNode('a')
  b = memberNode('b')
  c = memberNode('c')
  // Each member generates its key on its own node and hands over only the address.
  const keys = await Promise.all([a, b, c].map((node) => ok(node, ['governance', 'member-key'])))
  for (const [i, key] of keys.entries()) {
    expect(key.address).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(key.did).toMatch(/^did:ethr:govcred:0x/)
  }
  ;[address.a, address.b, address.c] = keys.map((k) => k.address as string)
  expect(new Set(Object.values(keys.map((k) => k.address))).size).toBe(3)
}, 300_000)

afterAll(async () => {
  provider?.destroy()
  await anvil?.stop()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('governance M-of-N is not one operator (issue 8, finding 6)', () => {
  it('deploy refuses outside the demo without member addresses, naming GOVCRED_GOVERNANCE_MEMBERS and member-key', async () => {
    const lone = memberNode('lone')
    lone.env.GOVCRED_DEPLOYMENTS_FILE = join(lone.dataDir, 'deployments.json')
    const stderr = await refused(lone, ['deploy'])
    expect(stderr).toContain('GOVCRED_GOVERNANCE_MEMBERS')
    expect(stderr).toContain('governance member-key')
    expect(readDeployments(lone.env.GOVCRED_DEPLOYMENTS_FILE)).toBeUndefined()
    // A threshold above the member count is a configuration problem, listed before anything is deployed.
    const bad = await refused(lone, ['deploy'], {
      GOVCRED_GOVERNANCE_MEMBERS: `${address.a},${address.b}`,
      GOVCRED_GOVERNANCE_THRESHOLD: '3',
    })
    expect(bad).toMatch(/GOVCRED_GOVERNANCE_THRESHOLD must be an integer between 1 and 2/)
  }, 300_000)

  it('deploys ConsortiumGovernance with the three members generated on three nodes and threshold 2', async () => {
    const deployed = await ok(a, ['deploy'], {
      GOVCRED_GOVERNANCE_MEMBERS: [address.a, address.b, address.c].join(','),
      GOVCRED_GOVERNANCE_THRESHOLD: '2',
    })
    governance = new GovernanceContractClient(deployed.contracts.governance, provider)
    expect(await governance.members()).toEqual([address.a, address.b, address.c])
    expect(await governance.threshold()).toBe(2)
    expect(await governance.proposalLifetime()).toBe(LIFETIME)
    const members = await ok(b, ['governance', 'members'])
    expect(members.threshold).toBe(2)
    expect(members.members.find((m: any) => m.address === address.b).localKey).toBe('governance-member')
    expect(members.members.filter((m: any) => m.localKey)).toHaveLength(1)
  }, 300_000)

  it('admits a second key of node a only through a proposal that another node approves', async () => {
    address.a2 = (await ok(a, ['governance', 'member-key', '--alias', 'second'])).address
    const proposal = await ok(a, ['governance', 'propose-member-add', address.a2])
    expect(proposal.status).toBe('open')
    expect(proposal.does).toBe(`ConsortiumGovernance.addMember(${address.a2} = member key governance-second on this node)`)
    expect(await governance.isMember(address.a2)).toBe(false)
    const approved = await ok(b, ['governance', 'approve', proposal.proposalId])
    expect(approved.status).toBe('executed')
    expect(await governance.members()).toEqual([address.a, address.b, address.c, address.a2])
  }, 300_000)

  it('one node cannot reach the threshold alone: a second key of the same key store may not approve', async () => {
    await ok(a, [
      'department',
      'create',
      '--id',
      'tax',
      '--name',
      '南京市税务局',
      '--name-en',
      'Nanjing Tax Bureau',
      '--uscc',
      uscc('11320100MB1A00099'),
      '--types',
      'BusinessLicenseCredential',
    ])
    const proposal = await ok(a, ['governance', 'propose-accreditation', '--department', 'tax'])
    expect(proposal).toMatchObject({ status: 'open', approvals: 1, threshold: 2, proposer: address.a })

    const stderr = await refused(a, ['governance', 'approve', proposal.proposalId, '--as', 'second'])
    expect(stderr).toContain("holds the proposer's key")
    expect((await governance.proposal(proposal.proposalId))!).toMatchObject({ status: 'open', approvals: 1 })
    expect(await governance.hasApproved(proposal.proposalId, address.a2)).toBe(false)

    // --approve-with (a second local key in the same command) is for the demo only.
    const withSecond = await refused(a, ['governance', 'suspend', '--issuer', 'tax', '--approve-with', 'second'])
    expect(withSecond).toContain('--approve-with works only in the demo')

    // The second member's own node approves; the proposal executes.
    const approved = await ok(b, ['governance', 'approve', proposal.proposalId])
    expect(approved.status).toBe('executed')

    // Status says what it did, where it stands, the threshold and both approvers (also now that it has executed).
    const status = await ok(a, ['governance', 'status', proposal.proposalId])
    expect(status.status).toBe('executed')
    expect(status.threshold).toBe(2)
    expect(status.does).toMatch(new RegExp(`^TrustedIssuerRegistry\\.registerIssuer\\(${proposal.call.args[0].value} = Nanjing Tax Bureau`))
    expect(status.does).toContain('BusinessLicenseCredential')
    expect(status.call).toMatchObject({ contract: 'TrustedIssuerRegistry', method: 'registerIssuer' })
    expect(status.approvedBy.map((x: any) => x.address)).toEqual([address.a, address.b])
    // Node b has no such department locally; it names the issuer from the chain.
    const fromB = await ok(b, ['governance', 'status', proposal.proposalId])
    expect(fromB.does).toContain('= 南京市税务局')
    expect(fromB.approvedBy.map((x: any) => x.address)).toEqual([address.a, address.b])
  }, 600_000)

  it('a proposal past its lifetime can be neither approved nor executed', async () => {
    const proposal = await ok(a, ['governance', 'propose-threshold', '3'])
    expect(proposal).toMatchObject({ status: 'open', does: 'ConsortiumGovernance.setThreshold(3)' })
    // Test-only: the test's own Anvil moves time past the 7-day lifetime.
    await provider.send('evm_increaseTime', [LIFETIME + 1])
    await provider.send('evm_mine', [])

    const stderr = await refused(b, ['governance', 'approve', proposal.proposalId])
    expect(stderr).toContain('expired')
    expect(await executeRevert(proposal.proposalId, address.b)).toBe('ProposalExpired')
    expect((await ok(b, ['governance', 'status', proposal.proposalId])).status).toBe('expired')
    expect(await governance.threshold()).toBe(2)
  }, 300_000)

  it('the proposer cancels a proposal; another node cannot, and it cannot be approved afterwards', async () => {
    const proposal = await ok(a, ['governance', 'propose-threshold', '1'])
    expect(await refused(b, ['governance', 'cancel', proposal.proposalId])).toContain('only the proposer can cancel')
    const cancelled = await ok(a, ['governance', 'cancel', proposal.proposalId])
    expect(cancelled.status).toBe('cancelled')
    const stderr = await refused(b, ['governance', 'approve', proposal.proposalId])
    expect(stderr).toContain('cancelled')
    expect(await executeRevert(proposal.proposalId, address.a)).toBe('AlreadyCancelled')
    expect(await governance.threshold()).toBe(2)
  }, 300_000)

  it('removes a member and changes the threshold through proposals approved by another node', async () => {
    const removal = await ok(a, ['governance', 'propose-member-remove', address.a2])
    expect(removal.does).toBe(`ConsortiumGovernance.removeMember(${address.a2} = member key governance-second on this node)`)
    expect(await governance.isMember(address.a2)).toBe(true)
    expect((await ok(c, ['governance', 'approve', removal.proposalId])).status).toBe('executed')
    expect(await governance.members()).toEqual([address.a, address.b, address.c])

    const change = await ok(a, ['governance', 'propose-threshold', '3'])
    expect(await governance.threshold()).toBe(2)
    expect((await ok(b, ['governance', 'approve', change.proposalId])).status).toBe('executed')
    expect(await governance.threshold()).toBe(3)
    const status = await ok(c, ['governance', 'status', change.proposalId])
    expect(status).toMatchObject({ status: 'executed', threshold: 3, does: 'ConsortiumGovernance.setThreshold(3)' })
    expect(status.approvedBy.map((x: any) => x.address)).toEqual([address.a, address.b])
  }, 300_000)
})
