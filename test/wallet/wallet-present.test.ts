// `govcred wallet present <openid4vp-uri>` and `wallet history` against a real service (embedded Anvil, SQLite,
// HTTP on loopback): SD-JWT VCs received by OpenID4VCI, an OpenID4VP request made as the demo bank, only the
// requested claims disclosed, the bank's result read with its key.
import 'reflect-metadata'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as x509 from '@peculiar/x509'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { freePort } from '../../src/chain/anvil-node.js'
import { walletCommand } from '../../src/cli/wallet-command.js'
import { HolderWallet, WalletError } from '../../src/wallet/holder-wallet.js'
import { bearer, claimsOf, readDemo, type Demo } from '../verification/verification-helpers.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

let service: TestService
let demo: Demo
let bankKey: string
let walletDir: string
let rootPem: string
const issued: Record<string, Record<string, unknown>> = {}

/** Runs `govcred wallet …` on the test wallet (no terminal: stdin is closed). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'wallet', ...args, '--wallet', walletDir], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('exit', (code) => resolve({ code, stdout: stdout.trim(), stderr }))
  })
}

const LOAN_REQUEST = {
  protocol: 'openid4vp',
  credentials: [
    { id: 'licence', type: 'BusinessLicenseCredential', claims: ['enterpriseName', 'unifiedSocialCreditCode'] },
    { id: 'insured', type: 'SocialSecurityStatusCredential', claims: ['insuredName', 'city'] },
  ],
  purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
}

async function bankRequest(body: unknown = LOAN_REQUEST): Promise<{ id: string; deepLink: string; requestUri: string }> {
  const { status, body: created } = await service.api('/v1/presentation-requests', { headers: bearer(bankKey), body })
  expect(status, JSON.stringify(created)).toBe(201)
  return created
}

/** A root CA of nobody's (PEM). */
async function selfSignedRoot(): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = await crypto.subtle.generateKey(alg, false, ['sign', 'verify'])
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Another root',
    keys,
    signingAlgorithm: alg,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  })
  return cert.toString('pem')
}

const bankReads = async (id: string) => (await service.api(`/v1/presentation-requests/${id}`, { headers: bearer(bankKey) })).body

beforeAll(async () => {
  service = await startTestService({ env: { PORT: String(await freePort()) } })
  demo = readDemo(service)
  const file = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { relyingParties: { apiKey: string }[] }
  bankKey = file.relyingParties[0]!.apiKey
  rootPem = join(service.dataDir, 'issuer-ca', 'root-ca.pem')
  walletDir = mkdtempSync(join(tmpdir(), 'govcred-present-wallet-'))
  const wallet = await HolderWallet.open({ dir: walletDir })
  try {
    for (const type of ['BusinessLicenseCredential', 'SocialSecurityStatusCredential'] as const) {
      const claims = claimsOf(type)
      const { status, body } = await service.api('/v1/credential-offers', {
        headers: bearer(demo[type].apiKey),
        body: { type, claims, format: 'dc+sd-jwt' },
      })
      expect(status, JSON.stringify(body)).toBe(201)
      await wallet.receive(body.offerUri, { txCode: body.txCode })
      issued[type] = claims
    }
  } finally {
    await wallet.close()
  }
}, 60_000)

afterAll(async () => {
  await service?.dispose()
  if (walletDir) rmSync(walletDir, { recursive: true, force: true })
})

