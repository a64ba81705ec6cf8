// Issue 15: the SD-JWT VC verifier keeps what it parsed (x5c leaf certificates, holder keys, whether a leaf key is
// registered in a DID document) so that a credential seen again costs only its signatures. What it keeps must
// never outlive what it was read from: a DID document that changes is asked again, and the caches stay bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPairSync } from 'node:crypto'
import type { DIDResolutionResult } from 'did-resolver'
import { startTestService, type TestService } from '../helpers/service.js'
import { principalFor, readDemo, type Demo } from '../issuance/issuance-helpers.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { parseIssueRequest } from '../../src/issuing/issuance/issuance-request.js'
import { issueSdJwtVc } from '../../src/issuing/sd-jwt/issue-sd-jwt-vc.js'
import { verifySdJwtVc } from '../../src/verifying/sd-jwt/verify-sd-jwt-vc.js'
import {
  holderKey,
  leafCertificate,
  MAX_CACHED_CERTIFICATES,
  MAX_CACHED_HOLDER_KEYS,
} from '../../src/verifying/sd-jwt/verification-keys.js'
import type { Check } from '../../src/verifying/verification-result.js'

const codeOf = (checks: Check[], name: string) => checks.find((c) => c.check === name)?.code
const withoutId = (claims: object) => {
  const { id: _id, ...rest } = claims as Record<string, unknown>
  return rest
}

describe('SD-JWT VC verification caches', () => {
  let service: TestService
  let demo: Demo
  let sdJwt: string

  beforeAll(async () => {
    service = await startTestService()
    demo = readDemo(service)
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey
    const issued = await issueSdJwtVc(
      service.issuance.sdJwt,
      await principalFor(service, demo.market.id),
      parseIssueRequest({
        type: 'BusinessLicenseCredential',
        holder: `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`,
        claims: withoutId(businessLicenseClaims()),
      }),
      { jwk },
    )
    sdJwt = issued.sdJwt
  }, 120_000)
  afterAll(async () => service?.dispose())

  it('asks a changed DID document again: a key no longer listed fails, listed again passes', async () => {
    const deps = service.verifier.deps
    const real = await deps.cache.resolveDid(demo.market.did)
    // The chain cache answers a new result object when the document changed; here, one without the P-256 key.
    const withoutKey: DIDResolutionResult = {
      ...real,
      didDocument: {
        ...real.didDocument!,
        verificationMethod: (real.didDocument!.verificationMethod ?? []).filter((m) => !/Secp256r1|P256/i.test(m.type)),
      },
    }
    let answer = real
    const ctx = { ...deps, cache: Object.assign(Object.create(deps.cache), { resolveDid: async () => answer }) }
    expect(codeOf((await verifySdJwtVc(ctx, sdJwt, 0)).checks, 'credentialSignature')).toBe('OK')
    answer = withoutKey
    expect(codeOf((await verifySdJwtVc(ctx, sdJwt, 0)).checks, 'credentialSignature')).toBe('ERR_ISSUING_KEY_NOT_REGISTERED')
    answer = real
    expect(codeOf((await verifySdJwtVc(ctx, sdJwt, 0)).checks, 'credentialSignature')).toBe('OK')
  })

  it('parses a certificate once, refuses what is not one, and keeps no more than its bound', () => {
    const x5c0 = JSON.parse(Buffer.from(sdJwt.split('.')[0]!, 'base64url').toString()).x5c[0] as string
    const leaf = leafCertificate(x5c0)
    expect(leaf?.uris).toContain(demo.market.did)
    expect(leafCertificate(x5c0)).toBe(leaf)
    expect(leafCertificate('bm90IGEgY2VydGlmaWNhdGU=')).toBeNull()
    // Past the bound the oldest goes: after as many other entries, the first is parsed anew.
    for (let i = 0; i < MAX_CACHED_CERTIFICATES; i++) leafCertificate(Buffer.from(`junk ${i}`).toString('base64'))
    expect(leafCertificate(x5c0)).not.toBe(leaf)
  })

  it('makes a holder key once per JWK, never from a private JWK, within its bound', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = publicKey.export({ format: 'jwk' }) as Record<string, unknown>
    const key = holderKey(jwk)
    expect(key?.curve).toBe('prime256v1')
    expect(holderKey({ ...jwk })).toBe(key)
    expect(holderKey(privateKey.export({ format: 'jwk' }) as Record<string, unknown>)).toBeNull()
    expect(holderKey({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' })).toBeNull()
    for (let i = 0; i < MAX_CACHED_HOLDER_KEYS; i++) holderKey({ kty: 'oct', k: String(i) })
    expect(holderKey({ ...jwk })).not.toBe(key)
  })
})
