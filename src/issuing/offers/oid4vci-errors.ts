import type { ApiErrorCode } from '../../shared/errors/error-codes.js'

/** The OAuth 2.0 / OpenID4VCI error codes the protocol endpoints answer with. */
export type Oid4vciErrorCode =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_token'
  | 'invalid_dpop_proof'
  | 'invalid_credential_request'
  | 'unknown_credential_configuration'
  | 'unknown_credential_identifier'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'credential_request_denied'

/**
 * A refusal of the token, nonce or credential endpoint, answered in the specifications' shape
 * `{"error","error_description"}` with govcred's stable code beside them (`govcred_code`).
 *
 * @example
 * throw new Oid4vciRefusal(400, 'invalid_grant', 'the pre-authorized code has expired', 'ERR_OFFER_EXPIRED')
 */
export class Oid4vciRefusal extends Error {
  constructor(
    readonly status: number,
    readonly error: Oid4vciErrorCode,
    readonly description: string,
    readonly govcredCode: ApiErrorCode,
    /** The WWW-Authenticate challenge of a 401. */
    readonly wwwAuthenticate?: string,
  ) {
    super(description)
    this.name = 'Oid4vciRefusal'
  }

  body(): { error: Oid4vciErrorCode; error_description: string; govcred_code: ApiErrorCode } {
    return { error: this.error, error_description: this.description, govcred_code: this.govcredCode }
  }
}
