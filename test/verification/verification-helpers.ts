/**
 * Shared helpers of the verification tests: demo departments of a running test service, credentials
 * issued over HTTP to a holder wallet, credentials signed directly with a department's key (to make the
 * ones the API would refuse to issue), and the verifier's HTTP calls.
 *
 * @example
 * const demo = readDemo(service)
 * const wallet = await openWallet()
 * const holder = await wallet.createDid('key')
 * const issued = await issueThree(service, demo, holder)
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ES256KSigner, createJWT, decodeJWT, hexToBytes, type Signer } from 'did-jwt'
import { Wallet as EthersWallet, type JsonRpcProvider } from 'ethers'
import type { CredentialPayload } from '@veramo/core-types'
import { createApp } from '../../src/http/create-app.js'
import { healthProbes } from '../../src/app/health-probes.js'
import { silentLogger } from '../../src/shared/logger.js'
import type { ChainWatcher } from '../../src/verifying/chain-watcher.js'
import { createVerifierService, type VerifierService, type VerifierSettings } from '../../src/verifying/verifier-service.js'
import { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { businessLicenseClaims, propertyCertificateClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'
import type { TestService } from '../helpers/service.js'

export const THREE_TYPES = ['BusinessLicenseCredential', 'PropertyCertificateCredential', 'SocialSecurityStatusCredential'] as const
export type GovcredType = (typeof THREE_TYPES)[number]

/** Every check a verified presentation of govcred credentials lists. */
export const ALL_PRESENTATION_CHECKS = [
  'proof',
  'holderSignature',
  'presentationValidity',
  'challenge',
  'domain',
  'credentialProof',
  'credentialSignature',
  'issuerResolved',
  'issuerAccredited',
  'schema',
  'status',
  'validity',
  'holderIsSubject',
  'requestedTypes',
].sort()

export interface DemoDepartment {
  id: string
  did: string
  account: string
  apiKey: string
  credentialTypes: string[]
}

export type Demo = Record<GovcredType, DemoDepartment>

/** The demo departments of `<dataDir>/demo.json`, by the credential type each issues. */
export function readDemo(service: Pick<TestService, 'dataDir'>): Demo {
  const file = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { departments: DemoDepartment[] }
  const of = (type: GovcredType) => {
    const found = file.departments.find((d) => d.credentialTypes.includes(type))
    if (!found) throw new Error(`demo.json has no department for ${type}`)
    return found
  }
  return {
    BusinessLicenseCredential: of('BusinessLicenseCredential'),
    PropertyCertificateCredential: of('PropertyCertificateCredential'),
    SocialSecurityStatusCredential: of('SocialSecurityStatusCredential'),
  }
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

const CLAIMS: Record<GovcredType, () => Record<string, unknown>> = {
  BusinessLicenseCredential: () => businessLicenseClaims() as unknown as Record<string, unknown>,
  PropertyCertificateCredential: () => propertyCertificateClaims() as unknown as Record<string, unknown>,
  SocialSecurityStatusCredential: () => socialSecurityStatusClaims() as unknown as Record<string, unknown>,
}

let nextUnit = Math.floor(Math.random() * 90_000_000)

/** Valid claims of a type, without the fixture's subject id; each property certificate is for a unit of its own. */
export function claimsOf(type: GovcredType): Record<string, unknown> {
  const { id: _id, ...claims } = CLAIMS[type]()
  if (type === 'PropertyCertificateCredential') claims.propertyUnitNumber = `320106003005GB00123F${String(nextUnit++).padStart(8, '0')}`
  return claims
}

export interface Issued {
  id: string
  jwt: string
  type: GovcredType
  credential: Record<string, any>
}

/** POST /v1/credentials with the demo key of the type's department; throws unless 201. */
export async function issueOverHttp(service: TestService, demo: Demo, type: GovcredType, holder: string): Promise<Issued> {
  const { status, body } = await service.api('/v1/credentials', {
    headers: bearer(demo[type].apiKey),
    body: { type, holder, claims: claimsOf(type) },
  })
  if (status !== 201) throw new Error(`issuing ${type} answered ${status}: ${JSON.stringify(body)}`)
  return { id: body.id, jwt: body.jwt, type, credential: body.credential }
}

/** A business licence, a property certificate and a social-security status for `holder`. */
export async function issueThree(service: TestService, demo: Demo, holder: string): Promise<Record<GovcredType, Issued>> {
  const [a, b, c] = await Promise.all(THREE_TYPES.map((type) => issueOverHttp(service, demo, type, holder)))
  return { BusinessLicenseCredential: a!, PropertyCertificateCredential: b!, SocialSecurityStatusCredential: c! }
}

/** The signed JWT payload. */
export const payloadOf = (jwt: string) => decodeJWT(jwt).payload as Record<string, any>

/**
 * Signs a credential with a department's own key through the full service's agent, bypassing every
 * issuance policy of the API; starts from a real issued credential (its status entry and schema).
 */
export async function signAsDepartment(service: TestService, template: Issued, changes: Record<string, unknown> = {}): Promise<string> {
  // The API's credential carries the JWT claims beside the credential (removeOriginalFields: false); only the credential is re-signed.
  const { proof: _proof, sub: _sub, jti: _jti, nbf: _nbf, exp: _exp, iss: _iss, iat: _iat, ...base } = template.credential
  const credential = { ...base, ...changes }
  const signed = await service.ctx.agent.createVerifiableCredential({
    credential: credential as unknown as CredentialPayload,
    proofFormat: 'jwt',
    removeOriginalFields: false,
  })
  return (signed.proof as { jwt: string }).jwt
}

export const isoSeconds = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
export const nowSeconds = () => Math.floor(Date.now() / 1000)

/** A wallet in a fresh temporary directory. */
export async function openWallet(prefix = 'govcred-wallet-'): Promise<HolderWallet> {
  return HolderWallet.open({ dir: mkdtempSync(join(tmpdir(), prefix)) })
}

export interface PresentationRequest {
  id: string
  challenge: string
  domain: string
  credentialTypes: string[]
  purpose: string
  expiresAt: string
}

/** POST /v1/presentation-requests; throws unless 201. */
export async function createRequest(
  service: Pick<TestService, 'api'>,
  credentialTypes: readonly string[] = THREE_TYPES,
  purpose = '贷款审核 loan check',
): Promise<PresentationRequest> {
  const { status, body } = await service.api('/v1/presentation-requests', { body: { credentialTypes, purpose } })
  if (status !== 201) throw new Error(`creating a presentation request answered ${status}: ${JSON.stringify(body)}`)
  return body
}

/** POST /v1/presentations/verify. */
export function verifyOverHttp(service: Pick<TestService, 'api'>, presentation: unknown, requestId: string) {
  return service.api('/v1/presentations/verify', { body: { presentation, requestId } })
}

/** The failed checks of a result, as `check:code`. */
export const failures = (result: { checks: { check: string; ok: boolean; code: string }[] }) =>
  result.checks.filter((c) => !c.ok).map((c) => `${c.check}:${c.code}`)

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last answer. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** A JSON fetch against any base URL. */
export async function fetchJson(base: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(
    `${base}${path}`,
    body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  )
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed }
}

