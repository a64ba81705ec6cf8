// Issue 8, finding 1: the embedded chain was an open dev node. Anvil's port was advertised on /v1/network, and
// anyone reaching it could impersonate the governance contract, rewrite storage (clearing a revocation bit)
// and mine at will. Now Anvil listens on loopback only, and /v1/network advertises govcred's read-only
// JSON-RPC endpoint, which forwards an allow-list of reads and refuses everything else.
import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import express from 'express'
import { Resolver } from 'did-resolver'
import { getResolver } from 'ethr-did-resolver'
import { AbiCoder, Interface, JsonRpcProvider, getAddress, keccak256, toBeHex, zeroPadValue } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/chain/anvil-node.js'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { chainRpcRoutes, MAX_LOG_BLOCK_RANGE, MAX_RPC_BATCH } from '../../src/http/routes/chain-rpc-routes.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bitsOnChain, changeStatus, issue, readDemo, statusIndexOf, type Demo } from '../issuance/issuance-helpers.js'

interface Network {
  name: string
  chainId: number
  rpcUrl: string
  contracts: { didRegistry: string; governance: string; trustedIssuers: string; status: string }
}

let service: TestService
let demo: Demo
let network: Network
let revoked: { index: number; txHash: string }
/** The storage slot of the revoked credential's revocation word in CredentialStatusRegistry. */
let revocationSlot: string

/** POST to the advertised RPC URL: the raw body, or JSON. */
async function rpc(body: unknown, raw?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(network.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}
const call = (method: string, params: unknown[] = [], id: number | string = 1) => rpc({ jsonrpc: '2.0', id, method, params })
/** The node itself, in-process (what the service uses to write); never handed out. */
const node = () => service.ctx.provider

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  network = (await service.api('/v1/network')).body
  const issued = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
  expect(issued.status).toBe(201)
  const done = await changeStatus(service, demo.market.apiKey, issued.body.id, 'revoke')
  expect(done.body).toMatchObject({ onChain: 'confirmed', txHash: expect.stringMatching(/^0x/) })
  revoked = { index: statusIndexOf(issued.body.credential), txHash: done.body.txHash }

  // _bits[issuer][REVOCATION][word] (slot 0): proven against the node before it is used below.
  const coder = AbiCoder.defaultAbiCoder()
  const issuerSlot = keccak256(coder.encode(['address', 'uint256'], [demo.market.account, 0]))
  const purposeSlot = keccak256(coder.encode(['uint8', 'bytes32'], [0, issuerSlot]))
  revocationSlot = keccak256(coder.encode(['uint256', 'bytes32'], [Math.floor(revoked.index / 256), purposeSlot]))
  const word = BigInt(await node().getStorage(network.contracts.status, revocationSlot))
  expect((word >> BigInt(revoked.index % 256)) & 1n, 'the slot holds the revocation bit').toBe(1n)
}, 120_000)

afterAll(async () => {
  await service?.dispose()
})

describe('GET /v1/network', () => {
  it("advertises govcred's read-only endpoint, not the embedded node's port", () => {
    const anvilUrl = new URL(service.ctx.rpcUrl)
    expect(network.rpcUrl).toBe(`${service.url}/v1/chain/rpc`)
    expect(new URL(network.rpcUrl).port).not.toBe(anvilUrl.port)
    expect(JSON.stringify(network)).not.toContain(`:${anvilUrl.port}`)
  })
})

describe('the embedded node', () => {
  it('listens on loopback only', async () => {
    const url = new URL(service.ctx.chain!.rpcUrl)
    expect(url.hostname).toBe('127.0.0.1')
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address)
    for (const address of others) {
      const reached = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: address, port: Number(url.port) })
        socket.setTimeout(2000)
        socket.once('connect', () => (socket.destroy(), resolve(true)))
        socket.once('error', () => resolve(false))
        socket.once('timeout', () => (socket.destroy(), resolve(false)))
      })
      expect(reached, `Anvil reachable on ${address}:${url.port}`).toBe(false)
    }
  })
})

