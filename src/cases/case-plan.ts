import type { PublicRule } from '../issuing/onestop/publish-rule.js'
import { checkForm } from '../issuing/onestop/evaluate-rule.js'
import { BadRequestError, NotFoundError, ValidationError } from '../shared/errors/app-error.js'
import type { BundleDefinition } from './bundle-definitions.js'

/** What the wallet is asked for once, at the start: one DCQL credential query per type no earlier step produces. */
export interface AskedPrerequisite {
  /** The DCQL credential query id: the first prerequisite's id of that type. */
  id: string
  type: string
  claims: string[]
  neededBy: string
}

/** A bundle with each step's pinned rule version. */
export interface CasePlan {
  bundle: BundleDefinition
  rules: PublicRule[]
  asked: AskedPrerequisite[]
}

/**
 * Pins each step of `bundle` to its rule's newest published version and works out which prerequisites the wallet
 * must present: a type an earlier step outputs is taken from that step (chained), every other is asked for, once
 * per type with the union of the claims the steps read.
 *
 * @throws NotFoundError ERR_BUNDLE_NOT_FOUND when a step's rule has no published version.
 */
export async function planBundle(
  bundle: BundleDefinition,
  newestPublished: (id: string) => Promise<PublicRule | undefined>,
): Promise<CasePlan> {
  const rules: PublicRule[] = []
  for (const ruleId of bundle.steps) {
    const rule = await newestPublished(ruleId)
    if (!rule) throw new NotFoundError('ERR_BUNDLE_NOT_FOUND', `bundle ${bundle.id}: rule ${ruleId} has no published version`)
    rules.push(rule)
  }
  const asked = new Map<string, AskedPrerequisite>()
  rules.forEach((rule, index) => {
    const produced = new Set(rules.slice(0, index).map((r) => r.document.output.type))
    for (const p of rule.document.prerequisites) {
      if (produced.has(p.type)) continue
      const known = asked.get(p.type)
      if (known) known.claims = [...new Set([...known.claims, ...p.claims])]
      else asked.set(p.type, { id: p.id, type: p.type, claims: [...p.claims], neededBy: rule.id })
    }
  })
  return { bundle, rules, asked: [...asked.values()] }
}

/** The bundle's form: the union of its steps' form properties (a field two steps share keeps the first's schema). */
export function bundleForm(plan: Pick<CasePlan, 'rules'>): Record<string, unknown> {
  const properties: Record<string, unknown> = {}
  const required = new Set<string>()
  for (const rule of plan.rules) {
    const form = rule.document.form as { properties?: Record<string, unknown>; required?: string[] }
    for (const [name, schema] of Object.entries(form.properties ?? {})) properties[name] ??= schema
    for (const name of form.required ?? []) required.add(name)
  }
  return { type: 'object', additionalProperties: false, required: [...required], properties }
}

/** The fields of the case's form that a step's rule declares: the only ones its expressions see. */
export function stepForm(rule: PublicRule, form: Record<string, unknown>): Record<string, unknown> {
  const declared = Object.keys((rule.document.form as { properties?: Record<string, unknown> }).properties ?? {})
  return Object.fromEntries(declared.filter((name) => Object.hasOwn(form, name)).map((name) => [name, form[name]]))
}

/**
 * Checks the applicant's form before anything is asked of the wallet: a field no step declares, and every step's
 * own schema on its fields. 422 ERR_FORM_INVALID with every problem by JSON pointer.
 */
export function assertFormValid(plan: CasePlan, form: unknown): Record<string, unknown> {
  if (typeof form !== 'object' || form === null || Array.isArray(form))
    throw new BadRequestError('ERR_INVALID_REQUEST', "form must be a JSON object of the bundle's fields")
  const fields = form as Record<string, unknown>
  const declared = new Set(Object.keys((bundleForm(plan).properties as Record<string, unknown>) ?? {}))
  const details: { field: string; code: string; message: string }[] = Object.keys(fields)
    .filter((name) => !declared.has(name))
    .map((name) => ({ field: `/${name}`, code: 'ERR_FIELD_UNKNOWN', message: `/${name} is not a field of this bundle` }))
  const seen = new Set(details.map((d) => d.field))
  for (const rule of plan.rules) {
    for (const problem of checkForm(rule.document, stepForm(rule, fields))) {
      if (seen.has(problem.field + problem.message)) continue
      seen.add(problem.field + problem.message)
      details.push({ field: problem.field, code: 'ERR_FIELD_INVALID', message: problem.message })
    }
  }
  if (details.length > 0)
    throw new ValidationError(
      'ERR_FORM_INVALID',
      `the form has ${details.length} problem(s): ${details.map((d) => d.message).join('; ')}`,
      { details },
    )
  return fields
}
