import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import type { Logger } from '../../shared/logger.js'
import type { RelyingPartyStore } from './relying-party-store.js'
import type { WebhookEvent, WebhookOutbox } from './webhook-outbox.js'
import { signatureHeader, type WebhookSecrets } from './webhook-secrets.js'
import { isLoopbackAddress, refusedAddress } from './webhook-url.js'

/** What a relying party's webhook is told when one of its presentation requests is answered (no claims). */
export interface PresentationAnsweredEvent {
  requestId: string
  verified: boolean
  /** The first failing check's code, or 'OK'. */
  code: string
  answeredAt: string
}

export interface WebhookDeliverySettings {
  maxAttempts: number
  /** Wait before the first retry; doubled for each next one. */
  backoffMs: number
  timeoutMs: number
  allowLoopback: boolean
}

/** How long delivered and given-up events stay in the outbox (for `relying-party webhook-events`). */
const FINISHED_KEPT_MS = 7 * 86_400_000
/** Longest sleep between looks at the outbox (events a CLI or another process stored). */
const MAX_IDLE_MS = 60_000

export interface WebhookDispatcherDeps {
  parties: Pick<RelyingPartyStore, 'webhookOf'>
  outbox: WebhookOutbox
  secrets: WebhookSecrets
  settings: WebhookDeliverySettings
  logger?: Logger
  /** Deliveries in flight at once (default 4). */
  concurrency?: number
}

/**
 * Delivers webhook events to relying parties in the background: each event is stored in the outbox first
 * (notifyOutcome), then POSTed with `Govcred-Signature` and `Govcred-Event-Id`; a 2xx answer delivers it,
 * anything else (another status, a redirect — never followed —, a refused address, no answer within
 * timeoutMs) is retried after backoffMs, 2×, 4×… until maxAttempts, then given up. Pending events survive a
 * restart. Hosts are resolved on every attempt and each address checked (no private, link-local or reserved
 * address; loopback only when allowed), and the connection goes to the checked address.
 *
 * @example
 * const webhooks = new WebhookDispatcher({ parties, outbox, secrets, settings })
 * webhooks.start()
 * await webhooks.notifyOutcome('bank-of-nanjing', { requestId, verified: true, code: 'OK', answeredAt })
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined
  private purgeTimer: NodeJS.Timeout | undefined
  private draining: Promise<void> | undefined
  private again = false
  private stopped = true

  constructor(private readonly deps: WebhookDispatcherDeps) {}

  /**
   * Stores a `presentation.answered` event for the party's webhook (once per request) and wakes the
   * delivery; answers the stored event, or undefined when the party has no webhook or the event exists.
   */
  async notifyOutcome(relyingPartyId: string, event: PresentationAnsweredEvent): Promise<WebhookEvent | undefined> {
    const webhook = await this.deps.parties.webhookOf(relyingPartyId)
    if (!webhook) return undefined
    const body = JSON.stringify({
      type: 'presentation.answered',
      requestId: event.requestId,
      verified: event.verified,
      code: event.code,
      answeredAt: event.answeredAt,
    })
    const stored = await this.deps.outbox.enqueue({ relyingPartyId, type: 'presentation.answered', subject: event.requestId, body })
    if (stored) this.wake()
    return stored
  }

  /** Starts delivering (what is pending from before a restart at once). */
  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.wake()
    const purge = () => void this.deps.outbox.purgeFinished(Date.now() - FINISHED_KEPT_MS).catch(() => undefined)
    purge()
    this.purgeTimer = setInterval(purge, 3_600_000)
    this.purgeTimer.unref()
  }

  /** Stops: no new attempt starts; waits for those in flight (each bounded by timeoutMs). */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    clearInterval(this.purgeTimer)
    await this.draining
  }

  /** The delivery delay after a failed attempt number `attempt` (1-based): backoffMs, 2×, 4×… */
  retryDelay(attempt: number): number {
    return this.deps.settings.backoffMs * 2 ** (attempt - 1)
  }

  private wake(): void {
    if (this.stopped) return
    if (this.draining) {
      this.again = true
      return
    }
    this.draining = this.drain()
      .catch((error) => this.deps.logger?.warn('webhook delivery paused', { error: (error as Error).message }))
      .finally(() => {
        this.draining = undefined
        void this.schedule()
      })
  }

  private async drain(): Promise<void> {
    const { settings } = this.deps
    const concurrency = this.deps.concurrency ?? 4
    do {
      this.again = false
      while (!this.stopped) {
        // The lease: not due again before this attempt's timeout and its retry delay have passed.
        const claimed = await this.deps.outbox.claimDue(concurrency, settings.timeoutMs + settings.backoffMs)
        if (claimed.length === 0) break
        await Promise.all(claimed.map((event) => this.attempt(event)))
      }
    } while (this.again && !this.stopped)
  }

  private async schedule(): Promise<void> {
    if (this.stopped) return
    if (this.again) return this.wake()
    const next = await this.deps.outbox.nextDueAt().catch(() => undefined)
    if (this.stopped) return
    clearTimeout(this.timer)
    const delay = next === undefined ? MAX_IDLE_MS : Math.min(MAX_IDLE_MS, Math.max(0, next - Date.now()))
    this.timer = setTimeout(() => this.wake(), delay)
    this.timer.unref()
  }

  private async attempt(event: WebhookEvent): Promise<void> {
    const { outbox, settings, logger } = this.deps
    const fields = { relyingPartyId: event.relyingPartyId, eventId: event.id, attempt: event.attempts }
    const webhook = await this.deps.parties.webhookOf(event.relyingPartyId)
    if (!webhook) {
      await outbox.markAttemptFailed(event.id, 'the relying party has no webhook any more', null)
      return
    }
    let failure: string | undefined
    try {
      const secret = this.deps.secrets.open(event.relyingPartyId, webhook.sealedSecret)
      const status = await postEvent(
        webhook.url,
        event.body,
        {
          'content-type': 'application/json',
          'user-agent': 'govcred-webhooks/1',
          'govcred-event-id': event.id,
          'govcred-signature': signatureHeader(secret, event.body, Math.floor(Date.now() / 1000)),
        },
        settings,
      )
      if (status < 200 || status >= 300)
        failure = status >= 300 && status < 400 ? `answered ${status} (redirects are not followed)` : `answered ${status}`
    } catch (error) {
      failure = (error as Error).message
    }
    if (failure === undefined) {
      await outbox.markDelivered(event.id)
      logger?.info('webhook delivered', fields)
      return
    }
    const retryAt = event.attempts >= settings.maxAttempts ? null : Date.now() + this.retryDelay(event.attempts)
    await outbox.markAttemptFailed(event.id, failure.slice(0, 500), retryAt)
    if (retryAt === null) logger?.warn(`webhook given up after ${event.attempts} attempts`, { ...fields, error: failure })
    else logger?.info('webhook attempt failed; will retry', { ...fields, error: failure })
  }
}

