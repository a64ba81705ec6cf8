// OpenID4VP 1.0 direct_post.jwt (§8.3, HAIP) against a real service (embedded Anvil, SQLite, HTTP on loopback):
// the request object names an ephemeral P-256 ECDH-ES key of the request's own; a response encrypted to it (jose)
// is decrypted and verified; a response in the clear, a tampered JWE, another kid, another alg or enc, a JWE made
// for another request are each refused (400, never a 5xx) and leave the request open; the holder wallet encrypts;
// a restart loses the keys, so pending encrypted requests read as expired and are never answered in the clear.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CompactEncrypt, importJWK, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bankOf, ed25519Holder, failedCodes, postForm, requestObjectOf, vpJwt } from './openid4vp-test-helpers.js'
import { bearer, issueOverHttp, readDemo, type Demo, type Issued } from './verification-helpers.js'

const ASKED = ['enterpriseName', 'unifiedSocialCreditCode']
const ENCRYPTED = {
  protocol: 'openid4vp',
  credentials: [{ id: 'licence', type: 'BusinessLicenseCredential', claims: ASKED, format: 'jwt_vc_json' }],
  purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
  responseMode: 'direct_post.jwt',
}
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** A compact JWE of `plaintext` to `jwk` (ECDH-ES, A128GCM and the key's kid unless overridden; kid null leaves it out). */
async function encryptTo(
  jwk: JWK & { kid: string },
  plaintext: unknown,
  header: { alg?: string; enc?: string; kid?: string | null } = {},
): Promise<string> {
  const alg = header.alg ?? 'ECDH-ES'
  const kid = header.kid === undefined ? jwk.kid : header.kid
  return new CompactEncrypt(new TextEncoder().encode(typeof plaintext === 'string' ? plaintext : JSON.stringify(plaintext)))
    .setProtectedHeader({ alg, enc: header.enc ?? 'A128GCM', ...(kid === null ? {} : { kid }) })
    .encrypt(await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, alg))
}

