import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RULE_SLUG, type LocalizedText } from '../issuing/onestop/rule-format.js'

/** A bundle: several departments' rules an applicant runs in one case, in order ("open a business"). */
export interface BundleDefinition {
  id: string
  title: LocalizedText
  description: LocalizedText
  /** Rule ids; each step runs the rule's newest published version at the time the case is opened. */
  steps: string[]
}

const MAX_STEPS = 10

/**
 * Reads every `*.json` bundle in `dir` (none when it does not exist). A malformed file stops the start with its
 * name and problem: a bundle is the platform's own configuration, not an applicant's input.
 */
export function loadBundles(dir: string): BundleDefinition[] {
  let files: string[]
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  } catch {
    return []
  }
  const bundles = files.sort().map((f) => parseBundle(JSON.parse(readFileSync(join(dir, f), 'utf8')), join(dir, f)))
  const ids = bundles.map((b) => b.id)
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i)
  if (repeated) throw new Error(`one-stop bundle ${repeated} is defined twice in ${dir}`)
  return bundles
}

export function parseBundle(input: unknown, where: string): BundleDefinition {
  const fail = (problem: string): never => {
    throw new Error(`one-stop bundle ${where}: ${problem}`)
  }
  if (!isObject(input)) return fail('not a JSON object')
  const { id, title, description, steps } = input
  if (typeof id !== 'string' || !RULE_SLUG.test(id)) fail('id must be a slug (a-z, 0-9, "-", ".")')
  for (const [name, text] of [
    ['title', title],
    ['description', description],
  ] as const) {
    if (!isObject(text) || typeof text['zh-CN'] !== 'string' || typeof text.en !== 'string')
      fail(`${name} must be {"zh-CN": "…", "en": "…"}`)
  }
  if (
    !Array.isArray(steps) ||
    steps.length === 0 ||
    steps.length > MAX_STEPS ||
    !steps.every((s) => typeof s === 'string' && RULE_SLUG.test(s))
  )
    fail(`steps must list 1 to ${MAX_STEPS} rule ids`)
  if (new Set(steps as string[]).size !== (steps as string[]).length) fail('a rule appears twice in steps')
  return { id: id as string, title: title as LocalizedText, description: description as LocalizedText, steps: steps as string[] }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}
