import { isCredentialTypeName, type CredentialTypeName } from '../../catalog/credential-types.js'
import { loadSchema } from '../../catalog/schemas/load-schemas.js'
import { createClaimsAjv } from '../../catalog/schemas/validate-claims.js'
import { ValidationError } from '../../shared/errors/app-error.js'
import { ALLOWED_OPERATIONS, ITEM_SCOPED_OPERATIONS, RULE_LIMITS, RULE_SEMVER, RULE_SLUG, type RuleDocument } from './rule-format.js'

/** One problem of a rule document, located by a JSON pointer into it. */
export interface RuleProblem {
  pointer: string
  message: string
}

/** What validation needs to know beyond the catalogue: the credential types the rule's department issues. */
export interface RuleContext {
  /** The department's credential types; undefined when the department is not on this node. */
  departmentTypes: readonly string[] | undefined
}

const DOCUMENT_KEYS = ['id', 'version', 'department', 'title', 'output', 'prerequisites', 'form', 'conditions', 'outputClaims']

/**
 * Checks a rule document in full and lists every problem, each with a JSON pointer: its shape, the catalogue
 * types and claims it names, every `var` path, every operation (whitelist, depth, size), the output claims
 * against the output type's schema, the department's right to issue the output type, and the form schema.
 *
 * @example
 * validateRule(body, { departmentTypes: ['BusinessLicenseCredential'] }) // [] when the rule may be published
 */
export function validateRule(doc: unknown, context: RuleContext): RuleProblem[] {
  const problems: RuleProblem[] = []
  const add = (pointer: string, message: string) => problems.push({ pointer, message })
  if (!isObject(doc)) return [{ pointer: '', message: 'a rule is a JSON object' }]
  if (JSON.stringify(doc).length > RULE_LIMITS.maxDocumentChars)
    return [{ pointer: '', message: `a rule is at most ${RULE_LIMITS.maxDocumentChars} characters of JSON` }]
  for (const key of Object.keys(doc)) if (!DOCUMENT_KEYS.includes(key)) add(`/${esc(key)}`, `unknown member ${key}`)

  if (typeof doc.id !== 'string' || !RULE_SLUG.test(doc.id) || doc.id.length > 100) add('/id', 'id is a slug (a-z, 0-9, "-", ".")')
  if (typeof doc.version !== 'string' || !RULE_SEMVER.test(doc.version) || doc.version.length > 40)
    add('/version', 'version is a semantic version such as 1.0.0')
  if (typeof doc.department !== 'string' || doc.department.length === 0) add('/department', 'department is a department id')
  checkText(doc.title, '/title', add)

  const outputType = checkOutput(doc.output, context, add)
  const credentialClaims = checkPrerequisites(doc.prerequisites, add)
  const formFields = checkForm(doc.form, add)
  const scope: VarScope = { credentials: credentialClaims, form: formFields }

  if (!Array.isArray(doc.conditions) || doc.conditions.length > RULE_LIMITS.maxConditions) {
    add('/conditions', `conditions is an array of at most ${RULE_LIMITS.maxConditions}`)
  } else {
    const seen = new Set<string>()
    doc.conditions.forEach((condition, i) => {
      const at = `/conditions/${i}`
      if (!isObject(condition)) return add(at, 'a condition is {id, description, rule}')
      if (typeof condition.id !== 'string' || !RULE_SLUG.test(condition.id)) add(`${at}/id`, 'a condition id is a slug')
      else if (seen.has(condition.id)) add(`${at}/id`, `condition id ${condition.id} repeats`)
      else seen.add(condition.id)
      checkText(condition.description, `${at}/description`, add)
      if (!('rule' in condition)) add(`${at}/rule`, 'a condition needs a rule (a JSON Logic expression)')
      else checkExpression(condition.rule, `${at}/rule`, scope, add)
    })
  }
  checkOutputClaims(doc.outputClaims, outputType, scope, add)
  return problems
}

/**
 * {@link validateRule}, throwing 422 ERR_RULE_INVALID with the problems in `details.problems`.
 *
 * @example
 * const rule = assertValidRule(req.body, { departmentTypes: department.credentialTypes })
 */
export function assertValidRule(doc: unknown, context: RuleContext): RuleDocument {
  const problems = validateRule(doc, context)
  if (problems.length > 0) {
    const first = problems[0]!
    throw new ValidationError('ERR_RULE_INVALID', `the rule is refused: ${first.pointer || '/'} ${first.message}`, {
      details: { problems },
    })
  }
  return doc as unknown as RuleDocument
}

