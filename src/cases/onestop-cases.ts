import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import QRCode from 'qrcode'
import type { PublicRule } from '../issuing/onestop/publish-rule.js'
import type { LocalizedText } from '../issuing/onestop/rule-format.js'
import type { Logger } from '../shared/logger.js'
import { BadRequestError, NotFoundError } from '../shared/errors/app-error.js'
import type { BundleDefinition } from './bundle-definitions.js'
import type { CaseInput, CaseStep, StoredCase } from './case-model.js'
import { assertFormValid, bundleForm, planBundle, type CasePlan } from './case-plan.js'
import type { CaseStore } from './case-store.js'
import { caseStateOf, runWaitingSteps, stepCredentials, type StepRunnerDeps } from './run-steps.js'
import type { CaseSerializer } from './case-serializer.js'
import { TooManyOpenCasesError, UNANSWERED_KEPT_MS, type CaseLimits } from './case-limits.js'

/** The platform's OpenID4VP request for a case's prerequisites, made with its own verifier identity. */
export interface CasePresentations {
  create(
    body: Record<string, unknown>,
  ): Promise<{ id: string; requestUri: string; deepLink: string; expiresAt: string; verifier: Record<string, unknown> }>
  /** The request's answer once the wallet answered (undefined before). */
  answer(requestId: string): Promise<AnsweredPresentation | undefined>
}

/** What the answered request says: the verifier's result (checks, and only the disclosed claims). */
export interface AnsweredPresentation {
  id: string
  verification: Record<string, unknown> | null
}

export interface OnestopCasesDeps extends Omit<StepRunnerDeps, 'prerequisites' | 'formOf' | 'evaluate'> {
  bundles: readonly BundleDefinition[]
  rules: {
    newestPublished(id: string): Promise<PublicRule | undefined>
    getPublic(id: string, version: string): Promise<PublicRule>
    evaluatePublished: (
      id: string,
      version: string,
      inputs: unknown,
      options?: { ignoreConditions?: boolean },
    ) => ReturnType<StepRunnerDeps['evaluate']>
  }
  departmentName: (id: string) => Promise<{ name: string; nameEn: string } | undefined>
  offerState: (offerId: string) => Promise<{ redeemed: boolean; credentialId: string | null } | undefined>
  presentations: CasePresentations
  serializer: CaseSerializer
  limits: CaseLimits
  logger: Logger
}

const BODY_FIELDS = ['bundle', 'form']

/**
 * One-stop cases: an applicant opens a case for a bundle with the form no credential holds; the wallet presents
 * the prerequisites once; each step's rule is evaluated on the verified claims and, when eligible, its credential
 * is offered to the wallet with no clerk; a failed step becomes a review task of its department.
 */
export class OnestopCases {
  readonly runner: StepRunnerDeps

  constructor(private readonly deps: OnestopCasesDeps) {
    const ruleOf = (step: CaseStep) => deps.rules.getPublic(step.ruleId, step.version)
    this.runner = {
      ...deps,
      evaluate: (step, inputs, options) => deps.rules.evaluatePublished(step.ruleId, step.version, inputs, options),
      prerequisites: async (step) => (await ruleOf(step)).document.prerequisites,
      formOf: async (step, form) => {
        const declared = Object.keys(((await ruleOf(step)).document.form as { properties?: object }).properties ?? {})
        return Object.fromEntries(declared.filter((k) => Object.hasOwn(form, k)).map((k) => [k, form[k]]))
      },
    }
  }

  /** Runs work on one case after the work already queued on it. */
  serialized<T>(caseId: string, work: () => Promise<T>): Promise<T> {
    return this.deps.serializer.run(caseId, work)
  }

  /** The claims a step is evaluated on (presented or chained), by prerequisite id. */
  async stepInputs(c: StoredCase, step: CaseStep): Promise<Record<string, Record<string, unknown>>> {
    return (await stepCredentials(this.runner, c, step)).credentials
  }

  /** The bundles whose every step has a published rule, with their form and what the wallet will be asked for. */
  async listBundles() {
    const views = []
    for (const bundle of this.deps.bundles) {
      try {
        views.push(await this.bundleView(await planBundle(bundle, (id) => this.deps.rules.newestPublished(id))))
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e
      }
    }
    return views
  }

