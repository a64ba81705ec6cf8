import type { LocalizedText } from '../issuing/onestop/rule-format.js'

/** Where a case is: waiting for the wallet, running (a step in review), done, refused, failed or expired. */
export type CaseState = 'awaiting-presentation' | 'in-progress' | 'completed' | 'refused' | 'failed' | 'expired'

/** Where one step (one department's rule) is. */
export type StepState = 'waiting' | 'issued' | 'in-review' | 'refused' | 'blocked' | 'failed'

export interface StepCondition {
  id: string
  result: 'passed' | 'failed'
  description: LocalizedText
}

/** The offer a step made to the applicant's wallet (the transaction code is shown to the case's holder only). */
export interface StepOffer {
  id: string
  offerUri: string
  credentialOfferUri: string
  txCode: string
  expiresAt: string
}

/** One step of a case, as stored. */
export interface CaseStep {
  ruleId: string
  version: string
  ruleHash: string
  departmentId: string
  outputType: string
  title: LocalizedText
  state: StepState
  conditions: StepCondition[]
  formErrors: { field: string; message: string }[]
  /** The credentials the decision was made on: presented ones by their id, chained ones as `offer:<id>`. */
  inputCredentialIds: string[]
  offer: StepOffer | null
  /** The claims the step's credential was offered with: a later step's chained input. */
  outputClaims: Record<string, unknown> | null
  reviewId: string | null
  error: { code: string; message: string } | null
}

/** A verified credential a prerequisite was satisfied with: only the claims the wallet disclosed. */
export interface CaseInput {
  prerequisite: string
  type: string
  /**
   * The credential's id; for an SD-JWT VC, which has none, its status list entry `<list uri>#<idx>` (unique per
   * issuer); null only in cases stored before that was recorded.
   */
  credentialId: string | null
  issuer: string | null
  issuerName: string | null
  claims: Record<string, unknown>
}

export interface CasePresentation {
  requestUri: string
  deepLink: string
  expiresAt: string
  verifier: Record<string, unknown>
}

export interface StoredCase {
  id: string
  bundleId: string
  tokenHash: string
  state: CaseState
  form: Record<string, unknown>
  steps: CaseStep[]
  /** Null until the wallet answered. */
  inputs: CaseInput[] | null
  presentationRequestId: string
  /** The OpenID4VP request the wallet answers (links only: nothing secret). */
  presentation: CasePresentation
  presentationError: { code: string; message: string } | null
  createdAt: string
  updatedAt: string
  expiresAt: string
}

export type ReviewState = 'open' | 'approved' | 'refused'

export interface StoredReview {
  id: string
  caseId: string
  stepIndex: number
  departmentId: string
  state: ReviewState
  reason: string | null
  decidedBy: string | null
  decidedAt: string | null
  createdAt: string
}
