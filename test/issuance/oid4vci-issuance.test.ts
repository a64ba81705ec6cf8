// Issue 11, items 1 and 2: the OpenID4VCI issuer of each department (metadata, offers, token, nonce,
// credential) driven over real HTTP by a hand-made wallet (fetch + jose), against a real service (Anvil,
// SQLite): a credential of each format, and every bad input refused with its OAuth code and a govcred code,
// never a 5xx, nothing issued.
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, countRows, readDemo, type Demo } from './issuance-helpers.js'
import {
  keyProof,
  makeOffer,
  newNonce,
  postJson,
  redeemCode,
  requestCredential,
  requestToken,
  resolveOffer,
  walletKey,
  type CreatedOffer,
} from './oid4vci-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService({ env: { GOVCRED_OFFER_TX_CODE_ATTEMPTS: '3' } })
  demo = readDemo(service)
}, 120_000)
afterAll(async () => {
  await service?.dispose()
})

async function offer(format?: string): Promise<CreatedOffer> {
  const { status, body } = await makeOffer(service, demo.market.apiKey, format)
  expect(status, JSON.stringify(body)).toBe(201)
  return body
}

const codeOf = async (created: CreatedOffer) =>
  (await resolveOffer(created.offerUri)).body.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code']
const issuerOf = () => `${service.url}/oid4vci/${demo.market.id}`

