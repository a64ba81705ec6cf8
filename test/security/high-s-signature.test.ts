// Security review, finding 13: an ES256K signature (r, s) and its twin (r, n − s) both verify mathematically.
// The OpenSSL fast path refused the high-S twin and handed it to did-jwt, which accepted it: anyone could make
// a second, different JWT of every credential and presentation. High S is now refused everywhere, for
// holders and issuers alike; the low-S originals still verify.
import { createPublicKey, verify as cryptoVerify } from 'node:crypto'
import { ES256KSigner, createJWT, hexToBytes } from 'did-jwt'
import { SigningKey } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  createRequest,
  failures,
  issueOverHttp,
  rawHolder,
  rawPresentation,
  readDemo,
  verifyOverHttp,
  type Demo,
  type Issued,
} from '../verification/verification-helpers.js'

/** The order n of secp256k1. */
const ORDER = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')

let service: TestService
let demo: Demo
let holder: ReturnType<typeof rawHolder>
let licence: Issued

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  holder = rawHolder()
  licence = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder.did)
})

afterAll(async () => {
  await service?.dispose()
})

const sOf = (jwt: string) => BigInt(`0x${Buffer.from(jwt.split('.')[2]!, 'base64url').subarray(32, 64).toString('hex')}`)

/** The same JWT with S replaced by n − S (and, for ES256K-R, the recovery bit flipped: the key recovered stays the same). */
function withHighS(jwt: string): string {
  const [header, payload, signature] = jwt.split('.')
  const sig = Buffer.from(signature!, 'base64url')
  const flipped = ORDER - BigInt(`0x${sig.subarray(32, 64).toString('hex')}`)
  const recovery = sig.length === 65 ? Buffer.from([sig[64]! ^ 1]) : Buffer.alloc(0)
  const out = Buffer.concat([sig.subarray(0, 32), Buffer.from(flipped.toString(16).padStart(64, '0'), 'hex'), recovery])
  return `${header}.${payload}.${out.toString('base64url')}`
}

/** Whether OpenSSL, which does not insist on low S, accepts the JWT's signature by this secp256k1 public key. */
function mathematicallyValid(jwt: string, publicKeyHex: string): boolean {
  const uncompressed = Buffer.from(SigningKey.computePublicKey(`0x${publicKeyHex.replace(/^0x/, '')}`, false).slice(2), 'hex')
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'secp256k1',
      x: uncompressed.subarray(1, 33).toString('base64url'),
      y: uncompressed.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  })
  const lastDot = jwt.lastIndexOf('.')
  const signature = Buffer.from(jwt.slice(lastDot + 1), 'base64url').subarray(0, 64)
  return cryptoVerify('sha256', Buffer.from(jwt.slice(0, lastDot)), { key, dsaEncoding: 'ieee-p1363' }, signature)
}

/** The secp256k1 public key of a department's DID document on chain. */
async function issuerPublicKeyHex(did: string): Promise<string> {
  const { didDocument } = await service.verifier.deps.cache.resolveDid(did)
  const hex = didDocument?.verificationMethod?.find((m) => typeof m.publicKeyHex === 'string')?.publicKeyHex
  if (!hex) throw new Error(`${did} has no publicKeyHex in its DID document`)
  return hex
}

