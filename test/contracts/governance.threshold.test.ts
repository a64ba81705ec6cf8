import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AbiCoder, id, keccak256 } from 'ethers'
import { as, deploySystem, eventsOf, mined, randomAccount, randomSalt, revertOf, startChain, type Chain, type System } from './helpers.js'

let chain: Chain
let sys: System

beforeAll(async () => {
  chain = await startChain()
  sys = await deploySystem(chain.provider, 3, 2)
})
afterAll(async () => {
  await chain?.stop()
})

/** A proposal to publish a fresh schema version: its effect is easy to observe. */
async function publishProposal(schemaId = `Schema-${randomSalt().slice(2, 10)}`) {
  const data = sys.schemas.interface.encodeFunctionData('publishSchema', [
    schemaId,
    '1.0.0',
    id(schemaId),
    `https://schemas.example.gov/${schemaId}`,
  ])
  return { schemaId, target: await sys.schemas.getAddress(), data, salt: randomSalt() }
}

async function propose(member: number, p: Awaited<ReturnType<typeof publishProposal>>): Promise<string> {
  const gov = as(sys.governance, sys.members[member]!)
  const proposalId: string = await gov.propose.staticCall(p.target, p.data, p.salt)
  await mined(gov.propose(p.target, p.data, p.salt))
  return proposalId
}

describe('ConsortiumGovernance: who may propose and approve', () => {
  it('rejects a proposal from a non-member', async () => {
    const p = await publishProposal()
    const outsider = randomAccount(chain.provider)
    const err = await revertOf(as(sys.governance, outsider).propose(p.target, p.data, p.salt), sys.governance)
    expect(err.name).toBe('NotMember')
    expect(err.args[0]).toBe(outsider.address)
  })

  it('rejects approve and execute from a non-member', async () => {
    const p = await publishProposal()
    const proposalId = await propose(0, p)
    const outsider = randomAccount(chain.provider)
    expect((await revertOf(as(sys.governance, outsider).approve(proposalId), sys.governance)).name).toBe('NotMember')
    expect((await revertOf(as(sys.governance, outsider).execute(proposalId), sys.governance)).name).toBe('NotMember')
    expect(await sys.governance.hasApproved(proposalId, outsider.address)).toBe(false)
  })
})

