import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZeroHash, id } from 'ethers'
import {
  VERI_KEY,
  as,
  blockTime,
  deploySystem,
  eventsOf,
  increaseTime,
  mined,
  randomAccount,
  revertOf,
  startChain,
  type Chain,
  type System,
} from './helpers.js'

let chain: Chain
let sys: System

beforeAll(async () => {
  chain = await startChain()
  sys = await deploySystem(chain.provider, 1, 1)
})
afterAll(async () => {
  await chain?.stop()
})

describe('AnchorRegistry', () => {
  it('stores each key with its value and block time, emitting Anchored per key', async () => {
    const issuer = randomAccount(chain.provider)
    const keys = [id('issued-root:2025-06'), id('audit-root:2025-06')]
    const values = [id('root-a'), id('root-b')]
    const receipt = await mined(as(sys.anchors, issuer).setAnchors(issuer.address, keys, values))
    const at = await blockTime(receipt)
    expect(eventsOf(receipt, sys.anchors, 'Anchored').map((e) => [...e.args])).toEqual([
      [issuer.address, keys[0], values[0]],
      [issuer.address, keys[1], values[1]],
    ])
    expect(await sys.anchors.anchorOf(issuer.address, keys[0])).toEqual([values[0], at])
    expect(await sys.anchors.anchorOf(issuer.address, keys[1])).toEqual([values[1], at])
    expect(await sys.anchors.anchorOf(randomAccount(chain.provider).address, keys[0])).toEqual([ZeroHash, 0n])
  })

  it('replaces a key with a later write and its new time', async () => {
    const issuer = randomAccount(chain.provider)
    const key = id('issued-root:latest')
    await mined(as(sys.anchors, issuer).setAnchors(issuer.address, [key], [id('first')]))
    await increaseTime(chain.provider, 30)
    const receipt = await mined(as(sys.anchors, issuer).setAnchors(issuer.address, [key], [id('second')]))
    expect(await sys.anchors.anchorOf(issuer.address, key)).toEqual([id('second'), await blockTime(receipt)])
  })

  it('rejects keys and values of different lengths', async () => {
    const issuer = randomAccount(chain.provider)
    const err = await revertOf(as(sys.anchors, issuer).setAnchors(issuer.address, [id('a'), id('b')], [id('x')]), sys.anchors)
    expect(err.name).toBe('LengthMismatch')
  })

  it('accepts the identity owner and a veriKey delegate, and rejects anyone else', async () => {
    const issuer = randomAccount(chain.provider)
    const [delegate, stranger] = [randomAccount(chain.provider), randomAccount(chain.provider)]
    await mined(as(sys.didRegistry, issuer).addDelegate(issuer.address, VERI_KEY, delegate.address, 3_600))
    await mined(as(sys.anchors, delegate).setAnchors(issuer.address, [id('k')], [id('v')]))
    expect((await sys.anchors.anchorOf(issuer.address, id('k')))[0]).toBe(id('v'))

    const err = await revertOf(as(sys.anchors, stranger).setAnchors(issuer.address, [id('k')], [id('forged')]), sys.anchors)
    expect([err.name, ...err.args]).toEqual(['NotIssuerController', issuer.address, stranger.address])
    expect((await sys.anchors.anchorOf(issuer.address, id('k')))[0]).toBe(id('v'))
  })
})
