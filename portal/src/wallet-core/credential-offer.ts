import type { WalletContext } from './context.js'
import { isRecord, sha256Base64url } from './encoding.js'
import { WalletCoreError } from './errors.js'
import { checkedUrl, readJson, walletFetch } from './http.js'

export const PRE_AUTHORIZED_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

/** A credential offer link as the wallet was given it: the offer by reference (a URL) or by value (its JSON). */
export type OfferLink = { by: 'reference'; uri: string } | { by: 'value'; offer: unknown }

/** What the issuer says about the transaction code it expects (OpenID4VCI `tx_code`), for the UI to ask. */
export interface TxCodeRequest {
  length?: number
  inputMode: 'numeric' | 'text'
  description?: string
}

/** A credential offer (OpenID4VCI 1.0 §4.1) that can be redeemed by the pre-authorized code flow. */
export interface CredentialOffer {
  credentialIssuer: string
  configurationIds: string[]
  preAuthorizedCode: string
  txCode?: TxCodeRequest
  /** SHA-256 of the offer's reference (or of its code when given by value): tells a second use on this device. */
  offerHash: string
}

/**
 * Reads an offer link: `openid-credential-offer://?credential_offer_uri=…` or `…?credential_offer=<JSON>`
 * (any scheme with those parameters), the portal's `https://…/wallet/receive?offer=<link>`, or the https URL of
 * an offer itself. OFFER_INVALID for anything else.
 *
 * @example
 * parseOfferLink('openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fgov.example%2Foid4vci%2Fmsb%2Foffers%2Fabc')
 * // => { by: 'reference', uri: 'https://gov.example/oid4vci/msb/offers/abc' }
 */
export function parseOfferLink(link: string, depth = 0): OfferLink {
  let url: URL
  try {
    url = new URL(link.trim())
  } catch {
    throw new WalletCoreError('OFFER_INVALID', { reason: 'not-a-link', detail: 'not a credential offer link' })
  }
  const params = url.searchParams
  const byReference = params.get('credential_offer_uri')
  const byValue = params.get('credential_offer')
  if (byReference !== null && byValue !== null)
    throw new WalletCoreError('OFFER_INVALID', { detail: 'the link carries the offer both ways' })
  if (byReference !== null) return { by: 'reference', uri: byReference }
  if (byValue !== null) {
    try {
      return { by: 'value', offer: JSON.parse(byValue) }
    } catch {
      throw new WalletCoreError('OFFER_INVALID', { reason: 'json', detail: 'credential_offer is not JSON' })
    }
  }
  const web = url.protocol === 'https:' || url.protocol === 'http:'
  const wrapped = params.get('offer')
  if (web && wrapped !== null && depth === 0) return parseOfferLink(wrapped, 1)
  if (web && depth === 0 && url.pathname.includes('/offers/')) return { by: 'reference', uri: url.href }
  throw new WalletCoreError('OFFER_INVALID', {
    reason: 'no-offer',
    detail: 'the link carries neither credential_offer nor credential_offer_uri',
  })
}

/**
 * The offer behind a link: fetched when by reference (an offer the issuer no longer serves is OFFER_USED when
 * this device received it, else OFFER_UNAVAILABLE: expired, received elsewhere or void), then checked.
 */
export async function resolveOffer(ctx: WalletContext, link: OfferLink): Promise<CredentialOffer> {
  let json: unknown
  let offerHash: string | undefined
  if (link.by === 'reference') {
    offerHash = await sha256Base64url(`uri:${link.uri}`)
    const response = await walletFetch(ctx, link.uri, { headers: { accept: 'application/json' } })
    if (response.status === 404 || response.status === 410) {
      const usedHere = (await ctx.storage.listCredentials()).some((c) => c.offerHash === offerHash)
      throw new WalletCoreError(usedHere ? 'OFFER_USED' : 'OFFER_UNAVAILABLE', {
        status: response.status,
        detail: 'the issuer no longer serves this offer',
      })
    }
    if (!response.ok)
      throw new WalletCoreError('ISSUER_REFUSED', { status: response.status, detail: `the offer answered HTTP ${response.status}` })
    json = await readJson(ctx, response)
  } else json = link.offer
  const offer = checkOffer(ctx, json)
  const hash = offerHash ?? (await sha256Base64url(`code:${offer.preAuthorizedCode}`))
  if ((await ctx.storage.listCredentials()).some((c) => c.offerHash === hash)) {
    throw new WalletCoreError('OFFER_USED', { reason: 'on-device', detail: 'this device received this offer already' })
  }
  return { ...offer, offerHash: hash }
}

