import { getAddress, hexlify, isAddress, randomBytes } from 'ethers'
import type { Config } from '../config/config.js'
import { openKeyStore, type ServiceContext } from '../app/service-context.js'
import { Governance, type GovernanceAction, type ProposalState } from '../issuing/governance/governance-proposals.js'
import { registerIssuerAction, accreditationChangeAction, type AccreditationChange } from '../issuing/governance/accreditation.js'
import { publishSchemas } from '../issuing/governance/publish-schemas.js'
import { createMemberKey, type GovernanceMember } from '../issuing/governance/governance-members.js'
import { describeProposal, type ProposalDescription } from '../issuing/governance/describe-proposal.js'
import { toIssuerAddress } from '../shared/identity/ethr-did.js'
import type { Logger } from '../shared/logger.js'

export class CliError extends Error {}

const PROPOSAL_ID = /^0x[0-9a-fA-F]{64}$/

/**
 * The demo: the embedded chain with GOVCRED_DEMO, where this node holds every member key. Only there may one
 * node approve with a second key of its own key store (`--approve-with`, or `approve` after proposing).
 */
export const isGovernanceDemo = (config: Config): boolean => config.demo && config.chain.mode === 'embedded'

function member(ctx: ServiceContext, alias: string | undefined, fallbackIndex: number): GovernanceMember {
  const found = alias
    ? ctx.members.find((m) => m.alias === alias || m.alias === `governance-${alias}` || m.address.toLowerCase() === alias.toLowerCase())
    : (ctx.members[fallbackIndex] ?? ctx.members[0])
  if (!found)
    throw new CliError(
      `no governance member key ${alias ?? `#${fallbackIndex + 1}`} on this node (have: ${ctx.members.map((m) => m.alias).join(', ') || 'none'}); ` +
        'a member creates one with "govcred governance member-key"',
    )
  return found
}

function proposalIdOrFail(proposalId: string): string {
  if (!PROPOSAL_ID.test(proposalId)) throw new CliError('a proposal id is 0x followed by 64 hex digits')
  return proposalId
}

function addressOrFail(value: string, what: string): string {
  const address = toIssuerAddress(value) ?? (isAddress(value) ? value : undefined)
  if (!address) throw new CliError(`${what} must be a 0x address or a did:ethr (got "${value}")`)
  return getAddress(address)
}

async function departmentOrFail(ctx: ServiceContext, id: string) {
  const department = (await ctx.departments.get(id)) ?? (await ctx.departments.byDid(id))
  if (!department) throw new CliError(`unknown department ${id}; create it with "govcred department create"`)
  return department
}

/** `governance member-key [--alias NAME]`: a member key in this machine's key store; the address goes to the deployer. */
export async function memberKey(config: Config, logger: Logger, flags: { alias?: string }) {
  const store = await openKeyStore(config, { logger })
  try {
    const key = await createMemberKey(store.agent, store.networkName, flags.alias)
    return {
      alias: key.alias,
      address: key.address,
      did: key.did,
      next: 'hand the address (never the key) to whoever runs "govcred deploy": GOVCRED_GOVERNANCE_MEMBERS=0x…,0x…,0x…',
    }
  } finally {
    await store.close()
  }
}

/** `governance propose-accreditation --department ID [--as MEMBER]` */
export async function proposeAccreditation(ctx: ServiceContext, flags: { department: string; as?: string }) {
  const department = await departmentOrFail(ctx, flags.department)
  const state = await ctx.governance.propose(
    registerIssuerAction(ctx.deployments.contracts.trustedIssuers, department),
    member(ctx, flags.as, 0),
  )
  return proposalStatus(ctx, state.proposalId)
}

/**
 * `governance approve PROPOSAL_ID [--as MEMBER]`. Outside the demo this node refuses when its key store holds the
 * proposer's key or that of a member who already approved: the next approval must come from another member's node.
 */