describe('POST /v1/chain/rpc refuses the dev-node methods and changes nothing', () => {
  it('refuses impersonation, storage and code rewrites, mining, sending and the unlocked accounts with -32601', async () => {
    const blockBefore = await node().getBlockNumber()
    const codeBefore = await node().getCode(network.contracts.status)
    const zero = zeroPadValue('0x', 32)
    const attempts: [string, unknown[]][] = [
      ['anvil_impersonateAccount', [network.contracts.governance]],
      ['hardhat_impersonateAccount', [network.contracts.governance]],
      ['anvil_setStorageAt', [network.contracts.status, revocationSlot, zero]],
      ['hardhat_setStorageAt', [network.contracts.status, revocationSlot, zero]],
      ['anvil_setCode', [network.contracts.status, '0x']],
      ['anvil_setBalance', [network.contracts.governance, toBeHex(10n ** 21n)]],
      ['evm_mine', []],
      ['anvil_mine', ['0x10']],
      ['evm_increaseTime', ['0x3c']],
      ['evm_snapshot', []],
      ['eth_sendTransaction', [{ from: network.contracts.governance, to: network.contracts.trustedIssuers, data: '0x' }]],
      ['eth_sendRawTransaction', ['0x02f86a']],
      ['eth_accounts', []],
      ['eth_sign', [network.contracts.governance, '0x00']],
      ['personal_unlockAccount', [network.contracts.governance, '', 0]],
      ['debug_traceTransaction', [revoked.txHash]],
      ['anvil_dumpState', []],
      ['anvil_reset', []],
    ]
    for (const [method, params] of attempts) {
      const { status, body } = await call(method, params, method)
      expect(status, method).toBe(200)
      expect(body, method).toEqual({ jsonrpc: '2.0', id: method, error: { code: -32601, message: expect.stringContaining(method) } })
    }

    // The revoked credential stays revoked on chain, the registry's code is untouched, no block was mined.
    expect(await bitsOnChain(service, demo.market.account, revoked.index)).toEqual({ revoked: true, suspended: false })
    expect(await node().getCode(network.contracts.status)).toBe(codeBefore)
    expect(await node().getBlockNumber()).toBe(blockBefore)
    // Nobody impersonates the governance contract on the node: it cannot send.
    await expect(
      node().send('eth_sendTransaction', [{ from: network.contracts.governance, to: network.contracts.governance }]),
    ).rejects.toThrow()
  })

  it('refuses each forbidden entry of a batch only, answering the others in order', async () => {
    const { status, body } = await rpc([
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'anvil_setStorageAt', params: [network.contracts.status, revocationSlot, zeroPadValue('0x', 32)] },
      { jsonrpc: '2.0', id: 3, method: 'eth_blockNumber', params: [] },
    ])
    expect(status).toBe(200)
    expect(body).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x4edf' },
      { jsonrpc: '2.0', id: 2, error: expect.objectContaining({ code: -32601 }) },
      { jsonrpc: '2.0', id: 3, result: expect.stringMatching(/^0x[0-9a-f]+$/) },
    ])
    expect(await bitsOnChain(service, demo.market.account, revoked.index)).toEqual({ revoked: true, suspended: false })
  })

  it('answers malformed JSON-RPC with -32700 and -32600, HTTP 200', async () => {
    const cases: [string, number][] = [
      ['{"jsonrpc":"2.0","id":1,', -32700],
      ['not json', -32700],
      ['5', -32600],
      ['[]', -32600],
      ['[1]', -32600],
      ['{"id":1,"method":"eth_chainId"}', -32600],
      ['{"jsonrpc":"1.0","id":1,"method":"eth_chainId"}', -32600],
      ['{"jsonrpc":"2.0","id":1}', -32600],
      ['{"jsonrpc":"2.0","id":{"x":1},"method":"eth_chainId"}', -32600],
      [JSON.stringify(Array.from({ length: MAX_RPC_BATCH + 1 }, (_, id) => ({ jsonrpc: '2.0', id, method: 'eth_chainId' }))), -32600],
    ]
    for (const [raw, code] of cases) {
      const { status, body } = await rpc(undefined, raw)
      expect(status, raw.slice(0, 40)).toBe(200)
      const answer = Array.isArray(body) ? body[0] : body
      expect(answer, raw.slice(0, 40)).toMatchObject({ jsonrpc: '2.0', error: { code } })
    }
    // A read that is not on the allow-list is refused too.
    expect((await call('eth_getBalance', [network.contracts.governance, 'latest'])).body.error.code).toBe(-32601)
    const notArray = await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: { x: 1 } })
    expect(notArray.body.error.code).toBe(-32602)
  })
})

