/**
 * The bench's SD-JWT wallet, written with node:crypto only (no project code): a P-256 holder key, offers made
 * by a department's API key and resolved before timing, the OpenID4VCI steps (token with the pre-authorized
 * code and tx_code, nonce, credential request with an openid4vci-proof+jwt), and OpenID4VP answers (only the
 * requested claims disclosed, a KB-JWT for the request's nonce and client_id).
 *
 * @example
 * const wallet = createSdJwtWallet()
 * const prepared = await prepareOffers(client, department.apiKey, 10)
 * const sdJwt = await receiveSdJwt(client, wallet, prepared[0]!)
 * const vp = wallet.present(sdJwt, ['enterpriseName'], { nonce, aud: clientId })
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { businessLicenseClaims } from '../../test/fixtures/claims.js'
import { runLoad, type JsonClient } from '../load.js'

const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

export interface SdJwtWallet {
  publicJwk: JsonWebKey
  privateKey: KeyObject
  publicKey: KeyObject
  /** A key proof for `aud` and `nonce`, signed with the holder key (ES256). */
  proof(aud: string, nonce: string): string
  /** `<jwt>~<disclosures named>~<KB-JWT>`: an SD-JWT VC presented to a verifier. */
  present(sdJwt: string, names: string[], kb: { nonce: string; aud: string }): string
}

const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const nowSeconds = () => Math.floor(Date.now() / 1000)

/** ES256 (raw r||s) over `<header>.<payload>`: the compact JWS. */
export function es256Jws(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64json(header)}.${b64json(payload)}`
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}

export function createSdJwtWallet(): SdJwtWallet {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const publicJwk = publicKey.export({ format: 'jwk' }) as JsonWebKey
  return {
    publicJwk,
    privateKey,
    publicKey,
    proof: (aud, nonce) =>
      es256Jws({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: publicJwk }, { aud, nonce, iat: nowSeconds() }, privateKey),
    present(sdJwt, names, kb) {
      const [jwt, ...rest] = sdJwt.split('~')
      const kept = rest.filter((d) => d && names.includes(JSON.parse(Buffer.from(d, 'base64url').toString('utf8'))[1]))
      const presented = `${[jwt, ...kept].join('~')}~`
      const sdHash = createHash('sha256').update(presented, 'ascii').digest('base64url')
      return `${presented}${es256Jws({ alg: 'ES256', typ: 'kb+jwt' }, { iat: nowSeconds(), sd_hash: sdHash, ...kb }, privateKey)}`
    },
  }
}

/** An offer as the wallet holds it once resolved: where to redeem it and with what. */
export interface PreparedOffer {
  issuer: string
  configurationId: string
  preAuthorizedCode: string
  txCode: string
}

/** `n` business-licence offers (dc+sd-jwt) made by `apiKey` and resolved through their credential_offer_uri. */
export async function prepareOffers(client: JsonClient, apiKey: string, n: number, concurrency: number): Promise<PreparedOffer[]> {
  const { id: _holder, ...claims } = businessLicenseClaims() as unknown as Record<string, unknown>
  const body = JSON.stringify({ type: 'BusinessLicenseCredential', format: 'dc+sd-jwt', claims })
  const offers: PreparedOffer[] = new Array(n)
  const made = await runLoad(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    async (i) => {
      const res = await client.postRaw('/v1/credential-offers', body, { authorization: `Bearer ${apiKey}` })
      if (res.status !== 201) return `POST /v1/credential-offers → ${res.status} ${res.text.slice(0, 300)}`
      const created = JSON.parse(res.text) as { offerUri: string; txCode: string }
      const offerUrl = new URL(new URL(created.offerUri).searchParams.get('credential_offer_uri')!)
      const resolved = await client.get(offerUrl.pathname)
      if (resolved.status !== 200) return `GET the credential offer → ${resolved.status}`
      offers[i] = {
        issuer: String(resolved.body.credential_issuer),
        configurationId: String(resolved.body.credential_configuration_ids[0]),
        preAuthorizedCode: String(resolved.body.grants[PRE_AUTHORIZED_GRANT]['pre-authorized_code']),
        txCode: created.txCode,
      }
      return null
    },
  )
  if (made.failures > 0) throw new Error(`making offers failed: ${made.firstFailure}`)
  return offers
}

/** The path of an issuer endpoint on the service the client talks to. */
const pathOf = (issuer: string, endpoint: string) => `${new URL(issuer).pathname}/${endpoint}`

/**
 * Token, nonce, credential request: what a wallet does with a resolved offer. Answers the SD-JWT VC, or throws
 * with what the issuer answered.
 */
export async function receiveSdJwt(client: JsonClient, wallet: SdJwtWallet, offer: PreparedOffer): Promise<string> {
  const form = new URLSearchParams({
    grant_type: PRE_AUTHORIZED_GRANT,
    'pre-authorized_code': offer.preAuthorizedCode,
    tx_code: offer.txCode,
  }).toString()
  const token = await client.postRaw(pathOf(offer.issuer, 'token'), form, { 'content-type': 'application/x-www-form-urlencoded' })
  if (token.status !== 200) throw new Error(`token → ${token.status} ${token.text.slice(0, 300)}`)
  const accessToken = String(JSON.parse(token.text).access_token)
  const nonce = await client.postRaw(pathOf(offer.issuer, 'nonce'), '{}')
  if (nonce.status !== 200) throw new Error(`nonce → ${nonce.status} ${nonce.text.slice(0, 300)}`)
  const body = JSON.stringify({
    credential_configuration_id: offer.configurationId,
    proofs: { jwt: [wallet.proof(offer.issuer, String(JSON.parse(nonce.text).c_nonce))] },
  })
  const credential = await client.postRaw(pathOf(offer.issuer, 'credential'), body, { authorization: `Bearer ${accessToken}` })
  if (credential.status !== 200) throw new Error(`credential → ${credential.status} ${credential.text.slice(0, 300)}`)
  const sdJwt = (JSON.parse(credential.text) as { credentials?: { credential?: unknown }[] }).credentials?.[0]?.credential
  if (typeof sdJwt !== 'string' || !sdJwt.includes('~'))
    throw new Error(`credential → 200 but no SD-JWT VC: ${credential.text.slice(0, 300)}`)
  return sdJwt
}

/** The header and payload of a JWT's first part, unverified. */
export function decodeJwtParts(jwt: string): { header: Record<string, any>; payload: Record<string, any> } {
  const [h, p] = jwt.split('.') as [string, string]
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
  }
}

/** Checks a received SD-JWT VC is what the offer promised: ES256, dc+sd-jwt, bound to the wallet's key. */
export function credentialProblem(sdJwt: string, wallet: SdJwtWallet): string | null {
  const { header, payload } = decodeJwtParts(sdJwt.split('~')[0]!)
  if (header.alg !== 'ES256' || header.typ !== 'dc+sd-jwt') return `the SD-JWT VC has alg ${header.alg}, typ ${header.typ}`
  if (payload.cnf?.jwk?.x !== wallet.publicJwk.x) return 'the SD-JWT VC is not bound to the wallet key'
  return null
}
