// The node:crypto fast path (ES256K, ES256, EdDSA on libuv's thread pool) accepts only what did-jwt's verifyJWS
// accepts; the holder-signature check built on it verifies an Ed25519 did:key VP and refuses what it must.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { bytesToBase58, ES256KSigner, ES256Signer, EdDSASigner, verifyJWS } from 'did-jwt'
import { createVerifiablePresentationJwt } from 'did-jwt-vc'
import { Resolver, type VerificationMethod } from 'did-resolver'
import { SigningKey } from 'ethers'
import KeyResolver from 'key-did-resolver'
import { describe, expect, it } from 'vitest'
import type { ChainRegistryCache } from '../../src/verifying/chain-registry-cache.js'
import { verifyWithNodeCrypto } from '../../src/verifying/node-crypto-verify.js'
import { verifyJwtSignature } from '../../src/verifying/verify-signature.js'

const SECP256K1_ORDER = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')
const resolver = new Resolver(KeyResolver.getResolver())
// verifyJwtSignature needs only DID resolution from the cache.
const cache = { resolveDid: (did: string) => resolver.resolve(did) } as unknown as ChainRegistryCache

function ed25519Holder() {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })
  const publicKey = Buffer.from(jwk.x!, 'base64url')
  const did = `did:key:z${bytesToBase58(new Uint8Array([0xed, 0x01, ...publicKey]))}`
  return { did, publicKey, signer: EdDSASigner(new Uint8Array(Buffer.from(jwk.d!, 'base64url'))), alg: 'EdDSA' }
}

function secp256k1Holder() {
  const privateKey = randomBytes(32)
  const compressed = Buffer.from(SigningKey.computePublicKey(`0x${privateKey.toString('hex')}`, true).slice(2), 'hex')
  const did = `did:key:z${bytesToBase58(new Uint8Array([0xe7, 0x01, ...compressed]))}`
  return { did, signer: ES256KSigner(privateKey), alg: 'ES256K' }
}

const presentationOf = (holder: { did: string; signer: ReturnType<typeof EdDSASigner>; alg: string }, nonce = 'n-1') =>
  createVerifiablePresentationJwt(
    { vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [] } },
    { did: holder.did, signer: holder.signer, alg: holder.alg },
    { challenge: nonce, domain: 'bank.example' },
  )

async function authenticationKeys(did: string): Promise<VerificationMethod[]> {
  const document = (await resolver.resolve(did)).didDocument!
  return document.authentication!.map((ref) => document.verificationMethod!.find((m) => m.id === ref)!)
}

const didJwtAccepts = (jwt: string, methods: VerificationMethod[]) => {
  try {
    verifyJWS(jwt, methods)
    return true
  } catch {
    return false
  }
}

const segments = (jwt: string) => jwt.split('.') as [string, string, string]

describe('Ed25519 holder signatures through node:crypto', () => {
  it('verifies a valid Ed25519 did:key VP, as did-jwt does', async () => {
    const holder = ed25519Holder()
    const vp = await presentationOf(holder)
    const methods = await authenticationKeys(holder.did)
    expect(methods[0]!.type).toBe('Ed25519VerificationKey2018')
    expect(await verifyWithNodeCrypto(vp, 'EdDSA', methods)).toBe(true)
    expect(didJwtAccepts(vp, methods)).toBe(true)
    expect(await verifyJwtSignature(cache, vp, holder.did, 'authentication', 'EdDSA')).toMatchObject({ ok: true })
  })

  it('takes the key from publicKeyMultibase and from an OKP publicKeyJwk as well', async () => {
    const holder = ed25519Holder()
    const vp = await presentationOf(holder)
    const base = { id: `${holder.did}#k`, controller: holder.did }
    const multibase = { ...base, type: 'Ed25519VerificationKey2020', publicKeyMultibase: holder.did.slice('did:key:'.length) }
    const jwk = { ...base, type: 'JsonWebKey2020', publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x: holder.publicKey.toString('base64url') } }
    for (const method of [multibase, jwk]) {
      expect(await verifyWithNodeCrypto(vp, 'EdDSA', [method]), method.type).toBe(true)
      expect(didJwtAccepts(vp, [method]), method.type).toBe(true)
    }
  })

  it('refuses a tampered payload and a signature by another key', async () => {
    const holder = ed25519Holder()
    const vp = await presentationOf(holder)
    const [h, p, s] = segments(vp)
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'))
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, nonce: 'n-2' })).toString('base64url')}.${s}`
    const byOtherKey = await presentationOf({ ...ed25519Holder(), did: holder.did })
    const methods = await authenticationKeys(holder.did)
    for (const [name, jwt] of [
      ['tampered payload', tampered],
      ['another key', byOtherKey],
    ] as const) {
      expect(await verifyWithNodeCrypto(jwt, 'EdDSA', methods), name).toBe(false)
      expect(didJwtAccepts(jwt, methods), name).toBe(false)
      expect(await verifyJwtSignature(cache, jwt, holder.did, 'authentication', 'EdDSA'), name).toMatchObject({
        ok: false,
        code: 'ERR_SIGNATURE_INVALID',
      })
    }
  })

  it('refuses a second base64url spelling of the same signature, which did-jwt refuses', async () => {
    const holder = ed25519Holder()
    const vp = await presentationOf(holder)
    const [h, p, s] = segments(vp)
    // 64 bytes are 86 characters with 4 padding bits in the last one: setting one keeps the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const respelled = `${h}.${p}.${s.slice(0, -1)}${alphabet[alphabet.indexOf(s.at(-1)!) ^ 1]}`
    expect(Buffer.from(segments(respelled)[2], 'base64url')).toEqual(Buffer.from(s, 'base64url'))
    const methods = await authenticationKeys(holder.did)
    expect(didJwtAccepts(respelled, methods)).toBe(false)
    expect(await verifyWithNodeCrypto(respelled, 'EdDSA', methods)).toBe(false)
    expect(await verifyJwtSignature(cache, respelled, holder.did, 'authentication', 'EdDSA')).toMatchObject({ ok: false })
  })

  it('refuses, as did-jwt does, single-bit corruptions of signature, payload and key', async () => {
    const holder = ed25519Holder()
    const vp = await presentationOf(holder)
    const methods = await authenticationKeys(holder.did)
    const [h, p, s] = segments(vp)
    const flip = (text: string, i: number) => {
      const bytes = Buffer.from(text, 'base64url')
      bytes[i % bytes.length]! ^= 1 << (i % 8)
      return bytes.toString('base64url')
    }
    for (let i = 0; i < 64; i++) {
      const candidates = [`${h}.${p}.${flip(s, i * 7)}`, `${h}.${flip(p, i * 13)}.${s}`]
      const otherKey = [
        { ...methods[0]!, publicKeyBase58: bytesToBase58(Buffer.from(flip(holder.publicKey.toString('base64url'), i), 'base64url')) },
      ]
      for (const [jwt, keys] of [
        [candidates[0]!, methods],
        [candidates[1]!, methods],
        [vp, otherKey],
      ] as const) {
        expect(didJwtAccepts(jwt, keys)).toBe(false)
        expect(await verifyWithNodeCrypto(jwt, 'EdDSA', keys)).toBe(false)
      }
    }
  })

  it('hands a method did-jwt would choke on to did-jwt instead of trying the next one', async () => {
    const holder = ed25519Holder()
    const vp = await presentationOf(holder)
    const [good] = await authenticationKeys(holder.did)
    const tooShort = { ...good!, id: `${holder.did}#short`, publicKeyBase58: bytesToBase58(new Uint8Array(31).fill(7)) }
    expect(didJwtAccepts(vp, [tooShort, good!])).toBe(false)
    expect(await verifyWithNodeCrypto(vp, 'EdDSA', [tooShort, good!])).toBe(false)
    expect(didJwtAccepts(vp, [good!, tooShort])).toBe(true)
    expect(await verifyWithNodeCrypto(vp, 'EdDSA', [good!, tooShort])).toBe(true)
  })
})

