// One-stop cases with the project's wallet: the form is checked before the wallet is asked; the wallet presents
// the prerequisites once; an eligible step is offered with no clerk (domicile from the property certificate); a
// failed condition goes to the department's review queue, where a clerk refuses with a reason or approves; each
// decision is in the department's audit trail.
import 'reflect-metadata'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import type { TestService } from '../helpers/service.js'
import { startOnestopHarness, type OnestopHarness } from './onestop-helpers.js'
import { openABusinessForm } from '../fixtures/claims.js'
import { bearer, claimsOf, eventually, type Demo } from '../verification/verification-helpers.js'

const RULE = JSON.parse(readFileSync(new URL('../../rules/open-a-business.market-supervision.json', import.meta.url), 'utf8'))
const BUNDLE = {
  id: 'licence-only',
  title: { 'zh-CN': '营业执照', en: 'Business licence' },
  description: { 'zh-CN': '仅核发营业执照', en: 'The business licence alone' },
  steps: [RULE.id],
}

let service: TestService
let demo: Demo
let bundlesDir: string
let wallet: HolderWallet
let harness: OnestopHarness | undefined
const market = () => demo.BusinessLicenseCredential.apiKey

const form = openABusinessForm

const open = (body: unknown) => service.api('/v1/onestop/cases', { body })
const read = (id: string, token: string) => service.api(`/v1/onestop/cases/${id}`, { headers: { authorization: `Bearer ${token}` } })

const SETTLED = ['completed', 'refused', 'failed', 'expired']

/** Opens a case, has the wallet answer its request, and waits until the case is done or waits for a clerk. */
async function runCase(fields = form(), bundle = BUNDLE.id) {
  const opened = await open({ bundle, form: fields })
  expect(opened.status, JSON.stringify(opened.body)).toBe(201)
  const plan = await wallet.openPresentationRequest(opened.body.presentation.deepLink)
  await wallet.sendPresentation(plan)
  let view: any
  const left = await eventually(async () => {
    view = (await read(opened.body.id, opened.body.token)).body
    return SETTLED.includes(view.state) || view.steps.some((s: { state: string }) => s.state === 'in-review')
  }, 30_000)
  expect(left, JSON.stringify(view)).toBe(true)
  return { id: opened.body.id as string, token: opened.body.token as string, view }
}

beforeAll(async () => {
  bundlesDir = mkdtempSync(join(tmpdir(), 'govcred-bundles-'))
  writeFileSync(join(bundlesDir, 'licence-only.json'), JSON.stringify(BUNDLE))
  copyFileSync(new URL('../../rules/bundles/open-a-business.json', import.meta.url), join(bundlesDir, 'open-a-business.json'))
  harness = await startOnestopHarness({ GOVCRED_ONESTOP_BUNDLES_DIR: bundlesDir })
  ;({ service, demo, wallet } = harness)
}, 120_000)

afterAll(async () => {
  await harness?.dispose()
  if (bundlesDir) rmSync(bundlesDir, { recursive: true, force: true })
})

describe('one-stop bundles', () => {
  it('lists a bundle only once its rules are published, with the form and what the wallet is asked for', async () => {
    const published = await service.api(`/v1/onestop/rules/${RULE.id}/${RULE.version}`)
    if (published.status === 404) {
      const listed = (await service.api('/v1/onestop/bundles')).body.bundles.map((b: { id: string }) => b.id)
      expect(listed).not.toContain(BUNDLE.id)
      expect((await service.api('/v1/onestop/rules', { headers: bearer(market()), body: RULE })).status).toBe(201)
      const done = await service.api(`/v1/onestop/rules/${RULE.id}/${RULE.version}/publish`, { headers: bearer(market()), body: {} })
      expect(done.status, JSON.stringify(done.body)).toBe(200)
    }
    const [bundle] = (await service.api('/v1/onestop/bundles')).body.bundles.filter((b: { id: string }) => b.id === BUNDLE.id)
    expect(bundle.steps).toEqual([expect.objectContaining({ ruleId: RULE.id, outputType: 'BusinessLicenseCredential' })])
    expect(bundle.prerequisites.map((p: { type: string }) => p.type)).toEqual([
      'PropertyCertificateCredential',
      'SocialSecurityStatusCredential',
    ])
    expect(Object.keys(bundle.form.properties)).toContain('enterpriseName')
  })
})

