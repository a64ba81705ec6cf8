import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyPairSync, sign as signData, createHash, type KeyObject } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, bitsOnChain, changeStatus, eventually, principalFor, readDemo, type Demo } from '../issuance/issuance-helpers.js'
import { businessLicenseClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'
import { parseIssueRequest } from '../../src/issuing/issuance/issuance-request.js'
import { issueSdJwtVc } from '../../src/issuing/sd-jwt/issue-sd-jwt-vc.js'
import { loadOrCreateRootCa } from '../../src/issuing/issuer-keys/root-ca.js'
import { createLeafCertificate } from '../../src/issuing/issuer-keys/leaf-certificate.js'
import { disclosureFrame, vctUrl } from '../../src/catalog/sd-jwt/sd-jwt-types.js'
import { verifySdJwtVc } from '../../src/verifying/sd-jwt/verify-sd-jwt-vc.js'
import type { Check } from '../../src/verifying/verification-result.js'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const withoutId = (claims: object) => {
  const { id: _id, ...rest } = claims as Record<string, unknown>
  return rest
}
const codeOf = (checks: Check[], name: string) => checks.find((c) => c.check === name)?.code

function holderKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey
  return { jwk, privateKey, did: `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}` }
}

/** A key-binding JWT over `presented` (`<jwt>~<disclosures>~`), with any member overridden. */
function keyBinding(presented: string, key: KeyObject, payload: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const sdHash = createHash('sha256').update(presented, 'ascii').digest('base64url')
  const input = `${b64({ alg: 'ES256', typ: 'kb+jwt', ...header })}.${b64({ iat: now(), sd_hash: sdHash, ...payload })}`
  const signature = signData('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
  return `${presented}${input}.${signature}`
}

/** An SD-JWT VC signed by `key` (a node KeyObject) with the given x5c, as a forger or a foreign issuer would make it. */
async function signWith(
  key: KeyObject,
  x5c: string[],
  payload: Record<string, unknown>,
  type: 'BusinessLicenseCredential' | 'SocialSecurityStatusCredential',
  claims: Record<string, unknown>,
) {
  const sdjwt = new SDJwtVcInstance({
    signer: async (data: string) => signData('sha256', Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url'),
    signAlg: 'ES256',
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
  })
  return sdjwt.issue({ ...payload, ...claims } as never, disclosureFrame(type, claims) as never, { header: { typ: 'dc+sd-jwt', x5c } })
}

describe('SD-JWT VC verification against the chain', () => {
  let service: TestService
  let demo: Demo
  const holder = holderKey()
  let licence: Awaited<ReturnType<typeof issueSdJwtVc>>
  const verify = (compact: string, expect?: Parameters<typeof verifySdJwtVc>[3]) => verifySdJwtVc(service.verifier.deps, compact, 0, expect)
  const present = (compact: string, names: string[]) => {
    const [jwt, ...rest] = compact.split('~')
    const kept = rest.filter((d) => d && names.includes(JSON.parse(Buffer.from(d, 'base64url').toString())[1]))
    return `${[jwt, ...kept].join('~')}~`
  }

  beforeAll(async () => {
    service = await startTestService()
    demo = readDemo(service)
    const principal = await principalFor(service, demo.market.id)
    licence = await issueSdJwtVc(
      service.issuance.sdJwt,
      principal,
      parseIssueRequest({ type: 'BusinessLicenseCredential', holder: holder.did, claims: withoutId(businessLicenseClaims()) }),
      { jwk: holder.jwk },
    )
  }, 120_000)
  afterAll(async () => service?.dispose())

  it('verifies a fully disclosed licence through POST /credentials/verify, every check passing', async () => {
    const { status, body } = await service.api('/credentials/verify', { method: 'POST', body: { verifiableCredential: licence.sdJwt } })
    expect(body.error).toBeUndefined()
    expect(status).toBe(200)
    expect(body.verified).toBe(true)
    expect(body.checks.map((c: Check) => c.check).sort()).toEqual(
      [
        'credentialProof',
        'issuerResolved',
        'credentialSignature',
        'disclosures',
        'issuerAccredited',
        'schema',
        'status',
        'validity',
      ].sort(),
    )
    const summary = body.credentials[0]
    expect(summary).toMatchObject({ types: ['BusinessLicenseCredential'], issuer: demo.market.did, issuerAccredited: true, verified: true })
    expect(summary.claims).toEqual(withoutId(businessLicenseClaims()))
    // No id of its own: the status list entry names it, and it is the department's record's.
    expect(summary.statusReference).toEqual({ uri: `${service.url}/status-lists/market-supervision`, idx: expect.any(Number) })
    expect((await service.issuance.credentials.get(licence.id))?.statusIndex).toBe(summary.statusReference.idx)
  })

  it('a presentation of name and USCC only verifies, and shows only those claims', async () => {
    const shown = present(licence.sdJwt, ['enterpriseName', 'unifiedSocialCreditCode'])
    const { checks, summary } = await verify(shown)
    expect(checks.filter((c) => !c.ok)).toEqual([])
    expect(summary.verified).toBe(true)
    expect(summary.claims).toEqual({
      enterpriseName: businessLicenseClaims().enterpriseName,
      unifiedSocialCreditCode: businessLicenseClaims().unifiedSocialCreditCode,
    })
  })

  it('refuses a tampered disclosure, one from another credential, a duplicate and garbage', async () => {
    const [jwt, first, ...rest] = licence.sdJwt.split('~')
    const decoded = JSON.parse(Buffer.from(first!, 'base64url').toString())
    const tampered = b64([decoded[0], decoded[1], typeof decoded[2] === 'string' ? `${decoded[2]}X` : 'X'])
    expect(codeOf((await verify([jwt, tampered, ...rest].join('~'))).checks, 'disclosures')).toBe('ERR_DISCLOSURE_UNMATCHED')

    const principal = await principalFor(service, demo.market.id)
    const other = await issueSdJwtVc(
      service.issuance.sdJwt,
      principal,
      parseIssueRequest({
        type: 'BusinessLicenseCredential',
        holder: holder.did,
        claims: withoutId(businessLicenseClaims({ enterpriseName: '另一家公司' })),
      }),
      { jwk: holder.jwk },
    )
    const foreign = other.sdJwt.split('~')[1]!
    expect(codeOf((await verify(`${jwt}~${foreign}~`)).checks, 'disclosures')).toBe('ERR_DISCLOSURE_UNMATCHED')
    expect(codeOf((await verify(`${jwt}~${first}~${first}~`)).checks, 'disclosures')).toBe('ERR_DISCLOSURE_DUPLICATE')
    expect(codeOf((await verify(`${jwt}~not*base64~`)).checks, 'disclosures')).toBe('ERR_DISCLOSURE_MALFORMED')
    expect(codeOf((await verify(`${jwt}~${b64({ a: 1 })}~`)).checks, 'disclosures')).toBe('ERR_DISCLOSURE_MALFORMED')

    for (const garbage of ['~', '~~~', 'a.b.c~', `${jwt}~x~y`, `${'A'.repeat(200_000)}~`, `${jwt}${'~AAAA'.repeat(500)}~`]) {
      const { status, body } = await service.api('/credentials/verify', { method: 'POST', body: { verifiableCredential: garbage } })
      expect(status, garbage.slice(0, 30)).toBe(422)
      expect(body.verified).toBe(false)
    }
  })

  it('refuses a forged signature, and a key the DID never registered on chain', async () => {
    const [jwt, ...rest] = licence.sdJwt.split('~')
    const [h, p, s] = jwt!.split('.')
    const flipped = `${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`
    expect(codeOf((await verify([`${h}.${p}.${flipped}`, ...rest].join('~'))).checks, 'credentialSignature')).toBe(
      'ERR_CREDENTIAL_SIGNATURE_INVALID',
    )

    // A fresh key, certified by a self-made CA in a certificate naming the department's DID.
    const { ca } = await loadOrCreateRootCa({
      dataDir: mkdtempSync(join(tmpdir(), 'forger-')),
      kmsSecret: 'x'.repeat(32),
      commonName: 'Forger',
    })
    const forger = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const certificate = await createLeafCertificate({
      rootCa: ca,
      publicJwk: forger.publicKey.export({ format: 'jwk' }) as JsonWebKey,
      commonName: 'market',
      issuerUrl: `${service.url}/oid4vci/${demo.market.id}`,
      did: demo.market.did,
      host: '127.0.0.1',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
    })
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString())
    const { _sd, _sd_alg, ...plain } = payload
    const forged = await signWith(forger.privateKey, [certificate], plain, 'BusinessLicenseCredential', withoutId(businessLicenseClaims()))
    const { checks } = await verify(forged)
    expect(codeOf(checks, 'issuerResolved')).toBe('OK')
    expect(codeOf(checks, 'credentialSignature')).toBe('ERR_ISSUING_KEY_NOT_REGISTERED')
  })

  it('refuses a type the issuer is not accredited for, even signed by its registered key', async () => {
    const key = await service.issuance.issuerKeys.current(demo.market.id)
    const sdjwt = new SDJwtVcInstance({
      signer: async (data: string) => Buffer.from(await key.sign(new TextEncoder().encode(data))).toString('base64url'),
      signAlg: 'ES256',
      hasher: digest,
      hashAlg: 'sha-256',
      saltGenerator: generateSalt,
    })
    const claims = withoutId(socialSecurityStatusClaims())
    const compact = await sdjwt.issue(
      {
        iss: `${service.url}/oid4vci/${demo.market.id}`,
        vct: vctUrl(service.url, 'SocialSecurityStatusCredential'),
        iat: now(),
        cnf: { jwk: holder.jwk },
        status: { status_list: { idx: 7, uri: 'x' } },
        ...claims,
      } as never,
      disclosureFrame('SocialSecurityStatusCredential', claims) as never,
      { header: { typ: 'dc+sd-jwt', x5c: key.x5c } },
    )
    const { checks, summary } = await verify(compact)
    expect(codeOf(checks, 'credentialSignature')).toBe('OK')
    expect(codeOf(checks, 'issuerAccredited')).toBe('ERR_ISSUER_NOT_ACCREDITED')
    expect(summary).toMatchObject({ verified: false, issuerAccredited: false, issuerName: null })
  })

  it('key binding: the right one passes; another nonce, audience, key, a stale one or a wrong sd_hash each fail with their code', async () => {
    const shown = present(licence.sdJwt, ['enterpriseName'])
    const expectation = { nonce: 'n-123456', audience: 'x509_san_dns:bank.example' }
    const good = keyBinding(shown, holder.privateKey, { nonce: expectation.nonce, aud: expectation.audience })
    const ok = await verify(good, expectation)
    expect(ok.checks.filter((c) => !c.ok)).toEqual([])
    expect(codeOf(ok.checks, 'keyBinding')).toBe('OK')

    expect(codeOf((await verify(shown, expectation)).checks, 'keyBinding')).toBe('ERR_KEY_BINDING_MISSING')
    expect(codeOf((await verify(shown, { requireKeyBinding: true })).checks, 'keyBinding')).toBe('ERR_KEY_BINDING_MISSING')
    const cases: [Record<string, unknown>, KeyObject, string][] = [
      [{ nonce: 'other', aud: expectation.audience }, holder.privateKey, 'ERR_KEY_BINDING_NONCE_MISMATCH'],
      [{ nonce: expectation.nonce, aud: 'x509_san_dns:evil.example' }, holder.privateKey, 'ERR_KEY_BINDING_AUDIENCE_MISMATCH'],
      [{ nonce: expectation.nonce, aud: expectation.audience }, holderKey().privateKey, 'ERR_KEY_BINDING_SIGNATURE_INVALID'],
      [{ nonce: expectation.nonce, aud: expectation.audience, iat: now() - 3600 }, holder.privateKey, 'ERR_KEY_BINDING_STALE'],
      [{ nonce: expectation.nonce, aud: expectation.audience, sd_hash: 'AAAA' }, holder.privateKey, 'ERR_KEY_BINDING_SD_HASH_MISMATCH'],
    ]
    for (const [payload, key, code] of cases) {
      expect(codeOf((await verify(keyBinding(shown, key, payload), expectation)).checks, 'keyBinding'), code).toBe(code)
    }
    const wrongTyp = keyBinding(shown, holder.privateKey, { nonce: expectation.nonce, aud: expectation.audience }, { typ: 'JWT' })
    expect(codeOf((await verify(wrongTyp, expectation)).checks, 'keyBinding')).toBe('ERR_KEY_BINDING_MALFORMED')
    // A key-binding JWT for the full presentation does not bind a smaller one.
    const full = keyBinding(licence.sdJwt, holder.privateKey, { nonce: expectation.nonce, aud: expectation.audience })
    const swapped = `${shown}${full.split('~').at(-1)}`
    expect(codeOf((await verify(swapped, expectation)).checks, 'keyBinding')).toBe('ERR_KEY_BINDING_SD_HASH_MISMATCH')
  })

  it('key binding by an ES256K (secp256k1) holder key verifies; its high-S twin and an ES256 claim over it do not', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
    const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey
    const principal = await principalFor(service, demo.market.id)
    const issued = await issueSdJwtVc(
      service.issuance.sdJwt,
      principal,
      parseIssueRequest({
        type: 'BusinessLicenseCredential',
        holder: `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`,
        claims: withoutId(businessLicenseClaims()),
      }),
      { jwk },
    )
    const shown = present(issued.sdJwt, ['enterpriseName'])
    const expectation = { nonce: 'n-k1-7890', audience: 'x509_san_dns:bank.example' }
    const payload = { nonce: expectation.nonce, aud: expectation.audience }
    // OpenSSL signs with either S; n − S verifies as well. Both encodings of one signature, low S first.
    const order = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')
    const signed = keyBinding(shown, privateKey, payload, { alg: 'ES256K' })
    const input = signed.slice(0, signed.lastIndexOf('.') + 1)
    const signature = Buffer.from(signed.slice(signed.lastIndexOf('.') + 1), 'base64url')
    const s = BigInt(`0x${signature.subarray(32).toString('hex')}`)
    const withS = (value: bigint) =>
      `${input}${Buffer.concat([signature.subarray(0, 32), Buffer.from(value.toString(16).padStart(64, '0'), 'hex')]).toString('base64url')}`
    const [low, high] = s > order / 2n ? [order - s, s] : [s, order - s]
    expect(codeOf((await verify(withS(low), expectation)).checks, 'keyBinding')).toBe('OK')
    expect(codeOf((await verify(withS(high), expectation)).checks, 'keyBinding')).toBe('ERR_KEY_BINDING_SIGNATURE_INVALID')
    const mislabelled = keyBinding(shown, privateKey, payload, { alg: 'ES256' })
    expect(codeOf((await verify(mislabelled, expectation)).checks, 'keyBinding')).toBe('ERR_KEY_BINDING_SIGNATURE_INVALID')
  })

  it('a suspended, then a revoked credential is refused by status within a block of the change', async () => {
    const principal = await principalFor(service, demo.market.id)
    const issued = await issueSdJwtVc(
      service.issuance.sdJwt,
      principal,
      parseIssueRequest({
        type: 'BusinessLicenseCredential',
        holder: holder.did,
        claims: withoutId(businessLicenseClaims({ unifiedSocialCreditCode: '91320105MA1N2P3Q4B' })),
      }),
      { jwk: holder.jwk },
    )
    const statusCode = async () =>
      (await service.api('/credentials/verify', { method: 'POST', body: { verifiableCredential: issued.sdJwt } })).body.checks.find(
        (c: Check) => c.check === 'status',
      )?.code
    expect(await statusCode()).toBe('OK')
    expect((await changeStatus(service, demo.market.apiKey, issued.id, 'suspend')).status).toBeLessThan(300)
    expect(
      await eventually(async () => (await bitsOnChain(service, demo.market.account, issued.record.statusIndex)).suspended, 20_000),
    ).toBe(true)
    expect(await statusCode()).toBe('ERR_CREDENTIAL_SUSPENDED')
    expect((await changeStatus(service, demo.market.apiKey, issued.id, 'revoke')).status).toBeLessThan(300)
    expect(await eventually(async () => (await bitsOnChain(service, demo.market.account, issued.record.statusIndex)).revoked, 20_000)).toBe(
      true,
    )
    expect(await statusCode()).toBe('ERR_CREDENTIAL_REVOKED')
    void bearer
  })
})
