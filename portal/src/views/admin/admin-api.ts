import { api } from '../../api/http'

/** One message of the portal's feedback box, as GET /v1/feedback answers it. */
export interface FeedbackEntry {
  id: string
  /** The portal path the visitor sent it from. */
  page: string
  message: string
  /** 1 (poor) to 5 (good), when given. */
  rating: number | null
  /** How to reach the visitor, only when they gave it. */
  contact: string | null
  locale: 'zh-CN' | 'en' | null
  createdAt: string
}

/** One page of the feedback box, newest first; `nextBefore` asks for the older ones (null: no more). */
export interface FeedbackPage {
  feedback: FeedbackEntry[]
  nextBefore: number | null
}

/** Messages per page of the operator's feedback table. */
export const FEEDBACK_PAGE_SIZE = 20

/** GET /v1/feedback with the platform operator's session: the newest messages, or those older than `before`. */
export function listFeedback(before?: number): Promise<FeedbackPage> {
  const query = new URLSearchParams({ limit: String(FEEDBACK_PAGE_SIZE) })
  if (before !== undefined) query.set('before', String(before))
  return api<FeedbackPage>(`/v1/feedback?${query}`)
}
