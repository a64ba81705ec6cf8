import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { issue, readDemo } from '../issuance/issuance-helpers.js'
import { socialSecurityStatusClaims } from '../fixtures/claims.js'

// With the chain gone, every route that reads it says so with 503 ERR_CHAIN_UNAVAILABLE: never a 500, and
// never an answer made up without the chain.
let service: TestService
let departmentKey: string
let departmentDid: string
let credentialId: string

beforeAll(async () => {
  service = await startTestService()
  const { socialSecurity } = readDemo(service)
  departmentKey = socialSecurity.apiKey
  departmentDid = socialSecurity.did
  const issued = await issue(service, departmentKey, 'SocialSecurityStatusCredential', socialSecurityStatusClaims())
  if (issued.status !== 201) throw new Error(`setup: issuing answered ${issued.status} ${JSON.stringify(issued.body)}`)
  credentialId = issued.body.id
  await service.ctx.chain!.stop()
}, 120_000)

afterAll(async () => {
  await service?.dispose()
})

describe('with the chain down', () => {
  it.each([
    ['GET /v1/issuers', () => service.api('/v1/issuers')],
    ['GET /v1/issuers/{did}', () => service.api(`/v1/issuers/${encodeURIComponent(departmentDid)}`)],
    [
      'GET /v1/credentials/{id}/status',
      () =>
        service.api(`/v1/credentials/${encodeURIComponent(credentialId)}/status`, {
          headers: { authorization: `Bearer ${departmentKey}` },
        }),
    ],
  ])('%s answers 503 ERR_CHAIN_UNAVAILABLE', async (_route, call) => {
    const { status, body } = await call()
    expect(status).toBe(503)
    expect(body.error.code).toBe('ERR_CHAIN_UNAVAILABLE')
  })

  it('the health check says the chain is unavailable', async () => {
    const { status, body } = await service.api('/healthz')
    expect(status).toBe(503)
    expect(body.chain.ok).toBe(false)
  })
})
