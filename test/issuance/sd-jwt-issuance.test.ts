import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { ES256, digest } from '@sd-jwt/crypto-nodejs'
import { X509Certificate } from 'node:crypto'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, bitsOnChain, changeStatus, eventually, issue, principalFor, readDemo, type Demo } from './issuance-helpers.js'
import { businessLicenseClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'
import { parseIssueRequest } from '../../src/issuing/issuance/issuance-request.js'
import { issueSdJwtVc } from '../../src/issuing/sd-jwt/issue-sd-jwt-vc.js'

/** A holder key (the wallet's), and its did:jwk. */
async function holderKey() {
  const { publicKey } = await ES256.generateKeyPair()
  const jwk = { kty: publicKey.kty, crv: publicKey.crv, x: publicKey.x, y: publicKey.y } as JsonWebKey
  return { jwk, did: `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}` }
}

const claimsWithoutId = (claims: Record<string, unknown>) => {
  const { id: _id, ...rest } = claims
  return rest
}

/** The stock @sd-jwt verifier, checking the issuer's signature with the x5c leaf's key. */
async function verifyWithLeaf(sdJwt: string) {
  const header = JSON.parse(Buffer.from(sdJwt.split('.')[0]!, 'base64url').toString()) as { x5c: string[]; alg: string; typ: string }
  const leaf = new X509Certificate(Buffer.from(header.x5c[0]!, 'base64'))
  const jwk = leaf.publicKey.export({ format: 'jwk' })
  const verifier = await ES256.getVerifier(jwk)
  const sdjwt = new SDJwtVcInstance({ hasher: digest, verifier })
  return { header, leaf, result: await sdjwt.verify(sdJwt), sdjwt }
}

describe('SD-JWT VC issuance', () => {
  let service: TestService
  let demo: Demo

  beforeAll(async () => {
    service = await startTestService()
    demo = readDemo(service)
  }, 120_000)
  afterAll(async () => service?.dispose())

  it('issues a business licence that the stock verifier accepts with the x5c leaf key, every claim a disclosure', async () => {
    const holder = await holderKey()
    const principal = await principalFor(service, demo.market.id)
    const request = parseIssueRequest({
      type: 'BusinessLicenseCredential',
      holder: holder.did,
      claims: claimsWithoutId(businessLicenseClaims() as unknown as Record<string, unknown>),
    })
    const issued = await issueSdJwtVc(service.issuance.sdJwt, principal, request, { jwk: holder.jwk })
    const { header, result, sdjwt } = await verifyWithLeaf(issued.sdJwt)
    const base = service.url
    expect(header).toMatchObject({ alg: 'ES256', typ: 'dc+sd-jwt' })
    expect(result.payload).toMatchObject({
      iss: `${base}/oid4vci/${demo.market.id}`,
      vct: `${base}/vct/BusinessLicenseCredential`,
      cnf: { jwk: holder.jwk },
      status: { status_list: { idx: issued.record.statusIndex, uri: `${base}/status-lists/${demo.market.id}` } },
      enterpriseName: businessLicenseClaims().enterpriseName,
      legalRepresentative: businessLicenseClaims().legalRepresentative,
    })
    expect(typeof result.payload.iat).toBe('number')
    expect(typeof result.payload.nbf).toBe('number')

    // No claim is in the issuer-signed JWT itself: each is a digest with its own disclosure.
    const signed = JSON.parse(Buffer.from(issued.sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString())
    expect(signed.enterpriseName).toBeUndefined()
    expect(signed.legalRepresentative).toBeUndefined()
    expect(signed._sd).toHaveLength(10)
    const disclosed = (await sdjwt.decode(issued.sdJwt)).disclosures!.map((d) => d.key)
    expect(disclosed.sort()).toEqual(Object.keys(claimsWithoutId(businessLicenseClaims() as never)).sort())

    // A presentation of name and USCC only: the legal representative is not in it.
    const presented = await sdjwt.present(issued.sdJwt, { enterpriseName: true, unifiedSocialCreditCode: true })
    const shown = await verifyWithLeaf(presented)
    expect(shown.result.payload.enterpriseName).toBe(businessLicenseClaims().enterpriseName)
    expect(shown.result.payload.unifiedSocialCreditCode).toBe(businessLicenseClaims().unifiedSocialCreditCode)
    expect(shown.result.payload.legalRepresentative).toBeUndefined()
  })

  it('lists, audits and revokes the record like any other; the format is in the record JSON', async () => {
    const holder = await holderKey()
    const principal = await principalFor(service, demo.market.id)
    const claims = claimsWithoutId(businessLicenseClaims({ unifiedSocialCreditCode: '91320105MA1N2P3Q4B' }) as never)
    const issued = await issueSdJwtVc(
      service.issuance.sdJwt,
      principal,
      parseIssueRequest({ type: 'BusinessLicenseCredential', holder: holder.did, claims }),
      { jwk: holder.jwk },
    )
    const listed = await service.api('/v1/credentials?limit=50', { headers: bearer(demo.market.apiKey) })
    const item = listed.body.items.find((i: { id: string }) => i.id === issued.id)
    expect(item).toMatchObject({ format: 'dc+sd-jwt', holder: holder.did, status: 'active' })
    // A VC-JWT issued through POST /v1/credentials is recorded as such.
    const vcJwt = await issue(
      service,
      demo.market.apiKey,
      'BusinessLicenseCredential',
      businessLicenseClaims({ unifiedSocialCreditCode: '91320115MA20LDRK43' }),
    )
    expect(vcJwt.status).toBe(201)
    const vcJwtRecord = await service.api(`/v1/credentials/${encodeURIComponent(vcJwt.body.id)}`, { headers: bearer(demo.market.apiKey) })
    expect(vcJwtRecord.body).toMatchObject({ format: 'jwt_vc_json' })
    const audit = await service.api(`/v1/audit?credentialId=${encodeURIComponent(issued.id)}`, { headers: bearer(demo.market.apiKey) })
    expect(JSON.stringify(audit.body)).toContain('"issue"')

    const revoked = await changeStatus(service, demo.market.apiKey, issued.id, 'revoke')
    expect(revoked.status).toBeLessThan(300)
    expect(await eventually(async () => (await bitsOnChain(service, demo.market.account, issued.record.statusIndex)).revoked, 20_000)).toBe(
      true,
    )
    expect(
      (await service.api(`/v1/credentials/${encodeURIComponent(issued.id)}`, { headers: bearer(demo.market.apiKey) })).body,
    ).toMatchObject({ format: 'dc+sd-jwt', status: 'revoked' })
  })

  it('a social-security status discloses the insured name and the list of insurances without the masked ID number', async () => {
    const holder = await holderKey()
    const principal = await principalFor(service, demo.socialSecurity.id)
    const claims = claimsWithoutId(socialSecurityStatusClaims() as never)
    const issued = await issueSdJwtVc(
      service.issuance.sdJwt,
      principal,
      parseIssueRequest({ type: 'SocialSecurityStatusCredential', holder: holder.did, claims }),
      { jwk: holder.jwk },
    )
    const { sdjwt } = await verifyWithLeaf(issued.sdJwt)
    const signed = JSON.parse(Buffer.from(issued.sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString())
    expect(signed.idNumberMasked).toBeUndefined()
    expect(JSON.stringify(signed)).not.toContain(socialSecurityStatusClaims().idNumberMasked)
    const presented = await sdjwt.present(issued.sdJwt, { insuredName: true, insurances: true } as never)
    const shown = (await verifyWithLeaf(presented)).result.payload as Record<string, any>
    expect(shown.insuredName).toBe(socialSecurityStatusClaims().insuredName)
    expect(shown.idNumberMasked).toBeUndefined()
    expect(shown.city).toBeUndefined()
    // One disclosure holds the whole list, as issued.
    expect(shown.insurances).toEqual(socialSecurityStatusClaims().insurances)
    const hidden = (await verifyWithLeaf(await sdjwt.present(issued.sdJwt, { insuredName: true } as never))).result.payload
    expect(hidden.insurances).toBeUndefined()
  })

  it('refuses a type outside the key scope and a private holder key, and issues nothing', async () => {
    const holder = await holderKey()
    const principal = await principalFor(service, demo.market.id)
    const request = parseIssueRequest({
      type: 'SocialSecurityStatusCredential',
      holder: holder.did,
      claims: claimsWithoutId(socialSecurityStatusClaims() as never),
    })
    await expect(issueSdJwtVc(service.issuance.sdJwt, principal, request, { jwk: holder.jwk })).rejects.toMatchObject({ status: 403 })
    const own = parseIssueRequest({
      type: 'BusinessLicenseCredential',
      holder: holder.did,
      claims: claimsWithoutId(businessLicenseClaims() as never),
    })
    await expect(issueSdJwtVc(service.issuance.sdJwt, principal, own, { jwk: { ...holder.jwk, d: 'secret' } })).rejects.toMatchObject({
      code: 'ERR_INVALID_HOLDER',
    })
  })

  it('GET /vct/{Type} answers the type metadata in zh-CN and en; an unknown type is a 404 in the error shape', async () => {
    const { status, body, headers } = await service.api('/vct/SocialSecurityStatusCredential')
    expect(status).toBe(200)
    expect(headers.get('access-control-allow-origin')).toBe('*')
    expect(body.vct).toBe(`${service.url}/vct/SocialSecurityStatusCredential`)
    expect(body.display.map((d: { lang: string }) => d.lang)).toEqual(['zh-CN', 'en'])
    expect(body.display[0].name).toBe('社会保险参保状态')
    const masked = body.claims.find((c: { path: string[] }) => c.path.join('.') === 'idNumberMasked')
    expect(masked).toMatchObject({ sd: 'always', display: [{ lang: 'zh-CN', label: '公民身份号码（脱敏）' }, { lang: 'en' }] })
    // The list of insurances is one disclosure: its elements are not disclosed one by one.
    expect(body.claims.find((c: { path: unknown[] }) => JSON.stringify(c.path) === '["insurances"]')).toMatchObject({ sd: 'always' })
    const inside = body.claims.filter((c: { path: unknown[] }) => c.path[0] === 'insurances' && c.path.length > 1)
    expect(inside.length).toBeGreaterThan(0)
    for (const claim of inside) expect(claim.sd).toBe('never')
    const unknown = await service.api('/vct/NoSuchCredential')
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('ERR_UNKNOWN_TYPE')
  })
})
