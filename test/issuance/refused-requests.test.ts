import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  businessLicenseClaims,
  HOLDER_DID,
  NANJING_USCC,
  propertyCertificateClaims,
  socialSecurityStatusClaims,
} from '../fixtures/claims.js'
import { bearer, countRows, issue, readDemo, unitNumber, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo
/** A credential of the market-supervision bureau, for other departments to try to touch. */
let marketCredentialId: string
/** A key of the registration centre scoped to every type: scope passes, the department's own setup does not. */
let wildcardKey: string

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  const issued = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
  expect(issued.status).toBe(201)
  marketCredentialId = issued.body.id
  wildcardKey = (await service.issuance.keys.create(demo.realEstate.id, ['*'], 'refused-requests test')).key
})

afterAll(async () => {
  await service?.dispose()
})

const { id: _holder, ...licence } = businessLicenseClaims()
const DAY_MS = 86_400_000

interface Refusal {
  name: string
  status: number
  code: string
  /** Field-level errors the details must include. */
  fields?: { field: string; code: string }[]
  request: () => { path?: string; method?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string }
}

const postCredential = (key: string, body: unknown) => ({ headers: bearer(key), body })

const refusals: Refusal[] = [
  {
    name: 'an invalid USCC check character',
    status: 422,
    code: 'ERR_CLAIMS_INVALID',
    fields: [{ field: '/claims/unifiedSocialCreditCode', code: 'ERR_USCC_CHECK_CHARACTER' }],
    request: () =>
      postCredential(demo.market.apiKey, {
        type: 'BusinessLicenseCredential',
        holder: HOLDER_DID,
        // The valid code ends in E; any other check character is wrong.
        claims: { ...licence, unifiedSocialCreditCode: `${NANJING_USCC.gulou.slice(0, 17)}F` },
      }),
  },
  {
    name: 'an unknown credential type',
    status: 422,
    code: 'ERR_UNKNOWN_TYPE',
    fields: [{ field: '/type', code: 'ERR_FIELD_ENUM' }],
    request: () => postCredential(demo.market.apiKey, { type: 'DriverLicenseCredential', holder: HOLDER_DID, claims: licence }),
  },
  {
    name: 'a prototype key as the type',
    status: 422,
    code: 'ERR_UNKNOWN_TYPE',
    request: () => postCredential(demo.market.apiKey, { type: 'toString', holder: HOLDER_DID, claims: licence }),
  },
  {
    name: 'claims that do not match the schema (missing, mistyped and unknown fields)',
    status: 422,
    code: 'ERR_CLAIMS_INVALID',
    fields: [
      { field: '/claims/enterpriseName', code: 'ERR_FIELD_REQUIRED' },
      { field: '/claims/registeredCapital/amount', code: 'ERR_FIELD_TYPE' },
      { field: '/claims/favouriteColour', code: 'ERR_FIELD_UNKNOWN' },
    ],
    request: () => {
      const { enterpriseName: _name, ...rest } = licence
      return postCredential(demo.market.apiKey, {
        type: 'BusinessLicenseCredential',
        holder: HOLDER_DID,
        claims: { ...rest, registeredCapital: { amount: '一千万', currency: 'CNY' }, favouriteColour: 'red' },
      })
    },
  },
  {
    name: 'a property unit number of the wrong shape',
    status: 422,
    code: 'ERR_CLAIMS_INVALID',
    fields: [{ field: '/claims/propertyUnitNumber', code: 'ERR_FIELD_PATTERN' }],
    request: () => {
      const { id: _id, ...claims } = propertyCertificateClaims({ propertyUnitNumber: '3201060030' })
      return postCredential(demo.realEstate.apiKey, { type: 'PropertyCertificateCredential', holder: HOLDER_DID, claims })
    },
  },
  {
    name: 'claims.id differing from holder',
    status: 422,
    code: 'ERR_CLAIMS_INVALID',
    fields: [{ field: '/claims/id', code: 'ERR_FIELD_INVALID' }],
    request: () =>
      postCredential(demo.market.apiKey, {
        type: 'BusinessLicenseCredential',
        holder: HOLDER_DID,
        claims: { ...licence, id: 'did:ethr:0x0000000000000000000000000000000000000001' },
      }),
  },
  {
    name: 'a holder that is not a DID',
    status: 422,
    code: 'ERR_INVALID_HOLDER',
    fields: [{ field: '/holder', code: 'ERR_FIELD_FORMAT' }],
    request: () =>
      postCredential(demo.market.apiKey, { type: 'BusinessLicenseCredential', holder: 'https://example.com/alice', claims: licence }),
  },
  {
    name: 'a missing holder',
    status: 422,
    code: 'ERR_INVALID_HOLDER',
    request: () => postCredential(demo.market.apiKey, { type: 'BusinessLicenseCredential', claims: licence }),
  },
  {
    name: 'a social-security validity over 31 days',
    status: 422,
    code: 'ERR_VALIDITY',
    fields: [{ field: '/validUntil', code: 'ERR_FIELD_RANGE' }],
    request: () => {
      const { id, ...claims } = socialSecurityStatusClaims()
      return postCredential(demo.socialSecurity.apiKey, {
        type: 'SocialSecurityStatusCredential',
        holder: id,
        claims,
        validUntil: new Date(Date.now() + 32 * DAY_MS).toISOString(),
      })
    },
  },
  {
    name: 'validUntil before validFrom',
    status: 422,
    code: 'ERR_VALIDITY',
    request: () =>
      postCredential(demo.market.apiKey, {
        type: 'BusinessLicenseCredential',
        holder: HOLDER_DID,
        claims: licence,
        validFrom: new Date(Date.now() + DAY_MS).toISOString(),
        validUntil: new Date().toISOString(),
      }),
  },
  {
    name: 'a validity date that is not ISO 8601',
    status: 422,
    code: 'ERR_VALIDITY',
    fields: [{ field: '/validFrom', code: 'ERR_FIELD_FORMAT' }],
    request: () =>
      postCredential(demo.market.apiKey, {
        type: 'BusinessLicenseCredential',
        holder: HOLDER_DID,
        claims: licence,
        validFrom: 'next Tuesday',
      }),
  },
  {
    name: 'an unknown top-level field',
    status: 422,
    code: 'ERR_INVALID_REQUEST',
    fields: [{ field: '/issuer', code: 'ERR_FIELD_UNKNOWN' }],
    request: () =>
      postCredential(demo.market.apiKey, {
        type: 'BusinessLicenseCredential',
        holder: HOLDER_DID,
        claims: licence,
        issuer: demo.realEstate.did,
      }),
  },
  {
    name: 'a missing API key',
    status: 401,
    code: 'ERR_AUTH_REQUIRED',
    request: () => ({ body: { type: 'BusinessLicenseCredential', holder: HOLDER_DID, claims: licence } }),
  },
  {
    name: 'a wrong API key',
    status: 401,
    code: 'ERR_AUTH_INVALID',
    request: () =>
      postCredential('gck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {
        type: 'BusinessLicenseCredential',
        holder: HOLDER_DID,
        claims: licence,
      }),
  },
  {
    name: 'an Authorization header that is not Bearer',
    status: 401,
    code: 'ERR_AUTH_INVALID',
    request: () => ({
      headers: { authorization: `Basic ${Buffer.from('market:secret').toString('base64')}` },
      body: { type: 'BusinessLicenseCredential', holder: HOLDER_DID, claims: licence },
    }),
  },
  {
    name: 'the registration centre issuing a business licence (key scope)',
    status: 403,
    code: 'ERR_SCOPE',
    request: () => postCredential(demo.realEstate.apiKey, { type: 'BusinessLicenseCredential', holder: HOLDER_DID, claims: licence }),
  },
  {
    name: 'the market bureau issuing a social-security status (key scope)',
    status: 403,
    code: 'ERR_SCOPE',
    request: () => {
      const { id, ...claims } = socialSecurityStatusClaims()
      return postCredential(demo.market.apiKey, { type: 'SocialSecurityStatusCredential', holder: id, claims })
    },
  },
  {
    name: 'a wildcard key of a department not accredited for the type',
    status: 403,
    code: 'ERR_NOT_ACCREDITED',
    request: () => postCredential(wildcardKey, { type: 'BusinessLicenseCredential', holder: HOLDER_DID, claims: licence }),
  },
  {
    name: 'malformed JSON',
    status: 400,
    code: 'ERR_MALFORMED_JSON',
    request: () => ({
      headers: { ...bearer(demo.market.apiKey), 'content-type': 'application/json' },
      rawBody: '{"type": "BusinessLicenseCredential", "holder": ',
    }),
  },
  {
    name: 'a JSON array as the body',
    status: 422,
    code: 'ERR_INVALID_REQUEST',
    request: () => postCredential(demo.market.apiKey, [{ type: 'BusinessLicenseCredential' }]),
  },
  {
    name: 'a body over the limit',
    status: 413,
    code: 'ERR_BODY_TOO_LARGE',
    request: () =>
      postCredential(demo.market.apiKey, {
        type: 'BusinessLicenseCredential',
        holder: HOLDER_DID,
        claims: { ...licence, businessScope: '经营'.repeat(200_000) },
      }),
  },
  {
    name: 'a property transfer by a department without the property scope',
    status: 403,
    code: 'ERR_SCOPE',
    request: () => ({
      path: '/v1/property/transfers',
      headers: bearer(demo.market.apiKey),
      body: {
        sellerCredentialId: marketCredentialId,
        buyer: HOLDER_DID,
        claims: propertyCertificateClaims({ propertyUnitNumber: unitNumber(9) }),
      },
    }),
  },
  {
    name: 'a property transfer of an unknown seller certificate',
    status: 404,
    code: 'ERR_CREDENTIAL_NOT_FOUND',
    request: () => {
      const { id: _id, ...claims } = propertyCertificateClaims({ propertyUnitNumber: unitNumber(9) })
      return {
        path: '/v1/property/transfers',
        headers: bearer(demo.realEstate.apiKey),
        body: { sellerCredentialId: 'urn:uuid:00000000-0000-4000-8000-000000000000', buyer: HOLDER_DID, claims },
      }
    },
  },
  {
    name: 'a VC-API issue with a subject id that is not a DID',
    status: 400,
    code: 'ERR_INVALID_HOLDER',
    request: () => ({
      path: '/credentials/issue',
      headers: bearer(demo.market.apiKey),
      body: {
        credential: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential'],
          issuer: demo.market.did,
          credentialSubject: { id: 'alice' },
        },
      },
    }),
  },
  {
    name: 'a VC-API issue without a key',
    status: 401,
    code: 'ERR_AUTH_REQUIRED',
    request: () => ({
      path: '/credentials/issue',
      body: {
        credential: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential'],
          credentialSubject: { id: HOLDER_DID },
        },
      },
    }),
  },
]

