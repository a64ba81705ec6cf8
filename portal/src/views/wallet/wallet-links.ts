/** Which wallet page a scanned or pasted text belongs to, and the query that opens it there. */
export type WalletLinkTarget = { page: 'receive'; offer: string } | { page: 'present'; request: string }

/**
 * Sorts a scanned or pasted link to the page that handles it: a credential offer (`openid-credential-offer://…`,
 * `credential_offer(_uri)=`, the portal's `/wallet/receive?offer=`) to receive, an OpenID4VP request
 * (`openid4vp://…`, `request_uri=`, the portal's `/wallet/present?request=`) to present; undefined when the text
 * is neither (the page it was given on then tries it, and the wallet core says what is wrong with it).
 *
 * @example
 * walletLinkTarget('openid4vp://?client_id=x509_san_dns%3Abank.example&request_uri=…') // => { page: 'present', request: '…' }
 */
export function walletLinkTarget(text: string): WalletLinkTarget | undefined {
  const link = text.trim()
  let url: URL
  try {
    url = new URL(link)
  } catch {
    return undefined
  }
  const params = url.searchParams
  if (/^https?:$/.test(url.protocol)) {
    if (url.pathname.endsWith('/wallet/receive') && params.get('offer')) return { page: 'receive', offer: params.get('offer')! }
    if (url.pathname.endsWith('/wallet/present') && params.get('request')) return { page: 'present', request: params.get('request')! }
  }
  if (url.protocol === 'openid-credential-offer:' || params.has('credential_offer') || params.has('credential_offer_uri'))
    return { page: 'receive', offer: link }
  if (url.protocol === 'openid4vp:' || params.has('request_uri') || (params.has('client_id') && params.has('request')))
    return { page: 'present', request: link }
  return undefined
}
