// A presentation is bound to its verifier and signer: one addressed to another verifier is refused on the
// VC-API route even without options.domain, and a DID URL (path, query, fragment) is never an issuer or holder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createJWT } from 'did-jwt'
import { startTestService, type TestService } from '../helpers/service.js'
import { issueOverHttp, rawHolder, rawPresentation, readDemo, type Issued } from './verification-helpers.js'

let service: TestService
let holder: ReturnType<typeof rawHolder>
let licence: Issued

beforeAll(async () => {
  service = await startTestService()
  holder = rawHolder()
  licence = await issueOverHttp(service, readDemo(service), 'BusinessLicenseCredential', holder.did)
})

afterAll(async () => {
  await service?.dispose()
})

const vcApiVerify = (presentation: string, options: Record<string, unknown>) =>
  service.api('/presentations/verify', { body: { verifiablePresentation: presentation, options } })

describe('presentation binding', () => {
  it('refuses, without options.domain, a presentation addressed to another verifier', async () => {
    const vp = await rawPresentation(holder, [licence.jwt], 'challenge-for-other-bank-1', 'other-bank.example.cn')
    const { status, body } = await vcApiVerify(vp, { challenge: 'challenge-for-other-bank-1' })
    expect(status).toBe(422)
    expect(body.error.code).toBe('ERR_DOMAIN_MISMATCH')
  })

  it('accepts, without options.domain, a presentation addressed to this verifier', async () => {
    const domain = service.verifier.domain
    const vp = await rawPresentation(holder, [licence.jwt], 'challenge-for-this-bank-1', domain)
    const { status, body } = await vcApiVerify(vp, { challenge: 'challenge-for-this-bank-1' })
    expect(status, JSON.stringify(body.error)).toBe(200)
  })

  it('refuses a credential whose iss is a DID URL (it could resolve a superseded document)', async () => {
    const issuer = `${licence.credential.issuer.id}?versionId=1`
    const forged = await createJWT(
      { vc: { type: ['VerifiableCredential', 'BusinessLicenseCredential'], credentialSubject: {} }, sub: holder.did },
      { issuer, signer: holder.signer },
      { alg: 'ES256K' },
    )
    const { status, body } = await service.api('/credentials/verify', { body: { verifiableCredential: forged } })
    expect(status).toBe(422)
    expect(body.error.code).toBe('ERR_CREDENTIAL_MALFORMED')
  })
})

describe('presentation requests housekeeping', () => {
  it('purges requests that expired more than a day ago, and only those', async () => {
    const fresh = await service.api('/v1/presentation-requests', {
      body: { credentialTypes: ['BusinessLicenseCredential'], purpose: 'housekeeping' },
    })
    const purged = await service.verifier.deps.requests.purgeExpired(Date.now() + 2 * 86_400_000)
    expect(purged).toBeGreaterThanOrEqual(1)
    expect((await service.api(`/v1/presentation-requests/${fresh.body.id}`)).status).toBe(404)
    const kept = await service.api('/v1/presentation-requests', {
      body: { credentialTypes: ['BusinessLicenseCredential'], purpose: 'housekeeping' },
    })
    expect(await service.verifier.deps.requests.purgeExpired()).toBe(0)
    expect((await service.api(`/v1/presentation-requests/${kept.body.id}`)).status).toBe(200)
  })
})
