import { randomUUID } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { AppError } from '../shared/errors/app-error.js'
import { writeExecute } from '../store/write-transaction.js'
import type { FeedbackInput, FeedbackLocale } from './feedback-input.js'

/** One message of the feedback box, as operators list it. */
export interface FeedbackEntry {
  id: string
  page: string
  message: string
  rating: number | null
  contact: string | null
  locale: FeedbackLocale | null
  createdAt: string
}

export interface FeedbackPage {
  /** Newest first. */
  feedback: FeedbackEntry[]
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null
}

export const FEEDBACK_LIST_MAX_LIMIT = 200
const DEFAULT_LIMIT = 50

interface Row {
  seq: number
  id: string
  page: string
  message: string
  rating: number | null
  contact: string | null
  locale: string | null
  createdAt: string
}

/**
 * The portal's feedback box (table govcred_feedback): anonymous messages, kept up to `maxStored` so that
 * anonymous visitors cannot fill the disk; beyond it new feedback is refused (503 ERR_FEEDBACK_FULL), never
 * is older feedback dropped to make room.
 *
 * @example
 * const box = new FeedbackStore(db, { maxStored: 10_000 })
 * const { id } = await box.add({ page: '/guide', message: '很清楚' })
 * const { feedback } = await box.list({ limit: 20 })
 */
export class FeedbackStore {
  constructor(
    private readonly db: DataSource,
    private readonly options: { maxStored: number },
  ) {}

  /** Stores one message (the count check and the insert are one statement); throws ERR_FEEDBACK_FULL at the cap. */
  async add(input: FeedbackInput): Promise<{ id: string; createdAt: string }> {
    const id = randomUUID()
    const createdAt = new Date().toISOString()
    const inserted = await writeExecute(
      this.db,
      `INSERT INTO "govcred_feedback" ("id", "page", "message", "rating", "contact", "locale", "createdAt")
       SELECT ?, ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM "govcred_feedback") < ?`,
      [id, input.page, input.message, input.rating ?? null, input.contact ?? null, input.locale ?? null, createdAt, this.options.maxStored],
    )
    if (inserted === 0) {
      throw new AppError(
        'ERR_FEEDBACK_FULL',
        `the feedback box holds ${this.options.maxStored} messages (GOVCRED_FEEDBACK_MAX_STORED): nothing was stored; an operator must clear it`,
        { status: 503 },
      )
    }
    return { id, createdAt }
  }

  /** A page of messages, newest first; `before` is the previous page's nextBefore. */
  async list(options: { limit?: number; before?: number } = {}): Promise<FeedbackPage> {
    const limit = Math.min(Math.max(options.limit ?? DEFAULT_LIMIT, 1), FEEDBACK_LIST_MAX_LIMIT)
    const rows: Row[] = await this.db.query(
      `SELECT "seq", "id", "page", "message", "rating", "contact", "locale", "createdAt" FROM "govcred_feedback"
       WHERE "seq" < ? ORDER BY "seq" DESC LIMIT ?`,
      [options.before ?? Number.MAX_SAFE_INTEGER, limit + 1],
    )
    const page = rows.slice(0, limit)
    return {
      feedback: page.map(toEntry),
      nextBefore: rows.length > limit ? page[page.length - 1]!.seq : null,
    }
  }

  /** How many messages are kept. */
  async count(): Promise<number> {
    const [{ n }] = (await this.db.query(`SELECT COUNT(*) AS n FROM "govcred_feedback"`)) as { n: number }[]
    return Number(n)
  }
}

function toEntry(row: Row): FeedbackEntry {
  return {
    id: row.id,
    page: row.page,
    message: row.message,
    rating: row.rating === null ? null : Number(row.rating),
    contact: row.contact,
    locale: (row.locale as FeedbackLocale | null) ?? null,
    createdAt: row.createdAt,
  }
}