describe('a high-S ES256K signature', () => {
  it('of a credential is refused ERR_CREDENTIAL_SIGNATURE_INVALID; the low-S original verifies', async () => {
    const flipped = withHighS(licence.jwt)
    expect(sOf(licence.jwt) <= ORDER / 2n).toBe(true)
    expect(sOf(flipped) > ORDER / 2n).toBe(true)
    // The twin is a mathematically valid signature by the issuer's key: only the low-S rule refuses it.
    const publicKeyHex = await issuerPublicKeyHex(demo.BusinessLicenseCredential.did)
    expect(mathematicallyValid(licence.jwt, publicKeyHex)).toBe(true)
    expect(mathematicallyValid(flipped, publicKeyHex)).toBe(true)

    const refused = await service.api('/credentials/verify', { body: { verifiableCredential: flipped } })
    expect(refused.status, JSON.stringify(refused.body)).toBe(422)
    expect(failures(refused.body)).toEqual(['credentialSignature:ERR_CREDENTIAL_SIGNATURE_INVALID'])

    const original = await service.api('/credentials/verify', { body: { verifiableCredential: licence.jwt } })
    expect(failures(original.body)).toEqual([])
    expect(original.status).toBe(200)
  })

  it('of a credential inside a good presentation is refused ERR_CREDENTIAL_SIGNATURE_INVALID', async () => {
    const request = await createRequest(service, ['BusinessLicenseCredential'])
    const vp = await rawPresentation(holder, [withHighS(licence.jwt)], request.challenge, request.domain)
    const answer = await verifyOverHttp(service, vp, request.id)
    expect(answer.status, JSON.stringify(answer.body)).toBe(422)
    expect(failures(answer.body)).toEqual(['credentialSignature:ERR_CREDENTIAL_SIGNATURE_INVALID'])
  })

  it('of a presentation is refused ERR_HOLDER_SIGNATURE_INVALID on both verify routes; the low-S original verifies', async () => {
    const publicKeyHex = new SigningKey(holder.privateKey).compressedPublicKey.slice(2)
    const request = await createRequest(service, ['BusinessLicenseCredential'])
    const vp = await rawPresentation(holder, [licence.jwt], request.challenge, request.domain)
    const flipped = withHighS(vp)
    expect(sOf(flipped) > ORDER / 2n).toBe(true)
    expect(mathematicallyValid(vp, publicKeyHex)).toBe(true)
    expect(mathematicallyValid(flipped, publicKeyHex)).toBe(true)

    const refused = await verifyOverHttp(service, flipped, request.id)
    expect(refused.status, JSON.stringify(refused.body)).toBe(422)
    expect(failures(refused.body)).toEqual(['holderSignature:ERR_HOLDER_SIGNATURE_INVALID'])

    const options = { challenge: `high-s-${Date.now()}`, domain: request.domain }
    const callerVp = await rawPresentation(holder, [licence.jwt], options.challenge, options.domain)
    const refusedVcApi = await service.api('/presentations/verify', { body: { verifiablePresentation: withHighS(callerVp), options } })
    expect(refusedVcApi.status, JSON.stringify(refusedVcApi.body)).toBe(422)
    expect(failures(refusedVcApi.body)).toEqual(['holderSignature:ERR_HOLDER_SIGNATURE_INVALID'])

    // A fresh request for the original: whether a refused presentation uses up its challenge is not this test's concern.
    const second = await createRequest(service, ['BusinessLicenseCredential'])
    const accepted = await verifyOverHttp(service, await rawPresentation(holder, [licence.jwt], second.challenge, second.domain), second.id)
    expect(failures(accepted.body)).toEqual([])
    expect(accepted.status).toBe(200)
  })

  it('of an ES256K-R presentation (r, n − s, v ⊕ 1) is refused ERR_HOLDER_SIGNATURE_INVALID; the low-S original verifies', async () => {
    const publicKeyHex = new SigningKey(holder.privateKey).compressedPublicKey.slice(2)
    const recoverable = async (request: { challenge: string; domain: string }) =>
      createJWT(
        {
          vp: {
            '@context': ['https://www.w3.org/2018/credentials/v1'],
            type: ['VerifiablePresentation'],
            verifiableCredential: [licence.jwt],
          },
          nonce: request.challenge,
          aud: [request.domain],
          nbf: Math.floor(Date.now() / 1000),
        },
        { issuer: holder.did, signer: ES256KSigner(hexToBytes(holder.privateKey), true) },
        { alg: 'ES256K-R' },
      )
    const request = await createRequest(service, ['BusinessLicenseCredential'])
    const vp = await recoverable(request)
    const flipped = withHighS(vp)
    expect(Buffer.from(flipped.split('.')[2]!, 'base64url')).toHaveLength(65)
    expect(mathematicallyValid(flipped, publicKeyHex)).toBe(true)
    const refused = await verifyOverHttp(service, flipped, request.id)
    expect(refused.status, JSON.stringify(refused.body)).toBe(422)
    expect(failures(refused.body)).toEqual(['holderSignature:ERR_HOLDER_SIGNATURE_INVALID'])

    const second = await createRequest(service, ['BusinessLicenseCredential'])
    const accepted = await verifyOverHttp(service, await recoverable(second), second.id)
    expect(failures(accepted.body)).toEqual([])
    expect(accepted.status).toBe(200)
  })
})
