// `govcred onestop rules …` run as an operator runs it: a child process on the data directory of a running node
// (the embedded chain is shared). Drafts are validated in full, tests evaluate sample inputs, publication anchors
// the rule's hash from the department's own chain account, retirement clears it, and another department's rule
// is not found; refusals print the API's error code and exit with 1.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Contract, ZeroHash } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { ruleAnchorKey, ruleHash } from '../../src/issuing/onestop/rule-hash.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { MASKED_ID, NANJING_USCC, propertyCertificateClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DEMO_RULE = JSON.parse(readFileSync(new URL('../../rules/open-a-business.market-supervision.json', import.meta.url), 'utf8'))
const MARKET = 'market-supervision'
const ID = 'cli-open-a-business'

let service: TestService
let scratch: string

beforeAll(async () => {
  service = await startTestService()
  scratch = mkdtempSync(join(tmpdir(), 'govcred-cli-onestop-'))
})

afterAll(async () => {
  await service?.dispose()
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_') && key !== 'PORT'))
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', ...args],
      { cwd: PROJECT_ROOT, env: { ...env, GOVCRED_DATA_DIR: service.dataDir, GOVCRED_LOG_LEVEL: 'silent' }, timeout: 90_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    )
  })
}

function file(name: string, value: unknown): string {
  const path = join(scratch, name)
  writeFileSync(path, JSON.stringify(value))
  return path
}

function inputs(legalRepresentative = '李明') {
  return {
    credentials: {
      premises: propertyCertificateClaims(),
      insured: socialSecurityStatusClaims({ insuredName: '李明', idNumberMasked: MASKED_ID.six }),
    },
    form: {
      unifiedSocialCreditCode: NANJING_USCC.gulou,
      enterpriseName: '南京鼓楼命令行科技有限公司',
      enterpriseType: '有限责任公司(自然人独资)',
      legalRepresentative,
      registeredCapital: { amount: 1_000_000, currency: 'CNY' },
      dateOfEstablishment: '2026-12-01',
      businessTerm: { from: '2026-12-01', until: null },
      businessScope: '一般项目：软件开发；信息技术咨询服务',
    },
  }
}

async function anchorOnChain(account: string, version: string): Promise<string> {
  const registry = new Contract(service.ctx.deployments.contracts.anchors, loadArtifact('AnchorRegistry').abi, service.ctx.provider)
  const [value] = (await registry.getFunction('anchorOf').staticCall(account, ruleAnchorKey(ID, version))) as [string, bigint]
  return value
}