describe('the thread-pool queue', () => {
  it('answers every one of many concurrent verifications, valid and not, and then takes more', async () => {
    const holder = ed25519Holder()
    const methods = await authenticationKeys(holder.did)
    const good = await presentationOf(holder)
    const bad = await presentationOf({ ...ed25519Holder(), did: holder.did })
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => verifyWithNodeCrypto(i % 3 === 0 ? bad : good, 'EdDSA', methods)),
    )
    expect(answers).toEqual(Array.from({ length: 60 }, (_, i) => i % 3 !== 0))
    expect(await verifyWithNodeCrypto(good, 'EdDSA', methods)).toBe(true)
  })
})

describe('ES256K and ES256 through node:crypto', () => {
  it('still refuses a high-S ES256K signature, which did-jwt accepts', async () => {
    const holder = secp256k1Holder()
    const vp = await presentationOf(holder)
    const [h, p, s] = segments(vp)
    const sig = Buffer.from(s, 'base64url')
    const highS = SECP256K1_ORDER - BigInt(`0x${sig.subarray(32).toString('hex')}`)
    const flipped = `${h}.${p}.${Buffer.concat([sig.subarray(0, 32), Buffer.from(highS.toString(16).padStart(64, '0'), 'hex')]).toString('base64url')}`
    const methods = await authenticationKeys(holder.did)
    expect(await verifyWithNodeCrypto(vp, 'ES256K', methods)).toBe(true)
    expect(didJwtAccepts(flipped, methods)).toBe(true)
    expect(await verifyWithNodeCrypto(flipped, 'ES256K', methods)).toBe(false)
    expect(await verifyJwtSignature(cache, flipped, holder.did, 'authentication', 'ES256K')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/low-S/),
    })
  })

  it('verifies ES256 with a P-256 publicKeyJwk, and refuses it for another key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = privateKey.export({ format: 'jwk' })
    const signer = ES256Signer(new Uint8Array(Buffer.from(jwk.d!, 'base64url')))
    const vp = await presentationOf({ did: 'did:example:p256', signer, alg: 'ES256' })
    const methodOf = (k: typeof jwk) => ({
      id: 'did:example:p256#k',
      type: 'JsonWebKey2020',
      controller: 'did:example:p256',
      publicKeyJwk: { kty: 'EC', crv: 'P-256', x: k.x, y: k.y },
    })
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
    expect(await verifyWithNodeCrypto(vp, 'ES256', [methodOf(jwk)])).toBe(true)
    expect(didJwtAccepts(vp, [methodOf(jwk)])).toBe(true)
    expect(await verifyWithNodeCrypto(vp, 'ES256', [methodOf(other)])).toBe(false)
    // An ES256 signature is not checked against a secp256k1 key, nor an ES256K header against a P-256 key.
    expect(await verifyWithNodeCrypto(vp, 'ES256K', [methodOf(jwk)])).toBe(false)
  })
})
