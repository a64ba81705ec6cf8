import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZeroHash, encodeBytes32String, type Wallet } from 'ethers'
import {
  REVOCATION,
  SIG_AUTH,
  SUSPENSION,
  VERI_KEY,
  as,
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
let nextIndex = 1

beforeAll(async () => {
  chain = await startChain()
  sys = await deploySystem(chain.provider, 1, 1)
})
afterAll(async () => {
  await chain?.stop()
})

/** Sets a fresh suspension bit of `issuer` as `caller`; returns the index. */
async function suspendAs(caller: Wallet, issuer: string): Promise<number> {
  const index = nextIndex++
  await mined(as(sys.status, caller).updateStatus(issuer, SUSPENSION, [index], [], ZeroHash))
  expect(await sys.status.isSet(issuer, SUSPENSION, index)).toBe(true)
  return index
}

async function expectRejected(caller: Wallet, issuer: string): Promise<void> {
  const index = nextIndex++
  const err = await revertOf(as(sys.status, caller).updateStatus(issuer, REVOCATION, [index], [], ZeroHash), sys.status)
  expect(err.name).toBe('NotIssuerController')
  expect([...err.args]).toEqual([issuer, caller.address])
  expect(await sys.status.isSet(issuer, REVOCATION, index)).toBe(false)
  expect(await sys.status.isIssuerController(issuer, caller.address)).toBe(false)
}

async function addDelegate(owner: Wallet, identity: string, type: string, delegate: string, validitySeconds: number): Promise<void> {
  await mined(as(sys.didRegistry, owner).addDelegate(identity, type, delegate, validitySeconds))
}

describe('CredentialStatusRegistry: who may write an issuer status list', () => {
  it('uses the deployed ERC-1056 registry', async () => {
    expect(await sys.status.didRegistry()).toBe(await sys.didRegistry.getAddress())
  })

  it('rejects an account that is neither the identity owner nor a delegate', async () => {
    const issuer = randomAccount(chain.provider)
    await expectRejected(randomAccount(chain.provider), issuer.address)
  })

  it('lets the identity owner write, and only its own list', async () => {
    const issuer = randomAccount(chain.provider)
    const other = randomAccount(chain.provider)
    const index = await suspendAs(issuer, issuer.address)
    expect(await sys.status.isSet(other.address, SUSPENSION, index)).toBe(false)
    await expectRejected(issuer, other.address)
  })

  it('lets a veriKey or sigAuth delegate write, but not a delegate of another type', async () => {
    const issuer = randomAccount(chain.provider)
    const [veriKey, sigAuth, enc] = [randomAccount(chain.provider), randomAccount(chain.provider), randomAccount(chain.provider)]
    await addDelegate(issuer, issuer.address, VERI_KEY, veriKey.address, 3_600)
    await addDelegate(issuer, issuer.address, SIG_AUTH, sigAuth.address, 3_600)
    await addDelegate(issuer, issuer.address, encodeBytes32String('enc'), enc.address, 3_600)
    expect(await sys.didRegistry.validDelegate(issuer.address, VERI_KEY, veriKey.address)).toBe(true)

    const receipt = await mined(as(sys.status, veriKey).updateStatus(issuer.address, SUSPENSION, [7], [], ZeroHash))
    expect(eventsOf(receipt, sys.status, 'StatusUpdated')[0]?.args.issuer).toBe(issuer.address)
    await suspendAs(sigAuth, issuer.address)
    await expectRejected(enc, issuer.address)
  })

  it('stops accepting a delegate once its validity expires or it is revoked', async () => {
    const issuer = randomAccount(chain.provider)
    const [shortLived, revoked] = [randomAccount(chain.provider), randomAccount(chain.provider)]
    await addDelegate(issuer, issuer.address, VERI_KEY, shortLived.address, 60)
    await addDelegate(issuer, issuer.address, VERI_KEY, revoked.address, 3_600)
    await suspendAs(shortLived, issuer.address)
    await suspendAs(revoked, issuer.address)

    await mined(as(sys.didRegistry, issuer).revokeDelegate(issuer.address, VERI_KEY, revoked.address))
    await expectRejected(revoked, issuer.address)
    await increaseTime(chain.provider, 61)
    await expectRejected(shortLived, issuer.address)
  })

  it('follows an ERC-1056 owner change: the old key is locked out, the new owner and its delegates may write', async () => {
    const issuer = randomAccount(chain.provider)
    const [newOwner, delegate] = [randomAccount(chain.provider), randomAccount(chain.provider)]
    await suspendAs(issuer, issuer.address)
    await mined(as(sys.didRegistry, issuer).changeOwner(issuer.address, newOwner.address))
    expect(await sys.didRegistry.identityOwner(issuer.address)).toBe(newOwner.address)

    await expectRejected(issuer, issuer.address)
    await suspendAs(newOwner, issuer.address)
    await addDelegate(newOwner, issuer.address, VERI_KEY, delegate.address, 3_600)
    await suspendAs(delegate, issuer.address)
    expect(await sys.status.isIssuerController(issuer.address, delegate.address)).toBe(true)
  })
})
