/**
 * What the credo one-stop test does over and over, as an outsider: publish a rule file through the department's
 * API, redeem an OpenID4VCI offer with credo's stock holder client, answer an OpenID4VP request with credo's DCQL
 * matching, wait for a condition, read a department's audit log and the audit head the chain holds.
 * Node builtins, credo, ethers and the interop service helper only: nothing from govcred's source.
 */
import { readFileSync } from 'node:fs'
import { setTimeout as delay } from 'node:timers/promises'
import { Kms, SdJwtVcRecord } from '@credo-ts/core'
import { Contract, JsonRpcProvider, keccak256, toUtf8Bytes } from 'ethers'
import { expect } from 'vitest'
import type { ServiceProcess } from '../service-process.js'
import type { HolderAgent } from './holder-agent.js'

/** A rule document of the repository's rules/ folder, as JSON. */
export function ruleFile(name: string): { id: string; version: string; department: string; [key: string]: unknown } {
  return JSON.parse(readFileSync(new URL(`../../../rules/${name}`, import.meta.url), 'utf8'))
}

/** Creates and publishes the rule as its department, unless that version is published already. */
export async function publishRule(service: ServiceProcess, key: string, rule: { id: string; version: string }): Promise<void> {
  const path = `/v1/onestop/rules/${encodeURIComponent(rule.id)}/${encodeURIComponent(rule.version)}`
  if ((await service.call(path)).status === 200) return
  const created = await service.call('/v1/onestop/rules', { key, body: rule })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  const published = await service.call(`${path}/publish`, { key, body: {} })
  expect(published.status, JSON.stringify(published.body)).toBe(200)
  expect((await service.call(path)).status).toBe(200)
}

/**
 * The stock holder flow on an offer deep link: resolve, token with the transaction code, the SD-JWT VC
 * configuration bound to a fresh ES256 key; credo verifies the credential (x5c to the trusted root) and stores it.
 */
export async function redeem(agent: HolderAgent, offerUri: string, txCode: string): Promise<SdJwtVcRecord> {
  const resolved = await agent.openid4vc.holder.resolveCredentialOffer(offerUri)
  const configurations = Object.keys(resolved.offeredCredentialConfigurations).filter((id) => id.endsWith('_sd_jwt'))
  expect(configurations, JSON.stringify(Object.keys(resolved.offeredCredentialConfigurations))).toHaveLength(1)
  const token = await agent.openid4vc.holder.requestToken({ resolvedCredentialOffer: resolved, txCode })
  const created = await agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
  const holderKey = Kms.PublicJwk.fromPublicJwk(created.publicJwk)
  const response = await agent.openid4vc.holder.requestCredentials({
    resolvedCredentialOffer: resolved,
    ...token,
    credentialConfigurationIds: configurations,
    allowedProofOfPossessionSignatureAlgorithms: [Kms.KnownJwaSignatureAlgorithms.ES256],
    credentialBindingResolver: () => ({ method: 'jwk', keys: [holderKey] }),
  })
  expect(response.credentials).toHaveLength(1)
  return agent.sdJwtVc.store({ record: response.credentials[0]!.record as SdJwtVcRecord })
}

/** As a department: an offer of `type` with `claims`, redeemed by the agent; the offer's id. */
export async function receiveFromDepartment(
  service: ServiceProcess,
  agent: HolderAgent,
  key: string,
  type: string,
  claims: unknown,
): Promise<{ offerId: string; record: SdJwtVcRecord }> {
  const offer = await service.call('/v1/credential-offers', { key, body: { type, claims } })
  expect(offer.status, JSON.stringify(offer.body)).toBe(201)
  return { offerId: offer.body.id as string, record: await redeem(agent, offer.body.offerUri, offer.body.txCode) }
}

/** The stock OpenID4VP flow: resolve the deep link (signed request object by request_uri), match DCQL, accept. */
export async function presentTo(agent: HolderAgent, deepLink: string) {
  const resolved = await agent.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(deepLink)
  const queryResult = resolved.dcql?.queryResult
  expect(queryResult?.can_be_satisfied, JSON.stringify(queryResult)).toBe(true)
  const credentials = agent.openid4vc.holder.selectCredentialsForDcqlRequest(queryResult!)
  const accepted = await agent.openid4vc.holder.acceptOpenId4VpAuthorizationRequest({
    authorizationRequestPayload: resolved.authorizationRequestPayload,
    dcql: { credentials },
  })
  expect(accepted.ok, JSON.stringify(accepted.ok ? {} : accepted.serverResponse)).toBe(true)
  return { resolved, accepted }
}

const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))

/** The claim names an SD-JWT presentation (`<jwt>~<disclosure>~…~<kb-jwt>`) discloses. */
export function disclosedNames(presentation: string): string[] {
  const parts = presentation.split('~')
  parts.pop()
  const [, ...disclosures] = parts.filter(Boolean)
  return disclosures.map((d) => decodePart(d) as unknown[]).map((d) => (d.length === 3 ? (d[1] as string) : '(array element)'))
}

/** Calls `read` until `done` holds of its answer or `timeoutMs` passes; the last answer either way. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!done(value) && Date.now() < deadline) {
    await delay(200)
    value = await read()
  }
  return value
}

export interface AuditEntry {
  seq: number
  action: string
  actor: string
  details: Record<string, any>
  hash: string
}

/** Every entry of the key's department's audit log (newest first), `action` only when given. */
export async function auditEntries(service: ServiceProcess, key: string, action?: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = []
  let before: number | null = null
  do {
    const query = new URLSearchParams({ limit: '200', ...(action ? { action } : {}), ...(before ? { before: String(before) } : {}) })
    const { status, body } = await service.call(`/v1/audit?${query}`, { key })
    expect(status, JSON.stringify(body)).toBe(200)
    entries.push(...(body.entries as AuditEntry[]))
    before = body.nextBefore as number | null
  } while (before !== null)
  return entries
}

/** The audit heads the chain holds for a department's account: AnchorRegistry's and CredentialStatusRegistry's. */
export async function onChainAuditHeads(
  network: { rpcUrl: string; contracts: { anchors: string; status: string } },
  account: string,
): Promise<{ anchorRegistry: string | null; statusRegistry: string | null }> {
  const provider = new JsonRpcProvider(network.rpcUrl, undefined, { staticNetwork: true })
  try {
    const anchors = new Contract(
      network.contracts.anchors,
      ['function anchorOf(address issuer, bytes32 key) view returns (bytes32 value, uint64 at)'],
      provider,
    )
    const status = new Contract(
      network.contracts.status,
      ['function auditHeadOf(address issuer) view returns (bytes32 head, uint64 at)'],
      provider,
    )
    // The AnchorRegistry key govcred's audit anchoring writes a department's head under.
    const [[anchorValue], [statusValue]] = await Promise.all([
      anchors.getFunction('anchorOf').staticCall(account, keccak256(toUtf8Bytes('govcred:audit-head'))),
      status.getFunction('auditHeadOf').staticCall(account),
    ])
    const head = (hash: string) => (/^0x0{64}$/.test(hash) ? null : hash.toLowerCase())
    return { anchorRegistry: head(anchorValue), statusRegistry: head(statusValue) }
  } finally {
    provider.destroy()
  }
}
