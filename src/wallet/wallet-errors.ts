/** What a holder's wallet refuses, with a stable code. */
export type WalletErrorCode =
  | 'ERR_WALLET_SECRET'
  | 'ERR_MALFORMED_JWT'
  | 'ERR_NOT_A_CREDENTIAL'
  | 'ERR_NOT_MY_CREDENTIAL'
  | 'ERR_UNKNOWN_CREDENTIAL'
  | 'ERR_NO_HOLDER'
  | 'ERR_NO_MATCHING_CREDENTIAL'
  | 'ERR_NOTHING_TO_PRESENT'
  | 'ERR_REQUEST_URL'
  | 'ERR_REQUEST_UNREACHABLE'
  | 'ERR_REQUEST_MALFORMED'
  | 'ERR_DOMAIN_MISMATCH'
  | 'ERR_CONSENT_REQUIRED'
  | 'ERR_CONSENT_DECLINED'
  // Receiving by OpenID4VCI (`wallet receive`)
  | 'ERR_OFFER_MALFORMED'
  | 'ERR_OFFER_INSECURE_URL'
  | 'ERR_OFFER_UNSUPPORTED'
  | 'ERR_OFFER_EXPIRED'
  | 'ERR_OFFER_USED'
  | 'ERR_OFFER_VOIDED'
  | 'ERR_OFFER_GONE'
  | 'ERR_TX_CODE_REQUIRED'
  | 'ERR_TX_CODE_WRONG'
  | 'ERR_ISSUER_UNREACHABLE'
  | 'ERR_ISSUER_REFUSED'
  | 'ERR_ISSUER_SIGNATURE'
  | 'ERR_ISSUER_UNTRUSTED'
  | 'ERR_MALFORMED_CREDENTIAL'
  // Presenting by OpenID4VP (`wallet present <openid4vp-uri>`)
  | 'ERR_REQUEST_UNSIGNED'
  | 'ERR_REQUEST_SIGNATURE'
  | 'ERR_REQUEST_EXPIRED'
  | 'ERR_REQUEST_UNSUPPORTED'
  | 'ERR_VERIFIER_UNTRUSTED'
  | 'ERR_VERIFIER_REFUSED'

export class WalletError extends Error {
  constructor(
    readonly code: WalletErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'WalletError'
  }
}
