import type { WalletContext } from './context.js'
import { displayEntry, localizedFromDisplay, type LocalizedText } from './display.js'
import { isRecord } from './encoding.js'
import { WalletCoreError } from './errors.js'
import {
  parseOfferLink,
  PRE_AUTHORIZED_CODE_GRANT,
  resolveIssuer,
  resolveOffer,
  type IssuerEndpoints,
  type TxCodeRequest,
} from './credential-offer.js'
import { readJson, refusalOf, walletFetch, type OauthRefusal } from './http.js'
import { checkIssuedSdJwtVc, fetchTypeMetadata } from './issued-credential.js'
import { createHolderKey, signEs256Jwt } from './keys.js'
import type { HolderKeyRecord, IssuerDisplay, StoredCredential, TypeDisplay } from './storage.js'
import { cardOf, refreshCredentialStatus, type CredentialCard } from './credentials.js'

export type { TxCodeRequest } from './credential-offer.js'

const PROOF_TYP = 'openid4vci-proof+jwt'

/**
 * An opened credential offer: who offers what, and whether a transaction code is needed (ask the person for
 * it, showing `txCode.description` and `txCode.length` digits). Nothing is received until {@link acceptOffer}.
 */
export interface OfferPreview {
  credentialIssuer: string
  issuer: IssuerDisplay
  credential: { configurationId: string; vct: string; name: LocalizedText; backgroundColor?: string; textColor?: string }
  txCode?: TxCodeRequest
  /** The protocol state acceptOffer continues from; not for display (it holds the pre-authorized code). */
  readonly session: OfferSession
}

interface OfferSession {
  preAuthorizedCode: string
  offerHash: string
  endpoints: IssuerEndpoints
  /** The access token once the code was exchanged, kept for a retry of the credential request. */
  token?: { accessToken: string; tokenType: string; expiresAt: number }
}

/**
 * Opens a credential offer link (see parseOfferLink for the forms taken): resolves the offer, the issuer's and
 * its authorization server's metadata, and picks the offer's SD-JWT VC (`dc+sd-jwt`) configuration.
 *
 * @example
 * const offer = await openOffer(ctx, 'openid-credential-offer://?credential_offer_uri=…')
 * const card = await acceptOffer(ctx, offer, { txCode: '123456' })
 */
export async function openOffer(ctx: WalletContext, link: string): Promise<OfferPreview> {
  const offer = await resolveOffer(ctx, parseOfferLink(link))
  const endpoints = await resolveIssuer(ctx, offer.credentialIssuer)
  const configurations = isRecord(endpoints.metadata.credential_configurations_supported)
    ? endpoints.metadata.credential_configurations_supported
    : {}
  const configurationId = offer.configurationIds.find((id) => {
    const configuration = configurations[id]
    return isRecord(configuration) && configuration.format === 'dc+sd-jwt' && typeof configuration.vct === 'string'
  })
  if (!configurationId) {
    throw new WalletCoreError('OFFER_UNSUPPORTED', { reason: 'format', detail: 'the offer has no dc+sd-jwt credential configuration' })
  }
  const configuration = configurations[configurationId] as Record<string, unknown>
  const display = isRecord(configuration.credential_metadata) ? configuration.credential_metadata.display : configuration.display
  const entry = displayEntry(display, 'zh-CN')
  return {
    credentialIssuer: offer.credentialIssuer,
    issuer: issuerDisplay(endpoints.metadata.display),
    credential: {
      configurationId,
      vct: configuration.vct as string,
      name: localizedFromDisplay(display),
      ...(typeof entry?.background_color === 'string' ? { backgroundColor: entry.background_color } : {}),
      ...(typeof entry?.text_color === 'string' ? { textColor: entry.text_color } : {}),
    },
    ...(offer.txCode ? { txCode: offer.txCode } : {}),
    session: { preAuthorizedCode: offer.preAuthorizedCode, offerHash: offer.offerHash, endpoints },
  }
}

/**
 * Receives the offered credential: exchanges the pre-authorized code (with the transaction code the person
 * typed) for an access token, makes a new non-extractable holder key, gets a nonce, sends the credential request
 * with a `jwt` key proof, checks what comes back (checkIssuedSdJwtVc) and stores it with its display data and a
 * first status reading; returns its card. A wrong code is TX_CODE_WRONG (with `attemptsLeft`): call again with the same preview.
 */
