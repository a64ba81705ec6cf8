import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DepartmentStore } from '../issuing/departments/department-store.js'
import type { OnestopRules } from '../issuing/onestop/publish-rule.js'
import type { Logger } from '../shared/logger.js'

export type DemoRuleOutcome = 'published' | 'already-published' | 'skipped'

/** `<repo>/rules`: the demo's one-stop rules (bundles are in `rules/bundles`). */
export function defaultRulesDir(): string {
  return fileURLToPath(new URL('../../rules', import.meta.url))
}

/**
 * Publishes the demo's one-stop rules (`<dir>/*.json`) in their departments' names, each version once: a
 * version already published (or retired) is left as it is, so a restart changes nothing. A rule whose department
 * does not issue its output type here (a data directory made before that type existed) is skipped with a warning.
 */
export async function publishDemoRules(
  rules: Pick<OnestopRules, 'createDraft' | 'publish' | 'getPublic'>,
  departments: Pick<DepartmentStore, 'get'>,
  dir: string,
  logger: Logger,
): Promise<{ ruleId: string; version: string; outcome: DemoRuleOutcome }[]> {
  const results: { ruleId: string; version: string; outcome: DemoRuleOutcome }[] = []
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
  for (const file of files) {
    const document = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      id: string
      version: string
      department: string
      output: { type: string }
    }
    const { id, version } = document
    if (await isPublic(rules, id, version)) {
      results.push({ ruleId: id, version, outcome: 'already-published' })
      continue
    }
    const department = await departments.get(document.department)
    if (!department?.credentialTypes.includes(document.output.type)) {
      logger.warn(
        `demo one-stop rule ${id}@${version} skipped: ${document.department} does not issue ${document.output.type} in this data directory`,
      )
      results.push({ ruleId: id, version, outcome: 'skipped' })
      continue
    }
    const principal = { department, scopes: ['*'], actor: 'demo-bootstrap' }
    await rules.createDraft(principal, document)
    await rules.publish(principal, id, version)
    results.push({ ruleId: id, version, outcome: 'published' })
  }
  return results
}

async function isPublic(rules: Pick<OnestopRules, 'getPublic'>, id: string, version: string): Promise<boolean> {
  try {
    await rules.getPublic(id, version)
    return true
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_RULE_NOT_FOUND') return false
    throw error
  }
}
