// Issue 8, finding 2: "is this the current certificate of this unit" said current:true for forged, revoked and
// suspended certificates, took the certificate in a query string, and anchored every unit under a key anyone
// could derive from its unit number. The check now verifies the certificate in full (POST body only), status
// changes clear or restore the anchor, and each certificate's anchor key is salted.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Contract, Wallet, ZeroHash, hexlify, randomBytes } from 'ethers'
import { ES256KSigner, createJWT, hexToBytes } from 'did-jwt'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { propertyAnchorKey, propertyAnchorValue, propertyUnitKey } from '../../src/issuing/property/property-anchor.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims, propertyCertificateClaims } from '../fixtures/claims.js'
import { bearer, changeStatus, issue, payloadOf, readDemo, type Demo } from '../issuance/issuance-helpers.js'
import { signAsDepartment } from '../verification/verification-helpers.js'
import { queueStatusChange } from '../../src/issuing/status/change-status.js'
import { writeTransaction } from '../../src/store/write-transaction.js'

let service: TestService
let demo: Demo
let nextUnit = 7_000_000 + Math.floor(Math.random() * 1_000_000)
const freshUnit = () => `320106003005GB00123F${String(nextUnit++).padStart(8, '0')}`

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

interface Certificate {
  id: string
  jwt: string
  credential: Record<string, any>
  unit: string
  anchor: { sequence: number; salt: string; keySalt?: string }
}

async function issueCertificate(unit = freshUnit(), holder = 'did:ethr:0x00000000000000000000000000000000000005e1'): Promise<Certificate> {
  const { id: _id, ...claims } = propertyCertificateClaims({ propertyUnitNumber: unit })
  const { status, body } = await issue(service, demo.realEstate.apiKey, 'PropertyCertificateCredential', { id: holder, ...claims })
  expect(status, JSON.stringify(body)).toBe(201)
  return { id: body.id, jwt: body.jwt, credential: body.credential, unit, anchor: anchorOf(body.jwt) }
}

const anchorOf = (jwt: string) => {
  const payload = payloadOf(jwt)
  return payload.propertyAnchor ?? payload.vc.propertyAnchor
}

/** POST the certificate; every answer here must be a 2xx/4xx, never a 5xx. */
async function check(unit: string, certificate: string) {
  const answer = await service.api(`/v1/property/units/${unit}/current`, { body: { certificate } })
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500)
  return answer
}

async function currentAnswer(certificate: Certificate) {
  const { status, body } = await check(certificate.unit, certificate.jwt)
  expect(status, JSON.stringify(body)).toBe(200)
  return body as {
    unitNumber: string
    current: boolean
    verified: boolean
    issuer: { did: string; name: string | null }
    checks: { check: string; ok: boolean; code: string }[]
    anchoredAt: string | null
    sequence: number | null
  }
}

const failed = (body: { checks: { check: string; ok: boolean; code: string }[] }) =>
  body.checks.filter((c) => !c.ok).map((c) => `${c.check}:${c.code}`)

const anchorRegistry = () =>
  new Contract(service.ctx.deployments.contracts.anchors, loadArtifact('AnchorRegistry').abi, service.ctx.provider)

/** The value `account` anchored under `key`, read straight from the chain. */
async function onChain(account: string, key: string): Promise<string> {
  const [value] = await anchorRegistry().getFunction('anchorOf').staticCall(account, key)
  return value as string
}

const certificateKey = (certificate: Certificate) => propertyAnchorKey(certificate.unit, certificate.anchor.keySalt)