export async function acceptOffer(ctx: WalletContext, preview: OfferPreview, input: { txCode?: string } = {}): Promise<CredentialCard> {
  const session = preview.session
  const token = session.token && session.token.expiresAt > ctx.now() ? session.token : await exchangeCode(ctx, preview, input.txCode)
  session.token = token
  const key = await createHolderKey(ctx.storage, ctx.now())
  let stored: StoredCredential
  try {
    const compact = await requestCredential(ctx, preview, token, key)
    const opened = await checkIssuedSdJwtVc(ctx, compact, {
      credentialIssuer: preview.credentialIssuer,
      holderJwk: key.publicJwk,
      vct: preview.credential.vct,
    })
    const typeMetadata = await fetchTypeMetadata(ctx, preview.credential.vct)
    const type: TypeDisplay = {
      name: { ...typeMetadata?.name, ...preview.credential.name },
      ...(typeMetadata && (typeMetadata.description['zh-CN'] || typeMetadata.description.en)
        ? { description: typeMetadata.description }
        : {}),
      ...(preview.credential.backgroundColor ? { backgroundColor: preview.credential.backgroundColor } : {}),
      ...(preview.credential.textColor ? { textColor: preview.credential.textColor } : {}),
    }
    stored = {
      id: crypto.randomUUID(),
      format: 'dc+sd-jwt',
      compact,
      keyId: key.id,
      credentialIssuer: preview.credentialIssuer,
      credentialConfigurationId: preview.credential.configurationId,
      vct: opened.payload.vct as string,
      issuer: preview.issuer,
      type,
      claimLabels: typeMetadata?.claimLabels ?? {},
      offerHash: session.offerHash,
      receivedAt: new Date(ctx.now()).toISOString(),
    }
    await ctx.storage.putCredential(stored)
  } catch (error) {
    // Nothing was stored: the key would bind nothing.
    await ctx.storage.deleteKey(key.id)
    throw error
  }
  const refreshed = await refreshCredentialStatus(ctx, stored)
  return cardOf(ctx, refreshed.credential, refreshed.live)
}

async function exchangeCode(
  ctx: WalletContext,
  preview: OfferPreview,
  txCode: string | undefined,
): Promise<NonNullable<OfferSession['token']>> {
  const asked = preview.txCode
  const code = txCode?.trim()
  if (asked && !code) throw new WalletCoreError('TX_CODE_REQUIRED')
  if (asked && code) {
    const digits = asked.inputMode === 'numeric' && !/^\d+$/.test(code)
    if (digits || (asked.length !== undefined && code.length !== asked.length)) {
      // Refused here, so that a typing slip costs none of the issuer's attempts.
      throw new WalletCoreError('TX_CODE_WRONG', { reason: 'format', detail: 'the code does not have the form the issuer asked for' })
    }
  }
  const form = new URLSearchParams({ grant_type: PRE_AUTHORIZED_CODE_GRANT, 'pre-authorized_code': preview.session.preAuthorizedCode })
  if (asked && code) form.set('tx_code', code)
  const response = await walletFetch(ctx, preview.session.endpoints.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
  })
  const body = await readJson(ctx, response)
  if (!response.ok) throw tokenRefusal(refusalOf(body), response.status)
  if (!isRecord(body) || typeof body.access_token !== 'string') {
    throw new WalletCoreError('ISSUER_REFUSED', { reason: 'token', detail: 'the token answer has no access_token' })
  }
  const tokenType = typeof body.token_type === 'string' ? body.token_type : 'Bearer'
  if (tokenType.toLowerCase() !== 'bearer') {
    throw new WalletCoreError('OFFER_UNSUPPORTED', {
      reason: 'dpop',
      detail: `the issuer gives ${tokenType} tokens; this wallet uses Bearer`,
    })
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 60
  return { accessToken: body.access_token, tokenType: 'Bearer', expiresAt: ctx.now() + Math.max(0, expiresIn - 5) * 1000 }
}

/**
 * What a refused token request means for the person: by govcred's stable code when the issuer gives one,
 * else by the OAuth error and its description (a standard issuer says only `invalid_grant`).
 */
