import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { createHash, verify as verifySignature, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import { startTestService, type TestService } from '../helpers/service.js'
import { clientIdOf } from '../../src/verifying/relying-parties/verifier-identity.js'

x509.cryptoProvider.set(globalThis.crypto)

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname
const BANK = 'demo-bank-of-nanjing'

/** The real CLI (`govcred …`) on the service's data directory, JSON out. */
function cli(args: string[], dataDir: string): Promise<any> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, GOVCRED_DATA_DIR: dataDir, GOVCRED_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`govcred ${args.join(' ')} exited ${code}: ${stderr}`)),
    )
  })
}

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))

/** Verifies an ES256 compact JWT with the public key of its x5c leaf; answers header, payload and the leaf. */
function verifyWithLeaf(jwt: string) {
  const [h, p, s] = jwt.split('.') as [string, string, string]
  const header = decode(h)
  const leaf = new X509Certificate(Buffer.from(header.x5c[0], 'base64'))
  const valid = verifySignature(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'),
  )
  return { header, payload: decode(p), leaf, valid }
}

const demoBank = (service: TestService) =>
  JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).relyingParties.find((p: { id: string }) => p.id === BANK)

describe('relying parties: a verifier identity (x509_san_dns) that signs OpenID4VP request objects', () => {
  let service: TestService
  let rootPem: string

  beforeAll(async () => {
    service = await startTestService()
    const network = (await service.api('/v1/network')).body
    rootPem = network.issuerTrust.x509RootCertificatePem
    // The one consortium root is published as the trust anchor of the relying parties' request objects too.
    expect(network.issuerTrust.openid4vpVerifiers).toMatchObject({ clientIdPrefix: 'x509_san_dns' })
  }, 120_000)
  afterAll(async () => service?.dispose())

  it("signs a request object that verifies with its x5c leaf, which chains to the network's root and names the domain", async () => {
    const jwt = await service.relyingPartyIdentities.signRequestObject(BANK, { response_type: 'vp_token', nonce: 'n-1' })
    const { header, payload, leaf, valid } = verifyWithLeaf(jwt)
    expect(valid).toBe(true)
    expect(header).toMatchObject({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
    expect(header.x5c).toHaveLength(1)
    // The demo bank's domain is the node's public host: where its response endpoint will be.
    expect(payload).toEqual({ response_type: 'vp_token', nonce: 'n-1', client_id: 'x509_san_dns:127.0.0.1' })

    const root = new X509Certificate(rootPem)
    expect(leaf.ca).toBe(false)
    expect(leaf.checkIssued(root)).toBe(true)
    expect(leaf.verify(root.publicKey)).toBe(true)
    expect(leaf.subjectAltName).toContain('DNS:127.0.0.1')
    expect(leaf.subject).toContain('CN=南京银行（演示）')
    const chain = await new x509.X509ChainBuilder({ certificates: [new x509.X509Certificate(rootPem)] }).build(
      new x509.X509Certificate(Buffer.from(header.x5c[0], 'base64')),
    )
    expect(chain).toHaveLength(2)
    const usage = new x509.X509Certificate(Buffer.from(header.x5c[0], 'base64')).getExtension(x509.KeyUsagesExtension)
    expect(usage!.usages & x509.KeyUsageFlags.digitalSignature).toBeTruthy()
    expect(usage!.usages & x509.KeyUsageFlags.keyCertSign).toBeFalsy()

    // demo.json carries the bank's client_id and its certificate's fingerprint.
    const sha256 = createHash('sha256').update(leaf.raw).digest('hex')
    expect(demoBank(service)).toMatchObject({ clientId: 'x509_san_dns:127.0.0.1', certificateSha256: sha256 })
    // A request object naming another client is refused, not re-labelled.
    await expect(service.relyingPartyIdentities.signRequestObject(BANK, { client_id: 'x509_san_dns:evil.example' })).rejects.toThrow(
      /client_id must be x509_san_dns:127\.0\.0\.1/,
    )
  })

  it('a relying party registered with --domain gets SAN DNS = that domain; `relying-party list` shows its client_id and fingerprint', async () => {
    const created = await cli(
      [
        'relying-party',
        'create',
        '--id',
        'bank-of-suzhou',
        '--name',
        '苏州银行',
        '--name-en',
        'Bank of Suzhou',
        '--domain',
        'Bank.Example',
      ],
      service.dataDir,
    )
    expect(created).toMatchObject({ id: 'bank-of-suzhou', domain: 'bank.example', clientId: 'x509_san_dns:bank.example' })
    const before = (await cli(['relying-party', 'list'], service.dataDir)).find((p: { id: string }) => p.id === 'bank-of-suzhou')
    expect(before).toMatchObject({ clientId: 'x509_san_dns:bank.example', verifierCertificate: null })

    // First use by the node: the key and its certificate are made.
    const { leaf, payload, valid } = verifyWithLeaf(
      await service.relyingPartyIdentities.signRequestObject('bank-of-suzhou', { nonce: 'n-2' }),
    )
    expect(valid).toBe(true)
    expect(payload.client_id).toBe('x509_san_dns:bank.example')
    expect(leaf.subjectAltName).toBe('DNS:bank.example')
    expect(leaf.checkIssued(new X509Certificate(rootPem))).toBe(true)

    const after = (await cli(['relying-party', 'list'], service.dataDir)).find((p: { id: string }) => p.id === 'bank-of-suzhou')
    expect(after.verifierCertificate.sha256).toBe(createHash('sha256').update(leaf.raw).digest('hex'))
    expect(after.verifierCertificate.sha256).toBe((await service.relyingPartyIdentities.current('bank-of-suzhou')).certificateSha256)

    await expect(
      service.verifier.relyingParties.create({ id: 'bad-domain', nameZh: '坏', nameEn: 'Bad', domain: 'not a domain/' }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST' })
  }, 60_000)

  it('a relying party without a domain or identity (registered before) gets the node host and an identity on first use', async () => {
    const party = await service.verifier.relyingParties.create({ id: 'older-bank', nameZh: '老银行', nameEn: 'Older Bank' })
    expect(party.domain).toBeNull()
    expect(clientIdOf(party)).toBeNull()
    const identity = await service.relyingPartyIdentities.current('older-bank')
    expect(identity.clientId).toBe('x509_san_dns:127.0.0.1')
    expect((await service.verifier.relyingParties.get('older-bank'))!.domain).toBe('127.0.0.1')
    const { valid, leaf } = verifyWithLeaf(await service.relyingPartyIdentities.signRequestObject('older-bank', {}))
    expect(valid).toBe(true)
    expect(leaf.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(identity.certificateSha256)
    await expect(service.relyingPartyIdentities.current('no-such-bank')).rejects.toMatchObject({ code: 'ERR_INVALID_REQUEST' })
  })

  it('the identities survive a restart: same key, same certificate, and it still signs', async () => {
    const bank = await service.relyingPartyIdentities.current(BANK)
    const older = await service.relyingPartyIdentities.current('older-bank')
    const dataDir = service.dataDir
    await service.dispose({ keepData: true })
    service = await startTestService({ dataDir })
    const bankAfter = await service.relyingPartyIdentities.current(BANK)
    expect(bankAfter).toEqual(bank)
    expect(await service.relyingPartyIdentities.current('older-bank')).toEqual(older)
    expect(demoBank(service)).toMatchObject({ clientId: bank.clientId, certificateSha256: bank.certificateSha256 })
    const { valid, header } = verifyWithLeaf(await service.relyingPartyIdentities.signRequestObject(BANK, { nonce: 'after restart' }))
    expect(valid).toBe(true)
    expect(header.x5c).toEqual(bank.x5c)
    expect(bankAfter.publicJwk).toEqual(bank.publicJwk)
  }, 120_000)
})
