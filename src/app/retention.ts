import type { OnestopCases } from '../cases/onestop-cases.js'
import type { OfferStore } from '../issuing/offers/offer-store.js'
import type { Logger } from '../shared/logger.js'

/** What one retention pass removed. */
export interface RetentionOutcome {
  /** Dead credential offers whose claims were forgotten. */
  offerClaims: number
  /** One-stop cases deleted with their forms and the claims they were decided on. */
  cases: number
}

export interface Retention {
  /** One pass now (the timer runs one an hour, and one shortly after the start). */
  runOnce(now?: number): Promise<RetentionOutcome>
  stop(): void
}

const FIRST_PASS_MS = 10_000
const INTERVAL_MS = 3_600_000

/**
 * Personal data kept only while it is needed: every hour, the claims of credential offers that can no longer be
 * redeemed are forgotten, and one-stop cases that have done their work are deleted (GOVCRED_ONESTOP_CASE_TTL_SECONDS).
 * A failed pass is logged and tried again at the next.
 */
export function startRetention(deps: { offers: OfferStore; cases: OnestopCases; logger: Logger }): Retention {
  const runOnce = async (now = Date.now()): Promise<RetentionOutcome> => {
    const outcome = {
      offerClaims: await deps.offers.forgetClaimsOfDeadOffers(new Date(now).toISOString()),
      cases: await deps.cases.purge(now),
    }
    if (outcome.offerClaims > 0 || outcome.cases > 0)
      deps.logger.info(`retention: forgot the claims of ${outcome.offerClaims} dead offer(s), deleted ${outcome.cases} one-stop case(s)`)
    return outcome
  }
  const pass = () =>
    void runOnce().catch((error: unknown) =>
      deps.logger.warn('retention pass failed; trying again in an hour', { error: error instanceof Error ? error.message : String(error) }),
    )
  const first = setTimeout(pass, FIRST_PASS_MS)
  const timer = setInterval(pass, INTERVAL_MS)
  first.unref()
  timer.unref()
  return {
    runOnce,
    stop() {
      clearTimeout(first)
      clearInterval(timer)
    },
  }
}
