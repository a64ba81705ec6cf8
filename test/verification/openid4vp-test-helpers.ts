/**
 * Helpers of the OpenID4VP tests that answer as a wallet by hand: holders whose keys the test holds (a secp256k1
 * and an Ed25519 did:key, signing VP-JWTs with did-jwt-vc), the demo bank's requests, the request object read
 * from the request_uri, and responses posted to the response_uri (in the clear, or as a JWE made with jose).
 *
 * @example
 * const bank = bankOf(service)
 * const created = await bank.create({ protocol: 'openid4vp', credentials: [...], purpose: '贷款审核' })
 * const { payload } = await requestObjectOf(created)
 * await postForm(payload.response_uri, { vp_token: JSON.stringify({ licence: [vp] }), state: payload.state })
 */
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EdDSASigner, ES256KSigner, bytesToBase58, hexToBytes, type Signer } from 'did-jwt'
import { createVerifiablePresentationJwt } from 'did-jwt-vc'
import { Wallet as EthersWallet } from 'ethers'
import type { TestService } from '../helpers/service.js'
import { bearer } from './verification-helpers.js'

export const BANK = 'demo-bank-of-nanjing'

/** A holder DID with its signer: what a wallet library would hold. */
export interface TestHolder {
  did: string
  alg: 'ES256K' | 'EdDSA'
  signer: Signer
}

/** A did:key on secp256k1 (multicodec 0xe7 0x01, compressed key), signing ES256K. */
export function secp256k1Holder(): TestHolder {
  const wallet = EthersWallet.createRandom()
  const compressed = hexToBytes(wallet.signingKey.compressedPublicKey.slice(2))
  return {
    did: `did:key:z${bytesToBase58(new Uint8Array([0xe7, 0x01, ...compressed]))}`,
    alg: 'ES256K',
    signer: ES256KSigner(hexToBytes(wallet.privateKey.slice(2))),
  }
}

/** A did:key on Ed25519 (multicodec 0xed 0x01), signing EdDSA. */
export function ed25519Holder(): TestHolder {
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' }) as { d: string; x: string }
  return {
    did: `did:key:z${bytesToBase58(new Uint8Array([0xed, 0x01, ...Buffer.from(jwk.x, 'base64url')]))}`,
    alg: 'EdDSA',
    signer: EdDSASigner(new Uint8Array(Buffer.from(jwk.d, 'base64url'))),
  }
}

/** A VP-JWT (did-jwt-vc) of `credentials` by `holder`, for `nonce` and `aud` (any overridable), signed by `signer`. */
export async function vpJwt(
  holder: TestHolder,
  credentials: string[],
  options: { nonce: string; aud: string; signer?: TestHolder },
): Promise<string> {
  const signing = options.signer ?? holder
  return createVerifiablePresentationJwt(
    {
      vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: credentials },
      nonce: options.nonce,
      aud: options.aud,
    },
    { did: holder.did, signer: signing.signer, alg: signing.alg },
  )
}

/** The demo bank of a test service: its key, its requests and the results it reads. */
export function bankOf(service: TestService) {
  const key = (
    JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { relyingParties: { id: string; apiKey: string }[] }
  ).relyingParties.find((p) => p.id === BANK)!.apiKey
  return {
    key,
    async create(body: unknown): Promise<{ id: string; requestUri: string; deepLink: string; [member: string]: any }> {
      const { status, body: created } = await service.api('/v1/presentation-requests', { headers: bearer(key), body })
      if (status !== 201) throw new Error(`creating the request answered ${status}: ${JSON.stringify(created)}`)
      return created
    },
    async read(id: string): Promise<Record<string, any>> {
      return (await service.api(`/v1/presentation-requests/${id}`, { headers: bearer(key) })).body
    },
  }
}

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))

/** The request object at the request's request_uri (its signature is the wallet's business, checked elsewhere). */
export async function requestObjectOf(created: { requestUri: string }): Promise<{ header: any; payload: any }> {
  const res = await fetch(created.requestUri)
  if (res.status !== 200) throw new Error(`the request object answered ${res.status}`)
  const [h, p] = (await res.text()).split('.') as [string, string]
  return { header: decode(h), payload: decode(p) }
}

/** A form posted to a response_uri: the status and the JSON answer. */
export async function postForm(uri: string, form: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(uri, { method: 'POST', body: new URLSearchParams(form) })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

/** The codes of the failed checks of a result. */
export const failedCodes = (result: { checks: { ok: boolean; code: string }[] }) => result.checks.filter((c) => !c.ok).map((c) => c.code)
