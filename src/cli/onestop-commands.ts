import { readFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import type { ServiceContext } from '../app/service-context.js'
import type { DepartmentPrincipal } from '../issuing/departments/department-principal.js'
import { OnestopRules, type PublicRule } from '../issuing/onestop/publish-rule.js'
import { RuleStore } from '../issuing/onestop/rule-store.js'
import { isAppError } from '../shared/errors/app-error.js'
import { CliError } from './governance-commands.js'

export interface OnestopFlags {
  department?: string
}

const USAGE =
  'onestop rules list [--department ID] | show ID VERSION [--department ID] | draft FILE.json --department ID | ' +
  'test ID VERSION INPUTS.json --department ID | publish ID VERSION --department ID | retire ID VERSION --department ID'

/**
 * `govcred onestop rules …`: a department's one-stop rules on this node's data directory, as the HTTP API
 * (`/v1/onestop/rules`) does them: drafts validated in full, tests on sample inputs issuing nothing, publication
 * anchoring the rule's hash from the department's own chain account, retirement clearing it. The CLI acts as the
 * department's own systems (as an API key does): the operator of this node answers for it, and is named
 * `cli:<user>`. A refusal is the API's error code and message (exit code 1); `rules test` also exits with 1 when
 * the rule would not issue (its outcome is printed either way).
 *
 * @example
 * await onestopCommand(ctx, ['rules', 'publish', 'open-a-business', '1.0.0'], { department: 'market-supervision' })
 */
export async function onestopCommand(ctx: ServiceContext, args: string[], flags: OnestopFlags): Promise<unknown> {
  const [group, action, ...rest] = args
  if (group !== 'rules') throw new CliError(`unknown onestop command "${group ?? ''}" (${USAGE})`)
  const store = new RuleStore(ctx.db)
  const rules = new OnestopRules({ rules: store, departments: ctx.departments, writer: ctx.writer, anchors: ctx.registries.anchors })
  try {
    switch (action) {
      case 'list': {
        const published = await rules.listPublished()
        return published.filter((r) => !flags.department || r.department === flags.department).map(summary)
      }
      case 'show': {
        const [id, version] = idAndVersion(rest, 'show')
        if (flags.department) {
          // The department's own view includes its drafts, which the public never sees.
          const principal = await principalOf(ctx, flags.department)
          const stored = await store.get(id, version)
          if (stored?.departmentId === principal.department.id && stored.state === 'draft')
            return { id, version, department: stored.departmentId, state: stored.state, hash: stored.hash, document: stored.document }
        }
        return await rules.getPublic(id, version)
      }
      case 'draft': {
        const [file] = rest
        if (!file) throw new CliError('onestop rules draft needs a FILE.json (the rule document)')
        const rule = await rules.createDraft(await principalOf(ctx, flags.department), readJson(file, 'the rule document'))
        return summary(rule)
      }
      case 'test': {
        const [id, version] = idAndVersion(rest, 'test')
        const file = rest[2]
        if (!file) throw new CliError('onestop rules test needs ID VERSION INPUTS.json ({"credentials": {…}, "form": {…}})')
        const evaluation = await rules.test(await principalOf(ctx, flags.department), id, version, readJson(file, 'the inputs'))
        if (evaluation.outcome !== 'eligible') process.exitCode = 1
        return evaluation
      }
      case 'publish': {
        const [id, version] = idAndVersion(rest, 'publish')
        return summary(await rules.publish(await principalOf(ctx, flags.department), id, version))
      }
      case 'retire': {
        const [id, version] = idAndVersion(rest, 'retire')
        return summary(await rules.retire(await principalOf(ctx, flags.department), id, version))
      }
      default:
        throw new CliError(`unknown onestop rules command "${action ?? ''}" (${USAGE})`)
    }
  } catch (error) {
    if (!isAppError(error)) throw error
    const problems = (error.details as { problems?: Array<{ pointer: string; message: string }> } | undefined)?.problems
    const lines = problems?.map((p) => `\n  ${p.pointer || '/'}: ${p.message}`).join('') ?? ''
    throw new CliError(`${error.code}: ${error.message}${lines}`)
  }
}

/** The department acting through this CLI: like an API key (not a clerk's session), named `cli:<user>`. */
async function principalOf(ctx: ServiceContext, departmentId: string | undefined): Promise<DepartmentPrincipal> {
  if (!departmentId) throw new CliError("--department ID is required: a rule is the department's own")
  const department = (await ctx.departments.get(departmentId)) ?? (await ctx.departments.byDid(departmentId))
  if (!department) throw new CliError(`unknown department ${departmentId}; "govcred department list" shows this node's`)
  return { department, scopes: [...department.credentialTypes], actor: `cli:${userInfo().username}` }
}

function idAndVersion(rest: string[], action: string): [string, string] {
  const [id, version] = rest
  if (!id || !version) throw new CliError(`onestop rules ${action} needs a rule ID and a VERSION (e.g. open-a-business 1.0.0)`)
  return [id, version]
}

function readJson(file: string, what: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read ${what} from ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CliError(`${file} is not JSON (${what}): ${(error as Error).message}`)
  }
}

function summary(rule: PublicRule) {
  return {
    id: rule.id,
    version: rule.version,
    department: rule.department,
    state: rule.state,
    title: rule.document.title,
    outputType: rule.document.output.type,
    hash: rule.hash,
    anchor: rule.anchor,
    publishedAt: rule.publishedAt,
    retiredAt: rule.retiredAt,
  }
}
