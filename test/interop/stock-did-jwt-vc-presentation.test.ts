// A verifier's and a holder's view without govcred's source: only the running service's HTTP API and stock
// libraries (did-jwt, did-jwt-vc, did-resolver, ethr-did-resolver, key-did-resolver), configured from GET /v1/network.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ES256KSigner, bytesToMultibase, decodeJWT, hexToBytes, type Signer } from 'did-jwt'
import { createVerifiablePresentationJwt, verifyCredential, verifyPresentation } from 'did-jwt-vc'
import { Resolver } from 'did-resolver'
import { getResolver as ethrResolver } from 'ethr-did-resolver'
import KeyResolver from 'key-did-resolver'
import { SigningKey, Wallet } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServiceProcess, type ServiceProcess } from './service-process.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

interface Network {
  name: string
  chainId: number
  rpcUrl: string
  contracts: { didRegistry: string }
}
interface Holder {
  did: string
  signer: Signer
}

let service: ServiceProcess
let walletDir: string
let network: Network
/** did-jwt-vc types its resolver with its own copy of did-resolver; the object is the same stock Resolver. */
let resolver: Parameters<typeof verifyCredential>[1]
let apiKey: string

/** Runs the govcred CLI and returns its stdout. */
function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, GOVCRED_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('exit', (code) =>
      code === 0 ? resolve(stdout.trim()) : reject(new Error(`govcred ${args.join(' ')} exited ${code}: ${stderr}`)),
    )
  })
}

function ethrHolder(): Holder {
  const key = Wallet.createRandom()
  return { did: `did:ethr:${network.name}:${key.address}`, signer: ES256KSigner(hexToBytes(key.privateKey)) }
}

function keyHolder(): Holder {
  const key = Wallet.createRandom()
  const publicKey = hexToBytes(SigningKey.computePublicKey(key.privateKey, true))
  return { did: `did:key:${bytesToMultibase(publicKey, 'base58btc', 'secp256k1-pub')}`, signer: ES256KSigner(hexToBytes(key.privateKey)) }
}

async function issueBusinessLicence(holder: string): Promise<{ id: string; jwt: string }> {
  const claims = {
    unifiedSocialCreditCode: '91320106MA1X7K2P9E',
    enterpriseName: '南京鼓楼智链科技有限公司',
    enterpriseType: '有限责任公司(自然人投资或控股)',
    legalRepresentative: '王建国',
    registeredCapital: { amount: 10_000_000, currency: 'CNY' },
    dateOfEstablishment: '2018-06-15',
    businessTerm: { from: '2018-06-15', until: null },
    businessScope: '技术服务、技术开发、技术咨询；软件开发',
    domicile: '南京市鼓楼区汉中门大街301号01幢12层',
    registrationAuthority: '南京市鼓楼区市场监督管理局',
  }
  const { status, body } = await service.call('/v1/credentials', {
    key: apiKey,
    body: { type: 'BusinessLicenseCredential', holder, claims },
  })
  expect(status, JSON.stringify(body)).toBe(201)
  return body
}

async function presentationRequest(): Promise<{ id: string; challenge: string; domain: string }> {
  const { status, body } = await service.call('/v1/presentation-requests', {
    body: { credentialTypes: ['BusinessLicenseCredential'], purpose: '开户审核 account opening' },
  })
  expect(status).toBe(201)
  return body
}

beforeAll(async () => {
  service = await startServiceProcess({ prefix: 'govcred-interop-vp-' })
  walletDir = mkdtempSync(join(tmpdir(), 'govcred-interop-wallet-'))
  network = (await service.call('/v1/network')).body
  resolver = new Resolver({
    ...ethrResolver({
      networks: [{ name: network.name, chainId: network.chainId, rpcUrl: network.rpcUrl, registry: network.contracts.didRegistry }],
    }),
    ...KeyResolver.getResolver(),
  }) as unknown as typeof resolver
  apiKey = service.demo().departments.find((d) => d.credentialTypes.includes('BusinessLicenseCredential'))!.apiKey
}, 90_000)

afterAll(async () => {
  await service?.stop()
  if (walletDir) rmSync(walletDir, { recursive: true, force: true })
}, 60_000)

describe.each([
  ['did:ethr', ethrHolder],
  ['did:key', keyHolder],
] as const)('a holder with a %s key outside govcred', (_method, makeHolder) => {
  it('has its govcred credential and its stock did-jwt-vc presentation verified by stock verifyPresentation and by govcred', async () => {
    const holder = makeHolder()
    const credential = await issueBusinessLicence(holder.did)

    const verifiedCredential = await verifyCredential(credential.jwt, resolver)
    expect(verifiedCredential.verifiableCredential.credentialSubject.id).toBe(holder.did)
    expect(verifiedCredential.issuer).toMatch(new RegExp(`^did:ethr:${network.name}:0x`))

    const request = await presentationRequest()
    const vp = await createVerifiablePresentationJwt(
      {
        vp: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiablePresentation'],
          verifiableCredential: [credential.jwt],
        },
      },
      { did: holder.did, signer: holder.signer, alg: 'ES256K' },
      { challenge: request.challenge, domain: request.domain },
    )
    const stock = await verifyPresentation(vp, resolver, { challenge: request.challenge, domain: request.domain })
    expect(stock.verified).toBe(true)
    expect(stock.issuer).toBe(holder.did)

    const ours = await service.call('/v1/presentations/verify', { body: { presentation: vp, requestId: request.id } })
    expect(ours.body.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([])
    expect(ours.status).toBe(200)
    expect(ours.body.credentials[0]).toMatchObject({ id: credential.id, subject: holder.did, verified: true })
  })
})

describe('a presentation made by the govcred wallet CLI', () => {
  it('is verified by stock did-jwt-vc: the presentation, its audience and challenge, and the credential inside', async () => {
    const { did } = JSON.parse(await cli(['wallet', 'create-did', '--method', 'ethr', '--wallet', walletDir]))
    expect(did).toMatch(new RegExp(`^did:ethr:${network.name}:0x`))
    const credential = await issueBusinessLicence(did)
    await cli(['wallet', 'import', credential.jwt, '--wallet', walletDir])
    const request = await presentationRequest()
    const vp = await cli([
      'wallet',
      'present',
      '--request',
      `${service.baseUrl}/v1/presentation-requests/${request.id}`,
      '--yes',
      '--wallet',
      walletDir,
    ])

    const stock = await verifyPresentation(vp, resolver, { challenge: request.challenge, domain: request.domain })
    expect(stock.verified).toBe(true)
    expect(stock.issuer).toBe(did)
    const [inner] = (decodeJWT(vp).payload as { vp: { verifiableCredential: string[] } }).vp.verifiableCredential
    expect((await verifyCredential(inner!, resolver)).verifiableCredential.id).toBe(credential.id)

    await expect(verifyPresentation(vp, resolver, { challenge: 'another-challenge', domain: request.domain })).rejects.toThrow()
  })
})
