import type { DataSource } from 'typeorm'
import type { WebhookSettings } from '../config/webhook-settings.js'
import type { Logger } from '../shared/logger.js'
import type { PresentationRequestStore } from '../verifying/presentation-requests.js'
import { RelyingPartyStore } from '../verifying/relying-parties/relying-party-store.js'
import { WebhookDispatcher } from '../verifying/relying-parties/webhook-delivery.js'
import { WebhookOutbox } from '../verifying/relying-parties/webhook-outbox.js'
import { WebhookSecrets } from '../verifying/relying-parties/webhook-secrets.js'

/**
 * The webhook dispatcher of a node: its outbox in `db`, secrets sealed with the node's KMS secret (or a
 * function that reads it on first use).
 */
export function createWebhookDispatcher(
  db: DataSource,
  kmsSecretHex: string | (() => string),
  settings: WebhookSettings,
  logger: Logger,
): WebhookDispatcher {
  return new WebhookDispatcher({
    parties: new RelyingPartyStore(db),
    outbox: new WebhookOutbox(db),
    secrets: new WebhookSecrets(kmsSecretHex),
    settings,
    logger,
  })
}

/** The store methods that record a presentation's answer (VP-JWT flow; OpenID4VP direct_post where present). */
const ANSWER_METHODS = ['recordOutcome', 'answerOpenid4vp'] as const

/**
 * Makes every recorded answer of a relying party's request reach its webhook: after the store's method that
 * records an answer returns, the request is read back and, when it is a relying party's and has an outcome,
 * `webhooks.notifyOutcome` stores the event (once per request; the outbox ignores a second one) before the
 * HTTP answer goes out; delivery itself runs in the background. A failure to store the event is logged and
 * never fails the presentation's answer.
 */
export function notifyAnswersByWebhook(requests: PresentationRequestStore, webhooks: WebhookDispatcher, logger: Logger): void {
  const target = requests as unknown as Record<string, unknown>
  for (const name of ANSWER_METHODS) {
    const original = target[name]
    if (typeof original !== 'function') continue
    target[name] = async (id: string, ...rest: unknown[]) => {
      const answer = await (original as (...args: unknown[]) => Promise<unknown>).call(requests, id, ...rest)
      try {
        // A request's relying party never changes: an anonymous one (most verifications) costs no read back.
        const known = await requests.lookup(id)
        if (known && !known.relyingPartyId) return answer
        const request = await requests.get(id)
        if (request?.relyingPartyId && request.result && request.usedAt) {
          const answeredAt = (request as { answeredAt?: string | null }).answeredAt ?? request.usedAt
          await webhooks.notifyOutcome(request.relyingPartyId, {
            requestId: request.id,
            verified: request.result.verified,
            code: request.result.code,
            answeredAt,
          })
        }
      } catch (error) {
        logger.error('could not store a webhook event', { requestId: id, error: (error as Error).message })
      }
      return answer
    }
  }
}
