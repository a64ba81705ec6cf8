import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, generateKeyPairSync, sign as signData, verify as verifySignature, X509Certificate, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, bitsOnChain, changeStatus, eventually, principalFor, readDemo, type Demo } from '../issuance/issuance-helpers.js'
import { businessLicenseClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'
import { parseIssueRequest } from '../../src/issuing/issuance/issuance-request.js'
import { issueSdJwtVc } from '../../src/issuing/sd-jwt/issue-sd-jwt-vc.js'

const BANK = 'demo-bank-of-nanjing'
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
const now = () => Math.floor(Date.now() / 1000)
const withoutId = (claims: object) => {
  const { id: _id, ...rest } = claims as Record<string, unknown>
  return rest
}

function holderKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey
  return { jwk, privateKey, did: `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}` }
}

/** `<jwt>~<disclosures of names>~` of an issued SD-JWT VC (the wallet's selective disclosure, by hand). */
function disclose(compact: string, names: string[]): string {
  const [jwt, ...rest] = compact.split('~')
  const kept = rest.filter((d) => d && names.includes(decode(d)[1]))
  return `${[jwt, ...kept].join('~')}~`
}

/** A key-binding JWT appended to `presented`, signed by `key`, with any member overridden. */
function bind(presented: string, key: KeyObject, payload: Record<string, unknown>) {
  const sdHash = createHash('sha256').update(presented, 'ascii').digest('base64url')
  const input = `${b64({ alg: 'ES256', typ: 'kb+jwt' })}.${b64({ iat: now(), sd_hash: sdHash, ...payload })}`
  const signature = signData('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
  return `${presented}${input}.${signature}`
}

const LOAN_CHECK = {
  protocol: 'openid4vp',
  credentials: [
    { id: 'licence', type: 'BusinessLicenseCredential', claims: ['enterpriseName', 'unifiedSocialCreditCode'] },
    { id: 'insured', type: 'SocialSecurityStatusCredential', claims: ['insuredName'] },
  ],
  purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
}

describe('OpenID4VP 1.0 verifier: DCQL requests, signed request objects, direct_post responses', () => {
  let service: TestService
  let demo: Demo
  let bankKey: string
  const holder = holderKey()
  let licence: Awaited<ReturnType<typeof issueSdJwtVc>>
  let insured: Awaited<ReturnType<typeof issueSdJwtVc>>

  const createRequest = async (body: unknown = LOAN_CHECK, key = bankKey) => {
    const { status, body: created } = await service.api('/v1/presentation-requests', { headers: bearer(key), body })
    expect(status, JSON.stringify(created)).toBe(201)
    return created
  }
  const requestObject = async (created: { requestUri: string }) => {
    const res = await fetch(created.requestUri)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/oauth-authz-req\+jwt/)
    const jwt = await res.text()
    const [h, p, s] = jwt.split('.') as [string, string, string]
    const header = decode(h)
    const leaf = new X509Certificate(Buffer.from(header.x5c[0], 'base64'))
    const valid = verifySignature(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(s, 'base64url'),
    )
    return { header, payload: decode(p), leaf, valid }
  }
  /** The wallet's answer: each presentation with a KB-JWT for the request's nonce and client_id unless overridden. */
  const presentationFor = (payload: any, compact: string, names: string[], kb: Record<string, unknown> = {}, key = holder.privateKey) =>
    bind(disclose(compact, names), key, { nonce: payload.nonce, aud: payload.client_id, ...kb })
  const post = async (responseUri: string, form: Record<string, string>) => {
    const res = await fetch(responseUri, { method: 'POST', body: new URLSearchParams(form) })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
  const respond = (payload: any, vpToken: unknown) =>
    post(payload.response_uri, { vp_token: typeof vpToken === 'string' ? vpToken : JSON.stringify(vpToken), state: payload.state })
  const readResult = async (id: string, key = bankKey) => service.api(`/v1/presentation-requests/${id}`, { headers: bearer(key) })
  const goodAnswer = (payload: any) => ({
    licence: [presentationFor(payload, licence.sdJwt, ['enterpriseName', 'unifiedSocialCreditCode'])],
    insured: [presentationFor(payload, insured.sdJwt, ['insuredName'])],
  })
  /** A request answered with `vpToken(payload)`: 200 and the failing check codes of its result. */
  const failedCodes = async (vpToken: (payload: any) => unknown) => {
    const created = await createRequest()
    const { payload } = await requestObject(created)
    const answer = await respond(payload, vpToken(payload))
    expect(answer, JSON.stringify(answer.body)).toMatchObject({ status: 200, body: {} })
    const { body } = await readResult(created.id)
    expect(body.state).toBe('answered')
    expect(body.result.verified).toBe(false)
    return body.result.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { code: string }) => c.code)
  }

  beforeAll(async () => {
    service = await startTestService()
    demo = readDemo(service)
    bankKey = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).relyingParties.find(
      (p: { id: string }) => p.id === BANK,
    ).apiKey
    licence = await issueSdJwtVc(
      service.issuance.sdJwt,
      await principalFor(service, demo.market.id),
      parseIssueRequest({ type: 'BusinessLicenseCredential', holder: holder.did, claims: withoutId(businessLicenseClaims()) }),
      { jwk: holder.jwk },
    )
    insured = await issueSdJwtVc(
      service.issuance.sdJwt,
      await principalFor(service, demo.socialSecurity.id),
      parseIssueRequest({ type: 'SocialSecurityStatusCredential', holder: holder.did, claims: withoutId(socialSecurityStatusClaims()) }),
      { jwk: holder.jwk },
    )
  }, 120_000)
  afterAll(async () => service?.dispose())

  it('creates a request (relying party only) with a deep link, a QR code and a signed request object with the DCQL query', async () => {
    const anonymous = await service.api('/v1/presentation-requests', { body: LOAN_CHECK })
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'ERR_RELYING_PARTY_REQUIRED'])
    const unknownClaim = await service.api('/v1/presentation-requests', {
      headers: bearer(bankKey),
      body: { ...LOAN_CHECK, credentials: [{ id: 'x', type: 'SocialSecurityStatusCredential', claims: ['insured'] }] },
    })
    expect([unknownClaim.status, unknownClaim.body.error.code]).toEqual([422, 'ERR_INVALID_REQUEST'])

    const created = await createRequest()
    const base = service.url
    const clientId = `x509_san_dns:${new URL(base).hostname}`
    expect(created).toMatchObject({
      protocol: 'openid4vp',
      requestUri: `${base}/oid4vp/requests/${created.id}`,
      verifier: { id: BANK, name: { 'zh-CN': '南京银行（演示）' } },
      purpose: LOAN_CHECK.purpose,
    })
    expect(created.deepLink).toBe(
      `openid4vp://?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(created.requestUri)}`,
    )
    expect(created.qrSvg).toMatch(/^<svg/)
    const { header, payload, leaf, valid } = await requestObject(created)
    expect(valid).toBe(true)
    expect(header).toMatchObject({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
    expect(leaf.subjectAltName).toContain(`DNS:${new URL(base).hostname}`)
    expect(payload).toMatchObject({
      client_id: clientId,
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: `${base}/oid4vp/responses/${created.id}`,
      state: created.id,
      aud: 'https://self-issued.me/v2',
      client_metadata: { vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'] } } },
    })
    expect(payload.nonce).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(payload.exp).toBe(Math.floor(Date.parse(created.expiresAt) / 1000))
    expect(payload.dcql_query.credentials).toEqual([
      {
        id: 'licence',
        format: 'dc+sd-jwt',
        meta: { vct_values: [`${base}/vct/BusinessLicenseCredential`] },
        claims: [{ path: ['enterpriseName'] }, { path: ['unifiedSocialCreditCode'] }],
      },
      {
        id: 'insured',
        format: 'dc+sd-jwt',
        meta: { vct_values: [`${base}/vct/SocialSecurityStatusCredential`] },
        claims: [{ path: ['insuredName'] }],
      },
    ])
    expect(created.dcql.credentials).toEqual(payload.dcql_query.credentials)
    expect((await readResult(created.id)).body).toMatchObject({ state: 'pending', result: null })
  })

  it('takes a response disclosing exactly what was asked: answered, verified, only the disclosed claims; a replay is refused', async () => {
    const created = await createRequest()
    const { payload } = await requestObject(created)
    const vpToken = goodAnswer(payload)
    expect(await respond(payload, vpToken)).toEqual({ status: 200, body: {} })
    const { status, body } = await readResult(created.id)
    expect(status).toBe(200)
    expect(body.state).toBe('answered')
    expect(body.result.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([])
    expect(body.result.verified).toBe(true)
    const checks = new Set(body.result.checks.map((c: { check: string }) => c.check))
    for (const name of [
      'credentialSignature',
      'issuerAccredited',
      'disclosures',
      'status',
      'keyBinding',
      'requestedTypes',
      'requestedClaims',
    ])
      expect(checks.has(name), name).toBe(true)
    expect(body.result.credentials.map((c: { claims: unknown }) => c.claims)).toEqual([
      { enterpriseName: businessLicenseClaims().enterpriseName, unifiedSocialCreditCode: businessLicenseClaims().unifiedSocialCreditCode },
      { insuredName: socialSecurityStatusClaims().insuredName },
    ])
    expect(JSON.stringify(body)).not.toContain(businessLicenseClaims().legalRepresentative)

    // The same vp_token again, and a second response: the request is answered.
    expect(await respond(payload, vpToken)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', govcred_code: 'ERR_REQUEST_ANSWERED' },
    })
    // The request object is not served once answered; the result is the party's only.
    expect((await fetch(created.requestUri)).status).toBe(400)
    expect((await service.api(`/v1/presentation-requests/${created.id}`)).status).toBe(401)
    await service.verifier.relyingParties.create({ id: 'other-bank', nameZh: '另一家银行', nameEn: 'Other Bank' })
    const other = (await service.verifier.relyingParties.createKey('other-bank', 'test')).key
    expect((await readResult(created.id, other)).body.error.code).toBe('ERR_UNKNOWN_REQUEST')

    // The vp_token replayed against a new request: its key binding names the old nonce.
    const codes = await failedCodes(() => vpToken)
    expect(codes).toContain('ERR_KEY_BINDING_NONCE_MISMATCH')
  })

  it('records failed verifications as results (200): wrong nonce, another key, another audience, tampered or missing disclosures', async () => {
    const withLicence = (payload: any, presentation: string) => ({
      licence: [presentation],
      insured: [presentationFor(payload, insured.sdJwt, ['insuredName'])],
    })
    const names = ['enterpriseName', 'unifiedSocialCreditCode']
    expect(await failedCodes((p) => withLicence(p, presentationFor(p, licence.sdJwt, names, { nonce: 'another-nonce' })))).toEqual([
      'ERR_KEY_BINDING_NONCE_MISMATCH',
    ])
    const stranger = holderKey()
    expect(await failedCodes((p) => withLicence(p, presentationFor(p, licence.sdJwt, names, {}, stranger.privateKey)))).toEqual([
      'ERR_KEY_BINDING_SIGNATURE_INVALID',
    ])
    expect(
      await failedCodes((p) => withLicence(p, presentationFor(p, licence.sdJwt, names, { aud: 'x509_san_dns:evil.example' }))),
    ).toEqual(['ERR_KEY_BINDING_AUDIENCE_MISMATCH'])
    const tampered = (p: any) => {
      const [jwt, first, ...rest] = disclose(licence.sdJwt, names).split('~')
      const d = decode(first!)
      const presented = [jwt, b64([d[0], d[1], `${d[2]}X`]), ...rest].join('~')
      return withLicence(p, bind(presented, holder.privateKey, { nonce: p.nonce, aud: p.client_id }))
    }
    expect(await failedCodes(tampered)).toEqual(['ERR_DISCLOSURE_UNMATCHED'])
    expect(await failedCodes((p) => withLicence(p, presentationFor(p, licence.sdJwt, ['enterpriseName'])))).toEqual([
      'ERR_REQUESTED_CLAIM_MISSING',
    ])
    expect(await failedCodes((p) => withLicence(p, disclose(licence.sdJwt, names)))).toEqual(['ERR_KEY_BINDING_MISSING'])
    // A credential of another type for a query, and a query left unanswered.
    expect(
      await failedCodes((p) => ({
        licence: [presentationFor(p, insured.sdJwt, ['insuredName'])],
        insured: [presentationFor(p, insured.sdJwt, ['insuredName'])],
      })),
    ).toEqual(['ERR_REQUESTED_TYPE_MISSING'])
    expect(await failedCodes((p) => ({ insured: [presentationFor(p, insured.sdJwt, ['insuredName'])] }))).toEqual([
      'ERR_REQUESTED_TYPE_MISSING',
    ])
  })

  it('refuses malformed responses in the OAuth error shape, never a 5xx', async () => {
    const created = await createRequest()
    const { payload } = await requestObject(created)
    const refusal = async (form: Record<string, string>, uri = payload.response_uri) => {
      const { status, body } = await post(uri, form)
      expect(body.error, JSON.stringify(body)).toBe('invalid_request')
      return [status, body.govcred_code]
    }
    const state = payload.state
    expect(await refusal({ vp_token: '{}', state }, `${service.url}/oid4vp/responses/00000000-0000-4000-8000-000000000000`)).toEqual([
      404,
      'ERR_UNKNOWN_REQUEST',
    ])
    expect(await refusal({ vp_token: '{}', state: 'another' })).toEqual([400, 'ERR_STATE_MISMATCH'])
    expect(await refusal({ vp_token: 'eyJhbGciOi.not.json', state })).toEqual([400, 'ERR_VP_TOKEN_MALFORMED'])
    expect(await refusal({ vp_token: '["a"]', state })).toEqual([400, 'ERR_VP_TOKEN_MALFORMED'])
    expect(await refusal({ vp_token: '{"licence":[1]}', state })).toEqual([400, 'ERR_VP_TOKEN_MALFORMED'])
    expect(await refusal({ vp_token: '{"passport":["x~"]}', state })).toEqual([400, 'ERR_VP_TOKEN_UNKNOWN_QUERY'])
    expect(await refusal({ vp_token: '{"licence":["a~","b~"]}', state })).toEqual([400, 'ERR_VP_TOKEN_TOO_MANY'])
    expect(await refusal({ vp_token: JSON.stringify({ licence: ['A'.repeat(200_000)] }), state })).toEqual([413, 'ERR_BODY_TOO_LARGE'])
    const json = await fetch(payload.response_uri, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect([json.status, (await json.json()).govcred_code]).toEqual([400, 'ERR_INVALID_REQUEST'])
    // None of these used the request up: the wallet's real answer is still taken.
    expect((await respond(payload, goodAnswer(payload))).status).toBe(200)

    // An expired request: its response and its request object are refused.
    const late = await createRequest()
    const { payload: latePayload } = await requestObject(late)
    const stored = (await service.verifier.deps.requests.lookup(late.id))!
    stored.expiresAt = new Date(Date.now() - 1000).toISOString()
    expect(await refusal({ vp_token: JSON.stringify(goodAnswer(latePayload)), state: late.id }, latePayload.response_uri)).toEqual([
      400,
      'ERR_REQUEST_EXPIRED',
    ])
    expect((await fetch(late.requestUri)).status).toBe(400)
    expect((await readResult(late.id)).body.state).toBe('expired')
  })

  it('a revoked credential verifies false within a block of the revocation', async () => {
    const principal = await principalFor(service, demo.market.id)
    const own = await issueSdJwtVc(
      service.issuance.sdJwt,
      principal,
      parseIssueRequest({
        type: 'BusinessLicenseCredential',
        holder: holder.did,
        claims: withoutId(businessLicenseClaims({ unifiedSocialCreditCode: '91320105MA1N2P3Q4B' })),
      }),
      { jwk: holder.jwk },
    )
    expect((await changeStatus(service, demo.market.apiKey, own.id, 'revoke')).status).toBeLessThan(300)
    expect(await eventually(async () => (await bitsOnChain(service, demo.market.account, own.record.statusIndex)).revoked, 20_000)).toBe(
      true,
    )
    const codes = await failedCodes((p) => ({
      licence: [presentationFor(p, own.sdJwt, ['enterpriseName', 'unifiedSocialCreditCode'])],
      insured: [presentationFor(p, insured.sdJwt, ['insuredName'])],
    }))
    expect(codes).toEqual(['ERR_CREDENTIAL_REVOKED'])
  }, 40_000)

  it('keeps a result for GOVCRED_PRESENTATION_RESULT_TTL_SECONDS, then forgets it', async () => {
    const created = await createRequest()
    const { payload } = await requestObject(created)
    expect((await respond(payload, goodAnswer(payload))).status).toBe(200)
    await service.verifier.purge(Date.now() + 3_600_000)
    expect((await readResult(created.id)).body.result.verified).toBe(true)
    const purged = await service.verifier.purge(Date.now() + 86_400_000 + 60_000)
    expect(purged.results).toBeGreaterThanOrEqual(1)
    const { body } = await readResult(created.id)
    expect([body.state, body.result]).toEqual(['answered', null])
  })
})
