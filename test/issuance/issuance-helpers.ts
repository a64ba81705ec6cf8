/**
 * Shared helpers of the issuance tests: the demo departments of a running test service, HTTP calls with
 * their keys, row counts, and direct reads of the CredentialStatusRegistry.
 *
 * @example
 * const demo = readDemo(service)
 * const { status, body } = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Contract } from 'ethers'
import { decodeJWT } from 'did-jwt'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import type { DepartmentPrincipal } from '../../src/issuing/departments/department-principal.js'
import type { TestService } from '../helpers/service.js'

export interface DemoDepartment {
  id: string
  did: string
  account: string
  apiKey: string
  credentialTypes: string[]
}

export interface Demo {
  market: DemoDepartment
  realEstate: DemoDepartment
  socialSecurity: DemoDepartment
}

/** The three demo departments with their API keys, from `<dataDir>/demo.json`. */
export function readDemo(service: Pick<TestService, 'dataDir'>): Demo {
  const file = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { departments: DemoDepartment[] }
  const byId = (id: string) => {
    const found = file.departments.find((d) => d.id === id)
    if (!found) throw new Error(`demo.json has no department ${id}`)
    return found
  }
  return {
    market: byId('market-supervision'),
    realEstate: byId('real-estate-registration'),
    socialSecurity: byId('human-resources-social-security'),
  }
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

/** POST /v1/credentials; `holder` defaults to the claims' id, which is removed from the claims. */
export async function issue(service: TestService, key: string, type: string, claims: object, extra: Record<string, unknown> = {}) {
  const { id, ...rest } = claims as Record<string, unknown>
  return service.api('/v1/credentials', { headers: bearer(key), body: { type, holder: id, claims: rest, ...extra } })
}

/** POST /v1/credentials/{id}/{action}. */
export async function changeStatus(
  service: TestService,
  key: string,
  id: string,
  action: 'revoke' | 'suspend' | 'reinstate',
  headers: Record<string, string> = {},
) {
  return service.api(`/v1/credentials/${encodeURIComponent(id)}/${action}`, { method: 'POST', headers: { ...bearer(key), ...headers } })
}

/** The signed JWT payload (what a verifier trusts). */
export function payloadOf(jwt: string): Record<string, any> {
  return decodeJWT(jwt).payload as Record<string, any>
}

export interface RowCounts {
  credentials: number
  audit: number
  statusChanges: number
  propertyUnits: number
  outbox: number
}

/** Row counts of every table a request could write to. */
export async function countRows(service: TestService): Promise<RowCounts> {
  const n = async (table: string) => Number((await service.ctx.db.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n)
  return {
    credentials: await n('govcred_credentials'),
    audit: await n('govcred_audit_log'),
    statusChanges: await n('govcred_status_changes'),
    propertyUnits: await n('govcred_property_units'),
    outbox: await n('govcred_chain_outbox'),
  }
}

/** The CredentialStatusRegistry, read straight from the chain with ethers. */
export function statusRegistry(service: TestService): Contract {
  return new Contract(service.ctx.deployments.contracts.status, loadArtifact('CredentialStatusRegistry').abi, service.ctx.provider)
}

/** statusOf(issuer, index) at a block (latest by default). */
export async function bitsOnChain(
  service: TestService,
  account: string,
  index: number,
  blockTag?: number,
): Promise<{ revoked: boolean; suspended: boolean }> {
  const [revoked, suspended] = await statusRegistry(service).statusOf(account, BigInt(index), blockTag === undefined ? {} : { blockTag })
  return { revoked, suspended }
}

/** The statusListIndex a credential carries (both entries share it). */
export function statusIndexOf(credential: Record<string, any>): number {
  const entries = credential.credentialStatus as { statusListIndex: string }[]
  return Number(entries[0].statusListIndex)
}

/** A principal as the HTTP layer builds it, for calling the issuance functions directly. */
export async function principalFor(service: TestService, departmentId: string): Promise<DepartmentPrincipal> {
  const department = await service.ctx.departments.get(departmentId)
  if (!department) throw new Error(`no department ${departmentId}`)
  return { department, apiKeyId: `test:${departmentId}`, scopes: department.credentialTypes }
}

/** Runs `task` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await task(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last answer. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** A structurally valid GB/T 37346 unit number in 鼓楼区, distinct per `n`. */
export const unitNumber = (n: number) => `320106003005GB00123F${String(n).padStart(8, '0')}`

/** A fresh holder DID (did:ethr with a random-looking address derived from `n`). */
export const holderDid = (n: number) => `did:ethr:0x${(0x1000 + n).toString(16).padStart(40, '0')}`