type Add = (pointer: string, message: string) => void

/** The names a `var` may reach: each prerequisite's claims, and the form's fields. */
interface VarScope {
  credentials: Map<string, Set<string>>
  form: Set<string>
}

function checkOutput(output: unknown, context: RuleContext, add: Add): CredentialTypeName | undefined {
  if (!isObject(output) || typeof output.type !== 'string') {
    add('/output/type', 'output.type names the credential type the rule issues')
    return undefined
  }
  if (!isCredentialTypeName(output.type)) {
    add('/output/type', `unknown credential type ${output.type}`)
    return undefined
  }
  if (!context.departmentTypes) add('/department', 'the department is not on this node')
  else if (!context.departmentTypes.includes(output.type)) add('/output/type', `the department does not issue ${output.type}`)
  return output.type
}

function checkPrerequisites(prerequisites: unknown, add: Add): Map<string, Set<string>> {
  const claimsById = new Map<string, Set<string>>()
  if (!Array.isArray(prerequisites) || prerequisites.length > RULE_LIMITS.maxPrerequisites) {
    add('/prerequisites', `prerequisites is an array of at most ${RULE_LIMITS.maxPrerequisites}`)
    return claimsById
  }
  prerequisites.forEach((p, i) => {
    const at = `/prerequisites/${i}`
    if (!isObject(p)) return add(at, 'a prerequisite is {id, type, claims}')
    if (typeof p.id !== 'string' || !RULE_SLUG.test(p.id)) return add(`${at}/id`, 'a prerequisite id is a slug')
    if (claimsById.has(p.id)) return add(`${at}/id`, `prerequisite id ${p.id} repeats`)
    const claims = new Set<string>()
    claimsById.set(p.id, claims)
    if (typeof p.type !== 'string' || !isCredentialTypeName(p.type)) return add(`${at}/type`, `unknown credential type ${String(p.type)}`)
    const known = topLevelClaims(p.type)
    if (!Array.isArray(p.claims) || p.claims.length === 0) return add(`${at}/claims`, 'claims lists the claims the rule reads')
    p.claims.forEach((claim, j) => {
      if (typeof claim !== 'string' || !known.has(claim)) add(`${at}/claims/${j}`, `${String(claim)} is not a claim of ${p.type}`)
      else claims.add(claim)
    })
  })
  return claimsById
}

function checkForm(form: unknown, add: Add): Set<string> {
  const fields = new Set<string>()
  if (!isObject(form) || form.type !== 'object' || !isObject(form.properties)) {
    add('/form', 'form is a JSON Schema with type "object" and properties')
    return fields
  }
  const names = Object.keys(form.properties)
  if (names.length > RULE_LIMITS.maxFormFields) add('/form/properties', `at most ${RULE_LIMITS.maxFormFields} form fields`)
  for (const name of names) {
    const field = form.properties[name]
    if (!isObject(field) || typeof field.title !== 'string' || !/\S \/ \S/.test(field.title))
      add(`/form/properties/${esc(name)}/title`, 'each form field has a title "中文 / English"')
    fields.add(name)
  }
  try {
    createClaimsAjv().compile(form)
  } catch (error) {
    add('/form', `the form schema does not compile: ${(error as Error).message}`)
  }
  return fields
}

function checkOutputClaims(outputClaims: unknown, outputType: CredentialTypeName | undefined, scope: VarScope, add: Add): void {
  if (!isObject(outputClaims) || Object.keys(outputClaims).length > RULE_LIMITS.maxOutputClaims) {
    add('/outputClaims', `outputClaims maps at most ${RULE_LIMITS.maxOutputClaims} output claims to expressions`)
    return
  }
  const known = outputType ? topLevelClaims(outputType) : undefined
  for (const [claim, expression] of Object.entries(outputClaims)) {
    const at = `/outputClaims/${esc(claim)}`
    if (known && !known.has(claim)) add(at, `${claim} is not a claim of ${outputType}`)
    checkExpression(expression, at, scope, add)
  }
  if (outputType) {
    const required = (loadSchema(outputType).schema.required as string[] | undefined) ?? []
    for (const claim of required)
      if (!Object.hasOwn(outputClaims, claim))
        add(`/outputClaims/${esc(claim)}`, `required claim ${claim} of ${outputType} is not computed`)
  }
}

