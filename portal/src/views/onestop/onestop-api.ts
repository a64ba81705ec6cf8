import { api, isApiError, setCsrfToken, type ApiOptions } from '../../api/http'
import { readSession } from '../../api/session-api'
import type { Locale } from '../../api/error-messages'
import { sessionLost } from '../console/session'
import type { SchemaNode } from '../console/schema-form'

/**
 * The one-stop calls: the applicant's (public: the bundles, a new case, the case read with its access token) and
 * the department console's (the review queue and the rules, with the clerk's session: cookie + X-CSRF-Token).
 */

export type Bilingual = Record<Locale, string>

export interface Department {
  id: string
  name: string
  nameEn: string
}

export interface BundleStep {
  ruleId: string
  version: string
  ruleHash: string
  department: Department
  outputType: string
  title: Bilingual
}

export interface Prerequisite {
  id: string
  type: string
  claims: string[]
  neededBy: string
}

export interface Bundle {
  id: string
  title: Bilingual
  description: Bilingual
  steps: BundleStep[]
  prerequisites: Prerequisite[]
  form: SchemaNode
}

export interface ConditionResult {
  id: string
  result: 'passed' | 'failed'
  description: Bilingual
}

export interface FieldErrorDetail {
  field: string
  code?: string
  message: string
}

export type CaseState = 'awaiting-presentation' | 'in-progress' | 'completed' | 'refused' | 'failed' | 'expired'
export type StepState = 'waiting' | 'issued' | 'in-review' | 'refused' | 'blocked' | 'failed'

export interface StepOffer {
  id: string
  offerUri: string
  credentialOfferUri: string
  qrSvg: string
  txCode: string
  expiresAt: string
  redeemed: boolean
  credentialId: string | null
}

export interface CaseStep extends BundleStep {
  state: StepState
  conditions: ConditionResult[]
  formErrors: FieldErrorDetail[]
  offer: StepOffer | null
  review: { state: 'open' | 'approved' | 'refused'; reason: string | null; decidedAt: string | null } | null
  error: { code: string; message: string } | null
}

export interface CasePresentation {
  requestId: string
  deepLink: string
  qrSvg: string
  requestUri: string
  expiresAt: string
  state?: 'pending' | 'answered' | 'expired'
  error?: { code: string; message: string } | null
}

export interface CaseView {
  id: string
  bundle: string
  state: CaseState
  createdAt?: string
  updatedAt?: string
  expiresAt?: string
  presentation: CasePresentation
  steps: CaseStep[]
}

export interface CreatedCase extends CaseView {
  token: string
}

const enc = encodeURIComponent

export const listBundles = () => api<{ bundles: Bundle[] }>('/v1/onestop/bundles')
/**
 * Opens a case. Anyone may; but a visitor signed in elsewhere in the portal (a clerk trying the page) sends the
 * session cookie, and the service then wants that session's CSRF token, which a fresh page load has not read yet.
 */
export async function createCase(bundle: string, form: Record<string, unknown>): Promise<CreatedCase> {
  const session = await readSession().catch(() => undefined)
  if (session) setCsrfToken(session.csrfToken)
  return api<CreatedCase>('/v1/onestop/cases', { method: 'POST', body: { bundle, form } })
}
export const getCase = (id: string, token: string, signal?: AbortSignal) =>
  api<CaseView>(`/v1/onestop/cases/${enc(id)}`, { headers: { authorization: `Bearer ${token}` }, signal })

const CASE_KEY = 'govcred.onestop.case'

/** The case of this tab (its id and access token), kept in sessionStorage so that a reload keeps following it. */
export function savedCase(): { id: string; token: string } | undefined {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(CASE_KEY) ?? 'null') as { id?: unknown; token?: unknown } | null
    if (parsed && typeof parsed.id === 'string' && typeof parsed.token === 'string') return { id: parsed.id, token: parsed.token }
  } catch {
    // nothing kept, or storage refused
  }
  return undefined
}

export function saveCase(value: { id: string; token: string } | undefined): void {
  try {
    if (value) sessionStorage.setItem(CASE_KEY, JSON.stringify(value))
    else sessionStorage.removeItem(CASE_KEY)
  } catch {
    // not kept: the case lasts for this page
  }
}

// ---- department console ----

async function call<T>(path: string, options: ApiOptions = {}): Promise<T> {
  try {
    return await api<T>(path, options)
  } catch (error) {
    if (isApiError(error) && error.status === 401) sessionLost()
    throw error
  }
}

export type ReviewState = 'open' | 'approved' | 'refused'

export interface ReviewInput {
  prerequisite: string
  type: string
  issuer: string
  issuerName: string
  claims: Record<string, unknown>
}

export interface ReviewTask {
  id: string
  caseId: string
  state: ReviewState
  createdAt: string
  decidedAt: string | null
  decidedBy: string | null
  reason: string | null
  step: { ruleId: string; version: string; title: Bilingual; outputType: string }
  conditions: ConditionResult[]
  formErrors: FieldErrorDetail[]
  form: Record<string, unknown>
  inputs: ReviewInput[]
}

export interface RuleDocument {
  id: string
  version: string
  department: string
  title: Bilingual
  output: { type: string }
  prerequisites: { id: string; type: string; claims: string[] }[]
  form: Record<string, unknown>
  conditions: { id: string; description: Bilingual; rule: unknown }[]
  outputClaims: Record<string, unknown>
}

export interface PublicRule {
  id: string
  version: string
  department: string
  state: 'draft' | 'published' | 'retired'
  hash: string
  anchor: { registry: string; account: string; key: string; txHash: string | null }
  publishedAt: string | null
  retiredAt: string | null
  document: RuleDocument
}

export interface RuleEvaluation {
  outcome: 'eligible' | 'not-eligible' | 'form-invalid' | 'output-invalid'
  conditions: ConditionResult[]
  formErrors: FieldErrorDetail[]
  outputClaims: Record<string, unknown> | null
  outputErrors: { field?: string; message?: string; code?: string }[]
  ruleHash: string
}

const rulePath = (id: string, version: string) => `/v1/onestop/rules/${enc(id)}/${enc(version)}`

export const listReviews = (state: ReviewState) => call<{ reviews: ReviewTask[] }>(`/v1/onestop/reviews?state=${enc(state)}`)
export const approveReview = (id: string) => call(`/v1/onestop/reviews/${enc(id)}/approve`, { method: 'POST', body: {} })
export const refuseReview = (id: string, reason: string) =>
  call(`/v1/onestop/reviews/${enc(id)}/refuse`, { method: 'POST', body: { reason } })

export const listRules = () => call<{ rules: PublicRule[] }>('/v1/onestop/rules')
export const createDraft = (document: unknown) => call<PublicRule>('/v1/onestop/rules', { method: 'POST', body: document })
export const testRule = (id: string, version: string, inputs: unknown) =>
  call<RuleEvaluation>(`${rulePath(id, version)}/test`, { method: 'POST', body: inputs })
export const publishRule = (id: string, version: string) =>
  call<PublicRule>(`${rulePath(id, version)}/publish`, { method: 'POST', body: {} })
export const retireRule = (id: string, version: string) => call<PublicRule>(`${rulePath(id, version)}/retire`, { method: 'POST', body: {} })
