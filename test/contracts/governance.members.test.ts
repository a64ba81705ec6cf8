import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZeroAddress, type Contract, type Wallet } from 'ethers'
import {
  as,
  deploy,
  eventsOf,
  governed,
  mined,
  PROPOSAL_LIFETIME,
  randomAccount,
  randomAccounts,
  randomSalt,
  revertOf,
  startChain,
  type Chain,
} from './helpers.js'

let chain: Chain
let deployer: Wallet

beforeAll(async () => {
  chain = await startChain()
  deployer = randomAccount(chain.provider)
})
afterAll(async () => {
  await chain?.stop()
})

interface Council {
  governance: Contract
  members: Wallet[]
}

/** A governance contract of its own per test, so tests do not depend on each other's membership changes. */
async function council(memberCount: number, threshold: number): Promise<Council> {
  const members = randomAccounts(chain.provider, memberCount)
  const governance = await deploy(
    'ConsortiumGovernance',
    deployer,
    members.map((m) => m.address),
    threshold,
    PROPOSAL_LIFETIME,
  )
  return { governance, members }
}

/** Proposes a call on the governance contract itself, approved by the proposer only. */
async function proposeSelf(c: Council, proposer: Wallet, fn: string, args: unknown[]): Promise<string> {
  const target = await c.governance.getAddress()
  const data = c.governance.interface.encodeFunctionData(fn, args)
  const salt = randomSalt()
  const gov = as(c.governance, proposer)
  const proposalId: string = await gov.propose.staticCall(target, data, salt)
  await mined(gov.propose(target, data, salt))
  return proposalId
}

describe('ConsortiumGovernance: constructor', () => {
  it('requires 1 <= threshold <= members and distinct members', async () => {
    const probe = (await council(1, 1)).governance
    const [a, b] = randomAccounts(chain.provider, 2).map((w) => w.address)
    for (const threshold of [0, 3]) {
      const err = await revertOf(deploy('ConsortiumGovernance', deployer, [a, b], threshold, PROPOSAL_LIFETIME), probe)
      expect(err.name).toBe('InvalidThreshold')
      expect([...err.args]).toEqual([BigInt(threshold), 2n])
    }
    expect((await revertOf(deploy('ConsortiumGovernance', deployer, [a, a], 1, PROPOSAL_LIFETIME), probe)).name).toBe('AlreadyMember')
    expect((await revertOf(deploy('ConsortiumGovernance', deployer, [a, ZeroAddress], 1, PROPOSAL_LIFETIME), probe)).name).toBe(
      'InvalidMember',
    )
  })

  it('refuses to make the governance contract a member of itself', async () => {
    const c = await council(2, 1)
    const err = await revertOf(governed(c, c.governance, 'addMember', [await c.governance.getAddress()]), c.governance)
    expect(err.inner?.name).toBe('InvalidMember')
  })

  it('starts with the given members and threshold', async () => {
    const c = await council(3, 2)
    expect(await c.governance.getMembers()).toEqual(c.members.map((m) => m.address))
    expect(await c.governance.threshold()).toBe(2n)
    for (const m of c.members) expect(await c.governance.isMember(m.address)).toBe(true)
    expect(await c.governance.isMember(deployer.address)).toBe(false)
  })
})

