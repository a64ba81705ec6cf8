import jsonLogic from 'json-logic-js'
import type { RulesLogic } from 'json-logic-js'
import { isCredentialTypeName } from '../../catalog/credential-types.js'
import { createClaimsAjv, validateClaims, type FieldError } from '../../catalog/schemas/validate-claims.js'
import { BadRequestError, ConflictError } from '../../shared/errors/app-error.js'
import type { LocalizedText, RuleDocument } from './rule-format.js'
import { ruleHash } from './rule-hash.js'

/** What a rule is evaluated on: the disclosed claims of the verified credentials, by prerequisite id, and the form. */
export interface RuleInputs {
  credentials: Record<string, Record<string, unknown>>
  form: Record<string, unknown>
}

/** One condition's result. */
export interface ConditionResult {
  id: string
  result: 'passed' | 'failed'
  description: LocalizedText
}

/** A form field that fails the rule's form schema. */
export interface FormFieldError {
  field: string
  message: string
}

/**
 * The decision: `eligible` with the output claims; `not-eligible` naming the failed conditions; `form-invalid`
 * with the field errors (no condition evaluated); `output-invalid` when the computed claims fail the output
 * type's schema (the rule's fault or the inputs', never issued).
 */
export interface RuleEvaluation {
  outcome: 'eligible' | 'not-eligible' | 'form-invalid' | 'output-invalid'
  conditions: ConditionResult[]
  formErrors: FormFieldError[]
  outputClaims: Record<string, unknown> | null
  outputErrors: FieldError[]
  /** The recomputed canonical hash the evaluation was checked against. */
  ruleHash: string
}

const MAX_INPUT_CHARS = 100_000

/**
 * Evaluates a rule, purely. First the rule's canonical hash is recomputed and compared with the anchored one
 * (409 ERR_RULE_TAMPERED when they differ: the rule changed after its hash was anchored; `anchoredHash: null`
 * only for a draft under test). Then the form against its schema, each condition, and, when all pass, the output
 * claims against the output type's schema. Each expression sees only the claims its prerequisite declares.
 *
 * @throws ConflictError ERR_RULE_TAMPERED; BadRequestError ERR_INVALID_REQUEST when the inputs are not
 *   `{credentials: {<prerequisite id>: {…}}, form: {…}}` or a prerequisite is absent.
 * @example
 * const r = evaluateRule(rule, anchoredHash, { credentials: { premises: {...}, insured: {...} }, form: {...} })
 * if (r.outcome === 'eligible') issue(rule.output.type, r.outputClaims)
 */
export function evaluateRule(
  rule: RuleDocument,
  anchoredHash: string | null,
  inputs: unknown,
  options: { ignoreConditions?: boolean; date?: string } = {},
): RuleEvaluation {
  const hash = ruleHash(rule)
  if (anchoredHash !== null && hash !== anchoredHash.toLowerCase())
    throw new ConflictError('ERR_RULE_TAMPERED', `rule ${rule.id}@${rule.version} changed after its hash was anchored; it is not evaluated`)
  const { credentials, form } = readInputs(rule, inputs)
  // decision.date: the day the rule decides, in the city's time zone (e.g. a registration date).
  const data = { credentials, form, decision: { date: options.date ?? cityDate(new Date()) } }

  const formErrors = checkForm(rule, form)
  if (formErrors.length > 0)
    return { outcome: 'form-invalid', conditions: [], formErrors, outputClaims: null, outputErrors: [], ruleHash: hash }

  const conditions: ConditionResult[] = rule.conditions.map((c) => ({
    id: c.id,
    result: truthy(c.rule, data) ? 'passed' : 'failed',
    description: c.description,
  }))
  // A clerk's approval of a failed case still fills the output claims by the rule.
  if (!options.ignoreConditions && conditions.some((c) => c.result === 'failed'))
    return { outcome: 'not-eligible', conditions, formErrors: [], outputClaims: null, outputErrors: [], ruleHash: hash }

  const outputClaims: Record<string, unknown> = {}
  for (const [claim, expression] of Object.entries(rule.outputClaims)) outputClaims[claim] = apply(expression, data)
  const outputType = rule.output.type
  const checked = isCredentialTypeName(outputType) ? validateClaims(outputType, outputClaims) : { ok: true as const }
  const outputErrors = checked.ok ? [] : checked.errors
  return {
    outcome: outputErrors.length ? 'output-invalid' : 'eligible',
    conditions,
    formErrors: [],
    outputClaims,
    outputErrors,
    ruleHash: hash,
  }
}

/** YYYY-MM-DD in Asia/Shanghai. */
function cityDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

function readInputs(rule: RuleDocument, inputs: unknown): RuleInputs {
  if (!isObject(inputs) || !isObject(inputs.credentials) || !isObject(inputs.form ?? {}))
    throw new BadRequestError('ERR_INVALID_REQUEST', 'the inputs are {"credentials": {<prerequisite id>: {claims}}, "form": {fields}}')
  if (JSON.stringify(inputs).length > MAX_INPUT_CHARS)
    throw new BadRequestError('ERR_INVALID_REQUEST', `the inputs are at most ${MAX_INPUT_CHARS} characters`)
  const given = inputs.credentials
  const credentials: RuleInputs['credentials'] = {}
  for (const p of rule.prerequisites) {
    const claims = given[p.id]
    if (!isObject(claims)) throw new BadRequestError('ERR_INVALID_REQUEST', `the prerequisite ${p.id} (${p.type}) is missing`)
    // Only what the rule declares it reads is visible to its expressions.
    credentials[p.id] = Object.fromEntries(p.claims.filter((c) => Object.hasOwn(claims, c)).map((c) => [c, claims[c]]))
  }
  return { credentials, form: (inputs.form ?? {}) as Record<string, unknown> }
}

/** The form's problems against the rule's form schema, by JSON pointer (empty when it passes). */
export function checkForm(rule: Pick<RuleDocument, 'form'>, form: Record<string, unknown>): FormFieldError[] {
  const validate = createClaimsAjv().compile(rule.form)
  if (validate(form)) return []
  return (validate.errors ?? []).map((e) => {
    const field =
      e.keyword === 'required'
        ? `${e.instancePath}/${String(e.params.missingProperty)}`
        : e.keyword === 'additionalProperties'
          ? `${e.instancePath}/${String(e.params.additionalProperty)}`
          : e.instancePath
    return { field, message: `${field || '/'} ${e.message ?? 'is invalid'}` }
  })
}

function apply(expression: unknown, data: unknown): unknown {
  try {
    return jsonLogic.apply(expression as RulesLogic, data)
  } catch {
    return null
  }
}

function truthy(expression: unknown, data: unknown): boolean {
  return jsonLogic.truthy(apply(expression, data))
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}
