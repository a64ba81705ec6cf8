// "Is this the current certificate of this unit" answers for the whole certificate: a copy whose payload
// was changed (another holder) fails its signature check and is not reported current.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { propertyCertificateClaims } from '../fixtures/claims.js'
import { issue, readDemo, unitNumber } from './issuance-helpers.js'

let service: TestService
let jwt: string
const unit = unitNumber(4242)

beforeAll(async () => {
  service = await startTestService()
  const issued = await issue(
    service,
    readDemo(service).realEstate.apiKey,
    'PropertyCertificateCredential',
    propertyCertificateClaims({ propertyUnitNumber: unit }),
  )
  expect(issued.status, JSON.stringify(issued.body)).toBe(201)
  jwt = issued.body.jwt
})

afterAll(async () => {
  await service?.dispose()
})

const current = (certificate: string) => service.api(`/v1/property/units/${unit}/current`, { body: { certificate } })

describe('POST /v1/property/units/{unit}/current', () => {
  it('answers current for the certificate as issued', async () => {
    const { status, body } = await current(jwt)
    expect(status).toBe(200)
    expect(body.current).toBe(true)
  })

  it('refuses a copy with another holder: current:false, credentialSignature ERR_CREDENTIAL_SIGNATURE_INVALID', async () => {
    const [header, payload, signature] = jwt.split('.')
    const changed = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'))
    changed.sub = 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'
    const forged = `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`
    const { status, body } = await current(forged)
    expect(status).toBe(200)
    expect(body).toMatchObject({ current: false, verified: false, anchoredAt: null, sequence: null })
    expect(body.checks).toContainEqual(expect.objectContaining({ check: 'credentialSignature', code: 'ERR_CREDENTIAL_SIGNATURE_INVALID' }))
  })
})
