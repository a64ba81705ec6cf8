import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ServiceContext } from '../service/service-context.js'
import { signerFor } from '../governance/governance-members.js'
import { registerIssuerAction } from '../governance/accreditation.js'
import { publishSchemas, type SchemaPublication } from '../governance/publish-schemas.js'
import { DEMO_DEPARTMENTS } from './demo-departments.js'
import { ensureDepartment } from './create-department.js'
import type { Department } from './department-store.js'

export interface DemoBootstrap {
  departments: Department[]
  schemas: SchemaPublication[]
  file: string
}

/**
 * Idempotent: creates the three demo departments, accredits each through the governance path,
 * publishes every schema, and writes DATA_DIR/demo.json.
 */
export async function bootstrapDemo(ctx: ServiceContext): Promise<DemoBootstrap> {
  const departments: Department[] = []
  for (const profile of DEMO_DEPARTMENTS) {
    const department = await ensureDepartment(ctx.agent, ctx.departments, profile, ctx.deployments.name)
    await ctx.writer.addSigner(signerFor(ctx.agent, await ctx.agent.didManagerGet({ did: department.did })))
    if (!(await ctx.agent.trustRegistryGetIssuer({ issuer: department.account }))) {
      await ctx.governance.proposeAndApprove(registerIssuerAction(ctx.deployments.contracts.trustedIssuers, department), ctx.members)
    }
    departments.push(department)
  }
  const schemas = await publishSchemas(ctx.governance, ctx.members, ctx.deployments.contracts.schemas, ctx.provider)
  const file = join(ctx.config.dataDir, 'demo.json')
  const demo = {
    note: 'Demo departments of the embedded consortium chain. Do not use these in production.',
    network: ctx.deployments,
    departments: departments.map((d) => ({ id: d.id, name: d.name, nameEn: d.nameEn, did: d.did, account: d.account, credentialTypes: d.credentialTypes })),
  }
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 })
  return { departments, schemas, file }
}
