// Issue 8, finding 9: GET /v1/audit ignored the API key's scopes, so a key scoped to one credential type read
// the audit entries of every credential of its department. Entries are now filtered by the key's visible
// types; entries about no credential (API keys) are for unrestricted ('*') keys only; asking for a
// credential the key may not see answers 404, as another department's credential does.
import { userInfo } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import type { AuditEntry } from '../../src/issuing/audit/audit-log.js'
import { bearer, issue, readDemo, type Demo } from '../issuance/issuance-helpers.js'

let service: TestService
let demo: Demo
const keys = { licences: '', generic: '', star: '' }
const ids = { licence1: '', licence2: '', generic1: '', generic2: '', otherDepartment: '' }

const audit = (key: string, query = '') => service.api(`/v1/audit${query}`, { headers: bearer(key) })
const credentialIdsOf = (entries: AuditEntry[]) => entries.map((e) => e.credentialId)

const issueGeneric = async () => {
  const { status, body } = await service.api('/credentials/issue', {
    headers: bearer(demo.market.apiKey),
    body: {
      credential: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiableCredential'],
        issuer: demo.market.did,
        credentialSubject: { id: 'did:example:holder', note: 'generic' },
      },
    },
  })
  expect(status, JSON.stringify(body)).toBe(201)
  return body.verifiableCredential.id as string
}
const issueLicence = async () => {
  const { status, body } = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
  expect(status, JSON.stringify(body)).toBe(201)
  return body.id as string
}

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  const market = demo.market.id
  keys.licences = (await service.issuance.keys.create(market, ['BusinessLicenseCredential'], 'licence clerks')).key
  keys.generic = (await service.issuance.keys.create(market, ['VerifiableCredential'], 'VC-API suite')).key
  keys.star = (await service.issuance.keys.create(market, ['*'], 'auditor')).key
  // Interleaved, so a scoped key's pages must skip entries it may not see.
  ids.licence1 = await issueLicence()
  ids.generic1 = await issueGeneric()
  ids.licence2 = await issueLicence()
  ids.generic2 = await issueGeneric()
  // What `govcred apikey create` records: an entry about no credential.
  await service.issuance.audit.append({
    departmentId: market,
    actor: `cli:${userInfo().username}`,
    action: 'api-key-create',
    details: { apiKeyId: 'key-1', scopes: ['BusinessLicenseCredential'] },
  })
  const other = await service.api('/credentials/issue', {
    headers: bearer(demo.realEstate.apiKey),
    body: {
      credential: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiableCredential'],
        issuer: demo.realEstate.did,
        credentialSubject: { id: 'did:example:holder' },
      },
    },
  })
  ids.otherDepartment = other.body.verifiableCredential.id
}, 60_000)

afterAll(async () => {
  await service?.dispose()
})

describe('GET /v1/audit with a scoped key', () => {
  it('lists only the entries about credentials of the types the key may see', async () => {
    const { status, body } = await audit(keys.licences)
    expect(status).toBe(200)
    expect(credentialIdsOf(body.entries)).toEqual([ids.licence2, ids.licence1])
    expect(body.entries.every((e: AuditEntry) => e.details.type === 'BusinessLicenseCredential')).toBe(true)
    expect(body.nextBefore).toBeNull()

    const generic = await audit(keys.generic)
    expect(credentialIdsOf(generic.body.entries)).toEqual([ids.generic2, ids.generic1])
  })

  it('keeps pages full and nextBefore honest when hidden entries lie in between', async () => {
    const first = await audit(keys.licences, '?limit=1')
    expect(credentialIdsOf(first.body.entries)).toEqual([ids.licence2])
    expect(first.body.nextBefore).toBe(first.body.entries[0].seq)
    const second = await audit(keys.licences, `?limit=1&before=${first.body.nextBefore}`)
    expect(credentialIdsOf(second.body.entries)).toEqual([ids.licence1])
    expect(second.body.nextBefore).toBeNull()
  })

  it('answers 404 ERR_CREDENTIAL_NOT_FOUND for a credential of another type, as for another department', async () => {
    const hidden = await audit(keys.licences, `?credentialId=${encodeURIComponent(ids.generic1)}`)
    const elsewhere = await audit(keys.licences, `?credentialId=${encodeURIComponent(ids.otherDepartment)}`)
    const unknown = await audit(keys.licences, `?credentialId=${encodeURIComponent('urn:uuid:00000000-0000-4000-8000-000000000000')}`)
    for (const answer of [hidden, elsewhere, unknown]) {
      expect(answer.status).toBe(404)
      expect(answer.body.error.code).toBe('ERR_CREDENTIAL_NOT_FOUND')
    }
    const visible = await audit(keys.licences, `?credentialId=${encodeURIComponent(ids.licence1)}`)
    expect(visible.status).toBe(200)
    expect(credentialIdsOf(visible.body.entries)).toEqual([ids.licence1])
  })

  it('leaves entries about no credential (API keys) to unrestricted keys', async () => {
    expect((await audit(keys.licences, '?action=api-key-create')).body.entries).toEqual([])
    expect((await audit(keys.generic, '?action=api-key-create')).body.entries).toEqual([])
    const all = await audit(keys.star, '?action=api-key-create')
    expect(all.body.entries).toHaveLength(1)
    expect(all.body.entries[0].credentialId).toBeNull()
  })
})

describe("GET /v1/audit with a '*' key", () => {
  it("lists every entry of its department and none of another's", async () => {
    const { body } = await audit(keys.star, '?limit=200')
    expect(credentialIdsOf(body.entries)).toEqual([null, ids.generic2, ids.licence2, ids.generic1, ids.licence1])
    const generic = await audit(keys.star, `?credentialId=${encodeURIComponent(ids.generic1)}`)
    expect(credentialIdsOf(generic.body.entries)).toEqual([ids.generic1])
  })
})
