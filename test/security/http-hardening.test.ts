// Issue 8, finding 12: answers carrying credentials, presentations and verification results had no
// Cache-Control, and the API sent none of the usual hardening headers. Every answer now says no-store and
// carries helmet's X-Content-Type-Options, Referrer-Policy and a CSP that frames nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  claimsOf,
  createRequest,
  failures,
  issueOverHttp,
  openWallet,
  readDemo,
  verifyOverHttp,
} from '../verification/verification-helpers.js'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'

let service: TestService
let wallet: HolderWallet

beforeAll(async () => {
  service = await startTestService()
  wallet = await openWallet('govcred-hardening-wallet-')
}, 60_000)

afterAll(async () => {
  await wallet?.close()
  await service?.dispose()
})

function expectHardened(headers: Headers): void {
  expect(headers.get('cache-control')).toBe('no-store')
  expect(headers.get('x-content-type-options')).toBe('nosniff')
  expect(headers.get('referrer-policy')).toBe('no-referrer')
  expect(headers.get('x-frame-options')).toBe('DENY')
  const csp = (headers.get('content-security-policy') ?? '').split(';').map((d) => d.trim())
  expect(csp).toContain("default-src 'none'")
  expect(csp).toContain("frame-ancestors 'none'")
  expect(headers.get('x-powered-by')).toBeNull()
}

describe('HTTP hardening headers', () => {
  it('are on an issuance answer (a credential) and on a verification answer (the presentation result)', async () => {
    const holder = await wallet.createDid('key')
    const demo = readDemo(service)
    const issuance = await service.api('/v1/credentials', {
      headers: { authorization: `Bearer ${demo.BusinessLicenseCredential.apiKey}` },
      body: { type: 'BusinessLicenseCredential', holder, claims: claimsOf('BusinessLicenseCredential') },
    })
    expect(issuance.status).toBe(201)
    expectHardened(issuance.headers)

    const issued = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder)
    await wallet.importCredential(issued.jwt)
    const request = await createRequest(service, ['BusinessLicenseCredential'])
    const verification = await verifyOverHttp(service, await wallet.present(request, { holder, credentialIds: [issued.id] }), request.id)
    expect(failures(verification.body)).toEqual([])
    expect(verification.status).toBe(200)
    expectHardened(verification.headers)

    const requestAnswer = await service.api(`/v1/presentation-requests/${request.id}`)
    expectHardened(requestAnswer.headers)
  }, 60_000)

  it('are on error answers too: no key, unknown route, malformed JSON', async () => {
    const unauthenticated = await service.api('/v1/credentials', { body: {} })
    expect(unauthenticated.status).toBe(401)
    expectHardened(unauthenticated.headers)

    const missing = await service.api('/v1/nothing-here')
    expect(missing.status).toBe(404)
    expectHardened(missing.headers)

    const malformed = await service.api('/v1/presentations/verify', {
      rawBody: '{"presentation":',
      headers: { 'content-type': 'application/json' },
    })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.code).toBe('ERR_MALFORMED_JSON')
    expectHardened(malformed.headers)
  })
})
