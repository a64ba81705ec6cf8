import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Contract, Wallet } from 'ethers'
import {
  as,
  deploy,
  eventsOf,
  increaseTime,
  mined,
  PROPOSAL_LIFETIME,
  randomAccount,
  randomAccounts,
  randomSalt,
  revertOf,
  startChain,
  type Chain,
} from './helpers.js'

const Status = { None: 0n, Open: 1n, Executed: 2n, Expired: 3n, Cancelled: 4n } as const

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

async function council(memberCount = 3, threshold = 2, lifetime = PROPOSAL_LIFETIME): Promise<Council> {
  const members = randomAccounts(chain.provider, memberCount)
  const governance = await deploy(
    'ConsortiumGovernance',
    deployer,
    members.map((m) => m.address),
    threshold,
    lifetime,
  )
  return { governance, members }
}

/** `proposer` proposes setThreshold(1) on the council itself (salted, so each call is a new proposal). */
async function proposeSetThreshold(c: Council, proposer: Wallet, salt = randomSalt()): Promise<string> {
  const target = await c.governance.getAddress()
  const data = c.governance.interface.encodeFunctionData('setThreshold', [1])
  const gov = as(c.governance, proposer)
  const proposalId: string = await gov.propose.staticCall(target, data, salt)
  await mined(gov.propose(target, data, salt))
  return proposalId
}

describe('ConsortiumGovernance: proposal lifetime', () => {
  it('is fixed at deployment and must be between 60 s and 3650 days', async () => {
    const c = await council(3, 2, 3600)
    expect(await c.governance.proposalLifetime()).toBe(3600n)
    const [a] = randomAccounts(chain.provider, 1).map((w) => w.address)
    for (const lifetime of [0, 59, 3650 * 86400 + 1]) {
      const err = await revertOf(deploy('ConsortiumGovernance', deployer, [a], 1, lifetime), c.governance)
      expect(err.name).toBe('InvalidLifetime')
    }
  })

  it('reports the expiry and an open status while the proposal is young', async () => {
    const c = await council()
    const proposalId = await proposeSetThreshold(c, c.members[0]!)
    const [status, expiresAt, createdBlock, round] = await c.governance.getProposalStatus(proposalId)
    const createdAt = (await c.governance.getProposal(proposalId))[5] as bigint
    expect(status).toBe(Status.Open)
    expect(expiresAt).toBe(createdAt + BigInt(PROPOSAL_LIFETIME))
    expect(createdBlock).toBeGreaterThan(0n)
    expect(round).toBe(0n)
    expect((await c.governance.getProposalStatus(randomSalt()))[0]).toBe(Status.None)
  })

  it('refuses approval and execution of an expired proposal with ProposalExpired', async () => {
    const c = await council()
    const proposalId = await proposeSetThreshold(c, c.members[0]!)
    await increaseTime(chain.provider, PROPOSAL_LIFETIME)
    expect((await c.governance.getProposalStatus(proposalId))[0]).toBe(Status.Expired)
    const approve = await revertOf(as(c.governance, c.members[1]!).approve(proposalId), c.governance)
    expect(approve.name).toBe('ProposalExpired')
    expect(approve.args[0]).toBe(proposalId)
    const execute = await revertOf(as(c.governance, c.members[0]!).execute(proposalId), c.governance)
    expect(execute.name).toBe('ProposalExpired')
    expect(await c.governance.threshold()).toBe(2n)
  })

  it('still accepts an approval just before the lifetime ends', async () => {
    const c = await council()
    const proposalId = await proposeSetThreshold(c, c.members[0]!)
    await increaseTime(chain.provider, PROPOSAL_LIFETIME - 30)
    await mined(as(c.governance, c.members[1]!).approve(proposalId))
    expect((await c.governance.getProposalStatus(proposalId))[0]).toBe(Status.Executed)
    expect(await c.governance.threshold()).toBe(1n)
  })

  it('lets an expired id be proposed again, without the earlier approvals', async () => {
    const c = await council(3, 3)
    const salt = randomSalt()
    const proposalId = await proposeSetThreshold(c, c.members[0]!, salt)
    await mined(as(c.governance, c.members[1]!).approve(proposalId))
    await increaseTime(chain.provider, PROPOSAL_LIFETIME)
    expect(await proposeSetThreshold(c, c.members[2]!, salt)).toBe(proposalId)
    const [status, , , round] = await c.governance.getProposalStatus(proposalId)
    expect(status).toBe(Status.Open)
    expect(round).toBe(1n)
    expect((await c.governance.getProposal(proposalId))[3]).toBe(1n)
    expect(await c.governance.hasApproved(proposalId, c.members[1]!.address)).toBe(false)
    expect(await c.governance.hasApproved(proposalId, c.members[2]!.address)).toBe(true)
  })
})