describe('govcred onestop rules', () => {
  it('drafts, tests, publishes (hash anchored from the department account), lists, shows and retires a rule', async () => {
    const rule = { ...structuredClone(DEMO_RULE), id: ID }
    const drafted = await cli(['onestop', 'rules', 'draft', file('rule.json', rule), '--department', MARKET])
    expect(drafted.code, drafted.stderr).toBe(0)
    expect(JSON.parse(drafted.stdout)).toMatchObject({ id: ID, version: '1.0.0', state: 'draft', hash: ruleHash(rule) })

    // A draft is the department's own: shown with --department, not publicly.
    const ownDraft = await cli(['onestop', 'rules', 'show', ID, '1.0.0', '--department', MARKET])
    expect(JSON.parse(ownDraft.stdout)).toMatchObject({ state: 'draft', document: { id: ID } })
    const publicDraft = await cli(['onestop', 'rules', 'show', ID, '1.0.0'])
    expect(publicDraft.code).toBe(1)
    expect(publicDraft.stderr).toContain('ERR_RULE_NOT_FOUND')

    const eligible = await cli(['onestop', 'rules', 'test', ID, '1.0.0', file('inputs.json', inputs()), '--department', MARKET])
    expect(eligible.code, eligible.stderr).toBe(0)
    const evaluation = JSON.parse(eligible.stdout)
    expect(evaluation.outcome).toBe('eligible')
    expect(evaluation.outputClaims.enterpriseName).toBe('南京鼓楼命令行科技有限公司')

    const refused = await cli(['onestop', 'rules', 'test', ID, '1.0.0', file('other.json', inputs('王芳')), '--department', MARKET])
    expect(refused.code).toBe(1)
    const notEligible = JSON.parse(refused.stdout)
    expect(notEligible.outcome).toBe('not-eligible')
    expect(notEligible.conditions.some((c: { result: string }) => c.result === 'failed')).toBe(true)

    const published = await cli(['onestop', 'rules', 'publish', ID, '1.0.0', '--department', MARKET])
    expect(published.code, published.stderr).toBe(0)
    const view = JSON.parse(published.stdout)
    expect(view).toMatchObject({ state: 'published', hash: ruleHash(rule) })
    expect(view.anchor.txHash).toMatch(/^0x[0-9a-f]{64}$/)
    const market = (await service.ctx.departments.get(MARKET))!
    expect(view.anchor.account).toBe(market.account)
    expect(await anchorOnChain(market.account, '1.0.0')).toBe(ruleHash(rule))

    const listed = await cli(['onestop', 'rules', 'list'])
    expect(JSON.parse(listed.stdout).map((r: { id: string }) => r.id)).toContain(ID)
    const api = await service.api(`/v1/onestop/rules/${ID}/1.0.0`)
    expect(api.body.state).toBe('published')

    const again = await cli(['onestop', 'rules', 'publish', ID, '1.0.0', '--department', MARKET])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('ERR_RULE_STATE')

    const retired = await cli(['onestop', 'rules', 'retire', ID, '1.0.0', '--department', MARKET])
    expect(retired.code, retired.stderr).toBe(0)
    expect(JSON.parse(retired.stdout).state).toBe('retired')
    expect(await anchorOnChain(market.account, '1.0.0')).toBe(ZeroHash)
    const afterRetire = await cli(['onestop', 'rules', 'list'])
    expect(JSON.parse(afterRetire.stdout).map((r: { id: string }) => r.id)).not.toContain(ID)
  }, 180_000)

  it('refuses a rule with an operation outside the whitelist, naming where', async () => {
    const rule = structuredClone(DEMO_RULE)
    rule.id = 'cli-bad-rule'
    rule.conditions[0].rule = { method: [{ var: 'form.enterpriseName' }, 'toUpperCase'] }
    const drafted = await cli(['onestop', 'rules', 'draft', file('bad.json', rule), '--department', MARKET])
    expect(drafted.code).toBe(1)
    expect(drafted.stderr).toContain('ERR_RULE_INVALID')
    expect(drafted.stderr).toContain('/conditions/0/rule')
    expect(drafted.stdout).toBe('')
  }, 60_000)

  it('keeps each department to its own rules and needs --department', async () => {
    const rule = { ...structuredClone(DEMO_RULE), id: 'cli-scoped-rule' }
    const path = file('scoped.json', rule)
    const foreign = await cli(['onestop', 'rules', 'draft', path, '--department', 'human-resources-social-security'])
    expect(foreign.code).toBe(1)
    expect(foreign.stderr).toContain('ERR_SCOPE')

    expect((await cli(['onestop', 'rules', 'draft', path, '--department', MARKET])).code).toBe(0)
    const otherPublishes = await cli([
      'onestop',
      'rules',
      'publish',
      'cli-scoped-rule',
      '1.0.0',
      '--department',
      'human-resources-social-security',
    ])
    expect(otherPublishes.code).toBe(1)
    expect(otherPublishes.stderr).toContain('ERR_RULE_NOT_FOUND')

    const anonymous = await cli(['onestop', 'rules', 'publish', 'cli-scoped-rule', '1.0.0'])
    expect(anonymous.code).toBe(1)
    expect(anonymous.stderr).toContain('--department ID is required')
    const unknown = await cli(['onestop', 'rules', 'draft', path, '--department', 'no-such-bureau'])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('unknown department no-such-bureau')
  }, 120_000)
})
