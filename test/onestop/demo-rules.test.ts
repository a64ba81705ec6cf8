// The demo's rules as a department would publish them: each validates, decides eligible on realistic inputs
// (the output claims pass the output type's schema) and names the failed condition otherwise; decision.date is
// the only value besides credentials and form an expression may read.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultRulesDir, publishDemoRules } from '../../src/app/demo-onestop-rules.js'
import { OnestopRules } from '../../src/issuing/onestop/publish-rule.js'
import { RuleStore } from '../../src/issuing/onestop/rule-store.js'
import { silentLogger } from '../../src/shared/logger.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { evaluateRule } from '../../src/issuing/onestop/evaluate-rule.js'
import type { RuleDocument } from '../../src/issuing/onestop/rule-format.js'
import { validateRule } from '../../src/issuing/onestop/validate-rule.js'
import { CREDENTIAL_TYPE_NAMES } from '../../src/catalog/credential-types.js'
import { businessLicenseClaims, propertyCertificateClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'

const dir = new URL('../../rules/', import.meta.url)
const load = (file: string): RuleDocument => JSON.parse(readFileSync(new URL(file, dir), 'utf8'))
const ALL_TYPES = { departmentTypes: [...CREDENTIAL_TYPE_NAMES] }

describe('the demo rules', () => {
  it('are every one valid', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
    expect(files.length).toBeGreaterThanOrEqual(2)
    for (const file of files) expect(validateRule(load(file), ALL_TYPES), file).toEqual([])
  })

  it('register the employer from the licence, on the decision date, when pension and medical are registered', () => {
    const rule = load('register-employer.social-security.json')
    const licence = businessLicenseClaims()
    const inputs = (insuranceTypes: string[]) => ({ credentials: { licence }, form: { plannedEmployees: 12, insuranceTypes } })
    const eligible = evaluateRule(rule, null, inputs(['pension', 'medical', 'workInjury']), { date: '2026-12-02' })
    expect(eligible.outcome, JSON.stringify(eligible.outputErrors)).toBe('eligible')
    expect(eligible.outputClaims).toMatchObject({
      unifiedSocialCreditCode: licence.unifiedSocialCreditCode,
      employerName: licence.enterpriseName,
      domicile: licence.domicile,
      registrationDate: '2026-12-02',
    })
    const refused = evaluateRule(rule, null, inputs(['pension']))
    expect(refused.outcome).toBe('not-eligible')
    expect(refused.conditions.filter((c) => c.result === 'failed').map((c) => c.id)).toEqual(['pension-and-medical'])
    const noEmployees = structuredClone(rule)
    delete (noEmployees.form as { properties: Record<string, { minimum?: number }> }).properties.plannedEmployees!.minimum
    const none = evaluateRule(noEmployees, null, {
      credentials: { licence },
      form: { plannedEmployees: 0, insuranceTypes: ['pension', 'medical'] },
    })
    expect(none.conditions.filter((c) => c.result === 'failed').map((c) => c.id)).toEqual(['employees-planned'])
  })

  it('issue the licence with the domicile of the property certificate', () => {
    const rule = load('open-a-business.market-supervision.json')
    const property = propertyCertificateClaims()
    const { domicile: _d, registrationAuthority: _r, id: _i, ...form } = businessLicenseClaims({ legalRepresentative: '李明' })
    const result = evaluateRule(rule, null, { credentials: { premises: property, insured: socialSecurityStatusClaims() }, form })
    expect(result.outcome, JSON.stringify(result)).toBe('eligible')
    expect(result.outputClaims?.domicile).toBe(property.location)
    const noCapital = evaluateRule(rule, null, {
      credentials: { premises: property, insured: socialSecurityStatusClaims() },
      form: { ...form, registeredCapital: { amount: 0, currency: 'CNY' } },
    })
    expect(noCapital.outcome).toBe('not-eligible')
    expect(noCapital.conditions.filter((c) => c.result === 'failed').map((c) => c.id)).toEqual(['capital-positive'])
  })

  it('refuse a var outside credentials, form and decision.date', () => {
    const rule = structuredClone(load('register-employer.social-security.json'))
    rule.outputClaims.registrationDate = { var: 'decision.time' }
    expect(validateRule(rule, ALL_TYPES).map((p) => p.pointer)).toEqual(['/outputClaims/registrationDate/var'])
    rule.outputClaims.registrationDate = { var: 'process.env' }
    expect(validateRule(rule, ALL_TYPES)[0]?.message).toContain('decision.date')
  })
})

describe('publishDemoRules', () => {
  let service: TestService
  let scratch: string
  beforeAll(async () => {
    service = await startTestService()
    scratch = mkdtempSync(join(tmpdir(), 'govcred-demo-rules-'))
  })
  afterAll(async () => {
    await service?.dispose()
    if (scratch) rmSync(scratch, { recursive: true, force: true })
  })
  const rulesOf = (s: TestService) =>
    new OnestopRules({
      rules: new RuleStore(s.ctx.db),
      departments: s.ctx.departments,
      writer: s.ctx.writer,
      anchors: s.ctx.registries.anchors,
    })

  it('found the demo rules already published by the demo bootstrap, and publishes them nowhere twice', async () => {
    const again = await publishDemoRules(rulesOf(service), service.ctx.departments, defaultRulesDir(), silentLogger)
    expect(again.map((r) => [r.ruleId, r.version, r.outcome])).toEqual([
      ['open-a-business', '1.0.0', 'already-published'],
      ['register-employer', '1.0.0', 'already-published'],
    ])
    const { status, body } = await service.api('/v1/onestop/rules/register-employer/1.0.0')
    expect(status).toBe(200)
    expect(body).toMatchObject({ state: 'published', department: 'human-resources-social-security' })
    expect(body.document).toEqual(load('register-employer.social-security.json'))
  })

  it("publishes a new rule file once, in its department's name; the second run leaves it as it is", async () => {
    const rule = { ...load('register-employer.social-security.json'), id: 'demo-rules-fresh' }
    writeFileSync(join(scratch, 'fresh.json'), JSON.stringify(rule))
    const first = await publishDemoRules(rulesOf(service), service.ctx.departments, scratch, silentLogger)
    expect(first).toEqual([{ ruleId: 'demo-rules-fresh', version: '1.0.0', outcome: 'published' }])
    const second = await publishDemoRules(rulesOf(service), service.ctx.departments, scratch, silentLogger)
    expect(second).toEqual([{ ruleId: 'demo-rules-fresh', version: '1.0.0', outcome: 'already-published' }])
    const { body } = await service.api('/v1/onestop/rules/demo-rules-fresh/1.0.0')
    expect(body).toMatchObject({ state: 'published', department: 'human-resources-social-security' })
    expect(body.anchor.txHash).toMatch(/^0x[0-9a-f]{64}$/)
  })
})
