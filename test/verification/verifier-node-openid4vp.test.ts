// A bank's own node (`govcred verifier`: the chain, its verifier.sqlite, no issuer keys, no root CA) serves
// OpenID4VP 1.0 like a full node: its request-signing key is made and kept there (`relying-party csr`), the
// consortium operator certifies it on a full node (`relying-party certify`), the bank installs the certificate
// (`relying-party install-certificate`). Then a wallet answers the bank's request, verified against the chain
// alone, and after a revocation on the full node the same flow is refused within one block. Real Anvil, real
// SQLite files, real HTTP on loopback, the real CLI.
import 'reflect-metadata'
import { spawn } from 'node:child_process'
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as x509 from '@peculiar/x509'
import { JsonRpcProvider } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startAnvil, type AnvilNode } from '../../src/chain/anvil-node.js'
import { loadConfig } from '../../src/config/config.js'
import { ConfigError } from '../../src/config/config-error.js'
import { loadVerifierConfig } from '../../src/config/verifier-config.js'
import { openServiceContext } from '../../src/app/service-context.js'
import { startVerifier, type RunningVerifier } from '../../src/app/start-verifier.js'
import { openDatabase } from '../../src/store/open-database.js'
import { verifierMigrations } from '../../src/store/migrations/index.js'
import { silentLogger } from '../../src/shared/logger.js'
import { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, claimsOf, eventually, readDemo, type Demo } from './verification-helpers.js'

x509.cryptoProvider.set(globalThis.crypto)

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BANK = 'bank-of-nanjing'
const LICENCE = 'BusinessLicenseCredential'
const LOAN_REQUEST = {
  protocol: 'openid4vp',
  credentials: [{ id: 'licence', type: LICENCE, claims: ['enterpriseName', 'unifiedSocialCreditCode'] }],
  purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
}

let anvil: AnvilNode
let issuingDir: string
let verifierDir: string
let walletDir: string
let filesDir: string
let issuingEnv: Record<string, string>
let issuing: TestService
let demo: Demo
let node: RunningVerifier | undefined
let wallet: HolderWallet
let rootPem: string
let rootFile: string
let bankKey: string
let webhookSecret: string
let licenceOfferId: string
let licenceClaims: Record<string, unknown>
let fingerprint: string
const deliveries: { headers: IncomingMessage['headers']; body: string }[] = []
let hookServer: Server

/** Runs `govcred …` (the real CLI) with only the given GOVCRED_ variables. */
function cli(args: string[], govcredEnv: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, ...govcredEnv, GOVCRED_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('exit', (code) => resolve({ code, stdout: stdout.trim(), stderr }))
  })
}
/** `govcred relying-party …` on the bank's verifier-only node. */
const onBankNode = (...args: string[]) =>
  cli(['relying-party', ...args], { GOVCRED_DATA_DIR: verifierDir, GOVCRED_WEBHOOK_ALLOW_LOOPBACK: 'true' })
/** `govcred relying-party …` on the consortium operator's full node. */
const onFullNode = (...args: string[]) => cli(['relying-party', ...args], { GOVCRED_DATA_DIR: issuingDir, ...issuingEnv })

/** A file in the test's scratch directory holding `text`; its path. */
function file(name: string, text: string): string {
  const path = join(filesDir, name)
  writeFileSync(path, text)
  return path
}

/** A CSR made outside govcred (as another tool would), for refusals and for "another key". */
async function foreignCsr(options: { curve?: 'P-256' | 'P-384'; dnsNames?: string[] } = {}): Promise<string> {
  const curve = options.curve ?? 'P-256'
  const alg = { name: 'ECDSA', namedCurve: curve, hash: curve === 'P-256' ? 'SHA-256' : 'SHA-384' }
  const keys = (await crypto.subtle.generateKey(alg, false, ['sign', 'verify'])) as CryptoKeyPair
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: ['南京银行'] }, { O: ['Bank of Nanjing'] }],
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.SubjectAlternativeNameExtension((options.dnsNames ?? ['127.0.0.1']).map((value) => ({ type: 'dns' as const, value }))),
    ],
  })
  return csr.toString('pem')
}

/** A root CA of nobody's (PEM). */
async function strangerRoot(): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = (await crypto.subtle.generateKey(alg, false, ['sign', 'verify'])) as CryptoKeyPair
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

