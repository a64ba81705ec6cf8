import { randomUUID } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { writeExecute } from '../../store/write-transaction.js'

/** One event for a relying party's webhook, as the outbox keeps it until delivered or given up. */
export interface WebhookEvent {
  /** `evt_…`: sent as Govcred-Event-Id, the same on every attempt (the receiver's deduplication key). */
  id: string
  relyingPartyId: string
  type: string
  /** What the event is about (the presentation request's id): one event per type and subject. */
  subject: string
  /** The JSON body sent, exactly. */
  body: string
  state: 'pending' | 'delivered' | 'failed'
  /** Attempts begun so far. */
  attempts: number
  nextAttemptAt: string
  lastError: string | null
  createdAt: string
  finishedAt: string | null
}

/**
 * The durable outbox of webhook events (govcred_webhook_outbox): an event is stored before anything is
 * sent, an attempt is claimed (attempts + 1, and a lease) before it starts, so a restart resumes what was
 * pending and retries what was in flight: delivery is at least once, never more than the attempt bound.
 */
export class WebhookOutbox {
  constructor(private readonly db: DataSource) {}

  /** Stores an event, once per (type, subject); answers it, or undefined when that event exists already. */
  async enqueue(
    input: { relyingPartyId: string; type: string; subject: string; body: string },
    now = Date.now(),
  ): Promise<WebhookEvent | undefined> {
    const at = new Date(now).toISOString()
    const event: WebhookEvent = {
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      ...input,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: at,
      lastError: null,
      createdAt: at,
      finishedAt: null,
    }
    const inserted = await writeExecute(
      this.db,
      `INSERT OR IGNORE INTO govcred_webhook_outbox (id, relyingPartyId, type, subject, body, state, attempts, nextAttemptAt, createdAt)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      [event.id, event.relyingPartyId, event.type, event.subject, event.body, event.nextAttemptAt, event.createdAt],
    )
    return inserted > 0 ? event : undefined
  }

  /**
   * Claims up to `limit` due events for one attempt each: their attempts count goes up and they are not due
   * again until `leaseMs` from now (the attempt's outcome moves that on). Answers the claimed events.
   */
  async claimDue(limit: number, leaseMs: number, now = Date.now()): Promise<WebhookEvent[]> {
    const at = new Date(now).toISOString()
    const due: WebhookEvent[] = await this.db.query(
      `SELECT * FROM govcred_webhook_outbox WHERE state = 'pending' AND nextAttemptAt <= ? ORDER BY nextAttemptAt LIMIT ?`,
      [at, limit],
    )
    const claimed: WebhookEvent[] = []
    for (const event of due) {
      const lease = new Date(now + leaseMs).toISOString()
      const won = await writeExecute(
        this.db,
        `UPDATE govcred_webhook_outbox SET attempts = attempts + 1, nextAttemptAt = ? WHERE id = ? AND state = 'pending' AND attempts = ?`,
        [lease, event.id, event.attempts],
      )
      if (won > 0) claimed.push({ ...event, attempts: Number(event.attempts) + 1, nextAttemptAt: lease })
    }
    return claimed
  }

  async markDelivered(id: string, now = Date.now()): Promise<void> {
    await writeExecute(this.db, `UPDATE govcred_webhook_outbox SET state = 'delivered', lastError = NULL, finishedAt = ? WHERE id = ?`, [
      new Date(now).toISOString(),
      id,
    ])
  }

  /** Records a failed attempt: due again at `retryAt`, or given up (state failed) when null. */
  async markAttemptFailed(id: string, error: string, retryAt: number | null, now = Date.now()): Promise<void> {
    if (retryAt === null) {
      await writeExecute(this.db, `UPDATE govcred_webhook_outbox SET state = 'failed', lastError = ?, finishedAt = ? WHERE id = ?`, [
        error,
        new Date(now).toISOString(),
        id,
      ])
    } else {
      await writeExecute(this.db, `UPDATE govcred_webhook_outbox SET lastError = ?, nextAttemptAt = ? WHERE id = ?`, [
        error,
        new Date(retryAt).toISOString(),
        id,
      ])
    }
  }

  /** When the next pending event is due (ms since the epoch), or undefined when none is pending. */
  async nextDueAt(): Promise<number | undefined> {
    const rows = await this.db.query(`SELECT MIN(nextAttemptAt) AS next FROM govcred_webhook_outbox WHERE state = 'pending'`)
    return rows[0]?.next ? Date.parse(rows[0].next) : undefined
  }

  /** A party's events, oldest first (what `relying-party webhook-events` shows). */
  async list(relyingPartyId: string): Promise<WebhookEvent[]> {
    const rows: WebhookEvent[] = await this.db.query(
      `SELECT * FROM govcred_webhook_outbox WHERE relyingPartyId = ? ORDER BY createdAt, id`,
      [relyingPartyId],
    )
    return rows.map((row) => ({ ...row, attempts: Number(row.attempts) }))
  }

  /** Deletes delivered and given-up events finished before `before`; answers how many went. */
  async purgeFinished(before: number): Promise<number> {
    return writeExecute(this.db, `DELETE FROM govcred_webhook_outbox WHERE state != 'pending' AND finishedAt < ?`, [
      new Date(before).toISOString(),
    ])
  }
}
