// One-stop rules as data: publication validates, stores and anchors the rule's canonical hash on chain; the
// test endpoint evaluates a rule on sample inputs; a rule edited after its anchor, or retired, is not evaluated.
import { readFileSync } from 'node:fs'
import { Contract, ZeroHash } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { ruleAnchorKey, ruleHash } from '../../src/issuing/onestop/rule-hash.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { MASKED_ID, NANJING_USCC, propertyCertificateClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'
import { bearer, readDemo, type Demo } from '../issuance/issuance-helpers.js'

const DEMO_RULE = JSON.parse(readFileSync(new URL('../../rules/open-a-business.market-supervision.json', import.meta.url), 'utf8'))

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

/** The demo rule under another id, so each test owns its versions. */
function ruleWith(id: string, change: (rule: any) => void = () => {}): any {
  const rule = structuredClone(DEMO_RULE)
  rule.id = id
  change(rule)
  return rule
}

const create = (rule: unknown, key = demo.market.apiKey) => service.api('/v1/onestop/rules', { headers: bearer(key), body: rule })
const act = (id: string, action: 'publish' | 'retire', key = demo.market.apiKey) =>
  service.api(`/v1/onestop/rules/${id}/1.0.0/${action}`, { headers: bearer(key), body: {} })
const test = (id: string, inputs: unknown) =>
  service.api(`/v1/onestop/rules/${id}/1.0.0/test`, { headers: bearer(demo.market.apiKey), body: inputs })

async function anchorOnChain(account: string, id: string): Promise<string> {
  const registry = new Contract(service.ctx.deployments.contracts.anchors, loadArtifact('AnchorRegistry').abi, service.ctx.provider)
  const [value] = (await registry.getFunction('anchorOf').staticCall(account, ruleAnchorKey(id, '1.0.0'))) as [string, bigint]
  return value
}

function sampleInputs(overrides: { insurances?: unknown; legalRepresentative?: string; form?: Record<string, unknown> } = {}) {
  const property = propertyCertificateClaims()
  const insured = socialSecurityStatusClaims({ insuredName: '李明', idNumberMasked: MASKED_ID.six })
  return {
    credentials: {
      premises: property,
      insured: { ...insured, ...(overrides.insurances ? { insurances: overrides.insurances } : {}) },
    },
    form: {
      unifiedSocialCreditCode: NANJING_USCC.gulou,
      enterpriseName: '南京鼓楼一站科技有限公司',
      enterpriseType: '有限责任公司(自然人独资)',
      legalRepresentative: overrides.legalRepresentative ?? '李明',
      registeredCapital: { amount: 1_000_000, currency: 'CNY' },
      dateOfEstablishment: '2026-12-01',
      businessTerm: { from: '2026-12-01', until: null },
      businessScope: '一般项目：软件开发；信息技术咨询服务',
      ...overrides.form,
    },
  }
}

describe('publishing a rule', () => {
  it('anchors the canonical hash on chain from the department account and lists the rule publicly', async () => {
    // The demo publishes the demo rule at start; this test publishes it anew under its own id.
    const rule = ruleWith('anchored-rule')
    const created = await create(rule)
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body.state).toBe('draft')
    const listedBefore = await service.api('/v1/onestop/rules')
    expect(listedBefore.body.rules.map((r: any) => r.id)).not.toContain('anchored-rule')

    const published = await act('anchored-rule', 'publish')
    expect(published.status, JSON.stringify(published.body)).toBe(200)
    expect(published.body.state).toBe('published')
    expect(published.body.hash).toBe(ruleHash(rule))
    expect(published.body.hash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(await anchorOnChain(demo.market.account, 'anchored-rule')).toBe(ruleHash(rule))
    const receipt = await service.ctx.provider.getTransactionReceipt(published.body.anchor.txHash)
    expect(receipt?.status).toBe(1)

    const listed = await service.api('/v1/onestop/rules')
    expect(listed.status).toBe(200)
    const entry = listed.body.rules.find((r: any) => r.id === 'anchored-rule')
    expect(entry).toMatchObject({
      version: '1.0.0',
      department: 'market-supervision',
      hash: ruleHash(rule),
      anchor: { account: demo.market.account, key: ruleAnchorKey('anchored-rule', '1.0.0') },
    })
    const one = await service.api('/v1/onestop/rules/anchored-rule/1.0.0')
    expect(one.status).toBe(200)
    expect(one.body.document).toEqual(rule)

    // A published version never changes: re-posting it (changed) is refused.
    const again = await create(ruleWith('anchored-rule', (r) => (r.title.en = 'changed')))
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ERR_RULE_STATE')
  })

  it('keeps drafts private and needs a department credential to create one', async () => {
    expect((await create(ruleWith('draft-only'))).status).toBe(201)
    const anonymous = await service.api('/v1/onestop/rules', { body: ruleWith('anonymous') })
    expect(anonymous.status).toBe(401)
    expect((await service.api('/v1/onestop/rules/draft-only/1.0.0')).body.error.code).toBe('ERR_RULE_NOT_FOUND')
    const foreign = await act('draft-only', 'publish', demo.realEstate.apiKey)
    expect(foreign.status).toBe(404)
    expect(foreign.body.error.code).toBe('ERR_RULE_NOT_FOUND')
  })
})