describe('one-stop cases', () => {
  it('checks the form before the wallet is asked: every problem by field', async () => {
    const { enterpriseName: _, ...missing } = form()
    const refused = await open({
      bundle: BUNDLE.id,
      form: { ...missing, registeredCapital: { amount: -1, currency: 'CNY' }, colour: 'red' },
    })
    expect(refused.status).toBe(422)
    expect(refused.body.error.code).toBe('ERR_FORM_INVALID')
    const fields = refused.body.error.details.map((d: { field: string }) => d.field)
    expect(fields).toEqual(expect.arrayContaining(['/enterpriseName', '/registeredCapital/amount', '/colour']))
    expect((await open({ bundle: 'no-such-bundle', form: form() })).body.error.code).toBe('ERR_BUNDLE_NOT_FOUND')
    expect((await open({ bundle: BUNDLE.id, form: form(), extra: 1 })).status).toBe(400)
  })

  it('offers the licence with no clerk when the conditions hold; its domicile comes from the property certificate', async () => {
    const { id, token, view } = await runCase()
    expect(view.state, JSON.stringify(view)).toBe('completed')
    const [step] = view.steps
    expect(step.state).toBe('issued')
    expect(step.conditions.every((c: { result: string }) => c.result === 'passed')).toBe(true)
    expect(step.offer.offerUri).toMatch(/^openid-credential-offer:/)
    await wallet.receive(step.offer.offerUri, { txCode: step.offer.txCode })
    const after = (await read(id, token)).body
    expect(after.steps[0].offer).toMatchObject({ redeemed: true, credentialId: expect.stringMatching(/^urn:uuid:/) })
    const record = await service.api(`/v1/credentials/${after.steps[0].offer.credentialId}`, { headers: bearer(market()) })
    expect(record.status, JSON.stringify(record.body)).toBe(200)
    const disclosures = (record.body.jwt as string)
      .split('~')
      .slice(1, -1)
      .map((d) => JSON.parse(Buffer.from(d, 'base64url').toString('utf8')))
    const domicile = disclosures.find(([, name]) => name === 'domicile')?.[2]
    expect(domicile).toBe(claimsOf('PropertyCertificateCredential').location)
  })

  it("runs the next department's rule from the new licence in the same case: the employer is registered too", async () => {
    const { view } = await runCase(form({ plannedEmployees: 12, insuranceTypes: ['pension', 'medical', 'workInjury'] }), 'open-a-business')
    expect(view.state, JSON.stringify(view.steps)).toBe('completed')
    expect(view.steps.map((s: { ruleId: string; state: string }) => [s.ruleId, s.state])).toEqual([
      ['open-a-business', 'issued'],
      ['register-employer', 'issued'],
    ])
    expect(view.steps[1].department.id).toBe('human-resources-social-security')
    for (const step of view.steps) await wallet.receive(step.offer.offerUri, { txCode: step.offer.txCode })
    const hrss = demo.SocialSecurityStatusCredential.apiKey
    const audit = (await service.api('/v1/audit?limit=200', { headers: bearer(hrss) })).body.entries
    const decision = audit.find(
      (e: { action: string; details: { ruleId?: string } }) => e.action === 'onestop-decision' && e.details.ruleId === 'register-employer',
    )
    expect(decision.details.inputCredentialIds).toEqual([`offer:${view.steps[0].offer.id}`])
  })

  it('shows a case only to the holder of its access token', async () => {
    const opened = await open({ bundle: BUNDLE.id, form: form() })
    expect((await read(opened.body.id, 'not-the-token')).body.error.code).toBe('ERR_CASE_NOT_FOUND')
    expect((await service.api(`/v1/onestop/cases/${opened.body.id}`)).body.error.code).toBe('ERR_AUTH_REQUIRED')
    expect((await read(opened.body.id, opened.body.token)).body.state).toBe('awaiting-presentation')
  })

  it('sends a failed condition to the department review queue; a refusal is shown to the applicant with its reason', async () => {
    const { id, token, view } = await runCase(form({ legalRepresentative: '王芳' }))
    expect(view.state).toBe('in-progress')
    expect(view.steps[0].state).toBe('in-review')
    expect(view.steps[0].offer).toBeNull()
    const failed = view.steps[0].conditions.filter((c: { result: string }) => c.result === 'failed')
    expect(failed.map((c: { id: string }) => c.id)).toEqual(['representative-matches'])
    expect(failed[0].description['zh-CN']).toContain('法定代表人')

    const queue = (await service.api('/v1/onestop/reviews?state=open', { headers: bearer(market()) })).body.reviews
    const task = queue.find((r: { caseId: string }) => r.caseId === id)
    expect(task.form.legalRepresentative).toBe('王芳')
    expect(task.inputs.map((i: { type: string }) => i.type)).toEqual(['PropertyCertificateCredential', 'SocialSecurityStatusCredential'])
    const other = (await service.api('/v1/onestop/reviews', { headers: bearer(demo.PropertyCertificateCredential.apiKey) })).body.reviews
    expect(other.find((r: { caseId: string }) => r.caseId === id)).toBeUndefined()
    const elsewhere = await service.api(`/v1/onestop/reviews/${task.id}/refuse`, {
      headers: bearer(demo.PropertyCertificateCredential.apiKey),
      body: { reason: 'x' },
    })
    expect(elsewhere.body.error.code).toBe('ERR_REVIEW_NOT_FOUND')

    const refuse = (body: unknown) => service.api(`/v1/onestop/reviews/${task.id}/refuse`, { headers: bearer(market()), body })
    expect((await refuse({})).status).toBe(400)
    const refused = await refuse({ reason: '参保人与法定代表人不一致，请由法定代表人本人申请' })
    expect(refused.status, JSON.stringify(refused.body)).toBe(200)
    expect((await refuse({ reason: 'again' })).body.error.code).toBe('ERR_REVIEW_DECIDED')
    const after = (await read(id, token)).body
    expect(after.state).toBe('refused')
    expect(after.steps[0].review).toMatchObject({ state: 'refused', reason: '参保人与法定代表人不一致，请由法定代表人本人申请' })
  })

  it('lets a clerk approve a failed case: the credential is offered as the rule fills it', async () => {
    const { id, token } = await runCase(form({ legalRepresentative: '王芳' }))
    const task = (await service.api('/v1/onestop/reviews', { headers: bearer(market()) })).body.reviews.find(
      (r: { caseId: string }) => r.caseId === id,
    )
    const approved = await service.api(`/v1/onestop/reviews/${task.id}/approve`, { headers: bearer(market()), body: {} })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    const view = (await read(id, token)).body
    expect(view.state).toBe('completed')
    expect(view.steps[0].offer.offerUri).toMatch(/^openid-credential-offer:/)
    await wallet.receive(view.steps[0].offer.offerUri, { txCode: view.steps[0].offer.txCode })
  })

  it('records every decision and review in the department audit trail, with the rule hash and the inputs', async () => {
    const { body } = await service.api('/v1/audit?limit=200', { headers: bearer(market()) })
    const decisions = body.entries.filter((e: { action: string }) => e.action === 'onestop-decision')
    expect(decisions.length).toBeGreaterThanOrEqual(3)
    for (const d of decisions) {
      expect(d.details).toMatchObject({ ruleId: RULE.id, ruleHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) })
      expect(d.details.inputCredentialIds.length).toBe(2)
      // An SD-JWT VC has no id: its status list entry names it (the issuing department finds its record by it).
      for (const id of d.details.inputCredentialIds) expect(id).toMatch(/^https?:\/\/\S+\/status-lists\/\S+#\d+$/)
    }
    expect(decisions.map((d: { details: { outcome: string } }) => d.details.outcome)).toEqual(
      expect.arrayContaining(['eligible', 'not-eligible']),
    )
    const reviews = body.entries.filter((e: { action: string }) => e.action === 'onestop-review')
    expect(reviews.map((r: { details: { decision: string } }) => r.details.decision).sort()).toEqual(['approved', 'refused'])
  })
})