describe('metadata', () => {
  it('publishes the credential issuer and its authorization server per department (RFC 8414 path insertion)', async () => {
    const issuer = issuerOf()
    const { status, body } = await service.api(`/.well-known/openid-credential-issuer/oid4vci/${demo.market.id}`)
    expect(status).toBe(200)
    expect(body).toMatchObject({
      credential_issuer: issuer,
      credential_endpoint: `${issuer}/credential`,
      nonce_endpoint: `${issuer}/nonce`,
    })
    expect(body.display.map((d: any) => d.locale).sort()).toEqual(['en', 'zh-CN'])
    for (const display of body.display) {
      expect(display.logo.uri).toMatch(/^data:image\/png;base64,/)
      expect(Buffer.from(display.logo.uri.split(',')[1], 'base64').subarray(1, 4).toString()).toBe('PNG')
      expect(display.logo.alt_text).toContain(display.locale === 'en' ? 'logo' : '标识')
    }
    expect(body.credential_configurations_supported.BusinessLicenseCredential_sd_jwt).toMatchObject({
      format: 'dc+sd-jwt',
      vct: `${service.url}/vct/BusinessLicenseCredential`,
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: ['ES256'],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256', 'ES256K', 'EdDSA'] } },
    })
    expect(body.credential_configurations_supported.BusinessLicenseCredential_jwt_vc_json).toMatchObject({ format: 'jwt_vc_json' })
    const as = await service.api(`/.well-known/oauth-authorization-server/oid4vci/${demo.market.id}`)
    expect(as.status).toBe(200)
    expect(as.body).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/token`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:pre-authorized_code'],
    })
    const unknown = await service.api('/.well-known/openid-credential-issuer/oid4vci/no-such-department')
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('ERR_DEPARTMENT_NOT_FOUND')
  })
})

describe('the happy paths', () => {
  it('dc+sd-jwt: offer (QR, deep link, tx_code) → token → nonce → credential bound to the wallet key; a normal record', async () => {
    const created = await offer()
    expect(created.format).toBe('dc+sd-jwt')
    expect(created.offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/)
    expect(created.qrSvg).toMatch(/^<svg/)
    expect(created.txCode).toMatch(/^\d{6}$/)
    const resolved = await resolveOffer(created.offerUri)
    expect(resolved.body).toMatchObject({
      credential_issuer: issuerOf(),
      credential_configuration_ids: ['BusinessLicenseCredential_sd_jwt'],
      grants: { 'urn:ietf:params:oauth:grant-type:pre-authorized_code': { tx_code: { input_mode: 'numeric', length: 6 } } },
    })
    // The code and the tx_code are stored only as hashes.
    const row = (await service.ctx.db.query(`SELECT * FROM govcred_credential_offers WHERE id = ?`, [created.id]))[0]
    expect(JSON.stringify(row)).not.toContain(created.txCode)
    expect(JSON.stringify(row)).not.toContain(await codeOf(created))

    const key = await walletKey('ES256')
    const redemption = await redeemCode(created)
    const { status, body } = await requestCredential(redemption, key)
    expect(status, JSON.stringify(body)).toBe(200)
    const sdJwt = body.credentials[0].credential as string
    const [jwt] = sdJwt.split('~')
    expect(decodeProtectedHeader(jwt!)).toMatchObject({ alg: 'ES256', typ: 'dc+sd-jwt' })
    const payload = decodeJwt(jwt!)
    expect(payload).toMatchObject({ iss: issuerOf(), vct: `${service.url}/vct/BusinessLicenseCredential` })
    expect((payload.cnf as any).jwk).toMatchObject({ kty: 'EC', crv: 'P-256', x: key.publicJwk.x, y: key.publicJwk.y })

    const seen = await service.api(`/v1/credential-offers/${created.id}`, { headers: bearer(demo.market.apiKey) })
    expect(seen.body).toMatchObject({ status: 'redeemed', credentialId: expect.any(String), redeemedAt: expect.any(String) })
    const record = await service.api(`/v1/credentials/${encodeURIComponent(seen.body.credentialId)}`, {
      headers: bearer(demo.market.apiKey),
    })
    expect(record.status).toBe(200)
    expect(record.body.jwt).toBe(sdJwt)
    const audit = await service.api('/v1/audit?limit=20', { headers: bearer(demo.market.apiKey) })
    const actions = audit.body.entries.map((e: any) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['offer-redeem', 'issue']))
    // Entries about no credential (the offer's creation) are for unrestricted keys; the log has it.
    const created_ = await service.ctx.db.query(`SELECT actor FROM govcred_audit_log WHERE action = 'offer-create' AND details LIKE ?`, [
      `%${created.id}%`,
    ])
    expect(created_).toHaveLength(1)
  })

  it('jwt_vc_json: the holder is the did:jwk of the proof key (EdDSA)', async () => {
    const created = await offer('jwt_vc_json')
    const key = await walletKey('EdDSA')
    const { status, body } = await requestCredential(await redeemCode(created), key)
    expect(status, JSON.stringify(body)).toBe(200)
    const payload = decodeJwt(body.credentials[0].credential)
    expect(payload.sub).toMatch(/^did:jwk:/)
    const jwk = JSON.parse(Buffer.from(String(payload.sub).slice('did:jwk:'.length), 'base64url').toString())
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x })
    expect((payload.vc as any).type).toContain('BusinessLicenseCredential')
  })
})

describe('refusals of the offer API', () => {
  it('claims that fail the schema: 422 with field details, nothing stored', async () => {
    const before = await countRows(service)
    const { status, body } = await makeOffer(service, demo.market.apiKey, undefined, { claims: { enterpriseName: 1 } })
    expect(status).toBe(422)
    expect(body.error.code).toBe('ERR_CLAIMS_INVALID')
    expect(body.error.details.length).toBeGreaterThan(0)
    expect(await countRows(service)).toEqual(before)
  })

  it('a type outside the key scope: 403 ERR_SCOPE; another department’s offer: 404', async () => {
    const { status, body } = await makeOffer(service, demo.realEstate.apiKey)
    expect(status).toBe(403)
    expect(body.error.code).toBe('ERR_SCOPE')
    const created = await offer()
    const other = await service.api(`/v1/credential-offers/${created.id}`, { headers: bearer(demo.realEstate.apiKey) })
    expect(other.status).toBe(404)
    expect(other.body.error.code).toBe('ERR_OFFER_NOT_FOUND')
  })
})

describe('refusals of the token endpoint', () => {
  it('a reused code, an unknown code: invalid_grant', async () => {
    const created = await offer()
    const code = await codeOf(created)
    expect((await requestToken(issuerOf(), code, created.txCode)).status).toBe(200)
    const again = await requestToken(issuerOf(), code, created.txCode)
    expect(again.status).toBe(400)
    expect(again.body).toEqual({
      error: 'invalid_grant',
      error_description: expect.any(String),
      govcred_code: 'ERR_PRE_AUTHORIZED_CODE_USED',
    })
    const unknown = await requestToken(issuerOf(), 'x'.repeat(43), created.txCode)
    expect(unknown.body).toMatchObject({ error: 'invalid_grant', govcred_code: 'ERR_PRE_AUTHORIZED_CODE_INVALID' })
    // The offer URI is no longer served once its code is exchanged.
    expect((await resolveOffer(created.offerUri)).status).toBe(404)
  })

  it('an expired code: invalid_grant ERR_OFFER_EXPIRED', async () => {
    const created = await offer()
    const code = await codeOf(created)
    await service.ctx.db.query(`UPDATE govcred_credential_offers SET expiresAt = ? WHERE id = ?`, [
      new Date(Date.now() - 1000).toISOString(),
      created.id,
    ])
    const answer = await requestToken(issuerOf(), code, created.txCode)
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ error: 'invalid_grant', govcred_code: 'ERR_OFFER_EXPIRED' })
    const seen = await service.api(`/v1/credential-offers/${created.id}`, { headers: bearer(demo.market.apiKey) })
    expect(seen.body.status).toBe('expired')
  })

  it('wrong tx_codes are counted: after the limit the offer is void and even the right code fails', async () => {
    const created = await offer()
    const code = await codeOf(created)
    const wrong = created.txCode === '000000' ? '111111' : '000000'
    for (const left of [2, 1]) {
      const answer = await requestToken(issuerOf(), code, wrong)
      expect(answer.body).toMatchObject({ error: 'invalid_grant', govcred_code: 'ERR_TX_CODE_INVALID' })
      expect(answer.body.error_description).toContain(`${left} attempt`)
    }
    const third = await requestToken(issuerOf(), code, wrong)
    expect(third.body).toMatchObject({ error: 'invalid_grant', govcred_code: 'ERR_OFFER_VOIDED' })
    const right = await requestToken(issuerOf(), code, created.txCode)
    expect(right.status).toBe(400)
    expect(right.body).toMatchObject({ error: 'invalid_grant', govcred_code: 'ERR_OFFER_VOIDED' })
    const seen = await service.api(`/v1/credential-offers/${created.id}`, { headers: bearer(demo.market.apiKey) })
    expect(seen.body).toMatchObject({ status: 'voided', txCodeAttempts: 3, voidReason: 'tx_code_attempts' })
    const missing = await requestToken(issuerOf(), await codeOf(await offer()))
    expect(missing.body).toMatchObject({ error: 'invalid_request', govcred_code: 'ERR_TX_CODE_REQUIRED' })
  })
})

describe('refusals of the credential endpoint (nothing issued)', () => {
  let issuedBefore: number
  beforeAll(async () => {
    issuedBefore = (await countRows(service)).credentials
  })

  async function attempt(build: (r: Awaited<ReturnType<typeof redeemCode>>, nonce: string) => Promise<{ body: unknown; auth?: string }>) {
    const redemption = await redeemCode(await offer())
    const nonce = await newNonce(redemption.issuer)
    const { body, auth } = await build(redemption, nonce)
    return postJson(`${redemption.issuer}/credential`, body, { authorization: auth ?? `Bearer ${redemption.accessToken}` })
  }
  const request = (r: { configurationId: string }, proof: string) => ({
    credential_configuration_id: r.configurationId,
    proofs: { jwt: [proof] },
  })

  it('a missing, unknown, reused or expired nonce: invalid_nonce', async () => {
    const key = await walletKey()
    const missing = await attempt(async (r) => ({ body: request(r, await keyProof(key, { aud: r.issuer })) }))
    expect(missing.body).toMatchObject({ error: 'invalid_nonce', govcred_code: 'ERR_NONCE_INVALID' })
    const forged = await attempt(async (r) => ({ body: request(r, await keyProof(key, { aud: r.issuer, nonce: 'made-up' })) }))
    expect(forged.body).toMatchObject({ error: 'invalid_nonce', govcred_code: 'ERR_NONCE_INVALID' })
    // A nonce is one-time: a first request uses it (and is refused for its wrong audience), a second one cannot.
    let used = ''
    const first = await attempt(
      async (r, nonce) => ((used = nonce), { body: request(r, await keyProof(key, { aud: 'https://elsewhere', nonce })) }),
    )
    expect(first.body).toMatchObject({ error: 'invalid_proof' })
    const reused = await attempt(async (r) => ({ body: request(r, await keyProof(key, { aud: r.issuer, nonce: used })) }))
    expect(reused.status).toBe(400)
    expect(reused.body).toMatchObject({ error: 'invalid_nonce', govcred_code: 'ERR_NONCE_INVALID' })
  })

  it('a wrong audience, a stale iat, alg none, a proof signed by another key than its jwk: invalid_proof', async () => {
    const key = await walletKey()
    const other = await walletKey()
    const cases = {
      audience: (r: any, nonce: string) => keyProof(key, { aud: 'https://other.example', nonce }),
      stale: (r: any, nonce: string) => keyProof(key, { aud: r.issuer, nonce, iat: Math.floor(Date.now() / 1000) - 3600 }),
      none: async (r: any, nonce: string) => {
        const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url')
        return `${enc({ alg: 'none', typ: 'openid4vci-proof+jwt', jwk: key.publicJwk })}.${enc({ aud: r.issuer, nonce, iat: Math.floor(Date.now() / 1000) })}.`
      },
      anotherKey: (r: any, nonce: string) => keyProof(other, { aud: r.issuer, nonce }, { jwk: key.publicJwk }),
    }
    for (const [name, proofOf] of Object.entries(cases)) {
      const answer = await attempt(async (r, nonce) => ({ body: request(r, await proofOf(r, nonce)) }))
      expect(answer.status, name).toBe(400)
      expect(answer.body, `${name}: ${JSON.stringify(answer.body)}`).toMatchObject({
        error: 'invalid_proof',
        govcred_code: 'ERR_PROOF_INVALID',
      })
    }
  })

  it('a configuration the offer did not include: unknown_credential_configuration', async () => {
    const key = await walletKey()
    for (const id of ['BusinessLicenseCredential_jwt_vc_json', 'NoSuchCredential_sd_jwt']) {
      const answer = await attempt(async (r, nonce) => ({
        body: { credential_configuration_id: id, proofs: { jwt: [await keyProof(key, { aud: r.issuer, nonce })] } },
      }))
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({
        error: 'unknown_credential_configuration',
        govcred_code: 'ERR_CREDENTIAL_CONFIGURATION_NOT_OFFERED',
      })
    }
  })

  it('a missing or forged access token: 401 invalid_token with WWW-Authenticate', async () => {
    const key = await walletKey()
    const missing = await postJson(`${issuerOf()}/credential`, { credential_configuration_id: 'BusinessLicenseCredential_sd_jwt' })
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(missing.body).toMatchObject({ error: 'invalid_token', govcred_code: 'ERR_AUTH_REQUIRED' })
    const forged = await attempt(async (r, nonce) => ({
      body: request(r, await keyProof(key, { aud: r.issuer, nonce })),
      auth: `Bearer ${r.accessToken.slice(0, -4)}AAAA`,
    }))
    expect(forged.status).toBe(401)
    expect(forged.body).toMatchObject({ error: 'invalid_token', govcred_code: 'ERR_ACCESS_TOKEN_INVALID' })
  })

  it('issued nothing for any of these', async () => {
    expect((await countRows(service)).credentials).toBe(issuedBefore)
  })

  it('one offer, one credential: a second credential request with the same token is refused', async () => {
    const key = await walletKey()
    const redemption = await redeemCode(await offer('jwt_vc_json'))
    expect((await requestCredential(redemption, key)).status).toBe(200)
    const again = await requestCredential(redemption, key)
    expect(again.status).toBe(401)
    expect(again.body).toMatchObject({ error: 'invalid_token', govcred_code: 'ERR_OFFER_REDEEMED' })
  })

  it('concurrent redemptions: one token per code and one credential per offer, the others refused with their code', async () => {
    const before = (await countRows(service)).credentials
    const created = await offer('dc+sd-jwt')
    const resolved = await resolveOffer(created.offerUri)
    const issuer = resolved.body.credential_issuer as string
    const code = resolved.body.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'] as string
    const tokens = await Promise.all(Array.from({ length: 8 }, () => requestToken(issuer, code, created.txCode)))
    expect(tokens.filter((t) => t.status === 200)).toHaveLength(1)
    for (const t of tokens.filter((t) => t.status !== 200)) expect(t.body).toMatchObject({ error: 'invalid_grant' })

    const redemption = {
      issuer,
      configurationId: resolved.body.credential_configuration_ids[0] as string,
      accessToken: tokens.find((t) => t.status === 200)!.body.access_token as string,
    }
    const keys = await Promise.all(Array.from({ length: 8 }, () => walletKey()))
    const answers = await Promise.all(keys.map((key) => requestCredential(redemption, key)))
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1)
    for (const a of answers.filter((a) => a.status !== 200))
      expect({ status: a.status, body: a.body }).toMatchObject({
        status: 401,
        body: { error: 'invalid_token', govcred_code: 'ERR_OFFER_REDEEMED' },
      })
    expect((await countRows(service)).credentials).toBe(before + 1)
  })
})
