import type { ServiceContext } from '../app/service-context.js'
import { Governance } from '../issuing/governance/governance-proposals.js'
import { registerIssuerAction, accreditationChangeAction, type AccreditationChange } from '../issuing/governance/accreditation.js'
import { publishSchemas } from '../issuing/governance/publish-schemas.js'
import type { GovernanceMember } from '../issuing/governance/governance-members.js'
import { toIssuerAddress } from '../shared/identity/ethr-did.js'

export class CliError extends Error {}

function member(ctx: ServiceContext, alias: string | undefined, fallbackIndex: number): GovernanceMember {
  const found = alias
    ? ctx.members.find((m) => m.alias === alias || m.address.toLowerCase() === alias.toLowerCase())
    : ctx.members[fallbackIndex]
  if (!found)
    throw new CliError(
      `no governance member key ${alias ?? `#${fallbackIndex + 1}`} on this node (have: ${ctx.members.map((m) => m.alias).join(', ') || 'none'})`,
    )
  return found
}

async function departmentOrFail(ctx: ServiceContext, id: string) {
  const department = (await ctx.departments.get(id)) ?? (await ctx.departments.byDid(id))
  if (!department) throw new CliError(`unknown department ${id}; create it with "govcred department create"`)
  return department
}

/** `governance propose-accreditation --department ID [--as MEMBER]` */
export async function proposeAccreditation(ctx: ServiceContext, flags: { department: string; as?: string }) {
  const department = await departmentOrFail(ctx, flags.department)
  const state = await ctx.governance.propose(
    registerIssuerAction(ctx.deployments.contracts.trustedIssuers, department),
    member(ctx, flags.as, 0),
  )
  return ctx.governance.state(state.proposalId, ctx.members)
}

/** `governance approve PROPOSAL_ID [--as MEMBER]` */
export async function approveProposal(ctx: ServiceContext, proposalId: string, flags: { as?: string }) {
  if (!/^0x[0-9a-fA-F]{64}$/.test(proposalId)) throw new CliError('a proposal id is 0x followed by 64 hex digits')
  await ctx.governance.approve(proposalId, member(ctx, flags.as, 1))
  return ctx.governance.state(proposalId, ctx.members)
}

export async function proposalStatus(ctx: ServiceContext, proposalId: string) {
  return ctx.governance.state(proposalId, ctx.members)
}

/** `governance suspend|reinstate|revoke --issuer DID|ID [--as MEMBER] [--approve-with MEMBER]` */
export async function changeAccreditation(
  ctx: ServiceContext,
  change: AccreditationChange,
  flags: { issuer: string; as?: string; approveWith?: string },
) {
  const local = (await ctx.departments.get(flags.issuer)) ?? undefined
  const account = local?.account ?? toIssuerAddress(flags.issuer)
  if (!account) throw new CliError(`${flags.issuer} is neither a local department nor a did:ethr / address`)
  const action = accreditationChangeAction(ctx.deployments.contracts.trustedIssuers, account, change)
  let state = await ctx.governance.propose(action, member(ctx, flags.as, 0))
  if (flags.approveWith && !state.executed) state = await ctx.governance.approve(state.proposalId, member(ctx, flags.approveWith, 1))
  return { ...state, proposalId: Governance.proposalId(action) }
}

export async function publishAllSchemas(ctx: ServiceContext) {
  return publishSchemas(ctx.governance, ctx.members, ctx.registries.schemas)
}