describe('ConsortiumGovernance: members and threshold change only through governance', () => {
  it('rejects direct calls to addMember, removeMember and setThreshold, even from a member', async () => {
    const c = await council(3, 2)
    const member = c.members[0]!
    const gov = as(c.governance, member)
    const calls = [
      () => gov.addMember(randomAccount(chain.provider).address),
      () => gov.removeMember(c.members[1]!.address),
      () => gov.setThreshold(1),
    ]
    for (const call of calls) {
      const err = await revertOf(call(), c.governance)
      expect(err.name).toBe('NotGovernance')
      expect(err.args[0]).toBe(member.address)
    }
    expect(await c.governance.threshold()).toBe(2n)
    expect(await c.governance.getMembers()).toHaveLength(3)
  })

  it('adds a member who can then propose, and changes the threshold', async () => {
    const c = await council(3, 2)
    const newcomer = randomAccount(chain.provider)
    const added = await governed(c, c.governance, 'addMember', [newcomer.address])
    expect(eventsOf(added.receipts.at(-1)!, c.governance, 'MemberAdded')[0]?.args[0]).toBe(newcomer.address)
    expect(await c.governance.isMember(newcomer.address)).toBe(true)

    const raised = await governed({ ...c, members: [newcomer, ...c.members] }, c.governance, 'setThreshold', [3])
    expect(eventsOf(raised.receipts.at(-1)!, c.governance, 'ThresholdChanged')[0]?.args.threshold).toBe(3n)
    expect(await c.governance.threshold()).toBe(3n)

    const again = await revertOf(governed(c, c.governance, 'addMember', [newcomer.address]), c.governance)
    expect(again.name).toBe('ExecutionFailed')
    expect(again.inner?.name).toBe('AlreadyMember')
  })

  it('refuses a threshold above the member count or a removal that would leave it unreachable', async () => {
    const c = await council(2, 2)
    const tooHigh = await revertOf(governed(c, c.governance, 'setThreshold', [3]), c.governance)
    expect(tooHigh.inner?.name).toBe('InvalidThreshold')
    expect([...tooHigh.inner!.args]).toEqual([3n, 2n])

    const removal = await revertOf(governed(c, c.governance, 'removeMember', [c.members[1]!.address]), c.governance)
    expect(removal.name).toBe('ExecutionFailed')
    expect(removal.inner?.name).toBe('InvalidThreshold')
    expect([...removal.inner!.args]).toEqual([2n, 1n])
    expect(await c.governance.getMembers()).toHaveLength(2)
  })

  it('removes a member, who can no longer propose or approve', async () => {
    const c = await council(3, 2)
    const leaving = c.members[2]!
    const removed = await governed(c, c.governance, 'removeMember', [leaving.address])
    expect(eventsOf(removed.receipts.at(-1)!, c.governance, 'MemberRemoved')[0]?.args[0]).toBe(leaving.address)
    expect(await c.governance.isMember(leaving.address)).toBe(false)
    expect(await c.governance.getMembers()).toHaveLength(2)

    expect((await revertOf(proposeSelf(c, leaving, 'setThreshold', [1]), c.governance)).name).toBe('NotMember')
    const pending = await proposeSelf(c, c.members[0]!, 'setThreshold', [1])
    expect((await revertOf(as(c.governance, leaving).approve(pending), c.governance)).name).toBe('NotMember')
  })

  it('stops counting the approval of a member who is removed, also after re-admission', async () => {
    const c = await council(4, 3)
    const [a, b, d] = [c.members[0]!, c.members[1]!, c.members[3]!]
    const pending = await proposeSelf(c, d, 'setThreshold', [1])
    await mined(as(c.governance, a).approve(pending))
    expect((await c.governance.getProposal(pending))[3]).toBe(2n)

    // a, b and c remove d (3 of 4); d's approval of `pending` no longer counts.
    await governed({ ...c, members: c.members.slice(0, 3) }, c.governance, 'removeMember', [d.address])
    expect((await c.governance.getProposal(pending))[3]).toBe(1n)
    expect(await c.governance.hasApproved(pending, d.address)).toBe(false)

    await governed({ ...c, members: c.members.slice(0, 3) }, c.governance, 'addMember', [d.address])
    expect((await c.governance.getProposal(pending))[3]).toBe(1n)
    await mined(as(c.governance, b).approve(pending))
    expect((await c.governance.getProposal(pending))[4]).toBe(false)
  })

  it('lets an accrued proposal be executed after the threshold is lowered', async () => {
    const c = await council(3, 3)
    const [a, b, cc] = c.members as [Wallet, Wallet, Wallet]
    const target = randomAccount(chain.provider).address
    const pending = await proposeSelf(c, a, 'addMember', [target])
    await mined(as(c.governance, b).approve(pending))
    const below = await revertOf(as(c.governance, a).execute(pending), c.governance)
    expect([...below.args]).toEqual([pending, 2n, 3n])

    const lower = await proposeSelf(c, a, 'setThreshold', [2])
    await mined(as(c.governance, b).approve(lower))
    await mined(as(c.governance, cc).approve(lower))
    expect(await c.governance.threshold()).toBe(2n)

    const receipt = await mined(as(c.governance, cc).execute(pending))
    expect(eventsOf(receipt, c.governance, 'ProposalExecuted')[0]?.args[0]).toBe(pending)
    expect(await c.governance.isMember(target)).toBe(true)
  })
})
