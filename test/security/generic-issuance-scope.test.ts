// Issue 8, finding 10: any department key could sign a "generic" credential (the base type only, claims of
// the caller's choosing, e.g. {name, idNumber}) under the department's DID through POST /credentials/issue,
// which a verifier checking only signatures would take for the department's word. Generic issuance now needs
// its own scope (VerifiableCredential, not implied by '*') and is off by default outside the embedded demo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { loadConfig, ConfigError } from '../../src/config/config.js'
import { bearer, countRows, readDemo, type Demo } from '../issuance/issuance-helpers.js'

const SECRET = 'ab'.repeat(32)

const generic = (issuer: string, claims: Record<string, unknown> = {}) => ({
  credential: {
    '@context': ['https://www.w3.org/2018/credentials/v1'],
    type: ['VerifiableCredential'],
    issuer,
    credentialSubject: { id: 'did:example:ebfeb1f712ebc6f1c276e12ec21', ...claims },
  },
})

/** A generic credential issued by the key's own department (the VC-API requires the issuer). */
const issueGeneric = async (service: TestService, key: string, claims?: Record<string, unknown>) => {
  const record = await service.issuance.keys.authenticate(key)
  const issuer = Object.values(readDemo(service)).find((d) => d.id === record!.departmentId)!.did
  return service.api('/credentials/issue', { headers: bearer(key), body: generic(issuer, claims) })
}

describe('GOVCRED_GENERIC_ISSUANCE', () => {
  it('defaults to on in the embedded demo and off with an external chain or without the demo', () => {
    expect(loadConfig({ PORT: '0' }).issuance.genericIssuance).toBe(true)
    expect(loadConfig({ PORT: '0', GOVCRED_DEMO: 'false' }).issuance.genericIssuance).toBe(false)
    expect(loadConfig({ GOVCRED_RPC_URL: 'http://10.0.0.5:8545', GOVCRED_KMS_SECRET: SECRET }).issuance.genericIssuance).toBe(false)
    expect(
      loadConfig({ GOVCRED_RPC_URL: 'http://10.0.0.5:8545', GOVCRED_KMS_SECRET: SECRET, GOVCRED_GENERIC_ISSUANCE: 'true' }).issuance
        .genericIssuance,
    ).toBe(true)
    expect(loadConfig({ PORT: '0', GOVCRED_GENERIC_ISSUANCE: 'false' }).issuance.genericIssuance).toBe(false)
  })

  it('is validated like every other setting', () => {
    let error: unknown
    try {
      loadConfig({ GOVCRED_GENERIC_ISSUANCE: 'maybe' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).problems).toEqual(['GOVCRED_GENERIC_ISSUANCE must be true or false (got "maybe")'])
  })
})

describe('generic issuance with the setting on (the embedded demo)', () => {
  let service: TestService
  let demo: Demo
  const keys = { licenceOnly: '', star: '', genericOnly: '' }

  beforeAll(async () => {
    service = await startTestService()
    demo = readDemo(service)
    const department = demo.market.id
    keys.licenceOnly = (await service.issuance.keys.create(department, ['BusinessLicenseCredential'], 'licences only')).key
    keys.star = (await service.issuance.keys.create(department, ['*'], 'every govcred type')).key
    keys.genericOnly = (await service.issuance.keys.create(department, ['VerifiableCredential'], 'VC-API test suite')).key
  }, 60_000)

  afterAll(async () => {
    await service?.dispose()
  })

  it('refuses a key without the VerifiableCredential scope (403 ERR_GENERIC_SCOPE_REQUIRED), storing nothing', async () => {
    const before = await countRows(service)
    const refused = await issueGeneric(service, keys.licenceOnly, { name: '李明', idNumber: '320106********1234' })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('ERR_GENERIC_SCOPE_REQUIRED')
    expect(await countRows(service)).toEqual(before)
  })

  it("refuses an unrestricted '*' key too: '*' means every govcred type, not arbitrary claims", async () => {
    const refused = await issueGeneric(service, keys.star, { name: '李明' })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('ERR_GENERIC_SCOPE_REQUIRED')
  })

  it('a key without the scope still issues its govcred type through the VC-API', async () => {
    const { id: holder, ...claims } = businessLicenseClaims()
    const { status, body } = await service.api('/credentials/issue', {
      headers: bearer(keys.licenceOnly),
      body: {
        credential: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential', 'BusinessLicenseCredential'],
          issuer: demo.market.did,
          credentialSubject: { id: holder, ...claims },
        },
      },
    })
    expect(status, JSON.stringify(body)).toBe(201)
  })

  it("issues the VC-API suite's subject-only credential for a key with the scope, and the demo keys have it", async () => {
    const scoped = await issueGeneric(service, keys.genericOnly)
    expect(scoped.status, JSON.stringify(scoped.body)).toBe(201)
    expect(scoped.body.verifiableCredential.type).toEqual(['VerifiableCredential'])

    const stored = await service.issuance.keys.authenticate(demo.realEstate.apiKey)
    expect(stored?.scopes).toEqual(['PropertyCertificateCredential', 'VerifiableCredential'])
    const fromDemo = await issueGeneric(service, demo.realEstate.apiKey)
    expect(fromDemo.status, JSON.stringify(fromDemo.body)).toBe(201)
    expect(fromDemo.body.verifiableCredential.credentialSubject).toEqual({ id: 'did:example:ebfeb1f712ebc6f1c276e12ec21' })
  })

  it('a generic credential is a record only keys with the scope (or *) act on', async () => {
    const { body } = await issueGeneric(service, keys.genericOnly)
    const id = encodeURIComponent(body.verifiableCredential.id)
    expect((await service.api(`/v1/credentials/${id}`, { headers: bearer(keys.licenceOnly) })).status).toBe(403)
    expect((await service.api(`/v1/credentials/${id}`, { headers: bearer(keys.genericOnly) })).status).toBe(200)
    expect((await service.api(`/v1/credentials/${id}`, { headers: bearer(keys.star) })).status).toBe(200)
  })
})

describe('generic issuance with the setting off', () => {
  let service: TestService
  let demo: Demo

  beforeAll(async () => {
    service = await startTestService({ env: { GOVCRED_GENERIC_ISSUANCE: 'false' } })
    demo = readDemo(service)
  }, 60_000)

  afterAll(async () => {
    await service?.dispose()
  })

  it('refuses even a key scoped for VerifiableCredential (403 ERR_GENERIC_ISSUANCE_DISABLED), storing nothing', async () => {
    const key = (await service.issuance.keys.create(demo.market.id, ['VerifiableCredential'], 'scoped')).key
    const before = await countRows(service)
    const refused = await issueGeneric(service, key)
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('ERR_GENERIC_ISSUANCE_DISABLED')
    expect(await countRows(service)).toEqual(before)
  })

  it('gives the demo keys only their govcred types', async () => {
    expect((await service.issuance.keys.authenticate(demo.market.apiKey))?.scopes).toEqual(['BusinessLicenseCredential'])
    expect((await issueGeneric(service, demo.market.apiKey)).body.error.code).toBe('ERR_GENERIC_ISSUANCE_DISABLED')
  })
})