describe('OpenID4VP 1.0 direct_post.jwt: responses encrypted to a key of the request', () => {
  let service: TestService
  let demo: Demo
  let bank: ReturnType<typeof bankOf>
  const holder = ed25519Holder()
  let licence: Issued

  /** An encrypted request as the bank, with its request object and the encryption key it names. */
  const open = async () => {
    const created = await bank.create(ENCRYPTED)
    const { payload } = await requestObjectOf(created)
    return { created, payload, jwk: payload.client_metadata.jwks.keys[0] as JWK & { kid: string } }
  }
  const answerOf = async (payload: any) => ({
    vp_token: { licence: [await vpJwt(holder, [licence.jwt], { nonce: payload.nonce, aud: payload.client_id })] },
    state: payload.state,
  })
  /** A response refused: 400 in the OAuth shape; its govcred code. */
  const refused = async (uri: string, form: Record<string, string>) => {
    const { status, body } = await postForm(uri, form)
    expect([status, body.error], JSON.stringify(body)).toEqual([400, 'invalid_request'])
    return body.govcred_code
  }

  beforeAll(async () => {
    service = await startTestService()
    demo = readDemo(service)
    bank = bankOf(service)
    licence = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder.did)
  }, 120_000)
  afterAll(async () => service?.dispose())

  it('names one ephemeral P-256 ECDH-ES public key per request, with the encs it takes', async () => {
    const first = await open()
    const second = await open()
    expect(first.created.responseMode).toBe('direct_post.jwt')
    expect(first.payload.response_mode).toBe('direct_post.jwt')
    expect(first.payload.client_metadata.encrypted_response_enc_values_supported).toEqual(['A128GCM', 'A256GCM'])
    expect(first.payload.client_metadata.jwks.keys).toHaveLength(1)
    expect(first.jwk).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'enc', alg: 'ECDH-ES', kid: expect.any(String) })
    expect(first.jwk).not.toHaveProperty('d')
    expect([second.jwk.kid, second.jwk.x]).not.toEqual([first.jwk.kid, first.jwk.x])
    // Fetched again, the same key.
    expect((await requestObjectOf(first.created)).payload.client_metadata.jwks.keys[0]).toEqual(first.jwk)

    const bad = await service.api('/v1/presentation-requests', { headers: bearer(bank.key), body: { ...ENCRYPTED, responseMode: 'query' } })
    expect([bad.status, bad.body.error.code]).toEqual([422, 'ERR_INVALID_REQUEST'])
  })

  it('decrypts and verifies a response encrypted with A128GCM or A256GCM; the same JWE again is refused', async () => {
    for (const enc of ['A128GCM', 'A256GCM']) {
      const { created, payload, jwk } = await open()
      const jwe = await encryptTo(jwk, await answerOf(payload), { enc })
      expect(await postForm(payload.response_uri, { response: jwe })).toEqual({ status: 200, body: {} })
      const { state, result } = await bank.read(created.id)
      expect(state).toBe('answered')
      expect(failedCodes(result), enc).toEqual([])
      expect(Object.keys(result.credentials[0].claims).sort()).toEqual([...ASKED].sort())
      expect(await refused(payload.response_uri, { response: jwe })).toBe('ERR_REQUEST_ANSWERED')
    }
  })

  it('refuses responses in the clear, tampered JWEs, other kids, algs and encs, and JWEs for another request; the request stays open', async () => {
    const { created, payload, jwk } = await open()
    const other = await open()
    const uri = payload.response_uri
    const answer = await answerOf(payload)
    const good = await encryptTo(jwk, answer)
    const parts = good.split('.')
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url')
      bytes[0] = bytes[0]! ^ 1
      return bytes.toString('base64url')
    }
    const cases: [string, Record<string, string>, string][] = [
      ['vp_token in the clear', { vp_token: JSON.stringify(answer.vp_token), state: payload.state }, 'ERR_RESPONSE_NOT_ENCRYPTED'],
      ['a JWE beside vp_token', { response: good, vp_token: JSON.stringify(answer.vp_token) }, 'ERR_RESPONSE_NOT_ENCRYPTED'],
      ['an error in the clear', { error: 'access_denied', state: payload.state }, 'ERR_RESPONSE_NOT_ENCRYPTED'],
      ['nothing', { state: payload.state }, 'ERR_RESPONSE_NOT_ENCRYPTED'],
      ['not a JWE', { response: 'eyJhbGciOiJub25lIn0.e30.' }, 'ERR_RESPONSE_JWE_MALFORMED'],
      ['an unreadable header', { response: `!!.${parts.slice(1).join('.')}` }, 'ERR_RESPONSE_JWE_MALFORMED'],
      [
        'a tampered ciphertext',
        { response: [...parts.slice(0, 3), flip(parts[3]!), parts[4]].join('.') },
        'ERR_RESPONSE_DECRYPTION_FAILED',
      ],
      ['a tampered tag', { response: [...parts.slice(0, 4), flip(parts[4]!)].join('.') }, 'ERR_RESPONSE_DECRYPTION_FAILED'],
      ['another kid', { response: await encryptTo(jwk, answer, { kid: 'another-key' }) }, 'ERR_RESPONSE_KEY_MISMATCH'],
      ['no kid', { response: await encryptTo(jwk, answer, { kid: null }) }, 'ERR_RESPONSE_KEY_MISMATCH'],
      [
        'alg none',
        { response: `${b64({ alg: 'none', enc: 'A128GCM', kid: jwk.kid })}..${b64('iv')}.${b64('ct')}.${b64('tag')}` },
        'ERR_RESPONSE_JWE_UNSUPPORTED',
      ],
      ['alg ECDH-ES+A128KW', { response: await encryptTo(jwk, answer, { alg: 'ECDH-ES+A128KW' }) }, 'ERR_RESPONSE_JWE_UNSUPPORTED'],
      ['enc A128CBC-HS256', { response: await encryptTo(jwk, answer, { enc: 'A128CBC-HS256' }) }, 'ERR_RESPONSE_JWE_UNSUPPORTED'],
      ['a JWE for another request', { response: await encryptTo(other.jwk, answer) }, 'ERR_RESPONSE_KEY_MISMATCH'],
      [
        'another request’s JWE under this kid',
        { response: await encryptTo(other.jwk, answer, { kid: jwk.kid }) },
        'ERR_RESPONSE_DECRYPTION_FAILED',
      ],
      ['another state inside', { response: await encryptTo(jwk, { ...answer, state: other.payload.state }) }, 'ERR_STATE_MISMATCH'],
      ['plaintext that is not JSON', { response: await encryptTo(jwk, 'vp_token=x&state=y') }, 'ERR_RESPONSE_JWE_MALFORMED'],
      ['a JSON array inside', { response: await encryptTo(jwk, [answer]) }, 'ERR_RESPONSE_JWE_MALFORMED'],
    ]
    for (const [name, form, code] of cases) expect(await refused(uri, form), name).toBe(code)

    // None of these used the request up: the wallet's real answer is taken.
    expect((await bank.read(created.id)).state).toBe('pending')
    expect(await postForm(uri, { response: good })).toEqual({ status: 200, body: {} })
    expect((await bank.read(created.id)).result.verified).toBe(true)

    // A JWE to a request that takes direct_post in the clear.
    const plain = await bank.create({ ...ENCRYPTED, responseMode: undefined })
    const { payload: plainPayload } = await requestObjectOf(plain)
    expect(plainPayload.response_mode).toBe('direct_post')
    expect(plainPayload.client_metadata.jwks).toBeUndefined()
    expect(await refused(plainPayload.response_uri, { response: good })).toBe('ERR_INVALID_REQUEST')
  })

  it('the holder wallet encrypts its response to the key of the signed request: nothing goes in the clear', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'govcred-encrypted-wallet-'))
    const wallet = await HolderWallet.open({ dir })
    try {
      const did = await wallet.createDid('key')
      await wallet.importCredential((await issueOverHttp(service, demo, 'BusinessLicenseCredential', did)).jwt)
      const { created, jwk } = await open()
      const plan = await wallet.openPresentationRequest(created.deepLink)
      expect(plan.responseMode).toBe('direct_post.jwt')
      expect(plan.responseEncryption).toEqual({ jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: jwk.kid }, enc: 'A128GCM' })
      const bodies: string[] = []
      const watching: typeof fetch = async (input, init) => {
        if (init?.method === 'POST') bodies.push(String(init.body))
        return fetch(input, init)
      }
      await wallet.sendPresentation(plan, { fetch: watching })
      expect(bodies).toHaveLength(1)
      const form = new URLSearchParams(bodies[0])
      expect([...form.keys()]).toEqual(['response'])
      expect(form.get('response')!.split('.')).toHaveLength(5)
      expect(bodies[0]).not.toContain(plan.nonce)
      const { state, result } = await bank.read(created.id)
      expect(state).toBe('answered')
      expect(failedCodes(result)).toEqual([])
    } finally {
      await wallet.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('after a restart the keys are gone: a pending encrypted request reads as expired and takes no answer, in the clear or not', async () => {
    const { created, payload, jwk } = await open()
    const jwe = await encryptTo(jwk, await answerOf(payload))
    const dataDir = service.dataDir
    await service.dispose({ keepData: true })
    service = await startTestService({ dataDir })
    bank = bankOf(service)
    const view = await bank.read(created.id)
    expect([view.state, view.responseMode]).toEqual(['expired', 'direct_post.jwt'])
    const uri = `${service.url}/oid4vp/responses/${created.id}`
    expect(await refused(uri, { response: jwe })).toBe('ERR_REQUEST_EXPIRED')
    const answer = await answerOf(payload)
    expect(await refused(uri, { vp_token: JSON.stringify(answer.vp_token), state: payload.state })).toBe('ERR_REQUEST_EXPIRED')
    const object = await fetch(`${service.url}/oid4vp/requests/${created.id}`)
    expect([object.status, (await object.json()).govcred_code]).toEqual([400, 'ERR_REQUEST_EXPIRED'])
  }, 120_000)
})