/** Walks one JSON Logic expression: whitelisted operations only, bounded depth and size, every `var` path known. */
function checkExpression(expression: unknown, at: string, scope: VarScope, add: Add): void {
  let nodes = 0
  const walk = (node: unknown, pointer: string, depth: number, inItem: boolean): void => {
    if (++nodes > RULE_LIMITS.maxExpressionNodes) {
      if (nodes === RULE_LIMITS.maxExpressionNodes + 1) add(at, `an expression has at most ${RULE_LIMITS.maxExpressionNodes} nodes`)
      return
    }
    if (depth > RULE_LIMITS.maxExpressionDepth) return add(pointer, `an expression nests at most ${RULE_LIMITS.maxExpressionDepth} deep`)
    if (node === null || ['string', 'number', 'boolean'].includes(typeof node)) return
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${pointer}/${i}`, depth + 1, inItem))
    if (!isObject(node)) return add(pointer, 'not a JSON value')
    const keys = Object.keys(node)
    if (keys.length !== 1) return add(pointer, 'an operation is an object with exactly one operator')
    const op = keys[0]!
    const opPointer = `${pointer}/${esc(op)}`
    if (!ALLOWED_OPERATIONS.has(op)) return add(opPointer, `operation ${op} is not allowed in a rule`)
    const args = node[op]
    if (op === 'var') return checkVar(args, opPointer, scope, inItem, add)
    if (op === 'missing') return checkMissing(args, opPointer, scope, inItem, add)
    const list = Array.isArray(args) ? args : [args]
    if (ITEM_SCOPED_OPERATIONS.has(op)) {
      if (list.length !== 2) return add(opPointer, `${op} takes [array, test]`)
      walk(list[0], `${opPointer}/0`, depth + 1, inItem)
      return walk(list[1], `${opPointer}/1`, depth + 1, true)
    }
    list.forEach((arg, i) => walk(arg, Array.isArray(args) ? `${opPointer}/${i}` : opPointer, depth + 1, inItem))
  }
  walk(expression, at, 0, false)
}

function checkVar(args: unknown, at: string, scope: VarScope, inItem: boolean, add: Add): void {
  const list = Array.isArray(args) ? args : [args]
  if (list.length < 1 || list.length > 2) return add(at, 'var takes a path, or [path, default]')
  const path = list[0]
  if (list.length === 2 && (list[1] === null || typeof list[1] === 'object')) add(`${at}/1`, "a var's default is a plain value")
  const pointer = Array.isArray(args) ? `${at}/0` : at
  if (typeof path !== 'string' && typeof path !== 'number') return add(pointer, 'a var path is a string')
  // Inside all/some/none the data is the array's item, whose fields the catalogue schemas describe.
  if (inItem) return
  checkPath(String(path), pointer, scope, add)
}

function checkMissing(args: unknown, at: string, scope: VarScope, inItem: boolean, add: Add): void {
  const list = Array.isArray(args) ? args : [args]
  list.forEach((path, i) => {
    const pointer = Array.isArray(args) ? `${at}/${i}` : at
    if (typeof path !== 'string') return add(pointer, 'missing takes var paths')
    if (!inItem) checkPath(path, pointer, scope, add)
  })
}

function checkPath(path: string, pointer: string, scope: VarScope, add: Add): void {
  const [root, first, second] = path.split('.')
  if (root === 'form') {
    if (first === undefined || !scope.form.has(first)) add(pointer, `var ${path}: ${first ?? '(none)'} is not a form field`)
    return
  }
  if (root === 'decision') {
    if (first !== 'date' || second !== undefined) add(pointer, `var ${path}: the decision offers only decision.date`)
    return
  }
  if (root === 'credentials') {
    const claims = first === undefined ? undefined : scope.credentials.get(first)
    if (!claims) return add(pointer, `var ${path}: ${first ?? '(none)'} is not a prerequisite`)
    if (second === undefined || !claims.has(second))
      add(pointer, `var ${path}: ${second ?? '(none)'} is not a claim the prerequisite ${first} reads`)
    return
  }
  add(pointer, `var ${path}: a path starts with credentials.<prerequisite>.<claim>, form.<field> or decision.date`)
}

function topLevelClaims(type: CredentialTypeName): Set<string> {
  const properties = loadSchema(type).schema.properties as Record<string, unknown> | undefined
  return new Set(Object.keys(properties ?? {}))
}

function checkText(value: unknown, at: string, add: Add): void {
  if (!isObject(value)) return add(at, 'a text is {"zh-CN": …, "en": …}')
  for (const lang of ['zh-CN', 'en'])
    if (typeof value[lang] !== 'string' || value[lang].length === 0 || value[lang].length > 500)
      add(`${at}/${lang}`, `${lang} text is required`)
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function esc(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}
