import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { X509Certificate, generateKeyPairSync } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import * as x509 from '@peculiar/x509'
import type { Resolvable } from 'did-resolver'
import { startTestService, type TestService } from '../helpers/service.js'
import { readDemo, type Demo } from './issuance-helpers.js'
import { rootCaFiles } from '../../src/issuing/issuer-keys/root-ca.js'
import { isRegisteredIssuingKey } from '../../src/verifying/issuing-key-check.js'
import { p256PointOfJwk } from '../../src/shared/identity/p256-keys.js'

x509.cryptoProvider.set(globalThis.crypto)

const resolverOf = (service: TestService): Resolvable => ({
  resolve: (did: string) => service.ctx.agent.resolveDid({ didUrl: did }),
})

describe('issuer keys: a consortium root CA, department leaf certificates, keys registered on chain', () => {
  let service: TestService
  let demo: Demo

  beforeAll(async () => {
    service = await startTestService()
    demo = readDemo(service)
  }, 120_000)
  afterAll(async () => service?.dispose())

  it('the x5c leaf of a department chains to the root certificate that GET /v1/network publishes', async () => {
    const network = await service.api('/v1/network')
    expect(network.status).toBe(200)
    const pem = network.body.issuerTrust.x509RootCertificatePem as string
    const root = new X509Certificate(pem)
    expect(root.ca).toBe(true)
    expect(network.body.issuerTrust.x509RootCertificateSha256).toBe(root.fingerprint256.replaceAll(':', '').toLowerCase())

    const key = await service.issuance.issuerKeys.current(demo.market.id)
    expect(key.x5c).toHaveLength(1)
    const leaf = new X509Certificate(Buffer.from(key.x5c[0]!, 'base64'))
    expect(leaf.ca).toBe(false)
    expect(leaf.checkIssued(root)).toBe(true)
    expect(leaf.verify(root.publicKey)).toBe(true)
    const department = (await service.ctx.departments.get(demo.market.id))!
    expect(leaf.subject).toContain(`CN=${department.name}`)
    // The credential_issuer URL under the configured public URL (the key is made before a port-0 server listens).
    expect(leaf.subjectAltName).toContain(`URI:${service.config.publicUrl}/oid4vci/${demo.market.id}`)
    expect(leaf.subjectAltName).toContain('DNS:127.0.0.1')
    expect(leaf.publicKey.export({ format: 'jwk' })).toMatchObject(key.publicJwk as object)

    // The same chain with @peculiar/x509's builder (what credo-ts uses), anchored at the published root.
    const chain = await new x509.X509ChainBuilder({ certificates: [new x509.X509Certificate(pem)] }).build(
      new x509.X509Certificate(Buffer.from(key.x5c[0]!, 'base64')),
    )
    expect(chain).toHaveLength(2)
    expect(chain[1]!.equal(new x509.X509Certificate(pem))).toBe(true)
    const usage = new x509.X509Certificate(Buffer.from(key.x5c[0]!, 'base64')).getExtension(x509.KeyUsagesExtension)
    expect(usage!.usages & x509.KeyUsageFlags.digitalSignature).toBeTruthy()
    expect(usage!.usages & x509.KeyUsageFlags.keyCertSign).toBeFalsy()
  })

  it("the department's DID document, resolved from the chain, lists the registered P-256 key", async () => {
    const key = await service.issuance.issuerKeys.current(demo.realEstate.id)
    const { didDocument } = await service.ctx.agent.resolveDid({ didUrl: demo.realEstate.did })
    const point = p256PointOfJwk(key.publicJwk)
    expect(point).toMatch(/^04[0-9a-f]{128}$/)
    expect(didDocument?.verificationMethod?.map((m) => (m as { publicKeyHex?: string }).publicKeyHex)).toContain(point)
    expect(await isRegisteredIssuingKey(resolverOf(service), demo.realEstate.did, key.publicJwk)).toBe(true)
    // Another department's key, or a key nobody registered, is not this department's.
    const other = await service.issuance.issuerKeys.current(demo.market.id)
    expect(await isRegisteredIssuingKey(resolverOf(service), demo.realEstate.did, other.publicJwk)).toBe(false)
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })
    expect(await isRegisteredIssuingKey(resolverOf(service), demo.realEstate.did, stranger)).toBe(false)
  })

  it('a rotated key is registered on chain before use; the old one keeps verifying', async () => {
    const before = await service.issuance.issuerKeys.current(demo.socialSecurity.id)
    const rotated = await service.issuance.issuerKeys.rotate(demo.socialSecurity.id)
    expect(rotated.kid).not.toBe(before.kid)
    expect((await service.issuance.issuerKeys.current(demo.socialSecurity.id)).kid).toBe(rotated.kid)
    const resolver = resolverOf(service)
    expect(await isRegisteredIssuingKey(resolver, demo.socialSecurity.did, rotated.publicJwk)).toBe(true)
    expect(await isRegisteredIssuingKey(resolver, demo.socialSecurity.did, before.publicJwk)).toBe(true)
  })

  it('keeps the root key encrypted at rest (0600), and keys and certificates survive a restart', async () => {
    const files = rootCaFiles(service.dataDir)
    const stored = readFileSync(files.key, 'utf8')
    expect(stored).not.toContain('PRIVATE KEY')
    expect(JSON.parse(stored)).toMatchObject({ alg: 'A256GCM' })
    expect(statSync(files.key).mode & 0o077).toBe(0)
    expect(statSync(files.certificate).mode & 0o077).toBe(0)

    const rootBefore = service.issuance.issuerKeys.rootCertificatePem()
    const keysBefore = await Promise.all(
      [demo.market.id, demo.realEstate.id, demo.socialSecurity.id].map((id) => service.issuance.issuerKeys.current(id)),
    )
    const dataDir = service.dataDir
    await service.dispose({ keepData: true })
    service = await startTestService({ dataDir })
    expect(service.issuance.issuerKeys.rootCertificatePem()).toBe(rootBefore)
    for (const before of keysBefore) {
      const after = await service.issuance.issuerKeys.current(before.departmentId)
      expect(after.kid).toBe(before.kid)
      expect(after.x5c).toEqual(before.x5c)
    }
    expect((await service.issuance.issuerKeys.keys(demo.market.id)).length).toBe(1)
    // The restored key still signs what its certificate's key verifies.
    const key = await service.issuance.issuerKeys.current(demo.market.id)
    const data = new TextEncoder().encode('govcred')
    const signature = await key.sign(data)
    expect(signature).toHaveLength(64)
    const publicKey = await crypto.subtle.importKey('jwk', key.publicJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, new Uint8Array(signature), data)).toBe(true)
  }, 120_000)
})
