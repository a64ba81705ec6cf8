// OpenID4VP 1.0 with VC-JWTs (`jwt_vc_json`, Appendix B.1) against a real service (embedded Anvil, SQLite, HTTP
// on loopback): the DCQL query and client metadata of such a request, VP-JWTs by a secp256k1 and an Ed25519
// did:key holder (did-jwt-vc) verified through the one presentation verifier, each refusal with its code, a
// request mixing an SD-JWT VC and a VC-JWT, and the holder wallet library answering one.
import { createHash, generateKeyPairSync, sign as signData, type KeyObject } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseIssueRequest } from '../../src/issuing/issuance/issuance-request.js'
import { issueSdJwtVc } from '../../src/issuing/sd-jwt/issue-sd-jwt-vc.js'
import { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bitsOnChain, changeStatus, eventually, principalFor, statusIndexOf } from '../issuance/issuance-helpers.js'
import {
  bankOf,
  ed25519Holder,
  failedCodes,
  postForm,
  requestObjectOf,
  secp256k1Holder,
  vpJwt,
  type TestHolder,
} from './openid4vp-test-helpers.js'
import { bearer, claimsOf, issueOverHttp, readDemo, signAsDepartment, type Demo, type Issued } from './verification-helpers.js'

const LICENCE_ASKED = ['enterpriseName', 'unifiedSocialCreditCode']
const INSURED_ASKED = ['insuredName', 'city']
const licenceQuery = { id: 'licence', type: 'BusinessLicenseCredential', claims: LICENCE_ASKED, format: 'jwt_vc_json' }
const insuredQuery = { id: 'insured', type: 'SocialSecurityStatusCredential', claims: INSURED_ASKED, format: 'jwt_vc_json' }
const request = (...credentials: unknown[]) => ({ protocol: 'openid4vp', credentials, purpose: { 'zh-CN': '贷款审核', en: 'Loan check' } })

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))

