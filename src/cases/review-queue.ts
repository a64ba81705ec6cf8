import type { DepartmentPrincipal } from '../issuing/departments/department-principal.js'
import { actorOf } from '../issuing/departments/department-principal.js'
import { AppError, BadRequestError, ConflictError, NotFoundError } from '../shared/errors/app-error.js'
import type { ReviewState, StepOffer, StoredCase, StoredReview } from './case-model.js'
import type { OnestopCases } from './onestop-cases.js'
import { caseStateOf, runWaitingSteps } from './run-steps.js'

/** The conditions a step failed (a clerk approved it anyway). */
const failedConditionIds = (c: StoredCase, index: number): string[] =>
  c.steps[index]!.conditions.filter((x) => x.result === 'failed').map((x) => x.id)

const STATES: readonly ReviewState[] = ['open', 'approved', 'refused']
const MAX_REASON = 500
const LIST_LIMIT = 200

/**
 * The department's review queue: the steps its rules did not pass. A clerk approves (the credential is offered
 * as the rule would have, and the next steps run) or refuses with a reason the applicant reads.
 */
export class ReviewQueue {
  constructor(private readonly cases: OnestopCases) {}

  private get deps() {
    return this.cases.runner
  }

  /** GET /v1/onestop/reviews?state=: the caller's department's tasks, oldest first. */
  async list(principal: DepartmentPrincipal, state: unknown = 'open') {
    if (typeof state !== 'string' || !STATES.includes(state as ReviewState))
      throw new BadRequestError('ERR_INVALID_REQUEST', `state is one of ${STATES.join(', ')}`)
    const reviews = await this.deps.store.listReviews(principal.department.id, state as ReviewState, LIST_LIMIT)
    const views = []
    for (const review of reviews) views.push(await this.describe(review))
    return views
  }

  async approve(principal: DepartmentPrincipal, id: string) {
    const review = await this.owned(principal, id)
    return this.cases.serialized(review.caseId, async () => {
      const c = (await this.deps.store.get(review.caseId))!
      const step = c.steps[review.stepIndex]!
      // Before anything is decided: a case the rule cannot fill (its form or its output fails) is not approvable.
      const evaluation = await this.deps.evaluate(
        step,
        { credentials: await this.cases.stepInputs(c, step), form: await this.deps.formOf(step, c.form) },
        { ignoreConditions: true },
      )
      if (evaluation.outcome !== 'eligible')
        throw new ConflictError(
          'ERR_REVIEW_DECIDED',
          `this case cannot be approved as it stands (${evaluation.outcome}): refuse it with a reason`,
        )
      await this.decide(principal, review, 'approved', null)
      let offer: StepOffer | null = null
      let error: { code: string; message: string } | null = null
      try {
        offer = await this.deps.offer(step, evaluation.outputClaims!, principal)
      } catch (e) {
        if (!(e instanceof AppError) || e.status >= 500) throw e
        error = { code: e.code, message: e.message }
      }
      await this.deps.store.change(c.id, async (current, m) => {
        const decided = current.steps[review.stepIndex]!
        current.steps[review.stepIndex] = offer
          ? { ...decided, state: 'issued', offer, outputClaims: evaluation.outputClaims, error: null }
          : { ...decided, state: 'failed', error }
        current.state = caseStateOf(current)
        current.updatedAt = new Date().toISOString()
        await this.deps.store.update(current, m)
        // The decision that issued: the clerk's approval, with the offer it made (or why none could be made).
        await this.deps.audit.append(
          {
            departmentId: review.departmentId,
            actor: actorOf(principal),
            action: 'onestop-decision',
            details: {
              caseId: c.id,
              ruleId: step.ruleId,
              version: step.version,
              ruleHash: step.ruleHash,
              outputType: step.outputType,
              outcome: offer ? 'approved' : `refused:${error!.code}`,
              failedConditions: failedConditionIds(current, review.stepIndex),
              inputCredentialIds: step.inputCredentialIds,
              offerId: offer?.id ?? null,
              reviewId: review.id,
            },
          },
          m,
        )
      })
      await runWaitingSteps(this.deps, c.id)
      return this.describe((await this.deps.store.getReview(id))!)
    })
  }

