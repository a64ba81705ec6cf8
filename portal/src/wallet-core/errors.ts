import type { LocalizedText } from './display.js'

/**
 * The stable codes of what the wallet core refuses or cannot do. The UI shows each as a plain sentence in
 * zh-CN or en ({@link walletErrorMessage} in messages.ts), never the details.
 */
export const WALLET_CORE_ERROR_CODES = [
  // Receiving (OpenID4VCI)
  'OFFER_INVALID',
  'OFFER_UNSUPPORTED',
  'OFFER_UNAVAILABLE',
  'OFFER_EXPIRED',
  'OFFER_USED',
  'OFFER_VOIDED',
  'TX_CODE_REQUIRED',
  'TX_CODE_WRONG',
  'ISSUER_UNTRUSTED',
  'ISSUER_REFUSED',
  'CREDENTIAL_INVALID',
  // Presenting (OpenID4VP)
  'REQUEST_INVALID',
  'REQUEST_UNSUPPORTED',
  'REQUEST_EXPIRED',
  'REQUEST_ANSWERED',
  'VERIFIER_UNTRUSTED',
  'NO_MATCHING_CREDENTIAL',
  'VERIFIER_REFUSED',
  // Either
  'TRUST_ROOT_UNAVAILABLE',
  'INSECURE_URL',
  'NETWORK',
  'CREDENTIAL_NOT_FOUND',
  'STORAGE',
  'UNSUPPORTED_BROWSER',
] as const

export type WalletCoreErrorCode = (typeof WALLET_CORE_ERROR_CODES)[number]

/** What a refusal carries besides its code: for the UI to choose words, and (detail) for a developer's console. */
export interface WalletCoreErrorDetails {
  /** A short machine-readable why within the code, e.g. `root`, `host`, `signature`, `format`. */
  reason?: string
  /** TX_CODE_WRONG: how many more wrong codes the issuer takes before it voids the offer, when it says. */
  attemptsLeft?: number
  /** The issuer's or verifier's stable code (`govcred_code`), when it gives one. */
  govcredCode?: string
  /** The OAuth error code of a refusal (`invalid_grant`, …). */
  oauthError?: string
  /** The HTTP status of a refusal. */
  status?: number
  /** The host that was asked (NETWORK, INSECURE_URL, VERIFIER_UNTRUSTED). */
  host?: string
  /**
   * NO_MATCHING_CREDENTIAL: who asked, and for which credential types the wallet holds nothing (with the `vct`s
   * the query accepts, so that the UI can say which department issues them).
   */
  verifierName?: LocalizedText
  missing?: { queryId: string; typeName: LocalizedText; vcts: string[] }[]
  /** English technical detail for a developer (a console, a log); never shown to a person as the message. */
  detail?: string
}

/**
 * A refusal of the wallet core with a stable code, in the manner of jose's errors: callers (and tests) branch
 * on `code`, the UI words it through messages.ts.
 *
 * @example
 * try { await wallet.acceptOffer(offer, { txCode }) } catch (e) {
 *   if (e instanceof WalletCoreError && e.code === 'TX_CODE_WRONG') showAttemptsLeft(e.details.attemptsLeft)
 * }
 */
export class WalletCoreError extends Error {
  override readonly name = 'WalletCoreError'

  constructor(
    readonly code: WalletCoreErrorCode,
    readonly details: WalletCoreErrorDetails = {},
    options: { cause?: unknown } = {},
  ) {
    super(details.detail ? `${code}: ${details.detail}` : code, options)
  }
}

/** Whether something thrown is a wallet-core refusal (of a given code). */
export function isWalletCoreError(error: unknown, code?: WalletCoreErrorCode): error is WalletCoreError {
  return error instanceof WalletCoreError && (code === undefined || error.code === code)
}