describe('ConsortiumGovernance: threshold', () => {
  it('computes the proposal id as keccak256(abi.encode(target, data, salt))', async () => {
    const p = await publishProposal()
    const expected = keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'bytes', 'bytes32'], [p.target, p.data, p.salt]))
    expect(await propose(0, p)).toBe(expected)
  })

  it('leaves a proposal below the threshold without effect', async () => {
    const p = await publishProposal()
    const gov = as(sys.governance, sys.members[0]!)
    const proposalId: string = await gov.propose.staticCall(p.target, p.data, p.salt)
    const receipt = await mined(gov.propose(p.target, p.data, p.salt))

    const [created] = eventsOf(receipt, sys.governance, 'ProposalCreated')
    expect(created?.args.toObject()).toMatchObject({ proposalId, proposer: sys.members[0]!.address, target: p.target, data: p.data })
    expect(eventsOf(receipt, sys.governance, 'ProposalApproved')[0]?.args.approvals).toBe(1n)
    expect(eventsOf(receipt, sys.governance, 'ProposalExecuted')).toHaveLength(0)

    const [target, data, proposer, approvals, executed, createdAt] = await sys.governance.getProposal(proposalId)
    expect({ target, data, proposer, approvals, executed }).toEqual({
      target: p.target,
      data: p.data,
      proposer: sys.members[0]!.address,
      approvals: 1n,
      executed: false,
    })
    expect(createdAt).toBeGreaterThan(0n)
    expect(await sys.schemas.isPublished(p.schemaId, '1.0.0')).toBe(false)

    const below = await revertOf(gov.execute(proposalId), sys.governance)
    expect(below.name).toBe('BelowThreshold')
    expect([...below.args]).toEqual([proposalId, 1n, 2n])
  })

  it('executes when the approvals reach the threshold, exactly once', async () => {
    const p = await publishProposal()
    const proposalId = await propose(0, p)
    const receipt = await mined(as(sys.governance, sys.members[1]!).approve(proposalId))

    expect(eventsOf(receipt, sys.governance, 'ProposalApproved')[0]?.args.toObject()).toMatchObject({
      proposalId,
      member: sys.members[1]!.address,
      approvals: 2n,
    })
    expect(eventsOf(receipt, sys.governance, 'ProposalExecuted')[0]?.args.proposalId).toBe(proposalId)
    expect(eventsOf(receipt, sys.schemas, 'SchemaPublished')).toHaveLength(1)
    expect(await sys.schemas.isPublished(p.schemaId, '1.0.0')).toBe(true)
    expect((await sys.governance.getProposal(proposalId))[4]).toBe(true)

    const third = as(sys.governance, sys.members[2]!)
    const again = await revertOf(third.approve(proposalId), sys.governance)
    expect(again.name).toBe('AlreadyExecuted')
    expect((await revertOf(third.execute(proposalId), sys.governance)).name).toBe('AlreadyExecuted')
  })

  it('rejects a second approval by the same member, a duplicate proposal and an unknown id', async () => {
    const p = await publishProposal()
    const proposalId = await propose(0, p)
    const dup = await revertOf(as(sys.governance, sys.members[0]!).approve(proposalId), sys.governance)
    expect(dup.name).toBe('AlreadyApproved')
    expect([...dup.args]).toEqual([proposalId, sys.members[0]!.address])

    const exists = await revertOf(as(sys.governance, sys.members[1]!).propose(p.target, p.data, p.salt), sys.governance)
    expect(exists.name).toBe('ProposalExists')

    const unknown = await revertOf(as(sys.governance, sys.members[1]!).approve(randomSalt()), sys.governance)
    expect(unknown.name).toBe('UnknownProposal')
  })

  it('reverts with ExecutionFailed carrying the target error, and the proposal can be retried', async () => {
    const schemaId = `Retry-${randomSalt().slice(2, 10)}`
    const data = sys.schemas.interface.encodeFunctionData('deprecateSchema', [schemaId, '1.0.0'])
    const target = await sys.schemas.getAddress()
    const salt = randomSalt()
    const gov0 = as(sys.governance, sys.members[0]!)
    const proposalId: string = await gov0.propose.staticCall(target, data, salt)
    await mined(gov0.propose(target, data, salt))

    const failed = await revertOf(as(sys.governance, sys.members[1]!).approve(proposalId), sys.governance, sys.schemas)
    expect(failed.name).toBe('ExecutionFailed')
    expect(failed.args[0]).toBe(proposalId)
    expect(failed.inner?.name).toBe('UnknownSchema')
    expect((await sys.governance.getProposal(proposalId))[3]).toBe(1n)
    expect((await sys.governance.getProposal(proposalId))[4]).toBe(false)

    // Publish the schema through another proposal; now the same deprecation proposal goes through.
    const publish = sys.schemas.interface.encodeFunctionData('publishSchema', [
      schemaId,
      '1.0.0',
      id(schemaId),
      'https://schemas.example.gov/x',
    ])
    const publishId = await gov0.propose.staticCall(target, publish, salt)
    await mined(gov0.propose(target, publish, salt))
    await mined(as(sys.governance, sys.members[2]!).approve(publishId))

    const receipt = await mined(as(sys.governance, sys.members[1]!).approve(proposalId))
    expect(eventsOf(receipt, sys.governance, 'ProposalExecuted')).toHaveLength(1)
    expect((await sys.schemas.getSchema(schemaId, '1.0.0'))[3]).toBe(true)
  })
})