describe('govcred wallet present (OpenID4VP) / history', () => {
  it('shows the bank, the purpose and each claim, discloses only those; the bank reads verified with only them; history lists it', async () => {
    const request = await bankRequest()
    expect(request.deepLink).toMatch(/^openid4vp:\/\/\?client_id=x509_san_dns%3A/)

    const presented = await cli(['present', request.deepLink, '--yes', '--trust-root', rootPem])
    expect(presented.code, presented.stderr).toBe(0)
    expect(presented.stderr).toContain('南京银行（演示）')
    expect(presented.stderr).toContain('Demo Bank of Nanjing')
    expect(presented.stderr).toContain('贷款审核')
    expect(presented.stderr).toContain('Loan check')
    expect(presented.stderr).toContain('chains to the trusted root')
    for (const claim of ['enterpriseName', 'unifiedSocialCreditCode', 'insuredName', 'city']) expect(presented.stderr).toContain(claim)
    const sent = JSON.parse(presented.stdout)
    expect(sent).toMatchObject({ sent: true, clientId: expect.stringMatching(/^x509_san_dns:/) })
    expect(sent.credentials.map((c: { disclosed: string[] }) => c.disclosed)).toEqual([
      ['enterpriseName', 'unifiedSocialCreditCode'],
      ['insuredName', 'city'],
    ])

    const result = await bankReads(request.id)
    expect(result.state).toBe('answered')
    expect(result.result.verified, JSON.stringify(result.result.checks)).toBe(true)
    expect(result.result.checks.find((c: { check: string }) => c.check === 'requestedClaims')?.ok).toBe(true)
    const licence = result.result.credentials.find((c: { claims: Record<string, unknown> }) => 'enterpriseName' in c.claims)
    const insured = result.result.credentials.find((c: { claims: Record<string, unknown> }) => 'insuredName' in c.claims)
    const licenceClaims = issued.BusinessLicenseCredential!
    const socialClaims = issued.SocialSecurityStatusCredential!
    expect(licence.claims).toMatchObject({
      enterpriseName: licenceClaims.enterpriseName,
      unifiedSocialCreditCode: licenceClaims.unifiedSocialCreditCode,
    })
    expect(insured.claims).toMatchObject({ insuredName: socialClaims.insuredName, city: socialClaims.city })
    // The bank never sees what was not asked for.
    for (const hidden of ['legalRepresentative', 'registeredCapital', 'domicile', 'businessScope'])
      expect(licence.claims).not.toHaveProperty(hidden)
    for (const hidden of ['idNumberMasked', 'insurances', 'asOf']) expect(insured.claims).not.toHaveProperty(hidden)
    expect(JSON.stringify(result.result)).not.toContain(String(licenceClaims.legalRepresentative))

    const history = await cli(['history'])
    expect(history.code, history.stderr).toBe(0)
    const [entry] = JSON.parse(history.stdout)
    expect(entry).toMatchObject({
      clientId: sent.clientId,
      verifierName: { 'zh-CN': '南京银行（演示）', en: 'Demo Bank of Nanjing' },
      purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
      outcome: 'sent',
    })
    expect(entry.requested.map((r: { claims: string[] }) => r.claims)).toEqual([
      ['enterpriseName', 'unifiedSocialCreditCode'],
      ['insuredName', 'city'],
    ])
    expect(history.stderr).toContain('已出示 sent')
    // The history keeps who asked for what, never the values.
    expect(history.stdout + history.stderr).not.toContain(String(licenceClaims.enterpriseName))
    expect(history.stdout + history.stderr).not.toContain(String(socialClaims.insuredName))
  }, 90_000)

  it('a refused consent sends nothing: the request stays pending, the history says declined; no terminal without --yes is refused', async () => {
    const request = await bankRequest()
    const written: string[] = []
    const declined = await walletCommand(
      'present',
      request.deepLink,
      { wallet: walletDir },
      {
        write: (text) => void written.push(text),
        ask: async () => 'n',
      },
    ).catch((e: unknown) => e)
    expect(declined).toBeInstanceOf(WalletError)
    expect((declined as WalletError).code).toBe('ERR_CONSENT_DECLINED')
    expect(written.join('')).toContain('南京银行（演示）')
    expect((await bankReads(request.id)).state).toBe('pending')

    const noTerminal = await cli(['present', request.deepLink])
    expect(noTerminal.code).toBe(1)
    expect(noTerminal.stderr).toContain('ERR_CONSENT_REQUIRED')
    expect((await bankReads(request.id)).state).toBe('pending')

    const wallet = await HolderWallet.open({ dir: walletDir })
    try {
      const [latest] = await wallet.presentationHistory()
      expect(latest).toMatchObject({ outcome: 'declined', verifierName: { en: 'Demo Bank of Nanjing' } })
    } finally {
      await wallet.close()
    }
  }, 90_000)

  it('refuses with its own code: no matching credential, a tampered or unsigned request, an unknown request, an untrusted root', async () => {
    const wallet = await HolderWallet.open({ dir: walletDir })
    const codeOf = async (run: Promise<unknown>) => ((await run.catch((e: unknown) => e)) as WalletError).code
    try {
      const property = await bankRequest({
        ...LOAN_REQUEST,
        credentials: [{ id: 'flat', type: 'PropertyCertificateCredential', claims: ['location'] }],
      })
      expect(await codeOf(wallet.openPresentationRequest(property.deepLink))).toBe('ERR_NO_MATCHING_CREDENTIAL')

      const request = await bankRequest()
      const link = new URL(request.deepLink)
      const clientId = link.searchParams.get('client_id')!
      const jwt = await (await fetch(request.requestUri)).text()
      const [header, payload, signature] = jwt.split('.')
      const changed = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')), response_uri: `${service.url}/elsewhere` }),
      ).toString('base64url')
      const tampered = `openid4vp://?client_id=${encodeURIComponent(clientId)}&request=${header}.${changed}.${signature}`
      expect(await codeOf(wallet.openPresentationRequest(tampered))).toBe('ERR_REQUEST_SIGNATURE')

      const unsignedJwt = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'oauth-authz-req+jwt' })).toString('base64url')}.${payload}.`
      expect(
        await codeOf(wallet.openPresentationRequest(`openid4vp://?client_id=${encodeURIComponent(clientId)}&request=${unsignedJwt}`)),
      ).toBe('ERR_REQUEST_UNSIGNED')
      expect(await codeOf(wallet.openPresentationRequest(`openid4vp://?client_id=x&response_type=vp_token&nonce=n`))).toBe(
        'ERR_REQUEST_UNSIGNED',
      )

      const unknown = `openid4vp://?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(
        request.requestUri.replace(request.id, `${request.id}x`),
      )}`
      expect(await codeOf(wallet.openPresentationRequest(unknown))).toBe('ERR_REQUEST_EXPIRED')

      // A root other than the consortium's: the verifier's certificate does not chain to it.
      const otherRoot = await selfSignedRoot()
      expect(await codeOf(wallet.openPresentationRequest(request.deepLink, { trustedRoots: [otherRoot] }))).toBe('ERR_VERIFIER_UNTRUSTED')

      // Nothing of the above reached the bank.
      expect((await bankReads(request.id)).state).toBe('pending')
    } finally {
      await wallet.close()
    }
  }, 60_000)
})