export async function approveProposal(ctx: ServiceContext, proposalId: string, flags: { as?: string }) {
  proposalIdOrFail(proposalId)
  if (isGovernanceDemo(ctx.config)) await ctx.governance.approve(proposalId, member(ctx, flags.as, 1))
  else await ctx.governance.approveIndependently(proposalId, member(ctx, flags.as, 0), ctx.members)
  return proposalStatus(ctx, proposalId)
}

/** `governance cancel PROPOSAL_ID [--as MEMBER]`: the proposer withdraws an open proposal. */
export async function cancelProposal(ctx: ServiceContext, proposalId: string, flags: { as?: string }) {
  proposalIdOrFail(proposalId)
  let signer: GovernanceMember
  if (flags.as) signer = member(ctx, flags.as, 0)
  else {
    const state = await ctx.governance.state(proposalId)
    const proposer = state.proposer && ctx.members.find((m) => m.address.toLowerCase() === state.proposer!.toLowerCase())
    if (!state.exists) throw new CliError(`no proposal ${proposalId} on chain`)
    if (!proposer) throw new CliError(`this node does not hold the key of the proposer (${state.proposer}); only the proposer can cancel`)
    signer = proposer
  }
  await ctx.governance.cancel(proposalId, signer)
  return proposalStatus(ctx, proposalId)
}

/** What `governance status` prints: what the proposal does, where it stands, the threshold and who approved. */
export interface ProposalReport extends Omit<ProposalState, 'approvedBy'> {
  does?: string
  call?: ProposalDescription
  approvedBy: { address: string; name?: string }[]
}

/** `governance status PROPOSAL_ID` */
export async function proposalStatus(ctx: ServiceContext, proposalId: string): Promise<ProposalReport> {
  proposalIdOrFail(proposalId)
  const state = await ctx.governance.state(proposalId)
  const nameOf = accountNamer(ctx)
  const approvedBy = await Promise.all(state.approvedBy.map(async (address) => ({ address, name: await nameOf(address) })))
  if (!state.exists) return { ...state, approvedBy }
  const proposal = (await ctx.registries.governance.proposal(proposalId))!
  const call = await describeProposal(ctx.deployments.contracts, proposal.target, proposal.data, nameOf)
  return { ...state, does: call.text, call, approvedBy }
}

/** Names an address: a local department, a member key of this node, a registered issuer, or the governance itself. */
function accountNamer(ctx: ServiceContext) {
  return async (address: string): Promise<string | undefined> => {
    const lower = address.toLowerCase()
    if (lower === ctx.deployments.contracts.governance.toLowerCase()) return 'ConsortiumGovernance (the consortium itself)'
    const department = (await ctx.departments.list()).find((d) => d.account.toLowerCase() === lower)
    if (department)
      return department.nameEn && department.nameEn !== department.name ? `${department.nameEn} (${department.name})` : department.name
    const local = ctx.members.find((m) => m.address.toLowerCase() === lower)
    if (local) return `member key ${local.alias} on this node`
    const issuer = await ctx.registries.trustedIssuers.getIssuer(address).catch(() => null)
    return issuer?.name || undefined
  }
}

/** `governance members`: the consortium on chain, and which member keys this node holds. */
export async function governanceMembers(ctx: ServiceContext) {
  const [members, threshold, proposalLifetimeSeconds] = await Promise.all([
    ctx.registries.governance.members(),
    ctx.registries.governance.threshold(),
    ctx.registries.governance.proposalLifetime(),
  ])
  const local = new Map(ctx.members.map((m) => [m.address.toLowerCase(), m]))
  return {
    threshold,
    proposalLifetimeSeconds,
    members: members.map((address) => ({ address, localKey: local.get(address.toLowerCase())?.alias })),
    localKeys: ctx.members.map((m) => ({ alias: m.alias, did: m.did, address: m.address, member: members.includes(m.address) })),
  }
}