/**
 * One POST of a webhook body: answers the status code, or throws when no answer came (refused address, no
 * connection, timeout). The response body is not read; redirects are not followed.
 */
function postEvent(
  target: string,
  body: string,
  headers: Record<string, string>,
  settings: Pick<WebhookDeliverySettings, 'timeoutMs' | 'allowLoopback'>,
): Promise<number> {
  const url = new URL(target)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const plainHttp = url.protocol === 'http:'
  const why = (address: string) =>
    refusedAddress(address, settings.allowLoopback) ??
    (plainHttp && !isLoopbackAddress(address) ? `${address} is not loopback: http is sent to this machine only` : undefined)
  if (isIP(host) !== 0) {
    const refused = why(host)
    if (refused) return Promise.reject(new Error(`refused: ${refused}`))
  }
  // Every address a name resolves to is checked, and the connection uses the checked address (no rebinding).
  const lookup = (hostname: string, options: LookupOptions, callback: (...args: any[]) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error)
      const refused = addresses.map((a) => why(a.address)).find((r) => r !== undefined)
      if (refused || addresses.length === 0) return callback(new Error(`refused: ${refused ?? `${hostname} has no address`}`))
      if (options.all) return callback(null, addresses)
      return callback(null, addresses[0]!.address, addresses[0]!.family)
    })
  }
  return new Promise((resolve, reject) => {
    const send = plainHttp ? httpRequest : httpsRequest
    const req = send(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: false,
      lookup: lookup as never,
    })
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${settings.timeoutMs} ms`)), settings.timeoutMs)
    req.once('response', (res: IncomingMessage) => {
      clearTimeout(timer)
      resolve(res.statusCode ?? 0)
      res.resume()
      res.on('error', () => undefined)
      setImmediate(() => req.destroy())
    })
    req.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    req.end(body)
  })
}
