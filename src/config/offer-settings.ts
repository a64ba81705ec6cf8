import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** Credential offers (OpenID4VCI pre-authorized code flow). */
export interface OfferSettings {
  /** Seconds a credential offer (its pre-authorized code) stays redeemable (GOVCRED_OFFER_TTL_SECONDS). */
  readonly ttlSeconds: number
  /** Wrong transaction codes after which an offer is voided (GOVCRED_OFFER_TX_CODE_ATTEMPTS). */
  readonly txCodeAttempts: number
}

export const DEFAULT_OFFER_SETTINGS: OfferSettings = Object.freeze({ ttlSeconds: 900, txCodeAttempts: 3 })

/**
 * GOVCRED_OFFER_TTL_SECONDS (60 to 86400, default 900) and GOVCRED_OFFER_TX_CODE_ATTEMPTS (1 to 10, default 3).
 *
 * @example
 * const offers = readOfferSettings(read) // { ttlSeconds: 900, txCodeAttempts: 3 }
 */
export function readOfferSettings(read: Reader): OfferSettings {
  return Object.freeze({
    ttlSeconds: read.int('GOVCRED_OFFER_TTL_SECONDS', DEFAULT_OFFER_SETTINGS.ttlSeconds, 60, 86_400),
    txCodeAttempts: read.int('GOVCRED_OFFER_TX_CODE_ATTEMPTS', DEFAULT_OFFER_SETTINGS.txCodeAttempts, 1, 10),
  })
}