describe('a refused issuance request stores nothing', () => {
  for (const refusal of refusals) {
    it(`${refusal.name} → ${refusal.status} ${refusal.code}`, async () => {
      const before = await countRows(service)
      const { path = '/v1/credentials', ...init } = refusal.request()
      const { status, body } = await service.api(path, { method: 'POST', ...init })
      expect(status, JSON.stringify(body)).toBe(refusal.status)
      expect(body.error.code).toBe(refusal.code)
      expect(typeof body.error.message).toBe('string')
      for (const expected of refusal.fields ?? []) {
        expect(body.error.details, JSON.stringify(body.error.details)).toContainEqual(expect.objectContaining(expected))
      }
      expect(await countRows(service)).toEqual(before)
    })
  }
})

describe("another department's credential is invisible", () => {
  for (const action of ['revoke', 'suspend', 'reinstate'] as const) {
    it(`POST /v1/credentials/{id}/${action} by another department → 404 ERR_CREDENTIAL_NOT_FOUND, nothing stored`, async () => {
      const before = await countRows(service)
      const { status, body } = await service.api(`/v1/credentials/${encodeURIComponent(marketCredentialId)}/${action}`, {
        method: 'POST',
        headers: bearer(demo.socialSecurity.apiKey),
      })
      expect(status).toBe(404)
      expect(body.error.code).toBe('ERR_CREDENTIAL_NOT_FOUND')
      expect(await countRows(service)).toEqual(before)
    })
  }

  it('GET /v1/credentials/{id} and /status by another department → 404 ERR_CREDENTIAL_NOT_FOUND; the owner reads it', async () => {
    for (const suffix of ['', '/status']) {
      const other = await service.api(`/v1/credentials/${encodeURIComponent(marketCredentialId)}${suffix}`, {
        headers: bearer(demo.realEstate.apiKey),
      })
      expect(other.status).toBe(404)
      expect(other.body.error.code).toBe('ERR_CREDENTIAL_NOT_FOUND')
      const owner = await service.api(`/v1/credentials/${encodeURIComponent(marketCredentialId)}${suffix}`, {
        headers: bearer(demo.market.apiKey),
      })
      expect(owner.status).toBe(200)
    }
  })

  it("an unknown id looks the same as another department's", async () => {
    const { status, body } = await service.api('/v1/credentials/urn%3Auuid%3A00000000-0000-4000-8000-000000000000/revoke', {
      method: 'POST',
      headers: bearer(demo.market.apiKey),
    })
    expect(status).toBe(404)
    expect(body.error.code).toBe('ERR_CREDENTIAL_NOT_FOUND')
  })

  it('a revoked API key no longer authenticates (401 ERR_AUTH_INVALID)', async () => {
    const created = await service.issuance.keys.create(demo.market.id, ['BusinessLicenseCredential'], 'short-lived')
    const ok = await service.api('/v1/credentials?limit=1', { headers: bearer(created.key) })
    expect(ok.status).toBe(200)
    await service.issuance.keys.revoke(created.id)
    const before = await countRows(service)
    const refused = await issue(service, created.key, 'BusinessLicenseCredential', businessLicenseClaims())
    expect(refused.status).toBe(401)
    expect(refused.body.error.code).toBe('ERR_AUTH_INVALID')
    expect(await countRows(service)).toEqual(before)
  })
})
