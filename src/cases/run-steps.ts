import { randomUUID } from 'node:crypto'
import type { EntityManager } from 'typeorm'
import type { AuditAppendInput } from '../issuing/audit/audit-log.js'
import type { DepartmentPrincipal } from '../issuing/departments/department-principal.js'
import type { RuleEvaluation } from '../issuing/onestop/evaluate-rule.js'
import { AppError } from '../shared/errors/app-error.js'
import type { CaseState, CaseStep, StepOffer, StoredCase } from './case-model.js'
import type { CaseStore } from './case-store.js'

/** What running a case's steps needs: the rules, the offer path, the audit log and the store. */
export interface StepRunnerDeps {
  store: CaseStore
  /** The pinned rule's evaluation (anchored hash checked first). */
  evaluate: (step: CaseStep, inputs: unknown, options?: { ignoreConditions?: boolean }) => Promise<RuleEvaluation>
  /**
   * A step's output offered to the applicant's wallet through the department's ordinary offer path: in the
   * rule's name, or in the name of the clerk (or key) who approved it after review.
   */
  offer: (step: CaseStep, claims: Record<string, unknown>, approvedBy?: DepartmentPrincipal) => Promise<StepOffer>
  audit: { append(input: AuditAppendInput, manager?: EntityManager): Promise<unknown> }
  /** The prerequisites each step's rule declares, by step index. */
  prerequisites: (step: CaseStep) => Promise<{ id: string; type: string }[]>
  /** The form fields a step's rule declares. */
  formOf: (step: CaseStep, form: Record<string, unknown>) => Promise<Record<string, unknown>>
}

/** The state a case is in, from its steps. */
export function caseStateOf(c: Pick<StoredCase, 'steps' | 'inputs' | 'presentationError'>): CaseState {
  if (c.presentationError) return 'failed'
  if (c.inputs === null) return 'awaiting-presentation'
  if (c.steps.some((s) => s.state === 'failed')) return 'failed'
  if (c.steps.some((s) => s.state === 'refused')) return 'refused'
  if (c.steps.every((s) => s.state === 'issued')) return 'completed'
  return 'in-progress'
}

/**
 * Runs the case's waiting steps in order until one stops (in review, failed) or all are issued. Each decision is
 * written with its audit entry in one transaction; the offer is made before it (its own transaction).
 */
export async function runWaitingSteps(deps: StepRunnerDeps, caseId: string): Promise<void> {
  for (;;) {
    const c = (await deps.store.get(caseId))!
    const index = c.steps.findIndex((s) => s.state !== 'issued')
    if (index === -1 || c.steps[index]!.state !== 'waiting') return
    await decideStep(deps, c, index)
  }
}

async function decideStep(deps: StepRunnerDeps, c: StoredCase, index: number): Promise<void> {
  const step = c.steps[index]!
  const { credentials, inputCredentialIds } = await stepCredentials(deps, c, step)
  const actor = `onestop:${step.ruleId}@${step.version}`
  let evaluation: RuleEvaluation | undefined
  let offer: StepOffer | null = null
  let error: { code: string; message: string } | null = null
  try {
    evaluation = await deps.evaluate(step, { credentials, form: await deps.formOf(step, c.form) })
    if (evaluation.outcome === 'eligible') offer = await deps.offer(step, evaluation.outputClaims!)
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e
    error = { code: e.code, message: e.message }
  }
  const reviewId = !error && !offer ? randomUUID() : null
  const next: CaseStep = {
    ...step,
    state: error ? 'failed' : offer ? 'issued' : 'in-review',
    conditions: evaluation?.conditions ?? [],
    formErrors: evaluation?.formErrors ?? [],
    inputCredentialIds,
    offer,
    outputClaims: offer ? evaluation!.outputClaims : null,
    reviewId,
    error: error ?? (evaluation?.outcome === 'output-invalid' ? outputProblem(evaluation) : null),
  }
  await deps.store.change(c.id, async (current, m) => {
    current.steps[index] = next
    current.state = caseStateOf(current)
    current.updatedAt = new Date().toISOString()
    await deps.store.update(current, m)
    if (reviewId) {
      await deps.store.insertReview(
        {
          id: reviewId,
          caseId: c.id,
          stepIndex: index,
          departmentId: step.departmentId,
          state: 'open',
          reason: null,
          decidedBy: null,
          decidedAt: null,
          createdAt: current.updatedAt,
        },
        m,
      )
    }
    await deps.audit.append(
      {
        departmentId: step.departmentId,
        actor,
        action: 'onestop-decision',
        details: {
          caseId: c.id,
          ruleId: step.ruleId,
          version: step.version,
          ruleHash: step.ruleHash,
          outputType: step.outputType,
          outcome: error ? `refused:${error.code}` : evaluation!.outcome,
          failedConditions: next.conditions.filter((x) => x.result === 'failed').map((x) => x.id),
          inputCredentialIds,
          offerId: offer?.id ?? null,
          reviewId,
        },
      },
      m,
    )
  })
}

/** The claims a step's rule is evaluated on: presented credentials by type, or an earlier step's output. */
export async function stepCredentials(deps: StepRunnerDeps, c: StoredCase, step: CaseStep) {
  const credentials: Record<string, Record<string, unknown>> = {}
  const inputCredentialIds: string[] = []
  for (const p of await deps.prerequisites(step)) {
    const earlier = c.steps.find((s) => s !== step && s.state === 'issued' && s.outputType === p.type)
    if (earlier) {
      credentials[p.id] = earlier.outputClaims ?? {}
      inputCredentialIds.push(`offer:${earlier.offer!.id}`)
      continue
    }
    const input = c.inputs?.find((i) => i.type === p.type)
    if (input) {
      credentials[p.id] = input.claims
      inputCredentialIds.push(input.credentialId ?? `${input.type}:${input.issuer}`)
    }
  }
  return { credentials, inputCredentialIds }
}

function outputProblem(evaluation: RuleEvaluation): { code: string; message: string } {
  const fields = evaluation.outputErrors.map((e) => e.field).join(', ')
  return { code: 'ERR_CLAIMS_INVALID', message: `the rule's output claims fail the credential's schema (${fields}): a clerk decides` }
}
