import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Contract, ZeroHash } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import type { Department } from '../../src/issuing/departments/department-store.js'
import { startTestService, type TestService } from '../helpers/service.js'

const SUSPENSION = 1
const STATUS_INDEX = 424_242

interface Snapshot {
  departments: Department[]
  deploymentsFile: string
  blockNumber: number
  deployerNonce: number
  outboxIds: string[]
  schemaCount: number
  rpcUrl: string
  startedInMs: number
}

let first: TestService | undefined
let second: TestService | undefined
let dataDir: string
let before: Snapshot
let serviceDid: string
let nodeAnsweredAfterStop: boolean

const statusRegistry = (service: TestService) =>
  new Contract(service.ctx.deployments.contracts.status, loadArtifact('CredentialStatusRegistry').abi, service.ctx.provider)

beforeAll(async () => {
  first = await startTestService()
  dataDir = first.dataDir
  const { ctx } = first
  const departments = await ctx.departments.list()

  // On-chain facts made on the first run: a status bit and an ERC-1056 service on a department's DID,
  // the latter a real DID-registry transaction signed by the department's key in the KMS.
  await ctx.writer.submit({
    account: departments[0].account,
    contract: 'CredentialStatusRegistry',
    target: ctx.deployments.contracts.status,
    method: 'updateStatus',
    args: [departments[0].account, SUSPENSION, [STATUS_INDEX], [], ZeroHash],
    label: 'test: a status bit that must survive a restart',
  })
  serviceDid = departments[1].did
  const txHash = await ctx.agent.didManagerAddService({
    did: serviceDid,
    service: { id: `${serviceDid}#registry`, type: 'LinkedDomains', serviceEndpoint: 'https://bdc.nanjing.example.gov.cn' },
  })
  const receipt = await ctx.provider.getTransactionReceipt(txHash)
  expect(receipt?.status).toBe(1)
  expect((await ctx.provider.getTransaction(txHash))?.from.toLowerCase()).toBe(departments[1].account.toLowerCase())

  before = {
    departments,
    deploymentsFile: readFileSync(ctx.config.chain.deploymentsFile, 'utf8'),
    blockNumber: await ctx.provider.getBlockNumber(),
    deployerNonce: await ctx.provider.getTransactionCount(ctx.deployments.deployer!),
    outboxIds: (await ctx.writer.list()).map((e) => e.id),
    schemaCount: (await ctx.agent.schemaRegistryList()).length,
    rpcUrl: ctx.rpcUrl,
    startedInMs: first.startedInMs,
  }

  await first.stop()
  nodeAnsweredAfterStop = await fetch(before.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
  }).then(
    () => true,
    () => false,
  )
  second = await startTestService({ dataDir })
  console.info(`govcred start times: first (deploys, bootstraps) ${before.startedInMs} ms, second (same data dir) ${second.startedInMs} ms`)
})

afterAll(async () => {
  await first?.stop()
  await second?.stop()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

describe('stopping', () => {
  it('dumped the chain state into the data directory and took the node down', () => {
    const stateFile = join(dataDir, 'chain', 'anvil-state.json')
    expect(existsSync(stateFile)).toBe(true)
    expect(statSync(stateFile).size).toBeGreaterThan(1000)
    expect(nodeAnsweredAfterStop).toBe(false)
  })
})

describe('a restart on the same data directory', () => {
  it('finds the same departments and DIDs', async () => {
    expect(await second!.ctx.departments.list()).toEqual(before.departments)
    for (const department of before.departments) {
      const identifier = await second!.ctx.agent.didManagerGet({ did: department.did })
      expect(identifier.did).toBe(department.did)
      expect(second!.ctx.writer.hasSigner(department.account)).toBe(true)
    }
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8'))
    expect(demo.departments.map((d: { did: string }) => d.did)).toEqual(before.departments.map((d) => d.did))
  })

  it('keeps the deployments: same file, same addresses with code, no new deployment', async () => {
    expect(readFileSync(second!.ctx.config.chain.deploymentsFile, 'utf8')).toBe(before.deploymentsFile)
    const recorded = JSON.parse(before.deploymentsFile)
    expect(second!.ctx.deployments).toEqual(recorded)
    for (const [key, address] of Object.entries(recorded.contracts as Record<string, string>)) {
      expect(await second!.ctx.provider.getCode(address), key).not.toBe('0x')
    }
    expect(await second!.ctx.provider.getTransactionCount(recorded.deployer)).toBe(before.deployerNonce)
    expect(before.deployerNonce).toBe(Object.keys(recorded.contracts).length)
  })

  it('continues the chain instead of starting a new one', async () => {
    expect(await second!.ctx.provider.getBlockNumber()).toBeGreaterThanOrEqual(before.blockNumber)
  })

  it('keeps every department accredited for its credential types', async () => {
    const issuers = await second!.ctx.agent.trustRegistryListIssuers()
    expect(issuers).toHaveLength(before.departments.length)
    for (const department of before.departments) {
      for (const credentialType of department.credentialTypes) {
        expect(
          await second!.ctx.agent.trustRegistryIsAccredited({ issuer: department.did, credentialType }),
          `${department.id} ${credentialType}`,
        ).toBe(true)
      }
    }
    const { status, body } = await second!.api('/v1/issuers')
    expect(status).toBe(200)
    expect(body.issuers.map((i: { status: string }) => i.status)).toEqual(['active', 'active', 'active'])
  })

  it('keeps the status bit', async () => {
    expect(await statusRegistry(second!).isSet(before.departments[0].account, SUSPENSION, STATUS_INDEX)).toBe(true)
  })

  it('publishes no schema again and sends no transaction while bootstrapping', async () => {
    expect((await second!.ctx.agent.schemaRegistryList()).length).toBe(before.schemaCount)
    expect(before.schemaCount).toBeGreaterThan(0)
    expect((await second!.ctx.writer.list()).map((e) => e.id)).toEqual(before.outboxIds)
  })

  it('still resolves the DID with the service added before the restart', async () => {
    const result = await second!.ctx.agent.resolveDid({ didUrl: serviceDid })
    expect(result.didResolutionMetadata.error).toBeUndefined()
    expect(result.didDocument?.service).toEqual([
      expect.objectContaining({ type: 'LinkedDomains', serviceEndpoint: 'https://bdc.nanjing.example.gov.cn' }),
    ])
    const { status, body } = await second!.api(`/1.0/identifiers/${serviceDid}`)
    expect(status).toBe(200)
    expect(body.didDocument.service).toHaveLength(1)
  })

  it('starts faster the second time (no deployment, no bootstrap transactions)', () => {
    expect(second!.startedInMs).toBeLessThan(before.startedInMs)
  })
})