export function tokenRefusal(refusal: OauthRefusal | undefined, status: number): WalletCoreError {
  const details = {
    status,
    ...(refusal?.govcredCode ? { govcredCode: refusal.govcredCode } : {}),
    ...(refusal ? { oauthError: refusal.error } : {}),
    ...(refusal?.description ? { detail: refusal.description } : {}),
  }
  const left = /(\d+)\s*attempt/i.exec(refusal?.description ?? '')
  const wrong = () => new WalletCoreError('TX_CODE_WRONG', { ...details, ...(left ? { attemptsLeft: Number(left[1]) } : {}) })
  switch (refusal?.govcredCode) {
    case 'ERR_TX_CODE_INVALID':
      return wrong()
    case 'ERR_TX_CODE_REQUIRED':
      return new WalletCoreError('TX_CODE_REQUIRED', details)
    case 'ERR_OFFER_VOIDED':
      return new WalletCoreError('OFFER_VOIDED', details)
    case 'ERR_PRE_AUTHORIZED_CODE_USED':
    case 'ERR_OFFER_REDEEMED':
      return new WalletCoreError('OFFER_USED', details)
    case 'ERR_OFFER_EXPIRED':
      return new WalletCoreError('OFFER_EXPIRED', details)
    case 'ERR_PRE_AUTHORIZED_CODE_INVALID':
      return new WalletCoreError('OFFER_UNAVAILABLE', details)
  }
  if (refusal?.error !== 'invalid_grant') return new WalletCoreError('ISSUER_REFUSED', details)
  const text = (refusal.description ?? '').toLowerCase()
  if (/void|too many|locked/.test(text)) return new WalletCoreError('OFFER_VOIDED', details)
  if (/tx_code|transaction code/.test(text)) return wrong()
  if (/used|redeemed/.test(text)) return new WalletCoreError('OFFER_USED', details)
  if (/expired/.test(text)) return new WalletCoreError('OFFER_EXPIRED', details)
  return new WalletCoreError('OFFER_UNAVAILABLE', details)
}

/** The credential request with a fresh nonce and a key proof; one retry when the issuer says the nonce is stale. */
async function requestCredential(
  ctx: WalletContext,
  preview: OfferPreview,
  token: NonNullable<OfferSession['token']>,
  key: HolderKeyRecord,
): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const nonce = preview.session.endpoints.nonceEndpoint ? await fetchNonce(ctx, preview.session.endpoints.nonceEndpoint) : undefined
    const proof = await signEs256Jwt(
      key.privateKey,
      { typ: PROOF_TYP, jwk: key.publicJwk },
      { aud: preview.credentialIssuer, iat: Math.floor(ctx.now() / 1000), ...(nonce !== undefined ? { nonce } : {}) },
    )
    const response = await walletFetch(ctx, preview.session.endpoints.credentialEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token.accessToken}` },
      body: JSON.stringify({ credential_configuration_id: preview.credential.configurationId, proofs: { jwt: [proof] } }),
    })
    const body = await readJson(ctx, response)
    if (!response.ok) {
      const refusal = refusalOf(body)
      if (refusal?.error === 'invalid_nonce' && attempt === 0) continue
      if (refusal?.govcredCode === 'ERR_OFFER_REDEEMED')
        throw new WalletCoreError('OFFER_USED', { status: response.status, govcredCode: refusal.govcredCode })
      throw new WalletCoreError('ISSUER_REFUSED', {
        status: response.status,
        reason: 'credential',
        ...(refusal ? { oauthError: refusal.error, detail: refusal.description ?? refusal.error } : {}),
        ...(refusal?.govcredCode ? { govcredCode: refusal.govcredCode } : {}),
      })
    }
    const record = isRecord(body) ? body : {}
    const first =
      Array.isArray(record.credentials) && isRecord(record.credentials[0]) ? record.credentials[0].credential : record.credential
    if (typeof first === 'string') return first
    throw new WalletCoreError(record.transaction_id ? 'OFFER_UNSUPPORTED' : 'ISSUER_REFUSED', {
      reason: record.transaction_id ? 'deferred' : 'credential',
      detail: record.transaction_id ? 'the issuer defers issuance' : 'the issuer answered without a credential',
    })
  }
}

async function fetchNonce(ctx: WalletContext, nonceEndpoint: string): Promise<string> {
  const response = await walletFetch(ctx, nonceEndpoint, { method: 'POST', headers: { accept: 'application/json' } })
  const body = await readJson(ctx, response)
  if (!response.ok || !isRecord(body) || typeof body.c_nonce !== 'string') {
    throw new WalletCoreError('ISSUER_REFUSED', { status: response.status, reason: 'nonce', detail: 'the nonce endpoint gave no c_nonce' })
  }
  return body.c_nonce
}

function issuerDisplay(display: unknown): IssuerDisplay {
  const entry = displayEntry(display, 'zh-CN')
  const logo = isRecord(entry?.logo) ? entry.logo : undefined
  const uri = typeof logo?.uri === 'string' && /^(https:|data:image\/)/.test(logo.uri) ? logo.uri : undefined
  const altText: LocalizedText = {}
  for (const entryOf of Array.isArray(display) ? display : []) {
    if (!isRecord(entryOf) || !isRecord(entryOf.logo) || typeof entryOf.logo.alt_text !== 'string') continue
    const locale = String(entryOf.locale ?? '').toLowerCase()
    if (locale.startsWith('zh')) altText['zh-CN'] ??= entryOf.logo.alt_text
    else if (locale === '' || locale.startsWith('en')) altText.en ??= entryOf.logo.alt_text
  }
  return { name: localizedFromDisplay(display), ...(uri ? { logo: { uri, altText } } : {}) }
}
