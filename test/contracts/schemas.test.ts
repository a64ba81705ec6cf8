import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZeroHash, id, keccak256, AbiCoder } from 'ethers'
import {
  as,
  blockTime,
  deploySystem,
  eventsOf,
  governed,
  randomAccount,
  randomSalt,
  revertOf,
  startChain,
  type Chain,
  type System,
} from './helpers.js'

let chain: Chain
let sys: System

beforeAll(async () => {
  chain = await startChain()
  sys = await deploySystem(chain.provider, 3, 2)
})
afterAll(async () => {
  await chain?.stop()
})

const freshId = (): string => `BusinessLicenseCredential-${randomSalt().slice(2, 10)}`
const schemaKey = (schemaId: string, version: string): string =>
  keccak256(AbiCoder.defaultAbiCoder().encode(['string', 'string'], [schemaId, version]))
const uriOf = (schemaId: string, version: string): string => `https://schemas.example.gov/${schemaId}/${version}.json`

async function publish(schemaId: string, version: string, contentHash = id(`${schemaId}@${version}`)) {
  const { receipts } = await governed(sys, sys.schemas, 'publishSchema', [schemaId, version, contentHash, uriOf(schemaId, version)])
  return receipts.at(-1)!
}

describe('SchemaRegistry: writes only through governance', () => {
  it('rejects publishSchema and deprecateSchema from a member or an outsider calling directly', async () => {
    const schemaId = freshId()
    for (const caller of [sys.members[0]!, randomAccount(chain.provider)]) {
      const reg = as(sys.schemas, caller)
      const publishErr = await revertOf(reg.publishSchema(schemaId, '1.0.0', id('x'), 'https://x'), sys.schemas)
      expect([publishErr.name, publishErr.args[0]]).toEqual(['NotGovernance', caller.address])
      expect((await revertOf(reg.deprecateSchema(schemaId, '1.0.0'), sys.schemas)).name).toBe('NotGovernance')
    }
    expect(await sys.schemas.isPublished(schemaId, '1.0.0')).toBe(false)
  })
})

describe('SchemaRegistry: publication', () => {
  it('publishes a version with its hash, uri and time, and emits SchemaPublished', async () => {
    const schemaId = freshId()
    const hash = id('canonical schema json')
    const receipt = await publish(schemaId, '1.0.0', hash)
    const event = eventsOf(receipt, sys.schemas, 'SchemaPublished')[0]!.args
    expect([...event]).toEqual([schemaKey(schemaId, '1.0.0'), schemaId, '1.0.0', hash, uriOf(schemaId, '1.0.0')])

    const [contentHash, uri, publishedAt, deprecated] = await sys.schemas.getSchema(schemaId, '1.0.0')
    expect({ contentHash, uri, publishedAt, deprecated }).toEqual({
      contentHash: hash,
      uri: uriOf(schemaId, '1.0.0'),
      publishedAt: await blockTime(receipt),
      deprecated: false,
    })
    expect(await sys.schemas.isPublished(schemaId, '1.0.0')).toBe(true)
    expect(await sys.schemas.isPublished(schemaId, '1.0.1')).toBe(false)
  })

  it('never overwrites a version: a second publication of the same id and version reverts', async () => {
    const schemaId = freshId()
    const original = id('original')
    await publish(schemaId, '1.0.0', original)
    const err = await revertOf(publish(schemaId, '1.0.0', id('tampered')), sys.governance, sys.schemas)
    expect(err.name).toBe('ExecutionFailed')
    expect(err.inner?.name).toBe('SchemaVersionExists')
    expect([...err.inner!.args]).toEqual([schemaId, '1.0.0'])
    expect((await sys.schemas.getSchema(schemaId, '1.0.0'))[0]).toBe(original)
  })

  it('lists versions in publication order and each schema id once', async () => {
    const schemaId = freshId()
    for (const version of ['1.0.0', '1.1.0', '2.0.0']) await publish(schemaId, version)
    expect(await sys.schemas.getVersions(schemaId)).toEqual(['1.0.0', '1.1.0', '2.0.0'])
    const ids: string[] = await sys.schemas.getSchemaIds()
    expect(ids.filter((s) => s === schemaId)).toHaveLength(1)
    expect(await sys.schemas.getVersions('NeverPublished')).toEqual([])
  })

  it('rejects a zero content hash', async () => {
    const err = await revertOf(publish(freshId(), '1.0.0', ZeroHash), sys.governance, sys.schemas)
    expect(err.inner?.name).toBe('InvalidContentHash')
  })
})

describe('SchemaRegistry: deprecation', () => {
  it('deprecates a version once, keeps it readable and leaves other versions alone', async () => {
    const schemaId = freshId()
    await publish(schemaId, '1.0.0')
    await publish(schemaId, '2.0.0')
    const { receipts } = await governed(sys, sys.schemas, 'deprecateSchema', [schemaId, '1.0.0'])
    expect([...eventsOf(receipts.at(-1)!, sys.schemas, 'SchemaDeprecated')[0]!.args]).toEqual([
      schemaKey(schemaId, '1.0.0'),
      schemaId,
      '1.0.0',
    ])
    expect((await sys.schemas.getSchema(schemaId, '1.0.0'))[3]).toBe(true)
    expect((await sys.schemas.getSchema(schemaId, '2.0.0'))[3]).toBe(false)
    expect(await sys.schemas.isPublished(schemaId, '1.0.0')).toBe(true)

    const again = await revertOf(governed(sys, sys.schemas, 'deprecateSchema', [schemaId, '1.0.0']), sys.governance, sys.schemas)
    expect(again.inner?.name).toBe('AlreadyDeprecated')
  })

  it('rejects deprecating or reading an unknown version', async () => {
    const schemaId = freshId()
    const err = await revertOf(governed(sys, sys.schemas, 'deprecateSchema', [schemaId, '9.9.9']), sys.governance, sys.schemas)
    expect(err.inner?.name).toBe('UnknownSchema')
    const read = await revertOf(sys.schemas.getSchema(schemaId, '9.9.9'), sys.schemas)
    expect([read.name, ...read.args]).toEqual(['UnknownSchema', schemaId, '9.9.9'])
  })
})
