// The demo's rules as a department would publish them: each validates, decides eligible on realistic inputs
// (the output claims pass the output type's schema) and names the failed condition otherwise; decision.date is
// the only value besides credentials and form an expression may read.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
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
  })

  it('issue the licence with the domicile of the property certificate', () => {
    const rule = load('open-a-business.market-supervision.json')
    const property = propertyCertificateClaims()
    const { domicile: _d, registrationAuthority: _r, id: _i, ...form } = businessLicenseClaims({ legalRepresentative: '李明' })
    const result = evaluateRule(rule, null, { credentials: { premises: property, insured: socialSecurityStatusClaims() }, form })
    expect(result.outcome, JSON.stringify(result)).toBe('eligible')
    expect(result.outputClaims?.domicile).toBe(property.location)
  })

  it('refuse a var outside credentials, form and decision.date', () => {
    const rule = structuredClone(load('register-employer.social-security.json'))
    rule.outputClaims.registrationDate = { var: 'decision.time' }
    expect(validateRule(rule, ALL_TYPES).map((p) => p.pointer)).toEqual(['/outputClaims/registrationDate/var'])
    rule.outputClaims.registrationDate = { var: 'process.env' }
    expect(validateRule(rule, ALL_TYPES)[0]?.message).toContain('decision.date')
  })
})
