// A verifier's view: nothing from govcred's source, only what the running service publishes and
// stock libraries (did-resolver + ethr-did-resolver, configured from GET /v1/network).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Resolver, type DIDResolutionResult } from 'did-resolver'
import { getResolver } from 'ethr-did-resolver'
import { Wallet, getAddress } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServiceProcess, type ServiceProcess } from './service-process.js'

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

let service: ServiceProcess
let network: Network
let issuers: Issuer[]
let resolver: Resolver

async function getJson<T>(path: string): Promise<T> {
  const { status, body } = await service.call(path)
  expect(status, path).toBe(200)
  return body as T
}

beforeAll(async () => {
  service = await startServiceProcess({ prefix: 'govcred-interop-' })
  network = await getJson<Network>('/v1/network')
  issuers = (await getJson<{ issuers: Issuer[] }>('/v1/issuers')).issuers
  resolver = new Resolver(
    getResolver({
      networks: [{ name: network.name, chainId: network.chainId, rpcUrl: network.rpcUrl, registry: network.contracts.didRegistry }],
    }),
  )
}, 90_000)

afterAll(async () => {
  await service?.stop()
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
    const demo = service.demo()
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
    const pid = service.pid()
    expect(pid, 'the embedded node file names the service process').toBeDefined()
    const rpcUrl = (JSON.parse(readFileSync(join(service.dataDir, 'chain', 'node.json'), 'utf8')) as { rpcUrl: string }).rpcUrl
    const result = await service.stop({ keepData: true })
    expect(result, service.output()).toEqual({ code: 0, signal: null })
    expect(existsSync(join(service.dataDir, 'chain', 'node.json'))).toBe(false)
    expect(existsSync(join(service.dataDir, 'chain', 'anvil-state.json'))).toBe(true)
    const chainAnswers = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    }).then(
      () => true,
      () => false,
    )
    expect(chainAnswers).toBe(false)
  }, 40_000)
})