describe('the property current-certificate check (issue 8, finding 2)', () => {
  it('a certificate forged with a fresh did:ethr key that anchored itself → current:false, issuerAccredited failing', async () => {
    const genuine = await issueCertificate()
    const attacker = Wallet.createRandom().connect(service.ctx.provider)
    const attackerDid = `did:ethr:${service.ctx.deployments.name}:${attacker.address}`
    const id = `urn:uuid:${randomUUID()}`
    const anchor = { sequence: 1, salt: hexlify(randomBytes(16)), keySalt: hexlify(randomBytes(16)) }
    const { iss: _iss, iat: _iat, jti: _jti, ...payload } = payloadOf(genuine.jwt)
    const vc = { ...payload.vc, id, ...(payload.vc.issuer === undefined ? {} : { issuer: attackerDid }) }
    const forged = await createJWT(
      { ...payload, vc, jti: id, propertyAnchor: anchor },
      { issuer: attackerDid, signer: ES256KSigner(hexToBytes(attacker.privateKey)) },
      { alg: 'ES256K' },
    )
    // The attacker writes its own anchor (under the legacy key the old check read, and under the salted one).
    await service.ctx.provider.send('anvil_setBalance', [attacker.address, '0xde0b6b3a7640000'])
    const value = propertyAnchorValue(genuine.unit, id, anchor.salt)
    const sent = await new Contract(service.ctx.deployments.contracts.anchors, loadArtifact('AnchorRegistry').abi, attacker).getFunction(
      'setAnchors',
    )(attacker.address, [propertyUnitKey(genuine.unit), propertyAnchorKey(genuine.unit, anchor.keySalt)], [value, value])
    await sent.wait()
    expect(await onChain(attacker.address, propertyAnchorKey(genuine.unit, anchor.keySalt))).toBe(value)

    const { status, body } = await check(genuine.unit, forged)
    expect(status).toBe(200)
    expect(body).toMatchObject({ unitNumber: genuine.unit, current: false, verified: false, issuer: { did: attackerDid, name: null } })
    expect(failed(body)).toContain('issuerAccredited:ERR_ISSUER_NOT_ACCREDITED')
    expect(body.checks.find((c: { check: string }) => c.check === 'credentialSignature')).toMatchObject({ ok: true })
  })

  it('a genuine certificate is current, with its issuer and every check passed', async () => {
    const certificate = await issueCertificate()
    const body = await currentAnswer(certificate)
    expect(body).toMatchObject({
      unitNumber: certificate.unit,
      current: true,
      verified: true,
      issuer: { did: demo.realEstate.did, name: expect.any(String) },
      sequence: 1,
      anchoredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    expect(failed(body)).toEqual([])
    expect(body.checks.map((c) => c.check)).toEqual(
      expect.arrayContaining(['credentialSignature', 'issuerAccredited', 'schema', 'status', 'validity']),
    )
  })

  it('a revoked certificate → current:false, and its anchor is cleared on chain', async () => {
    const certificate = await issueCertificate()
    const key = certificateKey(certificate)
    expect(await onChain(demo.realEstate.account, key)).not.toBe(ZeroHash)
    const revoked = await changeStatus(service, demo.realEstate.apiKey, certificate.id, 'revoke')
    expect(revoked.body).toMatchObject({ status: 'revoked', onChain: 'confirmed' })
    const body = await currentAnswer(certificate)
    expect(body).toMatchObject({ current: false, verified: false, anchoredAt: null, sequence: null })
    expect(failed(body)).toContain('status:ERR_CREDENTIAL_REVOKED')
    expect(await onChain(demo.realEstate.account, key)).toBe(ZeroHash)
  })

  it('a suspended certificate → current:false (anchor cleared); reinstated → current:true again (anchor restored)', async () => {
    const certificate = await issueCertificate()
    const key = certificateKey(certificate)
    const anchored = await onChain(demo.realEstate.account, key)
    expect(anchored).toBe(propertyAnchorValue(certificate.unit, certificate.id, certificate.anchor.salt))

    expect((await changeStatus(service, demo.realEstate.apiKey, certificate.id, 'suspend')).body).toMatchObject({ onChain: 'confirmed' })
    const suspended = await currentAnswer(certificate)
    expect(suspended).toMatchObject({ current: false, verified: false })
    expect(failed(suspended)).toContain('status:ERR_CREDENTIAL_SUSPENDED')
    expect(await onChain(demo.realEstate.account, key)).toBe(ZeroHash)

    expect((await changeStatus(service, demo.realEstate.apiKey, certificate.id, 'reinstate')).body).toMatchObject({ onChain: 'confirmed' })
    expect(await currentAnswer(certificate)).toMatchObject({ current: true, verified: true, sequence: 1 })
    expect(await onChain(demo.realEstate.account, key)).toBe(anchored)
  })

  it("after a transfer the seller's certificate is not current (its key cleared), the buyer's is", async () => {
    const seller = await issueCertificate()
    const { id: _id, ...claims } = propertyCertificateClaims({ propertyUnitNumber: seller.unit })
    const { status, body } = await service.api('/v1/property/transfers', {
      headers: bearer(demo.realEstate.apiKey),
      body: { sellerCredentialId: seller.id, buyer: 'did:ethr:0x0000000000000000000000000000000000000b01', claims },
    })
    expect(status, JSON.stringify(body)).toBe(201)
    const buyer: Certificate = { ...body.buyerCredential, unit: seller.unit, anchor: anchorOf(body.buyerCredential.jwt) }

    const sellerAnswer = await currentAnswer(seller)
    expect(sellerAnswer).toMatchObject({ current: false, verified: false })
    expect(failed(sellerAnswer)).toContain('status:ERR_CREDENTIAL_REVOKED')
    expect(await currentAnswer(buyer)).toMatchObject({ current: true, verified: true, sequence: 2 })

    // The buyer's anchor sits under a key of its own: the seller's key (all a past owner knows) answers zero.
    expect(certificateKey(buyer)).not.toBe(certificateKey(seller))
    expect(await onChain(demo.realEstate.account, certificateKey(seller))).toBe(ZeroHash)
    expect(await onChain(demo.realEstate.account, certificateKey(buyer))).toBe(
      propertyAnchorValue(seller.unit, buyer.id, buyer.anchor.salt),
    )
  })

  it("a new certificate's anchor key is not keccak('govcred:property-unit:' + unit)", async () => {
    const certificate = await issueCertificate()
    expect(certificate.anchor.keySalt).toMatch(/^0x[0-9a-f]{32}$/)
    expect(certificateKey(certificate)).not.toBe(propertyUnitKey(certificate.unit))
    expect(await onChain(demo.realEstate.account, propertyUnitKey(certificate.unit))).toBe(ZeroHash)
    expect(await onChain(demo.realEstate.account, certificateKey(certificate))).toBe(
      propertyAnchorValue(certificate.unit, certificate.id, certificate.anchor.salt),
    )
    // Nothing in the outbox (what is sent to the chain) names the legacy key either.
    const outbox = await service.ctx.writer.list()
    expect(outbox.some((entry) => JSON.stringify(entry).includes(propertyUnitKey(certificate.unit).slice(2)))).toBe(false)
  })

  it('a certificate issued before salted keys (no keySalt) keeps working with the legacy key', async () => {
    const template = await issueCertificate()
    const unit = freshUnit()
    const id = `urn:uuid:${randomUUID()}`
    const anchor = { sequence: 1, salt: hexlify(randomBytes(16)) }
    const jwt = await signAsDepartment(
      service,
      { ...template, type: 'PropertyCertificateCredential' },
      {
        id,
        credentialSubject: { ...template.credential.credentialSubject, propertyUnitNumber: unit },
        propertyAnchor: anchor,
      },
    )
    // As the centre anchored certificates before: under the unit's legacy key.
    await service.ctx.writer.submit({
      account: demo.realEstate.account,
      contract: 'AnchorRegistry',
      target: service.ctx.deployments.contracts.anchors,
      method: 'setAnchors',
      args: [demo.realEstate.account, [propertyUnitKey(unit)], [propertyAnchorValue(unit, id, anchor.salt)]],
      label: 'test: a legacy property anchor',
    })
    const legacy: Certificate = { id, jwt, credential: {}, unit, anchor }
    expect(await currentAnswer(legacy)).toMatchObject({ current: true, verified: true, sequence: 1 })
  })

  it('a suspension recorded just before a crash clears the anchor at the next start (recover)', async () => {
    const certificate = await issueCertificate()
    const key = certificateKey(certificate)
    // As if the process stopped right after the status change committed: recorded, nothing sent yet.
    const { status: deps } = service.issuance
    const queued = await writeTransaction(service.ctx.db, async (m) => {
      const record = await deps.credentials.getOwned(demo.realEstate.id, certificate.id, m)
      return queueStatusChange(deps, m, record!, 'suspend', 'test:crash')
    })
    expect(queued.anchors).toEqual([{ unitNumber: certificate.unit, sequence: 1 }])
    expect(await onChain(demo.realEstate.account, key)).not.toBe(ZeroHash)

    const dataDir = service.dataDir
    await service.dispose({ keepData: true })
    service = await startTestService({ dataDir })
    expect(await onChain(demo.realEstate.account, key)).toBe(ZeroHash)
    expect(await currentAnswer(certificate)).toMatchObject({ current: false, verified: false })
  })

  it('the certificate in a query string is refused with a clear 4xx', async () => {
    const certificate = await issueCertificate()
    const query = `certificate=${encodeURIComponent(certificate.jwt)}`
    const get = await service.api(`/v1/property/units/${certificate.unit}/current?${query}`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    expect(get.body.error).toMatchObject({ code: 'ERR_METHOD_NOT_ALLOWED', message: expect.stringContaining('POST') })
    const bare = await service.api(`/v1/property/units/${certificate.unit}/current`)
    expect([bare.status, bare.body.error.code]).toEqual([405, 'ERR_METHOD_NOT_ALLOWED'])
    const post = await service.api(`/v1/property/units/${certificate.unit}/current?${query}`, { body: { certificate: certificate.jwt } })
    expect([post.status, post.body.error.code]).toEqual([400, 'ERR_CERTIFICATE_IN_QUERY'])
  })

  it('bad input answers 4xx with its code, never a 5xx', async () => {
    const certificate = await issueCertificate()
    const cases: [string, unknown, number, string][] = [
      ['12345', { certificate: certificate.jwt }, 400, 'ERR_INVALID_UNIT_NUMBER'],
      [certificate.unit, {}, 400, 'ERR_INVALID_REQUEST'],
      [certificate.unit, { certificate: 42 }, 400, 'ERR_INVALID_REQUEST'],
      [certificate.unit, { certificate: 'x'.repeat(20_001) }, 400, 'ERR_INVALID_REQUEST'],
      [certificate.unit, { certificate: 'not.a.jwt' }, 400, 'ERR_MALFORMED_JWT'],
      [certificate.unit, { certificate: await issueBusinessLicence() }, 400, 'ERR_NOT_A_PROPERTY_CERTIFICATE'],
      [freshUnit(), { certificate: certificate.jwt }, 400, 'ERR_UNIT_MISMATCH'],
    ]
    for (const [unit, body, status, code] of cases) {
      const answer = await service.api(`/v1/property/units/${unit}/current`, { body })
      expect([answer.status, answer.body?.error?.code], code).toEqual([status, code])
    }
  })
})

async function issueBusinessLicence(): Promise<string> {
  const { status, body } = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
  expect(status, JSON.stringify(body)).toBe(201)
  return body.jwt
}