describe('a bad rule is refused at creation and publication, with a JSON pointer to the problem', () => {
  const cases: [string, (rule: any) => void, string][] = [
    ['unknown type', (r) => (r.prerequisites[0].type = 'PassportCredential'), '/prerequisites/0/type'],
    ['unknown claim', (r) => (r.prerequisites[0].claims[1] = 'colour'), '/prerequisites/0/claims/1'],
    [
      'var naming a claim the prerequisite does not read',
      (r) => (r.conditions[2].rule = { '==': [{ var: 'credentials.insured.salary' }, 1] }),
      '/conditions/2/rule/==/0/var',
    ],
    [
      'var naming an unknown form field',
      (r) => (r.outputClaims.enterpriseName = { var: 'form.nickname' }),
      '/outputClaims/enterpriseName/var',
    ],
    [
      'non-whitelisted operation',
      (r) => (r.conditions[0].rule = { method: [{ var: 'form.enterpriseName' }, 'toUpperCase'] }),
      '/conditions/0/rule/method',
    ],
    ['malformed expression', (r) => (r.conditions[0].rule = { '==': [1, 1], '!=': [1, 2] }), '/conditions/0/rule'],
    ['missing required output claim', (r) => delete r.outputClaims.domicile, '/outputClaims/domicile'],
    ['output type of another department', (r) => (r.output.type = 'PropertyCertificateCredential'), '/output/type'],
    ['form schema ajv cannot compile', (r) => (r.form.properties.enterpriseName.type = 'text'), '/form'],
  ]
  for (const [name, change, pointer] of cases) {
    it(name, async () => {
      const answer = await create(ruleWith(`bad-${name.replace(/[^a-z]+/g, '-')}`, change))
      expect(answer.status, JSON.stringify(answer.body)).toBe(422)
      expect(answer.body.error.code).toBe('ERR_RULE_INVALID')
      expect(answer.body.error.details.problems.map((p: any) => p.pointer)).toContain(pointer)
    })
  }

  it("a rule for another department's name is forbidden", async () => {
    const answer = await create(ruleWith('not-mine', (r) => (r.department = 'real-estate-registration')))
    expect(answer.status).toBe(403)
    expect(answer.body.error.code).toBe('ERR_SCOPE')
  })

  it('the demo rule as shipped has no problem', async () => {
    const answer = await create(ruleWith('shipped-copy'))
    expect(answer.status, JSON.stringify(answer.body)).toBe(201)
  })
})

describe('testing a rule on sample inputs', () => {
  beforeAll(async () => {
    expect((await create(ruleWith('sample'))).status).toBe(201)
    expect((await act('sample', 'publish')).status).toBe(200)
  })

  it('a passing sample computes the output claims, the domicile from the property location', async () => {
    const answer = await test('sample', sampleInputs())
    expect(answer.status, JSON.stringify(answer.body)).toBe(200)
    expect(answer.body.outcome).toBe('eligible')
    expect(answer.body.conditions.every((c: any) => c.result === 'passed')).toBe(true)
    expect(answer.body.outputClaims.domicile).toBe(propertyCertificateClaims().location)
    expect(answer.body.outputClaims.registeredCapital).toEqual({ amount: 1_000_000, currency: 'CNY' })
    expect(answer.body.outputErrors).toEqual([])
  })

  it('a failing condition is named, with its description, and no output is computed', async () => {
    const answer = await test(
      'sample',
      sampleInputs({ insurances: [{ type: 'pension', status: 'terminated', contributionMonths: 3, lastContributionMonth: '2020-01' }] }),
    )
    expect(answer.status).toBe(200)
    expect(answer.body.outcome).toBe('not-eligible')
    const failed = answer.body.conditions.filter((c: any) => c.result === 'failed')
    expect(failed.map((c: any) => c.id)).toEqual(['representative-insured'])
    expect(failed[0].description['zh-CN']).toContain('社会保险')
    expect(answer.body.outputClaims).toBeNull()
  })

  it('form fields that fail the form schema are reported by field', async () => {
    const answer = await test('sample', sampleInputs({ form: { unifiedSocialCreditCode: '91320106MA1X7K2P9A' } }))
    expect(answer.status).toBe(200)
    expect(answer.body.outcome).toBe('form-invalid')
    expect(answer.body.formErrors.map((e: any) => e.field)).toContain('/unifiedSocialCreditCode')
  })

  it('inputs without a prerequisite are a bad request', async () => {
    const answer = await test('sample', { credentials: {}, form: {} })
    expect(answer.status).toBe(400)
    expect(answer.body.error.code).toBe('ERR_INVALID_REQUEST')
  })
})

