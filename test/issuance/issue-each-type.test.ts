import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  businessLicenseClaims,
  HOLDER_DID,
  propertyCertificateClaims,
  socialInsuranceRegistrationClaims,
  socialSecurityStatusClaims,
} from '../fixtures/claims.js'
import { CREDENTIAL_TYPES, CREDENTIAL_TYPE_NAMES, type CredentialTypeName } from '../../src/catalog/credential-types.js'
import { loadSchema } from '../../src/catalog/schemas/load-schemas.js'
import { bearer, bitsOnChain, issue, payloadOf, readDemo, statusIndexOf, unitNumber, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

const DAY_MS = 86_400_000

describe('POST /v1/credentials issues each of the types', () => {
  const cases: { type: CredentialTypeName; department: keyof Demo; claims: () => object }[] = [
    { type: 'BusinessLicenseCredential', department: 'market', claims: () => businessLicenseClaims() },
    {
      type: 'PropertyCertificateCredential',
      department: 'realEstate',
      claims: () => propertyCertificateClaims({ propertyUnitNumber: unitNumber(1) }),
    },
    { type: 'SocialSecurityStatusCredential', department: 'socialSecurity', claims: () => socialSecurityStatusClaims() },
    {
      type: 'SocialInsuranceRegistrationCredential',
      department: 'socialSecurity',
      claims: () => socialInsuranceRegistrationClaims(),
    },
  ]

  it('covers every type of the catalogue', () => {
    expect(cases.map((c) => c.type).sort()).toEqual([...CREDENTIAL_TYPE_NAMES].sort())
  })

  for (const { type, department, claims } of cases) {
    it(`${type}: 201 with id, JWT and the decoded credential, signed by the department's did:ethr`, async () => {
      const issuer = demo[department]
      const { status, body, headers } = await issue(service, issuer.apiKey, type, claims())
      expect(status, JSON.stringify(body)).toBe(201)
      expect(body.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/)
      expect(headers.get('location')).toBe(`/v1/credentials/${encodeURIComponent(body.id)}`)
      expect(body).toMatchObject({ type, holder: HOLDER_DID, status: 'active' })

      const payload = payloadOf(body.jwt)
      expect(payload.iss).toBe(issuer.did)
      expect(issuer.did).toMatch(/^did:ethr:govcred:0x0[23][0-9a-f]{64}$/)
      expect(payload.sub).toBe(HOLDER_DID)
      expect(payload.jti ?? payload.vc.id).toBe(body.id)
      expect(payload.vc.type).toEqual(['VerifiableCredential', type])

      const credential = body.credential
      expect(credential.proof.jwt).toBe(body.jwt)
      expect(credential.issuer.id).toBe(issuer.did)
      expect(credential.credentialSubject.id).toBe(HOLDER_DID)
      expect(payload.vc.credentialSubject.id ?? payload.sub).toBe(HOLDER_DID)

      const definition = CREDENTIAL_TYPES[type]
      for (const schema of [credential.credentialSchema, payload.vc.credentialSchema]) {
        expect(schema).toMatchObject({
          id: loadSchema(type).uri,
          type: 'JsonSchema',
          name: definition.schemaId,
          version: definition.schemaVersion,
        })
      }

      const entries = payload.vc.credentialStatus as Record<string, unknown>[]
      expect(entries.map((e) => e.statusPurpose).sort()).toEqual(['revocation', 'suspension'])
      const index = statusIndexOf(payload.vc)
      expect(entries.every((e) => e.statusListIndex === String(index))).toBe(true)
      expect(index).toBeGreaterThanOrEqual(0)
      expect(index).toBeLessThan(1 << 20)
      for (const entry of entries) expect(entry.statusRegistry).toBe(service.ctx.deployments.contracts.status)
      expect(await bitsOnChain(service, issuer.account, index)).toEqual({ revoked: false, suspended: false })

      // Issuance sends no transaction for the credential itself (only a property unit anchor).
      const read = await service.api(`/v1/credentials/${encodeURIComponent(body.id)}`, { headers: bearer(issuer.apiKey) })
      expect(read.status).toBe(200)
      expect(read.body).toMatchObject({ id: body.id, type, holder: HOLDER_DID, status: 'active', jwt: body.jwt })
    })
  }

  it('a social-security status credential expires by default within 31 days', async () => {
    const { status, body } = await issue(
      service,
      demo.socialSecurity.apiKey,
      'SocialSecurityStatusCredential',
      socialSecurityStatusClaims({ id: 'did:ethr:0x00000000000000000000000000000000000000aa' }),
    )
    expect(status).toBe(201)
    const payload = payloadOf(body.jwt)
    expect(typeof payload.exp).toBe('number')
    expect(payload.exp - payload.nbf).toBeGreaterThan(0)
    expect((payload.exp - payload.nbf) * 1000).toBeLessThanOrEqual(31 * DAY_MS)
    expect(Date.parse(body.credential.expirationDate) - Date.now()).toBeLessThanOrEqual(31 * DAY_MS)
  })

  it('a business licence without validUntil has no expiry (a 长期 licence)', async () => {
    const { status, body } = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
    expect(status).toBe(201)
    expect(payloadOf(body.jwt).exp).toBeUndefined()
  })

  it('accepts claims without id (holder given separately) and an explicit validity window', async () => {
    const { id: _id, ...claims } = businessLicenseClaims()
    // After the department's accreditation (made when the service started): verifiers check it at validFrom.
    const validFrom = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    const validUntil = new Date(Date.now() + 365 * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z')
    const { status, body } = await service.api('/v1/credentials', {
      headers: bearer(demo.market.apiKey),
      body: {
        type: 'BusinessLicenseCredential',
        holder: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
        claims,
        validFrom,
        validUntil,
      },
    })
    expect(status, JSON.stringify(body)).toBe(201)
    expect(body.credential).toMatchObject({ issuanceDate: validFrom, expirationDate: validUntil })
    expect(payloadOf(body.jwt).sub).toBe('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')
  })
})

describe('W3C VC-API POST /credentials/issue', () => {
  it('issues a govcred type: 201 {verifiableCredential}', async () => {
    const { id: holder, ...claims } = businessLicenseClaims()
    const { status, body } = await service.api('/credentials/issue', {
      headers: bearer(demo.market.apiKey),
      body: {
        credential: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential', 'BusinessLicenseCredential'],
          issuer: demo.market.did,
          credentialSubject: { id: holder, ...claims },
        },
        options: {},
      },
    })
    expect(status, JSON.stringify(body)).toBe(201)
    const vc = body.verifiableCredential
    expect(vc.issuer.id).toBe(demo.market.did)
    expect(vc.type).toEqual(['VerifiableCredential', 'BusinessLicenseCredential'])
    expect(vc.credentialSchema.name).toBe('BusinessLicenseCredential')
    expect(payloadOf(vc.proof.jwt).iss).toBe(demo.market.did)
    expect(vc.credentialSubject.unifiedSocialCreditCode).toBe(claims.unifiedSocialCreditCode)
  })

  it('issues a base-type-only credential whose subject has only an id', async () => {
    const holder = 'did:example:ebfeb1f712ebc6f1c276e12ec21'
    const { status, body } = await service.api('/credentials/issue', {
      headers: bearer(demo.realEstate.apiKey),
      body: {
        credential: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential'],
          issuer: { id: demo.realEstate.did },
          issuanceDate: new Date().toISOString(),
          credentialSubject: { id: holder },
        },
      },
    })
    expect(status, JSON.stringify(body)).toBe(201)
    const vc = body.verifiableCredential
    expect(vc.type).toEqual(['VerifiableCredential'])
    expect(vc.credentialSubject).toEqual({ id: holder })
    expect(vc.credentialSchema).toBeUndefined()
    expect(vc.credentialStatus).toHaveLength(2)
    const payload = payloadOf(vc.proof.jwt)
    expect(payload.iss).toBe(demo.realEstate.did)
    expect(payload.sub).toBe(holder)
    // The subject is not emptied by moving its id into `sub` (stock did-jwt-vc refuses an empty subject).
    expect(payload.vc.credentialSubject).toEqual({ id: holder })
  })

  it('refuses a credential naming another issuer (400 ERR_INVALID_ISSUER) and an unknown type (400 ERR_UNKNOWN_TYPE)', async () => {
    const base = { '@context': ['https://www.w3.org/2018/credentials/v1'], credentialSubject: { id: HOLDER_DID } }
    const other = await service.api('/credentials/issue', {
      headers: bearer(demo.realEstate.apiKey),
      body: { credential: { ...base, type: ['VerifiableCredential'], issuer: demo.market.did } },
    })
    expect(other.status).toBe(400)
    expect(other.body.error.code).toBe('ERR_INVALID_ISSUER')
    const unknown = await service.api('/credentials/issue', {
      headers: bearer(demo.realEstate.apiKey),
      body: { credential: { ...base, type: ['VerifiableCredential', 'DriverLicenseCredential'], issuer: demo.realEstate.did } },
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.code).toBe('ERR_UNKNOWN_TYPE')
  })

  it('refuses a validFrom before the department was accredited (verifiers would refuse the credential)', async () => {
    const { id: _id, ...claims } = businessLicenseClaims()
    const validFrom = new Date(Date.now() - 6 * DAY_MS).toISOString()
    const { status, body } = await service.api('/v1/credentials', {
      headers: bearer(demo.market.apiKey),
      body: { type: 'BusinessLicenseCredential', holder: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', claims, validFrom },
    })
    expect(status).toBe(403)
    expect(body.error.code).toBe('ERR_NOT_ACCREDITED')
  })
})