describe('ConsortiumGovernance: cancel', () => {
  it('lets the proposer cancel, with an event; the proposal can then not be approved or executed', async () => {
    const c = await council()
    const proposalId = await proposeSetThreshold(c, c.members[0]!)
    const receipt = await mined(as(c.governance, c.members[0]!).cancel(proposalId))
    const [event] = eventsOf(receipt, c.governance, 'ProposalCancelled')
    expect(event?.args[0]).toBe(proposalId)
    expect(event?.args[1]).toBe(c.members[0]!.address)
    expect((await c.governance.getProposalStatus(proposalId))[0]).toBe(Status.Cancelled)
    expect((await revertOf(as(c.governance, c.members[1]!).approve(proposalId), c.governance)).name).toBe('AlreadyCancelled')
    expect((await revertOf(as(c.governance, c.members[0]!).execute(proposalId), c.governance)).name).toBe('AlreadyCancelled')
    expect((await revertOf(as(c.governance, c.members[0]!).cancel(proposalId), c.governance)).name).toBe('AlreadyCancelled')
    expect(await c.governance.threshold()).toBe(2n)
  })

  it('refuses a cancel by another member, a non-member, or of an executed or expired proposal', async () => {
    const c = await council()
    const proposalId = await proposeSetThreshold(c, c.members[0]!)
    const other = await revertOf(as(c.governance, c.members[1]!).cancel(proposalId), c.governance)
    expect(other.name).toBe('NotProposer')
    expect([...other.args]).toEqual([proposalId, c.members[1]!.address])
    expect((await revertOf(as(c.governance, randomAccount(chain.provider)).cancel(proposalId), c.governance)).name).toBe('NotMember')
    expect((await revertOf(as(c.governance, c.members[0]!).cancel(randomSalt()), c.governance)).name).toBe('UnknownProposal')

    await mined(as(c.governance, c.members[1]!).approve(proposalId))
    expect((await revertOf(as(c.governance, c.members[0]!).cancel(proposalId), c.governance)).name).toBe('AlreadyExecuted')

    const later = await proposeSetThreshold(c, c.members[0]!)
    // Threshold is now 1, so that executed at once; use a fresh council for the expired case.
    expect((await c.governance.getProposalStatus(later))[0]).toBe(Status.Executed)
    const d = await council()
    const expiring = await proposeSetThreshold(d, d.members[0]!)
    await increaseTime(chain.provider, PROPOSAL_LIFETIME)
    expect((await revertOf(as(d.governance, d.members[0]!).cancel(expiring), d.governance)).name).toBe('ProposalExpired')
  })

  it('lets a cancelled id be proposed again as a new round', async () => {
    const c = await council()
    const salt = randomSalt()
    const proposalId = await proposeSetThreshold(c, c.members[0]!, salt)
    await mined(as(c.governance, c.members[0]!).cancel(proposalId))
    expect(await proposeSetThreshold(c, c.members[1]!, salt)).toBe(proposalId)
    expect((await c.governance.getProposal(proposalId))[2]).toBe(c.members[1]!.address)
    await mined(as(c.governance, c.members[2]!).approve(proposalId))
    expect((await c.governance.getProposalStatus(proposalId))[0]).toBe(Status.Executed)
  })
})