/** A verifier service of its own (policy, schemas, watcher options of the test's choice), served on a loopback port. */
export async function serveVerifier(settings: VerifierSettings): Promise<{
  url: string
  verifier: VerifierService
  api: (path: string, body?: unknown) => Promise<{ status: number; body: any }>
  close(): Promise<void>
}> {
  const verifier = createVerifierService(settings)
  await verifier.start()
  const app = createApp({
    health: healthProbes(settings.provider, settings.db),
    resolveDid: (did) => verifier.deps.cache.resolveDid(did),
    deployments: settings.deployments,
    publicRpcUrl: '',
    logger: silentLogger,
    verifier,
    mode: 'verifier',
  })
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    verifier,
    api: (path, body) => fetchJson(url, path, body),
    async close() {
      verifier.stop()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    },
  }
}

/** A holder outside any wallet (did:ethr on the consortium network, key in memory), for presentations a wallet would not make. */
export function rawHolder(network = 'govcred'): { did: string; signer: Signer; privateKey: string } {
  const key = EthersWallet.createRandom()
  return { did: `did:ethr:${network}:${key.address}`, signer: ES256KSigner(hexToBytes(key.privateKey)), privateKey: key.privateKey }
}

/** A VP-JWT as any client could sign it, with whatever credentials it likes. */
export function rawPresentation(
  holder: { did: string; signer: Signer },
  credentials: unknown[],
  challenge: string,
  domain: string,
): Promise<string> {
  const vp = { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: credentials }
  return createJWT(
    { vp, nonce: challenge, aud: [domain], nbf: nowSeconds() },
    { issuer: holder.did, signer: holder.signer },
    { alg: 'ES256K' },
  )
}

/** A compact JWT with its payload segment rewritten and the original signature kept. */
export function tamperPayload(jwt: string, change: (payload: Record<string, any>) => void): string {
  const [header, body, signature] = jwt.split('.')
  const payload = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'))
  change(payload)
  return [header, Buffer.from(JSON.stringify(payload)).toString('base64url'), signature].join('.')
}

/** Resolves once the verifier's chain watcher has synced the block of `txHash`. */
export async function watcherPast(provider: JsonRpcProvider, watcher: ChainWatcher, txHash: string): Promise<number> {
  const receipt = await provider.getTransactionReceipt(txHash)
  if (!receipt) throw new Error(`no receipt for ${txHash}`)
  if (!(await eventually(async () => watcher.blockNumber >= receipt.blockNumber, 2000, 10)))
    throw new Error(`the watcher did not reach block ${receipt.blockNumber}`)
  return receipt.blockNumber
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