function governanceAction(ctx: ServiceContext, method: string, args: unknown[], label: string): GovernanceAction {
  return {
    contract: 'ConsortiumGovernance',
    target: ctx.deployments.contracts.governance,
    method,
    args,
    salt: hexlify(randomBytes(32)),
    label,
  }
}

/** `governance propose-member-add ADDRESS [--as MEMBER]` */
export async function proposeMemberAdd(ctx: ServiceContext, account: string, flags: { as?: string }) {
  const address = addressOrFail(account, 'the new member')
  if (await ctx.registries.governance.isMember(address)) throw new CliError(`${address} is already a member`)
  const state = await ctx.governance.propose(
    governanceAction(ctx, 'addMember', [address], `add member ${address}`),
    member(ctx, flags.as, 0),
  )
  return proposalStatus(ctx, state.proposalId)
}

/** `governance propose-member-remove ADDRESS [--as MEMBER]` */
export async function proposeMemberRemove(ctx: ServiceContext, account: string, flags: { as?: string }) {
  const address = addressOrFail(account, 'the member to remove')
  const [members, threshold] = await Promise.all([ctx.registries.governance.members(), ctx.registries.governance.threshold()])
  if (!members.includes(address)) throw new CliError(`${address} is not a member`)
  if (threshold > members.length - 1) {
    throw new CliError(
      `removing ${address} would leave ${members.length - 1} members for a threshold of ${threshold}: lower the threshold first`,
    )
  }
  const action = governanceAction(ctx, 'removeMember', [address], `remove member ${address}`)
  const state = await ctx.governance.propose(action, member(ctx, flags.as, 0))
  return proposalStatus(ctx, state.proposalId)
}

/** `governance propose-threshold N [--as MEMBER]` */
export async function proposeThreshold(ctx: ServiceContext, value: string, flags: { as?: string }) {
  const threshold = Number(value)
  const members = await ctx.registries.governance.members()
  if (!/^\d+$/.test(value) || threshold < 1 || threshold > members.length) {
    throw new CliError(`the threshold must be an integer between 1 and ${members.length}, the number of members (got "${value}")`)
  }
  const state = await ctx.governance.propose(
    governanceAction(ctx, 'setThreshold', [threshold], `set threshold to ${threshold}`),
    member(ctx, flags.as, 0),
  )
  return proposalStatus(ctx, state.proposalId)
}

/** `governance suspend|reinstate|revoke --issuer DID|ID [--as MEMBER] [--approve-with MEMBER]` (--approve-with: demo only) */
export async function changeAccreditation(
  ctx: ServiceContext,
  change: AccreditationChange,
  flags: { issuer: string; as?: string; approveWith?: string },
) {
  if (flags.approveWith && !isGovernanceDemo(ctx.config)) {
    throw new CliError(
      '--approve-with works only in the demo (embedded chain with GOVCRED_DEMO): outside it a second approval must come ' +
        'from another member\'s node with "govcred governance approve PROPOSAL_ID"',
    )
  }
  const local = (await ctx.departments.get(flags.issuer)) ?? undefined
  const account = local?.account ?? toIssuerAddress(flags.issuer)
  if (!account) throw new CliError(`${flags.issuer} is neither a local department nor a did:ethr / address`)
  const action = accreditationChangeAction(ctx.deployments.contracts.trustedIssuers, account, change)
  let state = await ctx.governance.propose(action, member(ctx, flags.as, 0))
  if (flags.approveWith && !state.executed) state = await ctx.governance.approve(state.proposalId, member(ctx, flags.approveWith, 1))
  return proposalStatus(ctx, Governance.proposalId(action))
}

/** `schema publish`: in the demo this node approves with all its keys; elsewhere it proposes with one, others approve. */
export async function publishAllSchemas(ctx: ServiceContext) {
  const signers = isGovernanceDemo(ctx.config) ? ctx.members : [member(ctx, undefined, 0)]
  return publishSchemas(ctx.governance, signers, ctx.registries.schemas)
}
