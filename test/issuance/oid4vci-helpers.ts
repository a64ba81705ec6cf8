/**
 * A hand-driven OpenID4VCI wallet for the issuer tests (fetch + jose, no project code on the wallet's side):
 * resolve an offer, exchange its pre-authorized code, get a nonce, sign a key proof, ask for the credential.
 *
 * @example
 * const offer = await makeOffer(service, key, 'dc+sd-jwt')
 * const { credential } = await receive(service, offer)
 */
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'
import { businessLicenseClaims } from '../fixtures/claims.js'
import type { TestService } from '../helpers/service.js'
import { bearer } from './issuance-helpers.js'

export interface CreatedOffer {
  id: string
  offerUri: string
  credentialOfferUri: string
  qrSvg: string
  txCode: string
  expiresAt: string
  format: string
}

export interface WalletKey {
  alg: 'ES256' | 'EdDSA'
  privateKey: CryptoKey
  publicJwk: JWK
}

export async function walletKey(alg: 'ES256' | 'EdDSA' = 'ES256'): Promise<WalletKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  return { alg, privateKey, publicJwk: await exportJWK(publicKey) }
}

/** POST /v1/credential-offers for a business licence (the market department's key). */
export async function makeOffer(service: TestService, apiKey: string, format?: string, extra: Record<string, unknown> = {}) {
  const { id: _holder, ...claims } = businessLicenseClaims() as unknown as Record<string, unknown>
  return service.api('/v1/credential-offers', {
    headers: bearer(apiKey),
    body: { type: 'BusinessLicenseCredential', claims, ...(format ? { format } : {}), ...extra },
  })
}

/** The offer JSON behind a deep link (credential_offer_uri). */
export async function resolveOffer(offerUri: string): Promise<any> {
  const url = new URL(offerUri).searchParams.get('credential_offer_uri')!
  const res = await fetch(url)
  return { status: res.status, body: await res.json() }
}

export async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  })
  return { status: res.status, body: (await res.json()) as any, headers: res.headers }
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as any, headers: res.headers }
}

/** The token request of an offer. */
export async function requestToken(issuer: string, code: string, txCode?: string) {
  return postForm(`${issuer}/token`, {
    grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
    'pre-authorized_code': code,
    ...(txCode === undefined ? {} : { tx_code: txCode }),
  })
}

export async function newNonce(issuer: string): Promise<string> {
  return (await postJson(`${issuer}/nonce`, {})).body.c_nonce
}

/** A `jwt` key proof (openid4vci-proof+jwt) signed by `key`, its JWK in the header unless overridden. */
export async function keyProof(
  key: WalletKey,
  claims: { aud: string; nonce?: string; iat?: number },
  header: Record<string, unknown> = {},
): Promise<string> {
  const payload: Record<string, unknown> = { aud: claims.aud }
  if (claims.nonce !== undefined) payload.nonce = claims.nonce
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, typ: 'openid4vci-proof+jwt', jwk: key.publicJwk, ...header } as never)
    .setIssuedAt(claims.iat ?? Math.floor(Date.now() / 1000))
    .sign(key.privateKey)
}

export interface Redemption {
  issuer: string
  configurationId: string
  accessToken: string
}

/** Resolve the offer and exchange its code (with the right tx_code). */
export async function redeemCode(offer: CreatedOffer): Promise<Redemption> {
  const resolved = await resolveOffer(offer.offerUri)
  const issuer = resolved.body.credential_issuer as string
  const code = resolved.body.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'] as string
  const token = await requestToken(issuer, code, offer.txCode)
  if (token.status !== 200) throw new Error(`token request: ${token.status} ${JSON.stringify(token.body)}`)
  return { issuer, configurationId: resolved.body.credential_configuration_ids[0], accessToken: token.body.access_token }
}

/** A credential request with a fresh nonce and a proof by `key`. */
export async function requestCredential(redemption: Redemption, key: WalletKey, overrides: Record<string, unknown> = {}) {
  const nonce = await newNonce(redemption.issuer)
  const proof = await keyProof(key, { aud: redemption.issuer, nonce })
  return postJson(
    `${redemption.issuer}/credential`,
    { credential_configuration_id: redemption.configurationId, proofs: { jwt: [proof] }, ...overrides },
    { authorization: `Bearer ${redemption.accessToken}` },
  )
}
