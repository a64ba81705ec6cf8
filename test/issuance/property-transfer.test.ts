import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { propertyCertificateClaims } from '../fixtures/claims.js'
import {
  bearer,
  bitsOnChain,
  changeStatus,
  countRows,
  issue,
  payloadOf,
  readDemo,
  statusIndexOf,
  unitNumber,
  type Demo,
} from './issuance-helpers.js'

let service: TestService
let demo: Demo

const SELLER = 'did:ethr:0x00000000000000000000000000000000000005e1'
const BUYER = 'did:ethr:0x0000000000000000000000000000000000000b01'
const NEXT_BUYER = 'did:ethr:0x0000000000000000000000000000000000000b02'

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

function claimsFor(unit: string, owner = '王芳') {
  const { id: _id, ...claims } = propertyCertificateClaims({
    propertyUnitNumber: unit,
    owners: [{ name: owner, idNumberMasked: '320106********4321', share: 1 }],
  })
  return claims
}

async function issueCertificate(unit: string, holder = SELLER) {
  return issue(service, demo.realEstate.apiKey, 'PropertyCertificateCredential', { id: holder, ...claimsFor(unit, '李明') })
}

const checkCurrent = (unit: string, certificate: string) => service.api(`/v1/property/units/${unit}/current`, { body: { certificate } })

async function isCurrent(unit: string, jwt: string) {
  const { status, body } = await checkCurrent(unit, jwt)
  expect(status, JSON.stringify(body)).toBe(200)
  return body as { current: boolean; verified: boolean; unitNumber: string; sequence: number | null }
}

const transfer = (body: Record<string, unknown>) => service.api('/v1/property/transfers', { headers: bearer(demo.realEstate.apiKey), body })

/** Records and chain agree: exactly one live certificate for the unit. */
async function expectExactlyOneActive(unit: string, activeId: string, jwts: Record<string, string>) {
  const { body } = await service.api(`/v1/credentials?type=PropertyCertificateCredential&subject=${unit}&limit=50`, {
    headers: bearer(demo.realEstate.apiKey),
  })
  const live = (body.items as { id: string; status: string }[]).filter((i) => i.status !== 'revoked')
  expect(live.map((i) => i.id)).toEqual([activeId])
  for (const [id, jwt] of Object.entries(jwts)) {
    const bits = await bitsOnChain(service, demo.realEstate.account, statusIndexOf(payloadOf(jwt).vc))
    expect(bits.revoked, id).toBe(id !== activeId)
    expect((await isCurrent(unit, jwt)).current, id).toBe(id === activeId)
  }
}