describe('a rule changed after its hash was anchored', () => {
  it('is refused with ERR_RULE_TAMPERED', async () => {
    expect((await create(ruleWith('tampered'))).status).toBe(201)
    expect((await act('tampered', 'publish')).status).toBe(200)
    expect((await test('tampered', sampleInputs())).body.outcome).toBe('eligible')

    const edited = ruleWith('tampered', (r) => (r.conditions = r.conditions.filter((c: any) => c.id !== 'representative-insured')))
    await service.ctx.db.query(`UPDATE govcred_onestop_rules SET document = ? WHERE id = ? AND version = ?`, [
      JSON.stringify(edited),
      'tampered',
      '1.0.0',
    ])
    const answer = await test('tampered', sampleInputs())
    expect(answer.status).toBe(409)
    expect(answer.body.error.code).toBe('ERR_RULE_TAMPERED')
  })
})

describe('retiring a rule', () => {
  it('clears its anchor, removes it from the list and refuses its evaluation', async () => {
    expect((await create(ruleWith('retiring'))).status).toBe(201)
    expect((await act('retiring', 'publish')).status).toBe(200)
    const retired = await act('retiring', 'retire')
    expect(retired.status, JSON.stringify(retired.body)).toBe(200)
    expect(retired.body.state).toBe('retired')
    expect(await anchorOnChain(demo.market.account, 'retiring')).toBe(ZeroHash)

    const listed = await service.api('/v1/onestop/rules')
    expect(listed.body.rules.map((r: any) => r.id)).not.toContain('retiring')
    const evaluated = await test('retiring', sampleInputs())
    expect(evaluated.status).toBe(409)
    expect(evaluated.body.error.code).toBe('ERR_RULE_STATE')
    const republished = await act('retiring', 'publish')
    expect(republished.status).toBe(409)
  })
})

describe('the OpenAPI document', () => {
  it('documents each one-stop route with the statuses and codes it answers', async () => {
    const doc = (await service.api('/openapi.json')).body
    const calls: [string, string, string, Record<string, string>][] = [
      ['post', '/v1/onestop/rules', '/v1/onestop/rules', bearer(demo.market.apiKey)],
      ['post', '/v1/onestop/rules', '/v1/onestop/rules', {}],
      ['get', '/v1/onestop/rules', '/v1/onestop/rules', {}],
      ['get', '/v1/onestop/rules/{id}/{version}', '/v1/onestop/rules/nope/1.0.0', {}],
      ['post', '/v1/onestop/rules/{id}/{version}/test', '/v1/onestop/rules/sample/1.0.0/test', bearer(demo.market.apiKey)],
      ['post', '/v1/onestop/rules/{id}/{version}/publish', '/v1/onestop/rules/nope/1.0.0/publish', bearer(demo.market.apiKey)],
      ['post', '/v1/onestop/rules/{id}/{version}/retire', '/v1/onestop/rules/sample/1.0.0/retire', {}],
    ]
    for (const [method, template, path, headers] of calls) {
      const op = doc.paths[template]?.[method]
      expect(op, `${method} ${template} is documented`).toBeDefined()
      const answer = await service.api(path, { method: method.toUpperCase(), headers, ...(method === 'post' ? { body: {} } : {}) })
      const response = op.responses[String(answer.status)]
      expect(response, `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`).toBeDefined()
      if (answer.body?.error) expect(response['x-error-codes']).toContain(answer.body.error.code)
    }
  })
})