function checkOffer(ctx: WalletContext, json: unknown): Omit<CredentialOffer, 'offerHash'> {
  const invalid = (detail: string) => new WalletCoreError('OFFER_INVALID', { reason: 'offer', detail })
  if (!isRecord(json)) throw invalid('the offer is not a JSON object')
  const issuer = json.credential_issuer
  if (typeof issuer !== 'string') throw invalid('the offer has no credential_issuer')
  checkedUrl(ctx, issuer)
  const ids = json.credential_configuration_ids
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string'))
    throw invalid('the offer names no credential configuration')
  const grants = isRecord(json.grants) ? json.grants : {}
  const grant = grants[PRE_AUTHORIZED_CODE_GRANT]
  if (!isRecord(grant)) {
    throw new WalletCoreError('OFFER_UNSUPPORTED', {
      reason: 'grant',
      detail: 'the offer has no pre-authorized code (an authorization-code flow is not supported)',
    })
  }
  const code = grant['pre-authorized_code']
  if (typeof code !== 'string' || code === '') throw invalid('the offer has no pre-authorized_code')
  const tx = grant.tx_code
  const txCode: TxCodeRequest | undefined = isRecord(tx)
    ? {
        inputMode: tx.input_mode === 'text' ? 'text' : 'numeric',
        ...(typeof tx.length === 'number' && Number.isInteger(tx.length) && tx.length > 0 ? { length: tx.length } : {}),
        ...(typeof tx.description === 'string' ? { description: tx.description.slice(0, 300) } : {}),
      }
    : undefined
  return { credentialIssuer: issuer, configurationIds: ids as string[], preAuthorizedCode: code, ...(txCode ? { txCode } : {}) }
}

/** The metadata of an issuer and its authorization server that the pre-authorized code flow needs. */
export interface IssuerEndpoints {
  metadata: Record<string, unknown>
  credentialEndpoint: string
  nonceEndpoint?: string
  tokenEndpoint: string
}

/**
 * The issuer metadata (`/.well-known/openid-credential-issuer` inserted before the issuer's path, OpenID4VCI
 * 1.0 §12.2) and its authorization server's (RFC 8414 path insertion, then OpenID Connect discovery); each
 * must name itself as the identifier it was fetched for.
 */
export async function resolveIssuer(ctx: WalletContext, credentialIssuer: string): Promise<IssuerEndpoints> {
  const metadata = await fetchMetadata(ctx, wellKnown(credentialIssuer, 'openid-credential-issuer'))
  if (!metadata || metadata.credential_issuer !== credentialIssuer) {
    throw new WalletCoreError('ISSUER_REFUSED', { reason: 'metadata', detail: 'the issuer metadata is missing or names another issuer' })
  }
  const credentialEndpoint = endpoint(ctx, metadata.credential_endpoint)
  if (!credentialEndpoint)
    throw new WalletCoreError('ISSUER_REFUSED', { reason: 'metadata', detail: 'the issuer metadata has no credential_endpoint' })
  const nonceEndpoint = endpoint(ctx, metadata.nonce_endpoint)
  const servers = Array.isArray(metadata.authorization_servers) ? metadata.authorization_servers : []
  const authorizationServer = typeof servers[0] === 'string' ? servers[0] : credentialIssuer
  checkedUrl(ctx, authorizationServer)
  const server =
    (await fetchMetadata(ctx, wellKnown(authorizationServer, 'oauth-authorization-server'))) ??
    (await fetchMetadata(ctx, `${authorizationServer.replace(/\/+$/, '')}/.well-known/openid-configuration`))
  const tokenEndpoint = server && server.issuer === authorizationServer ? endpoint(ctx, server.token_endpoint) : undefined
  if (!tokenEndpoint) {
    throw new WalletCoreError('ISSUER_REFUSED', {
      reason: 'metadata',
      detail: 'the authorization server metadata is missing or has no token_endpoint',
    })
  }
  return { metadata, credentialEndpoint, ...(nonceEndpoint ? { nonceEndpoint } : {}), tokenEndpoint }
}

/** A well-known URL with the identifier's path appended after the well-known segment. */
export function wellKnown(identifier: string, suffix: string): string {
  const url = new URL(identifier)
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.origin}/.well-known/${suffix}${path}`
}

async function fetchMetadata(ctx: WalletContext, url: string): Promise<Record<string, unknown> | undefined> {
  const response = await walletFetch(ctx, url, { headers: { accept: 'application/json' } })
  if (response.status === 404) return undefined
  if (!response.ok)
    throw new WalletCoreError('ISSUER_REFUSED', {
      status: response.status,
      reason: 'metadata',
      detail: `${url} answered HTTP ${response.status}`,
    })
  const body = await readJson(ctx, response)
  return isRecord(body) ? body : undefined
}

function endpoint(ctx: WalletContext, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  return checkedUrl(ctx, value).href
}
