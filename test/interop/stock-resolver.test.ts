// A verifier's view: nothing from govcred's source, only what the running service publishes and
// stock libraries (did-resolver + ethr-did-resolver, configured from GET /v1/network).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Resolver, type DIDResolutionResult } from 'did-resolver'
import { getResolver } from 'ethr-did-resolver'
import { Wallet, getAddress } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface Network {
  name: string
  chainId: number
  rpcUrl: string
  contracts: { didRegistry: string; trustedIssuers: string; schemas: string; status: string }
}
interface Issuer {
  did: string
  account: string
  name: string
  credentialTypes: string[]
  status: string
}

let dataDir: string
let baseUrl: string
let child: ChildProcess
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
let output = ''
let network: Network
let issuers: Issuer[]
let resolver: Resolver

function freePort(): Promise<number> {
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

async function waitForHealth(deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`govcred exited during start:\n${output}`)
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`govcred did not answer /healthz within ${deadlineMs / 1000} s:\n${output}`)
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`)
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

/** The service process itself (npx and tsx sit between us and it): its pid is in the embedded node file. */
function servicePid(): number | undefined {
  const nodeFile = join(dataDir, 'chain', 'node.json')
  if (!existsSync(nodeFile)) return undefined
  return (JSON.parse(readFileSync(nodeFile, 'utf8')) as { pid: number }).pid
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'govcred-interop-'))
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  child = spawn('npx', ['tsx', 'src/main.ts', 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...env, GOVCRED_DATA_DIR: dataDir, PORT: String(port), GOVCRED_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a last-resort kill reaches tsx, node and Anvil too.
    detached: true,
  })
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)))
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)))
  exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))

  await waitForHealth(60_000)
  network = await getJson<Network>('/v1/network')
  issuers = (await getJson<{ issuers: Issuer[] }>('/v1/issuers')).issuers
  resolver = new Resolver(
    getResolver({ networks: [{ name: network.name, chainId: network.chainId, rpcUrl: network.rpcUrl, registry: network.contracts.didRegistry }] }),
  )
}, 90_000)

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const pid = servicePid()
    if (pid) process.kill(pid, 'SIGTERM')
    const done = await Promise.race([exited, new Promise<undefined>((resolve) => setTimeout(resolve, 30_000))])
    if (!done && child.pid) process.kill(-child.pid, 'SIGKILL')
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

/** The verification method a did:ethr document has for the account, by CAIP-10 blockchainAccountId. */
function accountMethod(result: DIDResolutionResult, account: string) {
  return result.didDocument?.verificationMethod?.find((vm) => vm.blockchainAccountId?.toLowerCase().endsWith(`:${account.toLowerCase()}`))
}

describe('a stock ethr-did-resolver configured from GET /v1/network', () => {
  it('has what it needs: name, chain id, RPC URL and the ERC-1056 registry', () => {
    expect(network).toMatchObject({ name: 'govcred', chainId: 20191 })
    expect(network.rpcUrl).toMatch(/^https?:\/\//)
    expect(getAddress(network.contracts.didRegistry)).toBe(network.contracts.didRegistry)
    expect(issuers.length).toBe(3)
  })

  it('resolves every listed issuer DID to a document with its account', async () => {
    for (const issuer of issuers) {
      expect(issuer.status).toBe('active')
      const result = await resolver.resolve(issuer.did)
      expect(result.didResolutionMetadata.error, issuer.did).toBeUndefined()
      expect(result.didDocument?.id).toBe(issuer.did)
      const method = accountMethod(result, issuer.account)
      expect(method, `${issuer.did} has a verification method for ${issuer.account}`).toBeDefined()
      expect(method!.blockchainAccountId).toBe(`eip155:${network.chainId}:${getAddress(issuer.account)}`)
      expect(result.didDocument?.assertionMethod).toContain(method!.id)
    }
  })

  it('resolves the departments\u2019 public-key DIDs from the demo file to the same accounts', async () => {
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { departments: { did: string; account: string }[] }
    expect(demo.departments.map((d) => getAddress(d.account)).sort()).toEqual(issuers.map((i) => getAddress(i.account)).sort())
    for (const department of demo.departments) {
      const result = await resolver.resolve(department.did)
      expect(result.didResolutionMetadata.error, department.did).toBeUndefined()
      expect(accountMethod(result, department.account), department.did).toBeDefined()
      const publicKey = department.did.split(':').at(-1)!.slice(2)
      expect(result.didDocument?.verificationMethod?.some((vm) => vm.publicKeyHex === publicKey)).toBe(true)
    }
  })

  it('answers a DID the chain has never seen with a default document, and a malformed one with invalidDid', async () => {
    const stranger = Wallet.createRandom().address
    const fresh = await resolver.resolve(`did:ethr:${network.name}:${stranger}`)
    expect(fresh.didResolutionMetadata.error).toBeUndefined()
    expect(accountMethod(fresh, stranger)).toBeDefined()
    const bad = await resolver.resolve(`did:ethr:${network.name}:0xnothex`)
    expect(bad.didResolutionMetadata.error).toBe('invalidDid')
  })

  it('agrees with the service\u2019s own Universal Resolver endpoint', async () => {
    const issuer = issuers[0]
    const ours = await getJson<{ didDocument: unknown }>(`/1.0/identifiers/${issuer.did}`)
    const stock = await resolver.resolve(issuer.did)
    expect(ours.didDocument).toEqual(stock.didDocument)
  })
})

describe('govcred start', () => {
  it('shuts down cleanly on SIGTERM: exit code 0, embedded chain stopped and its state dumped', async () => {
    const pid = servicePid()
    expect(pid, 'the embedded node file names the service process').toBeDefined()
    const rpcUrl = (JSON.parse(readFileSync(join(dataDir, 'chain', 'node.json'), 'utf8')) as { rpcUrl: string }).rpcUrl
    process.kill(pid!, 'SIGTERM')
    const result = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))])
    expect(result, output).toEqual({ code: 0, signal: null })
    expect(existsSync(join(dataDir, 'chain', 'node.json'))).toBe(false)
    expect(existsSync(join(dataDir, 'chain', 'anvil-state.json'))).toBe(true)
    const chainAnswers = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    }).then(() => true, () => false)
    expect(chainAnswers).toBe(false)
  }, 40_000)
})
