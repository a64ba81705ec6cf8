import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ServiceContext } from './service-context.js'
import { signerFor } from '../issuing/governance/governance-members.js'
import { registerIssuerAction } from '../issuing/governance/accreditation.js'
import { publishSchemas, type SchemaPublication } from '../issuing/governance/publish-schemas.js'
import { DEMO_DEPARTMENTS } from '../issuing/departments/demo-departments.js'
import { ensureDepartment } from '../issuing/departments/create-department.js'
import type { Department } from '../issuing/departments/department-store.js'
import type { ApiKeyStore } from '../issuing/departments/api-keys/api-key-store.js'
import { GENERIC_SCOPE } from '../issuing/departments/department-principal.js'
import { RelyingPartyStore } from '../verifying/relying-parties/relying-party-store.js'
import type { RelyingPartyIdentities } from '../verifying/relying-parties/verifier-identity.js'
import { OperatorKeyStore } from '../accounts/operator-keys.js'
import type { PortalAccounts } from '../accounts/portal-accounts.js'
import { demoAccounts } from './demo-accounts.js'
import { makePrivate } from './data-permissions.js'

export interface DemoBootstrap {
  departments: Department[]
  schemas: SchemaPublication[]
  file: string
}

/**
 * Idempotent: creates the three demo departments, accredits each through the governance path,
 * publishes every schema, creates the demo portal accounts (with `accounts`), and writes DATA_DIR/demo.json (0600).
 */
export async function bootstrapDemo(
  ctx: ServiceContext,
  keys: ApiKeyStore,
  identities: RelyingPartyIdentities,
  accounts?: PortalAccounts,
): Promise<DemoBootstrap> {
  const departments: Department[] = []
  for (const profile of DEMO_DEPARTMENTS) {
    const department = await ensureDepartment(ctx.agent, ctx.departments, profile, ctx.deployments.name)
    await ctx.writer.addSigner(signerFor(ctx.agent, await ctx.agent.didManagerGet({ did: department.did })))
    if (!(await ctx.agent.trustRegistryGetIssuer({ issuer: department.account }))) {
      await ctx.governance.proposeAndApprove(registerIssuerAction(ctx.deployments.contracts.trustedIssuers, department), ctx.members)
    }
    departments.push(department)
  }
  const schemas = await publishSchemas(ctx.governance, ctx.members, ctx.registries.schemas)
  const file = join(ctx.config.dataDir, 'demo.json')
  // With generic issuance on (the embedded demo's default), the demo keys may issue generic credentials too.
  const scopesOf = (d: Department) => (ctx.config.issuance.genericIssuance ? [...d.credentialTypes, GENERIC_SCOPE] : d.credentialTypes)
  const apiKeys = await demoApiKeys(file, departments, keys, scopesOf)
  const bank = await demoRelyingParty(file, new RelyingPartyStore(ctx.db), identities)
  const operator = await demoOperatorKey(file, new OperatorKeyStore(ctx.db))
  const portalAccounts = accounts ? await demoAccounts(file, accounts, departments, { id: bank.id, name: bank.name }) : []
  const demo = {
    note: 'Demo departments of the embedded consortium chain. Do not use these in production.',
    network: ctx.deployments,
    departments: departments.map((d) => ({
      id: d.id,
      name: d.name,
      nameEn: d.nameEn,
      did: d.did,
      account: d.account,
      credentialTypes: d.credentialTypes,
      apiKey: apiKeys.get(d.id),
    })),
    relyingParties: [bank],
    operator,
    accounts: portalAccounts,
  }
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 })
  // The mode above applies to a new file only; the passwords in it are for the owner alone.
  makePrivate(file)
  return { departments, schemas, file }
}

/** Keeps the demo keys of an earlier start when they still work; creates the missing ones. */
async function demoApiKeys(
  file: string,
  departments: Department[],
  keys: ApiKeyStore,
  scopesOf: (department: Department) => string[],
): Promise<Map<string, string>> {
  const previous = new Map<string, string>()
  if (existsSync(file)) {
    try {
      for (const d of JSON.parse(readFileSync(file, 'utf8')).departments ?? []) if (d.apiKey) previous.set(d.id, d.apiKey)
    } catch {
      // an unreadable demo file is rewritten below
    }
  }
  const result = new Map<string, string>()
  for (const department of departments) {
    const known = previous.get(department.id)
    const scopes = scopesOf(department)
    const record = known ? await keys.authenticate(known) : undefined
    if (record?.departmentId === department.id) {
      if (record.scopes.length === scopes.length && scopes.every((s) => record.scopes.includes(s))) {
        result.set(department.id, known!)
        continue
      }
      // The setting changed since the key was made: replace it by one with the current scopes.
      await keys.revoke(record.id)
    }
    const created = await keys.create(department.id, scopes, 'demo key (embedded chain)')
    result.set(department.id, created.key)
  }
  return result
}

/** The demo platform operator's key (registers relying parties over HTTP), kept across starts while it works. */
async function demoOperatorKey(file: string, keys: OperatorKeyStore): Promise<{ apiKey: string; keyId: string }> {
  if (existsSync(file)) {
    try {
      const previous = JSON.parse(readFileSync(file, 'utf8')).operator?.apiKey
      const record = typeof previous === 'string' ? await keys.authenticate(previous) : undefined
      if (record) return { apiKey: previous, keyId: record.id }
    } catch {
      // an unreadable demo file is rewritten
    }
  }
  const created = await keys.create('demo operator key (embedded chain)')
  return { apiKey: created.key, keyId: created.id }
}

/**
 * The demo bank: a registered relying party whose key (kept across starts while it works) goes into demo.json,
 * with its verifier identity (made here: domain = the host of GOVCRED_PUBLIC_URL, where its response endpoint is).
 */
const DEMO_BANK = { id: 'demo-bank-of-nanjing', nameZh: '南京银行（演示）', nameEn: 'Demo Bank of Nanjing' }

async function demoRelyingParty(
  file: string,
  parties: RelyingPartyStore,
  identities: RelyingPartyIdentities,
): Promise<{ id: string; name: string; nameEn: string; apiKey: string; clientId: string; certificateSha256: string }> {
  const party = (await parties.get(DEMO_BANK.id)) ?? (await parties.create(DEMO_BANK))
  let apiKey: string | undefined
  if (existsSync(file)) {
    try {
      const previous = (JSON.parse(readFileSync(file, 'utf8')).relyingParties ?? []).find((p: { id?: string }) => p.id === party.id)
      if (typeof previous?.apiKey === 'string' && (await parties.authenticate(previous.apiKey))?.party.id === party.id) {
        apiKey = previous.apiKey
      }
    } catch {
      // an unreadable demo file is rewritten
    }
  }
  apiKey ??= (await parties.createKey(party.id, 'demo key (embedded chain)')).key
  const identity = await identities.current(party.id)
  return {
    id: party.id,
    name: party.nameZh,
    nameEn: party.nameEn,
    apiKey,
    clientId: identity.clientId,
    certificateSha256: identity.certificateSha256,
  }
}
