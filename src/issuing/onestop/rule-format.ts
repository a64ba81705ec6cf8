/**
 * The one-stop rule document: a department's issuance rule as data (no code). A rule names the output credential
 * type, the prerequisite credentials and the claims it reads from each, the form fields no credential holds (a
 * JSON Schema), the conditions (JSON Logic) and how each output claim is computed (JSON Logic).
 *
 * The JSON Logic data every expression sees is `{credentials: {<prerequisite id>: {<claim>: value}}, form: {...},
 * decision: {date}}` (`decision.date`: the day the rule decides, YYYY-MM-DD in Asia/Shanghai).
 */

/** Text shown to people, in both languages. */
export interface LocalizedText {
  'zh-CN': string
  en: string
}

/** A credential the applicant presents, and the claims the rule reads from it. */
export interface RulePrerequisite {
  /** Slug; the key under `credentials` in the expressions' data. */
  id: string
  /** A catalogue credential type. */
  type: string
  /** Top-level claims of that type the rule reads (and the presentation must disclose). */
  claims: string[]
}

/** One condition; all must pass for the output credential to be issued. */
export interface RuleCondition {
  id: string
  description: LocalizedText
  /** A JSON Logic expression that must be truthy. */
  rule: unknown
}

/** A one-stop rule document, as published and hashed. */
export interface RuleDocument {
  id: string
  version: string
  department: string
  title: LocalizedText
  output: { type: string }
  prerequisites: RulePrerequisite[]
  /** JSON Schema (2020-12, `type: object`) of the form fields; property titles are "中文 / English". */
  form: Record<string, unknown>
  conditions: RuleCondition[]
  /** Output claim name → JSON Logic expression computing it. */
  outputClaims: Record<string, unknown>
}

/**
 * The JSON Logic operations a rule may use. Everything else (notably json-logic-js's `method`, which calls any
 * method of any value, and `log`) is refused at publication: a rule is data a department may not turn into code.
 */
export const ALLOWED_OPERATIONS: ReadonlySet<string> = new Set([
  'var',
  '==',
  '===',
  '!=',
  '!==',
  '<',
  '<=',
  '>',
  '>=',
  'and',
  'or',
  '!',
  '!!',
  'if',
  'in',
  'cat',
  'substr',
  '+',
  '-',
  '*',
  '/',
  '%',
  'min',
  'max',
  'all',
  'some',
  'none',
  'merge',
  'missing',
])

/** Operations whose second argument is evaluated once per item of the first: there `var` names the item's fields. */
export const ITEM_SCOPED_OPERATIONS: ReadonlySet<string> = new Set(['all', 'some', 'none'])

/** Bounds on a rule document, so an anonymous-looking draft cannot cost the node much to check or evaluate. */
export const RULE_LIMITS = Object.freeze({
  /** Serialized document size, in characters. */
  maxDocumentChars: 64_000,
  /** Nesting depth of one expression. */
  maxExpressionDepth: 24,
  /** Nodes (operations, arrays and values) of one expression. */
  maxExpressionNodes: 500,
  maxPrerequisites: 10,
  maxConditions: 50,
  maxFormFields: 50,
  maxOutputClaims: 50,
})

/** Slug of rule, prerequisite and condition ids. */
export const RULE_SLUG = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/
/** Semantic version (no build metadata). */
export const RULE_SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$/