describe('POST /v1/chain/rpc answers the reads a verifier needs', () => {
  it('chain id, block number, calls, code, blocks, receipts and logs', async () => {
    expect((await call('eth_chainId')).body).toEqual({ jsonrpc: '2.0', id: 1, result: '0x4edf' })
    expect((await call('net_version')).body.result).toBe('20191')
    const latest = (await call('eth_blockNumber')).body.result as string
    expect(Number(latest)).toBe(await node().getBlockNumber())

    const status = new Interface(loadArtifact('CredentialStatusRegistry').abi)
    const data = status.encodeFunctionData('statusOf', [demo.market.account, revoked.index])
    const answer = await call('eth_call', [{ to: network.contracts.status, data }, 'latest'])
    expect(status.decodeFunctionResult('statusOf', answer.body.result).toArray()).toEqual([true, false])
    expect((await call('eth_getCode', [network.contracts.status, 'latest'])).body.result).toBe(
      await node().getCode(network.contracts.status),
    )

    const receipt = (await call('eth_getTransactionReceipt', [revoked.txHash])).body.result
    expect(receipt).toMatchObject({ transactionHash: revoked.txHash, status: '0x1' })
    const byNumber = (await call('eth_getBlockByNumber', [receipt.blockNumber, false])).body.result
    const byHash = (await call('eth_getBlockByHash', [receipt.blockHash, false])).body.result
    expect(byNumber.hash).toBe(receipt.blockHash)
    expect(byHash.number).toBe(receipt.blockNumber)

    const logs = await call('eth_getLogs', [
      { address: network.contracts.status, fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber },
    ])
    const topic = status.getEvent('StatusUpdated')!.topicHash
    expect(logs.body.result.some((l: { topics: string[] }) => l.topics[0] === topic)).toBe(true)
    const tagged = await call('eth_getLogs', [{ address: network.contracts.status, fromBlock: 'earliest', toBlock: 'latest' }])
    expect(tagged.body.result.length).toBeGreaterThanOrEqual(logs.body.result.length)
  })

  it(`refuses an eth_getLogs range wider than ${MAX_LOG_BLOCK_RANGE} blocks with -32602`, async () => {
    const wide = await call('eth_getLogs', [{ fromBlock: '0x0', toBlock: toBeHex(MAX_LOG_BLOCK_RANGE) }])
    expect(wide.status).toBe(200)
    expect(wide.body).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32602, message: expect.stringContaining(String(MAX_LOG_BLOCK_RANGE)) },
    })
    const bounded = await call('eth_getLogs', [{ fromBlock: '0x0', toBlock: toBeHex(MAX_LOG_BLOCK_RANGE - 1) }])
    expect(Array.isArray(bounded.body.result)).toBe(true)
    const mixed = await call('eth_getLogs', [{ blockHash: zeroPadValue('0x01', 32), fromBlock: '0x0' }])
    expect(mixed.body.error.code).toBe(-32602)
    const badTag = await call('eth_getLogs', [{ fromBlock: 'yesterday' }])
    expect(badTag.body.error.code).toBe(-32602)
  })

  it('refuses an eth_call that names no contract, overrides state or asks for more gas than a read needs', async () => {
    expect((await call('eth_call', [{ data: '0x00' }, 'latest'])).body.error.code).toBe(-32602)
    const override = await call('eth_call', [
      { to: network.contracts.status, data: '0x' },
      'latest',
      { [network.contracts.status]: { code: '0x00' } },
    ])
    expect(override.body.error.code).toBe(-32602)
    const greedy = await call('eth_call', [{ to: network.contracts.status, data: '0x', gas: toBeHex(10n ** 9n) }, 'latest'])
    expect(greedy.body.error.code).toBe(-32602)
  })

  it('serves a stock ethr-did-resolver and ethers JsonRpcProvider configured from /v1/network', async () => {
    const resolver = new Resolver(
      getResolver({
        networks: [{ name: network.name, chainId: network.chainId, rpcUrl: network.rpcUrl, registry: network.contracts.didRegistry }],
      }),
    )
    const result = await resolver.resolve(demo.market.did)
    expect(result.didResolutionMetadata.error).toBeUndefined()
    expect(result.didDocument?.id).toBe(demo.market.did)
    expect(JSON.stringify(result.didDocument)).toContain(getAddress(demo.market.account))
    // ethers batches concurrent calls: a batch of them goes through too.
    const provider = new JsonRpcProvider(network.rpcUrl, network.chainId, { staticNetwork: true })
    try {
      const [block, code, chain] = await Promise.all([
        provider.getBlockNumber(),
        provider.getCode(network.contracts.didRegistry),
        provider.send('eth_chainId', []),
      ])
      expect(block).toBeGreaterThan(0)
      expect(code).not.toBe('0x')
      expect(chain).toBe('0x4edf')
    } finally {
      provider.destroy()
    }
  })
})

describe('POST /v1/chain/rpc with the node down', () => {
  it('answers -32603 with data.code ERR_CHAIN_UNAVAILABLE and HTTP 503, and still refuses forbidden methods itself', async () => {
    const closed = await freePort()
    const app = express().use(express.json(), chainRpcRoutes({ upstreamUrl: `http://127.0.0.1:${closed}`, timeoutMs: 2000 }))
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    try {
      const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/v1/chain/rpc`
      const post = async (body: unknown) => {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        return { status: res.status, body: await res.json() }
      }
      const down = await post({ jsonrpc: '2.0', id: 7, method: 'eth_blockNumber', params: [] })
      expect(down).toEqual({
        status: 503,
        body: { jsonrpc: '2.0', id: 7, error: { code: -32603, message: expect.any(String), data: { code: 'ERR_CHAIN_UNAVAILABLE' } } },
      })
      const refused = await post({ jsonrpc: '2.0', id: 8, method: 'evm_mine', params: [] })
      expect(refused).toEqual({ status: 200, body: { jsonrpc: '2.0', id: 8, error: expect.objectContaining({ code: -32601 }) } })
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
