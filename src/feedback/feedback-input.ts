import { ValidationError } from '../shared/errors/app-error.js'

/** What a visitor sends to the feedback box (POST /v1/feedback), checked. */
export interface FeedbackInput {
  /** The portal path the visitor was on, without query or fragment (those may carry an offer's one-time code). */
  page: string
  message: string
  /** 1 (poor) to 5 (good), when given. */
  rating?: number
  /** How to reach the visitor, when they want an answer (free text: a phone number, an e-mail address). */
  contact?: string
  /** The portal language the visitor used. */
  locale?: FeedbackLocale
}

export const FEEDBACK_LOCALES = ['zh-CN', 'en'] as const
export type FeedbackLocale = (typeof FEEDBACK_LOCALES)[number]

export const FEEDBACK_LIMITS = Object.freeze({ page: 200, message: 2000, contact: 200 })

const FIELDS = ['page', 'message', 'rating', 'contact', 'locale']
/** A path as the portal's router has it: printable ASCII, no spaces, no query (`?`) or fragment (`#`). */
const PAGE_PATH = /^\/[\x21-\x22\x24-\x3e\x40-\x7e]*$/
/** C0 and C1 control characters other than tab and line breaks, and the bidirectional overrides that disguise text. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

const refuse = (field: string, message: string, code = 'ERR_FIELD_INVALID'): never => {
  throw new ValidationError('ERR_INVALID_REQUEST', message, { details: [{ field: `/${field}`, code, message }] })
}

/** Length in characters (code points), as a person counts them: one Chinese character is one. */
const characters = (text: string) => [...text].length

function text(input: Record<string, unknown>, field: string, max: number, required: boolean): string | undefined {
  const value = input[field]
  if (value === undefined || value === null) {
    if (required) refuse(field, `${field} is required`, 'ERR_FIELD_REQUIRED')
    return undefined
  }
  if (typeof value !== 'string') return refuse(field, `${field} must be a string`, 'ERR_FIELD_TYPE')
  const trimmed = value.trim()
  if (required && trimmed.length === 0) refuse(field, `${field} must not be empty`, 'ERR_FIELD_REQUIRED')
  if (characters(trimmed) > max) refuse(field, `${field} must be at most ${max} characters`, 'ERR_FIELD_LENGTH')
  if (CONTROL.test(trimmed)) refuse(field, `${field} must not contain control characters`)
  return trimmed.length === 0 ? undefined : trimmed
}

/**
 * Checks a feedback body: `page` (a path, at most 200 characters), `message` (1 to 2000 characters), `rating`
 * (an integer 1 to 5) and `contact` (at most 200 characters) optional, `locale` (zh-CN or en) optional; no other
 * field. A 422 ERR_INVALID_REQUEST names the field.
 *
 * @example
 * parseFeedback({ page: '/guide', message: '很清楚，谢谢', rating: 5 }) // => { page: '/guide', message: '很清楚，谢谢', rating: 5 }
 */
export function parseFeedback(body: unknown): FeedbackInput {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('ERR_INVALID_REQUEST', 'the body must be a JSON object')
  const input = body as Record<string, unknown>
  const unknown = Object.keys(input).filter((key) => !FIELDS.includes(key))
  if (unknown.length > 0) {
    throw new ValidationError('ERR_INVALID_REQUEST', `unknown fields: ${unknown.join(', ')}`, {
      details: unknown.map((field) => ({ field: `/${field}`, code: 'ERR_FIELD_UNKNOWN', message: 'not allowed' })),
    })
  }
  const page = text(input, 'page', FEEDBACK_LIMITS.page, true)!
  if (!PAGE_PATH.test(page)) refuse('page', 'page must be a path such as /guide, without a query or fragment', 'ERR_FIELD_PATTERN')
  const message = text(input, 'message', FEEDBACK_LIMITS.message, true)!
  const contact = text(input, 'contact', FEEDBACK_LIMITS.contact, false)
  const { rating, locale } = input
  if (rating !== undefined && rating !== null && !(Number.isInteger(rating) && (rating as number) >= 1 && (rating as number) <= 5))
    refuse('rating', 'rating must be an integer from 1 to 5', 'ERR_FIELD_RANGE')
  if (locale !== undefined && locale !== null && !FEEDBACK_LOCALES.includes(locale as FeedbackLocale))
    refuse('locale', `locale must be one of ${FEEDBACK_LOCALES.join(', ')}`, 'ERR_FIELD_ENUM')
  return {
    page,
    message,
    ...(typeof rating === 'number' ? { rating } : {}),
    ...(contact === undefined ? {} : { contact }),
    ...(typeof locale === 'string' ? { locale: locale as FeedbackLocale } : {}),
  }
}
