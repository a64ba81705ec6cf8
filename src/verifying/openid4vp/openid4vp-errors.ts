import type { ApiErrorCode } from '../../shared/errors/error-codes.js'

/** The OAuth 2.0 / OpenID4VP 1.0 error codes the response endpoint and the request URI answer with. */
export type Openid4vpErrorCode = 'invalid_request' | 'invalid_client' | 'access_denied' | 'server_error'

/**
 * A refusal of an OpenID4VP endpoint (request URI, response URI), answered in the specifications' shape
 * `{"error","error_description"}` with govcred's stable code beside them (`govcred_code`). A verification that
 * fails (a revoked credential, a wrong nonce…) is not a refusal: the response is taken and its result says so.
 *
 * @example
 * throw new Openid4vpRefusal(400, 'invalid_request', 'the request was answered already', 'ERR_REQUEST_ANSWERED')
 */
export class Openid4vpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly error: Openid4vpErrorCode,
    readonly description: string,
    readonly govcredCode: ApiErrorCode,
  ) {
    super(description)
    this.name = 'Openid4vpRefusal'
  }

  body(): { error: Openid4vpErrorCode; error_description: string; govcred_code: ApiErrorCode } {
    return { error: this.error, error_description: this.description, govcred_code: this.govcredCode }
  }
}
