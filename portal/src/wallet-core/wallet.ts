import type { WalletContext } from './context.js'
import { deleteCredential, getCard, listCards, refreshStatuses, type CredentialCard } from './credentials.js'
import { WalletCoreError } from './errors.js'
import { openIndexedDbStorage } from './indexeddb-storage.js'
import { declinePresentation, openPresentationRequest, sendPresentation, type PresentationPlan, type PresentationSent } from './present.js'
import { acceptOffer, openOffer, type OfferPreview } from './receive.js'
import type { HistoryEntry, WalletStorage } from './storage.js'

export interface WalletOptions {
  /** Where the wallet keeps its data; the device's IndexedDB (`govcred-wallet`) by default. */
  storage?: WalletStorage
  /** The home node's origin; the page's own origin by default. */
  homeUrl?: string
  fetch?: typeof fetch
  /** Per-request timeout (ms). Default 15 s (phones on slow networks). */
  timeoutMs?: number
  /** Milliseconds since the epoch; the clock by default. */
  now?: () => number
}

/**
 * The citizen's web wallet: receive by OpenID4VCI, show cards with live status, present by OpenID4VP, keep a
 * history, all on this device. One facade for the wallet pages; each method is a function of this folder.
 *
 * @example
 * const wallet = await openWallet()
 * const offer = await wallet.openOffer(link)            // show offer.issuer.name, offer.credential.name, ask offer.txCode
 * const card = await wallet.acceptOffer(offer, { txCode })
 * const plan = await wallet.openPresentationRequest(requestLink)  // consent screen
 * await wallet.sendPresentation(plan)                   // or wallet.declinePresentation(plan)
 */
export interface Wallet {
  openOffer(link: string): Promise<OfferPreview>
  acceptOffer(offer: OfferPreview, input?: { txCode?: string }): Promise<CredentialCard>
  /** The cards with their last known status (no network). */
  cards(): Promise<CredentialCard[]>
  card(id: string): Promise<CredentialCard>
  /** Reads the live status of every card (or one); offline cards keep their last known status. */
  refreshStatuses(id?: string): Promise<CredentialCard[]>
  deleteCredential(id: string): Promise<void>
  openPresentationRequest(link: string): Promise<PresentationPlan>
  sendPresentation(plan: PresentationPlan, options?: { choose?: Record<string, string> }): Promise<PresentationSent>
  declinePresentation(plan: PresentationPlan): Promise<void>
  /** Who asked for what and when, newest first (no claim values). */
  history(): Promise<HistoryEntry[]>
  /** Forgets the history on this device (the verifiers keep their own records). */
  clearHistory(): Promise<void>
  /** Deletes every credential, holder key, history entry and setting on this device; nothing is sent anywhere. */
  deleteAllData(): Promise<void>
  close(): void
}

/** Opens the wallet; UNSUPPORTED_BROWSER when the browser lacks WebCrypto, DecompressionStream or a secure origin. */
export async function openWallet(options: WalletOptions = {}): Promise<Wallet> {
  checkBrowserSupport()
  const homeUrl = options.homeUrl ?? globalThis.location?.origin
  if (!homeUrl) throw new WalletCoreError('UNSUPPORTED_BROWSER', { reason: 'home', detail: 'no home URL (not in a page, and none given)' })
  const storage = options.storage ?? (await openIndexedDbStorage())
  const ctx: WalletContext = {
    storage,
    homeUrl: new URL(homeUrl).origin,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    timeoutMs: options.timeoutMs ?? 15_000,
    now: options.now ?? (() => Date.now()),
  }
  return {
    openOffer: (link) => openOffer(ctx, link),
    acceptOffer: (offer, input) => acceptOffer(ctx, offer, input),
    cards: () => listCards(ctx),
    card: (id) => getCard(ctx, id),
    refreshStatuses: (id) => refreshStatuses(ctx, id),
    deleteCredential: (id) => deleteCredential(ctx, id),
    openPresentationRequest: (link) => openPresentationRequest(ctx, link),
    sendPresentation: (plan, sendOptions) => sendPresentation(ctx, plan, sendOptions),
    declinePresentation: (plan) => declinePresentation(ctx, plan),
    history: () => storage.listHistory(),
    clearHistory: () => storage.clearHistory(),
    deleteAllData: () => storage.clearAll(),
    close: () => storage.close(),
  }
}

/** UNSUPPORTED_BROWSER unless WebCrypto (a secure context), DecompressionStream and fetch are there. */
export function checkBrowserSupport(): void {
  const missing = [
    globalThis.crypto?.subtle ? undefined : 'WebCrypto (needs https)',
    typeof globalThis.DecompressionStream === 'function' ? undefined : 'DecompressionStream',
    typeof globalThis.fetch === 'function' ? undefined : 'fetch',
  ].filter(Boolean)
  if (missing.length) throw new WalletCoreError('UNSUPPORTED_BROWSER', { reason: 'features', detail: `missing ${missing.join(', ')}` })
}