describe('OpenID4VP 1.0 with VC-JWTs (jwt_vc_json): VP-JWTs through the one presentation verifier', () => {
  let service: TestService
  let demo: Demo
  let bank: ReturnType<typeof bankOf>
  const k1 = secp256k1Holder()
  const ed = ed25519Holder()
  let licenceOfK1: Issued
  let insuredOfEd: Issued
  let insuredOfK1: Issued

  /** Creates `body` as the bank, answers it with `answer(payload)` as the vp_token; the answer's HTTP result and the bank's view. */
  const answered = async (body: unknown, answer: (payload: any) => Promise<Record<string, string[]>>) => {
    const created = await bank.create(body)
    const { payload } = await requestObjectOf(created)
    const posted = await postForm(payload.response_uri, { vp_token: JSON.stringify(await answer(payload)), state: payload.state })
    expect(posted, JSON.stringify(posted.body)).toEqual({ status: 200, body: {} })
    const view = await bank.read(created.id)
    expect(view.state).toBe('answered')
    return { created, payload, view, result: view.result }
  }
  const vpFor = (
    holder: TestHolder,
    credentials: string[],
    payload: any,
    overrides: { nonce?: string; aud?: string; signer?: TestHolder } = {},
  ) => vpJwt(holder, credentials, { nonce: payload.nonce, aud: payload.client_id, ...overrides })

  beforeAll(async () => {
    service = await startTestService()
    demo = readDemo(service)
    bank = bankOf(service)
    ;[licenceOfK1, insuredOfEd, insuredOfK1] = await Promise.all([
      issueOverHttp(service, demo, 'BusinessLicenseCredential', k1.did),
      issueOverHttp(service, demo, 'SocialSecurityStatusCredential', ed.did),
      issueOverHttp(service, demo, 'SocialSecurityStatusCredential', k1.did),
    ])
  }, 120_000)
  afterAll(async () => service?.dispose())

  it('asks for a jwt_vc_json credential by its type values and credentialSubject claims, and advertises the VP-JWT algorithms', async () => {
    const created = await bank.create(request(licenceQuery))
    const { payload } = await requestObjectOf(created)
    expect(payload.dcql_query.credentials).toEqual([
      {
        id: 'licence',
        format: 'jwt_vc_json',
        meta: { type_values: [['VerifiableCredential', 'BusinessLicenseCredential']] },
        claims: [{ path: ['credentialSubject', 'enterpriseName'] }, { path: ['credentialSubject', 'unifiedSocialCreditCode'] }],
      },
    ])
    expect(payload.client_metadata.vp_formats_supported.jwt_vc_json.alg_values.sort()).toEqual(['ES256', 'ES256K', 'EdDSA'])
    expect(payload.response_mode).toBe('direct_post')
    expect(created.responseMode).toBe('direct_post')

    const bad = await service.api('/v1/presentation-requests', {
      headers: bearer(bank.key),
      body: request({ ...licenceQuery, format: 'ldp_vc' }),
    })
    expect([bad.status, bad.body.error.code]).toEqual([422, 'ERR_INVALID_REQUEST'])
  })

  it('verifies a VP-JWT of a secp256k1 did:key holder, and of an Ed25519 one: only the claims asked for reach the bank', async () => {
    const { result } = await answered(request(licenceQuery), async (p) => ({ licence: [await vpFor(k1, [licenceOfK1.jwt], p)] }))
    expect(failedCodes(result)).toEqual([])
    expect(result.verified).toBe(true)
    const checks = new Set(result.checks.map((c: { check: string }) => c.check))
    for (const name of [
      'holderSignature',
      'challenge',
      'domain',
      'credentialSignature',
      'issuerAccredited',
      'schema',
      'status',
      'validity',
      'holderIsSubject',
      'requestedTypes',
      'requestedClaims',
    ])
      expect(checks.has(name), name).toBe(true)
    const claims = licenceOfK1.credential.credentialSubject
    expect(result.credentials).toHaveLength(1)
    expect(result.credentials[0].claims).toEqual({
      enterpriseName: claims.enterpriseName,
      unifiedSocialCreditCode: claims.unifiedSocialCreditCode,
    })
    expect(JSON.stringify(result)).not.toContain(claims.legalRepresentative)
    expect(JSON.stringify(result)).not.toContain(claims.domicile)

    const byEd = await answered(request(insuredQuery), async (p) => ({ insured: [await vpFor(ed, [insuredOfEd.jwt], p)] }))
    expect(failedCodes(byEd.result)).toEqual([])
    expect(byEd.result.verified).toBe(true)
    expect(Object.keys(byEd.result.credentials[0].claims).sort()).toEqual([...INSURED_ASKED].sort())
    expect(JSON.stringify(byEd.result)).not.toContain(insuredOfEd.credential.credentialSubject.idNumberMasked)
  })

  it('records each failed verification with its code: wrong nonce, wrong aud, replay, another signer, another subject, too many', async () => {
    const codes = async (answer: (payload: any) => Promise<string>) =>
      failedCodes((await answered(request(licenceQuery), async (p) => ({ licence: [await answer(p)] }))).result)
    expect(await codes((p) => vpFor(k1, [licenceOfK1.jwt], p, { nonce: 'another-nonce' }))).toEqual(['ERR_CHALLENGE_MISMATCH'])
    expect(await codes((p) => vpFor(k1, [licenceOfK1.jwt], p, { aud: 'x509_san_dns:evil.example' }))).toEqual(['ERR_DOMAIN_MISMATCH'])
    expect(await codes((p) => vpFor(k1, [licenceOfK1.jwt], p, { signer: ed }))).toEqual(['ERR_HOLDER_SIGNATURE_INVALID'])
    // The Ed25519 holder presents the secp256k1 holder's licence: signed well, but not the subject's.
    expect(await codes((p) => vpFor(ed, [licenceOfK1.jwt], p))).toEqual(['ERR_HOLDER_NOT_SUBJECT'])
    expect(await codes((p) => vpFor(k1, [licenceOfK1.jwt, insuredOfK1.jwt], p))).toEqual(['ERR_PRESENTATION_TOO_LARGE'])
    expect(await codes(async () => 'not-a-jwt')).toEqual(['ERR_MALFORMED_JWT'])

    // A replay: the same VP-JWT to the request it answered is refused; to a new request its nonce is the old one.
    const first = await answered(request(licenceQuery), async (p) => ({ licence: [await vpFor(k1, [licenceOfK1.jwt], p)] }))
    expect(first.result.verified).toBe(true)
    const again = await postForm(first.payload.response_uri, {
      vp_token: JSON.stringify({ licence: [await vpFor(k1, [licenceOfK1.jwt], first.payload)] }),
      state: first.payload.state,
    })
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_request', govcred_code: 'ERR_REQUEST_ANSWERED' } })
    const replayed = await vpFor(k1, [licenceOfK1.jwt], first.payload)
    expect(await codes(async () => replayed)).toEqual(['ERR_CHALLENGE_MISMATCH'])
  })

  it('refuses a VC of a type not asked for, a missing requested claim and a revoked VC, each with its code', async () => {
    const wrongType = await answered(request(licenceQuery), async (p) => ({ licence: [await vpFor(k1, [insuredOfK1.jwt], p)] }))
    expect(failedCodes(wrongType.result)).toEqual(['ERR_REQUESTED_TYPE_MISSING'])

    // Signed by the department itself without enterpriseName: the schema and the request both miss it.
    const { enterpriseName: _dropped, ...subject } = licenceOfK1.credential.credentialSubject
    const withoutName = await signAsDepartment(service, licenceOfK1, { credentialSubject: subject })
    const missing = await answered(request(licenceQuery), async (p) => ({ licence: [await vpFor(k1, [withoutName], p)] }))
    expect(failedCodes(missing.result).sort()).toEqual(['ERR_REQUESTED_CLAIM_MISSING', 'ERR_SCHEMA_VALIDATION_FAILED'])
    expect(missing.result.credentials[0].claims).toEqual({ unifiedSocialCreditCode: subject.unifiedSocialCreditCode })

    const own = await issueOverHttp(service, demo, 'BusinessLicenseCredential', k1.did)
    const department = demo.BusinessLicenseCredential
    expect((await changeStatus(service, department.apiKey, own.id, 'revoke')).status).toBeLessThan(300)
    expect(
      await eventually(async () => (await bitsOnChain(service, department.account, statusIndexOf(own.credential))).revoked, 20_000),
    ).toBe(true)
    const revoked = await answered(request(licenceQuery), async (p) => ({ licence: [await vpFor(k1, [own.jwt], p)] }))
    expect(failedCodes(revoked.result)).toEqual(['ERR_CREDENTIAL_REVOKED'])
    expect(revoked.result.credentials[0].verified).toBe(false)
  }, 60_000)

  it('verifies a request mixing an SD-JWT VC and a VC-JWT in one vp_token', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey
    const sdHolder = `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`
    const { id: _id, ...licenceClaims } = claimsOf('BusinessLicenseCredential') as Record<string, unknown>
    const sdLicence = await issueSdJwtVc(
      service.issuance.sdJwt,
      await principalFor(service, demo.BusinessLicenseCredential.id),
      parseIssueRequest({ type: 'BusinessLicenseCredential', holder: sdHolder, claims: licenceClaims }),
      { jwk },
    )
    const mixed = request({ ...licenceQuery, format: 'dc+sd-jwt' }, insuredQuery)
    const { result } = await answered(mixed, async (p) => ({
      licence: [keyBound(disclosing(sdLicence.sdJwt, LICENCE_ASKED), privateKey, { nonce: p.nonce, aud: p.client_id })],
      insured: [await vpFor(ed, [insuredOfEd.jwt], p)],
    }))
    expect(failedCodes(result)).toEqual([])
    expect(result.verified).toBe(true)
    expect(result.checks.some((c: { check: string }) => c.check === 'keyBinding')).toBe(true)
    expect(result.checks.some((c: { check: string }) => c.check === 'holderSignature')).toBe(true)
    expect(result.credentials.map((c: { claims: object }) => Object.keys(c.claims).sort())).toEqual([
      [...LICENCE_ASKED].sort(),
      [...INSURED_ASKED].sort(),
    ])
    expect(JSON.stringify(result)).not.toContain(String(licenceClaims.legalRepresentative))
  })

  it('the holder wallet answers a jwt_vc_json query with an imported VC-JWT and says that it shows every claim', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'govcred-jwt-vc-wallet-'))
    const wallet = await HolderWallet.open({ dir })
    try {
      const holder = await wallet.createDid('key')
      const issued = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder)
      await wallet.importCredential(issued.jwt)
      const created = await bank.create(request(licenceQuery))
      const plan = await wallet.openPresentationRequest(created.deepLink)
      expect(plan.credentials).toEqual([])
      expect(plan.vcJwts).toHaveLength(1)
      expect(plan.vcJwts[0]).toMatchObject({ queryId: 'licence', holder, type: 'BusinessLicenseCredential', asked: LICENCE_ASKED })
      expect(plan.vcJwts[0]!.claims).toContain('legalRepresentative')
      const sent = await wallet.sendPresentation(plan)
      expect(sent.credentials[0]).toMatchObject({ queryId: 'licence', type: 'BusinessLicenseCredential' })
      const { state, result } = await bank.read(created.id)
      expect(state).toBe('answered')
      expect(failedCodes(result)).toEqual([])
      expect(Object.keys(result.credentials[0].claims).sort()).toEqual([...LICENCE_ASKED].sort())

      // An SD-JWT VC query it cannot answer with a VC-JWT: nothing is sent.
      const sdOnly = await bank.create(request({ ...licenceQuery, format: 'dc+sd-jwt' }))
      await expect(wallet.openPresentationRequest(sdOnly.deepLink)).rejects.toMatchObject({ code: 'ERR_NO_MATCHING_CREDENTIAL' })
      expect((await bank.read(sdOnly.id)).state).toBe('pending')
    } finally {
      await wallet.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** `<jwt>~<disclosures of names>~` of an issued SD-JWT VC (selective disclosure by hand). */
function disclosing(compact: string, names: string[]): string {
  const [jwt, ...rest] = compact.split('~')
  return `${[jwt, ...rest.filter((d) => d && names.includes(decode(d)[1]))].join('~')}~`
}

/** A key-binding JWT appended to `presented`, signed by `key`. */
function keyBound(presented: string, key: KeyObject, payload: Record<string, unknown>): string {
  const sdHash = createHash('sha256').update(presented, 'ascii').digest('base64url')
  const input = `${b64({ alg: 'ES256', typ: 'kb+jwt' })}.${b64({ iat: Math.floor(Date.now() / 1000), sd_hash: sdHash, ...payload })}`
  return `${presented}${input}.${signData('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}