  /** POST /v1/onestop/cases: checks the form, asks the wallet for the prerequisites; answers the case and its access token (once). */
  async open(body: unknown): Promise<{ token: string; view: Awaited<ReturnType<OnestopCases['describe']>> }> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestError('ERR_INVALID_REQUEST', 'the body must be {"bundle", "form"}')
    const input = body as Record<string, unknown>
    const unknown = Object.keys(input).filter((k) => !BODY_FIELDS.includes(k))
    if (unknown.length) throw new BadRequestError('ERR_INVALID_REQUEST', `unknown fields: ${unknown.join(', ')}`)
    const bundle = this.deps.bundles.find((b) => b.id === input.bundle)
    if (!bundle) throw new NotFoundError('ERR_BUNDLE_NOT_FOUND', `no one-stop bundle ${String(input.bundle).slice(0, 100)}`)
    const plan = await planBundle(bundle, (id) => this.deps.rules.newestPublished(id))
    const form = assertFormValid(plan, input.form)
    await this.assertRoomForOne()
    const request = await this.deps.presentations.create({
      protocol: 'openid4vp',
      credentials: plan.asked.map((a) => ({ id: a.id, type: a.type, claims: a.claims })),
      purpose: { 'zh-CN': `一网通办：${bundle.title['zh-CN']}`, en: `One-stop service: ${bundle.title.en}` },
    })
    const token = randomBytes(32).toString('base64url')
    const now = new Date().toISOString()
    const c: StoredCase = {
      id: request.id,
      bundleId: bundle.id,
      tokenHash: sha256(token),
      state: 'awaiting-presentation',
      form,
      steps: plan.rules.map((rule) => ({
        ruleId: rule.id,
        version: rule.version,
        ruleHash: rule.hash,
        departmentId: rule.department,
        outputType: rule.document.output.type,
        title: rule.document.title,
        state: 'waiting',
        conditions: [],
        formErrors: [],
        inputCredentialIds: [],
        offer: null,
        outputClaims: null,
        reviewId: null,
        error: null,
      })),
      inputs: null,
      presentationRequestId: request.id,
      presentation: {
        requestUri: request.requestUri,
        deepLink: request.deepLink,
        expiresAt: request.expiresAt,
        verifier: request.verifier,
      },
      presentationError: null,
      createdAt: now,
      updatedAt: now,
      expiresAt: request.expiresAt,
    }
    // Checked again with the insert: concurrent openings cannot overshoot the limit (their request just expires).
    if (!(await this.deps.store.insertOpen(c, this.deps.limits.maxOpen))) await this.assertRoomForOne(true)
    return { token, view: await this.describe(c) }
  }

  /** Throws 429 ERR_TOO_MANY_OPEN_CASES while the limit of cases waiting for a wallet is reached (or `full`). */
  private async assertRoomForOne(full = false): Promise<void> {
    const now = Date.now()
    const open = await this.deps.store.openCases(new Date(now).toISOString())
    if (!full && open.count < this.deps.limits.maxOpen) return
    const next = open.nextExpiry ? Date.parse(open.nextExpiry) : now + 60_000
    throw new TooManyOpenCasesError(this.deps.limits.maxOpen, Math.max(1, Math.ceil((next - now) / 1000)))
  }

  /**
   * Deletes the cases that have done their work, with their forms and the claims they were decided on: finished
   * ones `limits.finishedTtlMs` after their last change, unanswered ones a day after their request expired. A
   * case with an open review task is kept. Returns how many went.
   */
  purge(now = Date.now()): Promise<number> {
    return this.deps.store.purge(
      new Date(now - this.deps.limits.finishedTtlMs).toISOString(),
      new Date(now - UNANSWERED_KEPT_MS).toISOString(),
    )
  }

  /** GET /v1/onestop/cases/{id}: the case for the holder of its access token; 404 for anyone else. */
  async view(id: string, token: string | undefined) {
    const c = id.length <= 100 ? await this.deps.store.get(id) : undefined
    if (!c || !token || !sameHash(c.tokenHash, sha256(token)))
      throw new NotFoundError('ERR_CASE_NOT_FOUND', `no one-stop case ${id.slice(0, 100)} for this access token`)
    return this.describe(c)
  }

  /** The wallet answered a request: when it is a case's, the verified claims are taken and the steps run. */
  async answered(request: AnsweredPresentation): Promise<void> {
    const c = await this.deps.store.byPresentationRequest(request.id)
    if (!c) return
    await this.deps.serializer.run(c.id, async () => {
      const current = (await this.deps.store.get(c.id))!
      if (current.inputs !== null || current.presentationError) return
      const outcome = readVerification(request.verification)
      await this.deps.store.change(c.id, async (latest, m) => {
        latest.inputs = outcome.inputs
        latest.presentationError = outcome.error
        // Nothing is decided on a refused presentation: no step will run.
        if (outcome.error) for (const step of latest.steps) if (step.state === 'waiting') step.state = 'blocked'
        latest.state = caseStateOf(latest)
        latest.updatedAt = new Date().toISOString()
        await this.deps.store.update(latest, m)
        if (outcome.error) {
          const first = latest.steps[0]!
          await this.deps.audit.append(
            {
              departmentId: first.departmentId,
              actor: `onestop:${first.ruleId}@${first.version}`,
              action: 'onestop-decision',
              details: {
                caseId: c.id,
                ruleId: first.ruleId,
                version: first.version,
                ruleHash: first.ruleHash,
                outputType: first.outputType,
                outcome: `presentation-refused:${outcome.error.code}`,
                failedConditions: [],
                inputCredentialIds: outcome.presentedIds,
                offerId: null,
                reviewId: null,
              },
            },
            m,
          )
        }
      })
      if (!outcome.error) await runWaitingSteps(this.runner, c.id)
    })
  }

  /**
   * After a restart: a case whose wallet answer was recorded but not yet taken, or whose steps were being
   * decided, continues where it stopped (each step is decided once: a decided step is never decided again).
   */
  async resume(): Promise<number> {
    let resumed = 0
    for (const c of await this.deps.store.unfinished(1000)) {
      if (c.inputs === null) {
        const answer = await this.deps.presentations.answer(c.presentationRequestId)
        if (!answer) continue
        await this.answered(answer)
      } else {
        await this.serialized(c.id, () => runWaitingSteps(this.runner, c.id))
      }
      resumed++
    }
    return resumed
  }

  /** The case as its applicant reads it. */
  async describe(c: StoredCase) {
    const now = Date.now()
    const state = c.state === 'awaiting-presentation' && Date.parse(c.expiresAt) < now ? 'expired' : caseStateOf(c)
    const steps = []
    for (const step of c.steps) steps.push(await this.describeStep(step))
    return {
      id: c.id,
      bundle: c.bundleId,
      state,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      expiresAt: c.expiresAt,
      presentation: {
        requestId: c.presentationRequestId,
        ...c.presentation,
        qrSvg: await QRCode.toString(c.presentation.deepLink, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
        state: c.inputs !== null || c.presentationError ? 'answered' : Date.parse(c.presentation.expiresAt) < now ? 'expired' : 'pending',
        error: c.presentationError,
      },
      steps,
    }
  }

  private async describeStep(step: CaseStep) {
    const department = await this.deps.departmentName(step.departmentId)
    const offerState = step.offer ? await this.deps.offerState(step.offer.id) : undefined
    const review = step.reviewId ? await this.deps.store.getReview(step.reviewId) : undefined
    return {
      ruleId: step.ruleId,
      version: step.version,
      ruleHash: step.ruleHash,
      title: step.title,
      department: { id: step.departmentId, name: department?.name ?? step.departmentId, nameEn: department?.nameEn ?? step.departmentId },
      outputType: step.outputType,
      state: step.state,
      conditions: step.conditions,
      formErrors: step.formErrors,
      offer: step.offer && {
        ...step.offer,
        qrSvg: await QRCode.toString(step.offer.offerUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
        redeemed: offerState?.redeemed ?? false,
        credentialId: offerState?.credentialId ?? null,
      },
      review: review ? { state: review.state, reason: review.reason, decidedAt: review.decidedAt } : null,
      error: step.error,
    }
  }

  private async bundleView(plan: CasePlan) {
    const steps = []
    for (const rule of plan.rules) {
      const department = await this.deps.departmentName(rule.department)
      steps.push({
        ruleId: rule.id,
        version: rule.version,
        ruleHash: rule.hash,
        title: rule.document.title,
        department: { id: rule.department, name: department?.name ?? rule.department, nameEn: department?.nameEn ?? rule.department },
        outputType: rule.document.output.type,
      })
    }
    return {
      id: plan.bundle.id,
      title: plan.bundle.title,
      description: plan.bundle.description,
      steps,
      prerequisites: plan.asked,
      form: bundleForm(plan),
    }
  }
}

/** The verified credentials by the prerequisites asked, or why the presentation is refused. */
function readVerification(verification: Record<string, unknown> | null): {
  inputs: CaseInput[] | null
  error: { code: string; message: string } | null
  presentedIds: string[]
} {
  const result = (verification ?? {}) as {
    verified?: boolean
    error?: { code: string; message: string }
    walletError?: { error: string; error_description?: string }
    credentials?: {
      id: string | null
      types: string[]
      issuer: string | null
      issuerName: string | null
      claims: Record<string, unknown>
      verified: boolean
      issuerAccredited: boolean
      statusReference?: { uri: string; idx: number }
    }[]
  }
  const credentials = result.credentials ?? []
  const presentedIds = credentials.map(
    (x) => x.id ?? (x.statusReference ? `${x.statusReference.uri}#${x.statusReference.idx}` : `${typeOf(x.types)}:${x.issuer}`),
  )
  if (result.walletError)
    return { inputs: null, error: { code: 'WALLET_ERROR', message: `the wallet declined: ${result.walletError.error}` }, presentedIds }
  if (!result.verified) {
    const error = result.error ?? { code: 'ERR_PRESENTATION_INVALID', message: 'the presentation did not verify' }
    return { inputs: null, error: { code: error.code, message: error.message }, presentedIds }
  }
  const inputs: CaseInput[] = credentials
    .map((x, i) => ({ x, presentedId: presentedIds[i]! }))
    .filter(({ x }) => x.verified && x.issuerAccredited)
    .map(({ x, presentedId }) => ({
      prerequisite: typeOf(x.types),
      type: typeOf(x.types),
      credentialId: presentedId,
      issuer: x.issuer,
      issuerName: x.issuerName,
      claims: x.claims,
    }))
  return { inputs, error: null, presentedIds }
}

/** A credential's own type: a VC-JWT lists VerifiableCredential too. */
function typeOf(types: string[]): string {
  return types.find((t) => t !== 'VerifiableCredential') ?? types[0] ?? ''
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

export type { LocalizedText }