/** A JSON call to the bank's node with the bank's key. */
async function asBank(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${node!.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...bearer(bankKey), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json() }
}

/** The bank asks, the wallet (trusting only the consortium root) answers; the bank reads the request back. */
async function askAndPresent(): Promise<{ id: string; read: any }> {
  const created = await asBank('/v1/presentation-requests', LOAN_REQUEST)
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  const plan = await wallet.openPresentationRequest(created.body.deepLink, { trustedRoots: [rootPem] })
  await wallet.sendPresentation(plan)
  return { id: created.body.id, read: (await asBank(`/v1/presentation-requests/${created.body.id}`)).body }
}

/** The bank's side of the webhook recipe: HMAC-SHA256(secret, t + "." + body), hex. */
function signatureValid(header: string | undefined, body: string, secret: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '')
  if (!match) return false
  return timingSafeEqual(createHmac('sha256', secret).update(`${match[1]}.${body}`).digest(), Buffer.from(match[2]!, 'hex'))
}

beforeAll(async () => {
  anvil = await startAnvil({ chainId: 20193 })
  issuingDir = mkdtempSync(join(tmpdir(), 'govcred-consortium-'))
  verifierDir = mkdtempSync(join(tmpdir(), 'govcred-bank-node-'))
  walletDir = mkdtempSync(join(tmpdir(), 'govcred-bank-wallet-'))
  filesDir = mkdtempSync(join(tmpdir(), 'govcred-bank-files-'))
  issuingEnv = {
    GOVCRED_CHAIN_MODE: 'external',
    GOVCRED_RPC_URL: anvil.rpcUrl,
    GOVCRED_KMS_SECRET: randomBytes(32).toString('hex'),
    GOVCRED_DEMO: 'true',
  }
  // External mode never deploys on start; deploy once, as `govcred deploy` would.
  const deploying = await openServiceContext(loadConfig({ GOVCRED_DATA_DIR: issuingDir, ...issuingEnv }), {
    logger: silentLogger,
    deployIfMissing: true,
  })
  await deploying.close()
  // A fixed port: the departments' certificates name the node's URL (their credential_issuer) when first made.
  issuing = await startTestService({ dataDir: issuingDir, env: { ...issuingEnv, PORT: String(await freePort()) } })
  demo = readDemo(issuing)
  rootPem = (await issuing.api('/v1/network')).body.issuerTrust.x509RootCertificatePem
  rootFile = file('consortium-root.pem', rootPem)

  // The holder receives a business licence as an SD-JWT VC (OpenID4VCI).
  wallet = await HolderWallet.open({ dir: walletDir })
  licenceClaims = claimsOf(LICENCE)
  const offer = await issuing.api('/v1/credential-offers', {
    headers: bearer(demo[LICENCE].apiKey),
    body: { type: LICENCE, claims: licenceClaims, format: 'dc+sd-jwt' },
  })
  expect(offer.status, JSON.stringify(offer.body)).toBe(201)
  licenceOfferId = offer.body.id
  await wallet.receive(offer.body.offerUri, { txCode: offer.body.txCode })

  // The bank's webhook receiver, on loopback (allowed on the bank's node by GOVCRED_WEBHOOK_ALLOW_LOOPBACK).
  hookServer = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve))
  const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/govcred/events`

  // The bank registers itself on its own node; its domain is the host wallets reach that node at.
  const created = await onBankNode(
    'create',
    '--id',
    BANK,
    '--name',
    '南京银行',
    '--name-en',
    'Bank of Nanjing',
    '--domain',
    '127.0.0.1',
    '--webhook-url',
    hookUrl,
    '--verifier',
  )
  expect(created.code, created.stderr).toBe(0)
  const party = JSON.parse(created.stdout)
  bankKey = party.apiKey.key
  webhookSecret = party.webhook.secret

  node = await startVerifier(
    loadVerifierConfig({
      GOVCRED_RPC_URL: anvil.rpcUrl,
      GOVCRED_DEPLOYMENTS_FILE: join(issuingDir, 'deployments.json'),
      GOVCRED_DATA_DIR: verifierDir,
      GOVCRED_ISSUER_URLS: issuing.url,
      GOVCRED_WEBHOOK_ALLOW_LOOPBACK: 'true',
      GOVCRED_WEBHOOK_BACKOFF_MS: '100',
      PORT: '0',
    }),
    silentLogger,
  )
}, 120_000)

afterAll(async () => {
  await node?.stop()
  await issuing?.dispose({ keepData: true })
  await wallet?.close()
  await anvil?.stop()
  hookServer?.closeAllConnections()
  await new Promise<void>((resolve) => (hookServer ? hookServer.close(() => resolve()) : resolve()))
  for (const dir of [issuingDir, verifierDir, walletDir, filesDir]) if (dir) rmSync(dir, { recursive: true, force: true })
}, 60_000)

describe('govcred verifier (a bank node) serves OpenID4VP with its own key, certified by the consortium', () => {
  it('holds no issuer keys and no root CA: only its database and the secret that seals its own secrets', () => {
    const held = readdirSync(verifierDir).filter((f) => !f.startsWith('verifier.sqlite'))
    expect(held).toEqual(['kms-secret'])
    expect(statSync(join(verifierDir, 'kms-secret')).mode & 0o777).toBe(0o600)
  })

  it('refuses an OpenID4VP request 422 ERR_OPENID4VP_UNAVAILABLE, naming the three commands, until a certificate is installed', async () => {
    const { status, body } = await asBank('/v1/presentation-requests', LOAN_REQUEST)
    expect(status).toBe(422)
    expect(body.error.code).toBe('ERR_OPENID4VP_UNAVAILABLE')
    for (const step of [
      `relying-party csr --id ${BANK} --verifier`,
      'relying-party certify --csr',
      `relying-party install-certificate --id ${BANK}`,
    ])
      expect(body.error.message).toContain(step)
    expect(body.error.message).toMatch(/[\u4e00-\u9fff]/)
  })

  it('certify refuses a CSR with two DNS names, a P-384 key or a tampered signature, and runs on a full node only', async () => {
    const twoNames = await onFullNode('certify', '--csr', file('two.csr', await foreignCsr({ dnsNames: ['127.0.0.1', 'bank.example'] })))
    expect(twoNames.code).toBe(1)
    expect(twoNames.stderr).toContain('exactly one DNS name (it names 2)')

    const p384 = await onFullNode('certify', '--csr', file('p384.csr', await foreignCsr({ curve: 'P-384' })))
    expect(p384.code).toBe(1)
    expect(p384.stderr).toContain('not a P-256 key (P-384)')

    // The last byte of the DER is the signature's: the request still parses, its signature no longer verifies.
    const der = Buffer.from(x509.PemConverter.decodeFirst(await foreignCsr()))
    der[der.length - 1] ^= 0x01
    const tampered = await onFullNode('certify', '--csr', file('tampered.csr', x509.PemConverter.encode(der, 'CERTIFICATE REQUEST')))
    expect(tampered.code).toBe(1)
    expect(tampered.stderr).toContain('self-signature does not verify')

    const garbage = await onFullNode('certify', '--csr', file('garbage.csr', 'not a csr'))
    expect(garbage.code).toBe(1)
    expect(garbage.stderr).toContain('not a PKCS#10 certificate signing request')

    const onBank = await onBankNode('certify', '--csr', file('ok.csr', await foreignCsr()), '--verifier')
    expect(onBank.code).toBe(1)
    expect(onBank.stderr).toContain('certify runs on a full node')
  }, 60_000)

  it('csr → certify → install-certificate: the key stays sealed on the bank node; another key or another root is refused', async () => {
    const csr = await onBankNode('csr', '--id', BANK, '--verifier')
    expect(csr.code, csr.stderr).toBe(0)
    const request = new x509.Pkcs10CertificateRequest(csr.stdout)
    expect(await request.verify()).toBe(true)
    expect(request.subjectName.getField('CN')).toEqual(['南京银行'])
    expect(request.subjectName.getField('O')).toEqual(['Bank of Nanjing'])
    expect(request.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' })
    const san = request.getExtension('2.5.29.17') as x509.SubjectAlternativeNameExtension
    expect(san.names.toJSON()).toEqual([
      { type: 'dns', value: '127.0.0.1' },
      { type: 'ip', value: '127.0.0.1' },
    ])
    expect(csr.stderr).toContain('relying-party certify --csr')

    // The private key is kept sealed (AES-256-GCM), nowhere in the clear.
    const db = await openDatabase(join(verifierDir, 'verifier.sqlite'), verifierMigrations)
    try {
      const rows: { sealedPrivateKey: string; publicKeyHex: string }[] = await db.query(
        'SELECT sealedPrivateKey, publicKeyHex FROM govcred_verifier_local_keys WHERE relyingPartyId = ?',
        [BANK],
      )
      expect(rows).toHaveLength(1)
      expect(rows[0]!.sealedPrivateKey).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/)
      const spki = Buffer.from(await crypto.subtle.exportKey('raw', await request.publicKey.export())).toString('hex')
      expect(rows[0]!.publicKeyHex).toBe(spki)
    } finally {
      await db.destroy()
    }

    // A certificate the consortium made for a key the bank node did not make is not installed.
    const foreign = await onFullNode('certify', '--csr', file('foreign.csr', await foreignCsr()))
    expect(foreign.code, foreign.stderr).toBe(0)
    const wrongKey = await onBankNode(
      'install-certificate',
      '--id',
      BANK,
      '--certificate',
      file('foreign.pem', foreign.stdout),
      '--verifier',
    )
    expect(wrongKey.code).toBe(1)
    expect(wrongKey.stderr).toContain('it certifies another key')

    const certified = await onFullNode('certify', '--csr', file('bank.csr', csr.stdout), '--days', '30')
    expect(certified.code, certified.stderr).toBe(0)
    fingerprint = /SHA-256 fingerprint: ([0-9a-f]{64})/.exec(certified.stderr)![1]!
    const leaf = new x509.X509Certificate(certified.stdout)
    expect(createHash('sha256').update(Buffer.from(leaf.rawData)).digest('hex')).toBe(fingerprint)
    expect(leaf.notAfter.getTime() - leaf.notBefore.getTime()).toBe(30 * 86_400_000 + 60_000)
    const certificateFile = file('bank.pem', certified.stdout)

    const wrongRoot = await onBankNode(
      'install-certificate',
      '--id',
      BANK,
      '--certificate',
      certificateFile,
      '--verifier',
      '--root',
      file('stranger-root.pem', await strangerRoot()),
    )
    expect(wrongRoot.code).toBe(1)
    expect(wrongRoot.stderr).toContain('not issued by the given root')

    const installed = await onBankNode(
      'install-certificate',
      '--id',
      BANK,
      '--certificate',
      certificateFile,
      '--verifier',
      '--root',
      rootFile,
    )
    expect(installed.code, installed.stderr).toBe(0)
    expect(JSON.parse(installed.stdout)).toMatchObject({
      id: BANK,
      clientId: 'x509_san_dns:127.0.0.1',
      verifierCertificate: { sha256: fingerprint, notAfter: leaf.notAfter.toISOString() },
      rootChecked: true,
    })
    const again = await onBankNode('install-certificate', '--id', BANK, '--certificate', certificateFile, '--verifier', '--root', rootFile)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('installed already')

    const list = await onBankNode('list', '--verifier')
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout).find((p: { id: string }) => p.id === BANK)).toMatchObject({
      clientId: 'x509_san_dns:127.0.0.1',
      verifierCertificate: { sha256: fingerprint },
    })
  }, 90_000)

  it("signs the bank's request with the installed certificate; the wallet presents; the bank reads verified, by GET and webhook", async () => {
    const created = await asBank('/v1/presentation-requests', LOAN_REQUEST)
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    // The query names the licence's type as the issuing node does: the wallet matches vct_values exactly.
    expect(created.body.dcql.credentials[0].meta.vct_values).toEqual([`${issuing.url}/vct/${LICENCE}`])
    const requestObject = await (await fetch(created.body.requestUri)).text()
    const header = JSON.parse(Buffer.from(requestObject.split('.')[0]!, 'base64url').toString('utf8'))
    expect(header).toMatchObject({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
    expect(createHash('sha256').update(Buffer.from(header.x5c[0], 'base64')).digest('hex')).toBe(fingerprint)

    const plan = await wallet.openPresentationRequest(created.body.deepLink, { trustedRoots: [rootPem] })
    expect(plan).toMatchObject({ clientId: 'x509_san_dns:127.0.0.1', trustedRoot: true, verifierName: { 'zh-CN': '南京银行' } })
    const sent = await wallet.sendPresentation(plan)
    expect(sent.sent).toBe(true)

    const { body: read } = await asBank(`/v1/presentation-requests/${created.body.id}`)
    expect(read.state).toBe('answered')
    expect(read.result.verified, JSON.stringify(read.result.checks)).toBe(true)
    const checks = Object.fromEntries(read.result.checks.map((c: { check: string; ok: boolean }) => [c.check, c.ok]))
    for (const check of [
      'credentialSignature',
      'issuerResolved',
      'issuerAccredited',
      'status',
      'disclosures',
      'keyBinding',
      'requestedClaims',
    ])
      expect(checks[check], check).toBe(true)
    expect(read.result.credentials[0].claims).toEqual({
      enterpriseName: licenceClaims.enterpriseName,
      unifiedSocialCreditCode: licenceClaims.unifiedSocialCreditCode,
    })

    // The webhook event is stored before the wallet's answer returns, delivered in the background.
    expect(await eventually(async () => deliveries.some((d) => d.body.includes(created.body.id)), 15_000)).toBe(true)
    const delivery = deliveries.find((d) => d.body.includes(created.body.id))!
    expect(signatureValid(delivery.headers['govcred-signature'] as string, delivery.body, webhookSecret)).toBe(true)
    expect(JSON.parse(delivery.body)).toMatchObject({
      type: 'presentation.answered',
      requestId: created.body.id,
      verified: true,
      code: 'OK',
    })
  }, 60_000)

  it('after the licence is revoked on the full node, the same flow is refused ERR_CREDENTIAL_REVOKED within one block', async () => {
    const key = demo[LICENCE].apiKey
    const { credentialId } = (await issuing.api(`/v1/credential-offers/${encodeURIComponent(licenceOfferId)}`, { headers: bearer(key) }))
      .body
    const revoked = await issuing.api(`/v1/credentials/${encodeURIComponent(credentialId)}/revoke`, {
      method: 'POST',
      headers: bearer(key),
    })
    expect(revoked.body, JSON.stringify(revoked.body)).toMatchObject({ onChain: 'confirmed', txHash: expect.stringMatching(/^0x/) })

    const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true })
    try {
      const mined = (await provider.getTransactionReceipt(revoked.body.txHash))!.blockNumber
      // The revocation is mined; each round waits for the bank node's watcher to have read it (it polls the chain).
      const deadline = Date.now() + 15_000
      let read: any
      do read = (await askAndPresent()).read
      while (read.result?.verified !== false && Date.now() < deadline)
      expect(await provider.getBlockNumber()).toBeLessThanOrEqual(mined + 1)
      expect(read.state).toBe('answered')
      expect(read.result.verified).toBe(false)
      expect(
        read.result.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { check: string; code: string }) => [c.check, c.code]),
      ).toEqual([['status', 'ERR_CREDENTIAL_REVOKED']])
    } finally {
      provider.destroy()
    }
  }, 60_000)
})

describe('GOVCRED_ISSUER_URLS', () => {
  const base = { GOVCRED_RPC_URL: 'http://127.0.0.1:8545', GOVCRED_DEPLOYMENTS_FILE: '' }
  const addresses = {
    GOVCRED_DID_REGISTRY: `0x${'1'.repeat(40)}`,
    GOVCRED_TRUSTED_ISSUERS: `0x${'2'.repeat(40)}`,
    GOVCRED_SCHEMA_REGISTRY: `0x${'3'.repeat(40)}`,
    GOVCRED_STATUS_REGISTRY: `0x${'4'.repeat(40)}`,
  }

  it('reads http(s) URLs (trailing slashes dropped) and refuses anything else', () => {
    const config = loadVerifierConfig({ ...base, ...addresses, GOVCRED_ISSUER_URLS: 'https://creds.city.example/, http://127.0.0.1:8080' })
    expect(config.issuerUrls).toEqual(['https://creds.city.example', 'http://127.0.0.1:8080'])
    expect(loadVerifierConfig({ ...base, ...addresses }).issuerUrls).toEqual([])
    expect(() => loadVerifierConfig({ ...base, ...addresses, GOVCRED_ISSUER_URLS: 'ftp://creds.city.example' })).toThrow(ConfigError)
    expect(() => loadVerifierConfig({ ...base, ...addresses, GOVCRED_ISSUER_URLS: 'https://a.example/?x=1' })).toThrow(
      /without query or fragment/,
    )
  })
})