describe('one current certificate per property unit', () => {
  const unit = unitNumber(101)
  let seller: { id: string; jwt: string }

  it("a new certificate is the unit's current one, checked against the chain anchor", async () => {
    const { status, body } = await issueCertificate(unit)
    expect(status, JSON.stringify(body)).toBe(201)
    expect(body.anchor).toMatchObject({ unitNumber: unit, sequence: 1, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) })
    // The anchor's salt is signed into the credential, so its holder can recompute the on-chain value.
    const payload = payloadOf(body.jwt)
    expect(payload.propertyAnchor ?? payload.vc.propertyAnchor).toMatchObject({
      sequence: 1,
      salt: expect.stringMatching(/^0x[0-9a-f]{32}$/),
      keySalt: expect.stringMatching(/^0x[0-9a-f]{32}$/),
    })
    seller = { id: body.id, jwt: body.jwt }
    expect(await isCurrent(unit, seller.jwt)).toMatchObject({ unitNumber: unit, current: true, sequence: 1 })
  })

  it('a second certificate for the same unit through POST /v1/credentials → 409 ERR_UNIT_HAS_CURRENT_CERTIFICATE, nothing stored', async () => {
    const before = await countRows(service)
    const { status, body } = await issueCertificate(unit, BUYER)
    expect(status).toBe(409)
    expect(body.error.code).toBe('ERR_UNIT_HAS_CURRENT_CERTIFICATE')
    expect(body.error.details).toEqual({ current: [seller.id] })
    expect(await countRows(service)).toEqual(before)
  })

  it('the current-certificate check refuses a certificate for another unit (400 ERR_UNIT_MISMATCH) and a malformed unit', async () => {
    const other = await checkCurrent(unitNumber(102), seller.jwt)
    expect(other.status).toBe(400)
    expect(other.body.error.code).toBe('ERR_UNIT_MISMATCH')
    const malformed = await checkCurrent('12345', seller.jwt)
    expect(malformed.body.error.code).toBe('ERR_INVALID_UNIT_NUMBER')
    const notJwt = await checkCurrent(unit, 'hello')
    expect([notJwt.status, notJwt.body.error.code]).toEqual([400, 'ERR_MALFORMED_JWT'])
    const noCertificate = await service.api(`/v1/property/units/${unit}/current`, { body: {} })
    expect([noCertificate.status, noCertificate.body.error.code]).toEqual([400, 'ERR_INVALID_REQUEST'])
  })

  it('POST /v1/property/transfers revokes the seller and issues the buyer in one step (201)', async () => {
    const { status, body } = await transfer({ sellerCredentialId: seller.id, buyer: BUYER, claims: claimsFor(unit) })
    expect(status, JSON.stringify(body)).toBe(201)
    expect(body.onChain).toBe('confirmed')
    expect(body.seller).toMatchObject({ credentialId: seller.id, status: 'revoked', txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) })
    expect(body.anchor).toMatchObject({ unitNumber: unit, sequence: 2, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) })
    const buyer = body.buyerCredential as { id: string; jwt: string }
    const payload = payloadOf(buyer.jwt)
    expect(payload.iss).toBe(demo.realEstate.did)
    expect(payload.sub).toBe(BUYER)
    expect(payload.vc.credentialSubject.propertyUnitNumber).toBe(unit)

    // Neither both valid nor neither: exactly one live certificate, in the records and on chain.
    await expectExactlyOneActive(unit, buyer.id, { [seller.id]: seller.jwt, [buyer.id]: buyer.jwt })
    expect(await isCurrent(unit, buyer.jwt)).toMatchObject({ current: true, sequence: 2 })

    const sellerRecord = await service.api(`/v1/credentials/${encodeURIComponent(seller.id)}`, { headers: bearer(demo.realEstate.apiKey) })
    expect(sellerRecord.body).toMatchObject({ status: 'revoked', supersededBy: buyer.id })

    const audit = await service.api(`/v1/audit?action=transfer&limit=10`, { headers: bearer(demo.realEstate.apiKey) })
    const entries = audit.body.entries as { credentialId: string; txHash: string | null; details: Record<string, unknown> }[]
    expect(entries.find((e) => e.credentialId === buyer.id)?.details).toMatchObject({ unitNumber: unit, from: seller.id, to: buyer.id })
    expect(entries.find((e) => e.credentialId === seller.id)?.txHash).toBe(body.seller.txHash)

    // The transferred-to owner holds the unit; a second transfer from the old seller is refused.
    const before = await countRows(service)
    const again = await transfer({ sellerCredentialId: seller.id, buyer: NEXT_BUYER, claims: claimsFor(unit) })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ERR_CREDENTIAL_REVOKED')
    expect(await countRows(service)).toEqual(before)
    await expectExactlyOneActive(unit, buyer.id, { [seller.id]: seller.jwt, [buyer.id]: buyer.jwt })
  })

  it('a transfer naming another unit than the seller certificate → 422 ERR_UNIT_MISMATCH, nothing stored', async () => {
    const other = unitNumber(103)
    const { body: issued } = await issueCertificate(other)
    const before = await countRows(service)
    const { status, body } = await transfer({ sellerCredentialId: issued.id, buyer: BUYER, claims: claimsFor(unitNumber(104)) })
    expect(status).toBe(422)
    expect(body.error.code).toBe('ERR_UNIT_MISMATCH')
    expect(body.error.details).toContainEqual(expect.objectContaining({ field: '/claims/propertyUnitNumber' }))
    expect(await countRows(service)).toEqual(before)
    expect((await isCurrent(other, issued.jwt)).current).toBe(true)
  })

  it('a suspended (e.g. seized) seller certificate cannot be transferred → 409 ERR_CREDENTIAL_SUSPENDED', async () => {
    const seized = unitNumber(105)
    const { body: issued } = await issueCertificate(seized)
    const suspended = await changeStatus(service, demo.realEstate.apiKey, issued.id, 'suspend')
    expect(suspended.body).toMatchObject({ status: 'suspended', onChain: 'confirmed' })
    const before = await countRows(service)
    const { status, body } = await transfer({ sellerCredentialId: issued.id, buyer: BUYER, claims: claimsFor(seized) })
    expect(status).toBe(409)
    expect(body.error.code).toBe('ERR_CREDENTIAL_SUSPENDED')
    expect(await countRows(service)).toEqual(before)
    // A suspended certificate is not current (its anchor is cleared) until it is reinstated.
    expect(await isCurrent(seized, issued.jwt)).toMatchObject({ current: false, verified: false })
  })

  it('refuses bad transfer requests: missing seller id, buyer not a DID, claims against the schema', async () => {
    const base = { sellerCredentialId: seller.id, buyer: BUYER, claims: claimsFor(unit) }
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, sellerCredentialId: undefined }, 'ERR_INVALID_REQUEST'],
      [{ ...base, buyer: 'not a did' }, 'ERR_INVALID_HOLDER'],
      [{ ...base, claims: { ...claimsFor(unit), area: { buildingArea: -1 } } }, 'ERR_CLAIMS_INVALID'],
    ]
    for (const [request, code] of cases) {
      const before = await countRows(service)
      const { status, body } = await transfer(request)
      expect(status, code).toBe(422)
      expect(body.error.code).toBe(code)
      expect(await countRows(service)).toEqual(before)
    }
  })

  it('concurrent transfers of one certificate: exactly one succeeds', async () => {
    const contested = unitNumber(106)
    const { body: issued } = await issueCertificate(contested)
    const results = await Promise.all(
      [BUYER, NEXT_BUYER, 'did:ethr:0x0000000000000000000000000000000000000b03'].map((buyer) =>
        transfer({ sellerCredentialId: issued.id, buyer, claims: claimsFor(contested) }),
      ),
    )
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409])
    const winner = results.find((r) => r.status === 201)!.body.buyerCredential
    await expectExactlyOneActive(contested, winner.id, { [issued.id]: issued.jwt, [winner.id]: winner.jwt })
  })
})