  async refuse(principal: DepartmentPrincipal, id: string, body: unknown) {
    const reason = (body as { reason?: unknown } | null)?.reason
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_REASON)
      throw new BadRequestError('ERR_INVALID_REQUEST', `reason is required: 1 to ${MAX_REASON} characters the applicant will read`)
    const review = await this.owned(principal, id)
    return this.cases.serialized(review.caseId, async () => {
      await this.decide(principal, review, 'refused', reason.trim(), (c) => {
        c.steps[review.stepIndex]!.state = 'refused'
        for (const later of c.steps.slice(review.stepIndex + 1)) if (later.state === 'waiting') later.state = 'blocked'
      })
      return this.describe((await this.deps.store.getReview(id))!)
    })
  }

  /** Marks the task decided (409 when someone else did first) with its audit entry, and updates the case in the same transaction. */
  private async decide(
    principal: DepartmentPrincipal,
    review: StoredReview,
    state: 'approved' | 'refused',
    reason: string | null,
    changeCase?: (c: StoredCase) => void,
  ): Promise<void> {
    await this.deps.store.change(review.caseId, async (c, m) => {
      const at = new Date().toISOString()
      if (!(await this.deps.store.decideReview(review.id, { state, reason, by: actorOf(principal), at }, m)))
        throw new ConflictError('ERR_REVIEW_DECIDED', `review ${review.id} was already decided`)
      if (changeCase) {
        changeCase(c)
        c.state = caseStateOf(c)
        c.updatedAt = at
        await this.deps.store.update(c, m)
      }
      const step = c.steps[review.stepIndex]!
      await this.deps.audit.append(
        {
          departmentId: review.departmentId,
          actor: actorOf(principal),
          action: 'onestop-review',
          details: {
            caseId: review.caseId,
            reviewId: review.id,
            ruleId: step.ruleId,
            version: step.version,
            ruleHash: step.ruleHash,
            outputType: step.outputType,
            decision: state,
            reason,
          },
        },
        m,
      )
    })
  }

  private async owned(principal: DepartmentPrincipal, id: string): Promise<StoredReview> {
    const review = id.length <= 100 ? await this.deps.store.getReview(id) : undefined
    if (!review || review.departmentId !== principal.department.id)
      throw new NotFoundError('ERR_REVIEW_NOT_FOUND', `your department has no review task ${id.slice(0, 100)}`)
    if (review.state !== 'open') throw new ConflictError('ERR_REVIEW_DECIDED', `review ${id} was already ${review.state}`)
    return review
  }

  private async describe(review: StoredReview) {
    const c = (await this.deps.store.get(review.caseId))!
    const step = c.steps[review.stepIndex]!
    const prerequisites = await this.deps.prerequisites(step)
    return {
      id: review.id,
      caseId: review.caseId,
      state: review.state,
      createdAt: review.createdAt,
      decidedAt: review.decidedAt,
      decidedBy: review.decidedBy,
      reason: review.reason,
      step: { ruleId: step.ruleId, version: step.version, title: step.title, outputType: step.outputType },
      conditions: step.conditions,
      formErrors: step.formErrors,
      form: await this.deps.formOf(step, c.form),
      inputs: prerequisites.map((p) => {
        const input = c.inputs?.find((i) => i.type === p.type)
        const chained = c.steps.find((s) => s !== step && s.outputType === p.type && s.state === 'issued')
        return chained
          ? {
              prerequisite: p.id,
              type: p.type,
              issuer: null,
              issuerName: null,
              claims: chained.outputClaims ?? {},
              chainedFrom: chained.ruleId,
            }
          : {
              prerequisite: p.id,
              type: p.type,
              issuer: input?.issuer ?? null,
              issuerName: input?.issuerName ?? null,
              claims: input?.claims ?? {},
            }
      }),
    }
  }
}
