// An API key acts only on the credential types it is scoped to: reading, listing and status changes too,
// not only issuance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { bearer, changeStatus, issue, readDemo, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo
let issuedId: string
let narrowKey: string

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  const issued = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
  expect(issued.status).toBe(201)
  issuedId = issued.body.id
  // A key of the same department scoped to no credential type (e.g. a reporting system).
  narrowKey = (await service.issuance.keys.create(demo.market.id, [], 'no types')).key
})

afterAll(async () => {
  await service?.dispose()
})

describe('API key scopes', () => {
  it('refuse reading and changing a credential of a type outside the scope (403 ERR_SCOPE)', async () => {
    const read = await service.api(`/v1/credentials/${encodeURIComponent(issuedId)}`, { headers: bearer(narrowKey) })
    expect([read.status, read.body.error.code]).toEqual([403, 'ERR_SCOPE'])
    const status = await service.api(`/v1/credentials/${encodeURIComponent(issuedId)}/status`, { headers: bearer(narrowKey) })
    expect([status.status, status.body.error.code]).toEqual([403, 'ERR_SCOPE'])
    const revoke = await changeStatus(service, narrowKey, issuedId, 'revoke')
    expect([revoke.status, revoke.body.error.code]).toEqual([403, 'ERR_SCOPE'])
    const stillActive = await service.api(`/v1/credentials/${encodeURIComponent(issuedId)}`, { headers: bearer(demo.market.apiKey) })
    expect(stillActive.body.status).toBe('active')
  })

  it('list only the types in the scope', async () => {
    const narrow = await service.api('/v1/credentials', { headers: bearer(narrowKey) })
    expect(narrow.status).toBe(200)
    expect(narrow.body.items.map((i: { id: string }) => i.id)).not.toContain(issuedId)
    const full = await service.api('/v1/credentials', { headers: bearer(demo.market.apiKey) })
    expect(full.body.items.map((i: { id: string }) => i.id)).toContain(issuedId)
  })
})
