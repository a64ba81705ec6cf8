/**
 * govcred's web wallet core: a framework-free OpenID4VCI 1.0 + OpenID4VP 1.0 wallet for SD-JWT VCs
 * (`dc+sd-jwt`) in the browser, on WebCrypto (non-extractable P-256 keys) and IndexedDB. The wallet pages
 * call {@link openWallet}; errors are {@link WalletCoreError}s worded by {@link walletErrorMessage}.
 * Imports nothing from the server's src/.
 */
export { openWallet, checkBrowserSupport, type Wallet, type WalletOptions } from './wallet.js'
export {
  WalletCoreError,
  WALLET_CORE_ERROR_CODES,
  isWalletCoreError,
  type WalletCoreErrorCode,
  type WalletCoreErrorDetails,
} from './errors.js'
export { walletErrorMessage, WALLET_CORE_MESSAGES } from './messages.js'
export { textIn, pathText, type LocalizedText, type WalletLocale } from './display.js'
export { openIndexedDbStorage, WALLET_DB_NAME } from './indexeddb-storage.js'
export { parseOfferLink, type TxCodeRequest } from './credential-offer.js'
export { parseRequestLink } from './request-object.js'
export type { OfferPreview } from './receive.js'
export type { CredentialCard, CardClaim } from './credentials.js'
export type { PresentationPlan, PlannedCredential, PlannedClaim, VerifierView, PresentationSent } from './present.js'
export type { CredentialStatusValue, HistoryEntry, IssuerDisplay, StoredCredential, TypeDisplay, WalletStorage } from './storage.js'
