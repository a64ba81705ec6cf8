// 一网通办 with an independent wallet, end to end: credo-ts 0.6.3 holds a property certificate and a
// social-security status received by OpenID4VCI; an applicant opens a one-stop case "open a business" with the
// form no credential holds; credo answers the platform's one OpenID4VP request (DCQL, only the claims the rules
// read); the Market Supervision Bureau's rule offers the business licence with no clerk (domicile from the property
// certificate) and the social-security bureau's rule, chained on the licence, offers the employer's social
// insurance registration; credo redeems both. A failed condition waits in the department's review queue, where a
// clerk refuses with a reason or approves; each decision is in the department's audit log, whose head the chain
// holds; a revoked credential fails the case. govcred is a child process reached only over HTTP and the chain.
import { Kms } from '@credo-ts/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServiceProcess, type DemoDepartment, type ServiceProcess } from '../service-process.js'
import { createHolderAgent, type HolderAgent } from './holder-agent.js'
import {
  auditEntries,
  disclosedNames,
  onChainAuditHeads,
  presentTo,
  publishRule,
  receiveFromDepartment,
  redeem,
  ruleFile,
  until,
  type AuditEntry,
} from './one-stop-flow.js'

const PROPERTY_TYPE = 'PropertyCertificateCredential'
const STATUS_TYPE = 'SocialSecurityStatusCredential'
const LICENCE_TYPE = 'BusinessLicenseCredential'
const REGISTRATION_TYPE = 'SocialInsuranceRegistrationCredential'
const BUNDLE = 'open-a-business'

const LICENCE_RULE = ruleFile('open-a-business.market-supervision.json')
const REGISTRATION_RULE = ruleFile('register-employer.social-security.json')

/** 不动产权证书 of the premises, in 鼓楼区. */
function propertyCertificate(unit: string, location: string) {
  return {
    certificateNumber: `苏(2026)南京市不动产权第${unit.slice(-7)}号`,
    propertyUnitNumber: unit,
    owners: [{ name: '王建国', idNumberMasked: '320106********1234', share: 1 }],
    location,
    area: { buildingArea: 120.5, exclusiveArea: 101.3 },
    usage: '商业',
    rightType: '国有建设用地使用权/房屋所有权',
    rightNature: '出让/商品房',
    encumbrances: { mortgage: false, seizure: false, summary: '无' },
  }
}

const PROPERTY = propertyCertificate('320106003005GB00123F00010204', '南京市鼓楼区汉中门大街301号01幢12层')

/** 社会保险参保状态 of the future legal representative. */
const SOCIAL_SECURITY = {
  insuredName: '王建国',
  idNumberMasked: '320106********1234',
  city: '南京市',
  insurances: [
    { type: 'pension', status: 'active', contributionMonths: 86, lastContributionMonth: '2026-10' },
    { type: 'medical', status: 'active', contributionMonths: 86, lastContributionMonth: '2026-10' },
  ],
  asOf: '2026-11-01',
}

/** The bundle's form: the licence rule's fields and the registration rule's (GB 32100-2015 check character included). */
function form(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    unifiedSocialCreditCode: '91320106MA1X7K2P9E',
    enterpriseName: '南京鼓楼一网通办科技有限公司',
    enterpriseType: '有限责任公司(自然人独资)',
    legalRepresentative: '王建国',
    registeredCapital: { amount: 1_000_000, currency: 'CNY' },
    dateOfEstablishment: '2026-12-01',
    businessTerm: { from: '2026-12-01', until: null },
    businessScope: '软件开发；信息技术咨询服务',
    plannedEmployees: 12,
    insuranceTypes: ['pension', 'medical', 'unemployment'],
    ...overrides,
  }
}

interface Step {
  ruleId: string
  version: string
  ruleHash: string
  department: { id: string; name: string; nameEn: string }
  outputType: string
  state: string
  conditions: { id: string; result: string; description: Record<string, string> }[]
  offer: null | { id: string; offerUri: string; txCode: string; redeemed: boolean; credentialId: string | null }
  review: null | { state: string; reason: string | null; decidedAt: string | null }
}

interface CaseView {
  id: string
  state: string
  presentation: { requestId: string; deepLink: string; requestUri: string; state: string; error: null | { code: string; message: string } }
  steps: Step[]
}

interface Review {
  id: string
  caseId: string
  state: string
  conditions: Step['conditions']
  form: Record<string, unknown>
  inputs: { prerequisite: string; type: string; claims: Record<string, unknown> }[]
}

let service: ServiceProcess
let market: DemoDepartment
let realEstate: DemoDepartment
let socialSecurity: DemoDepartment
let network: { rpcUrl: string; contracts: { anchors: string; status: string }; issuerTrust: { x509RootCertificatePem: string } }
let holder: HolderAgent | undefined
const cases: { completed?: CaseView; refused?: CaseView; approved?: CaseView; failed?: CaseView } = {}

const openCase = (body: unknown) => service.call('/v1/onestop/cases', { body })
const readCase = (id: string, token?: string) =>
  service.call(`/v1/onestop/cases/${encodeURIComponent(id)}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
const reviews = async (key: string, state: string) => {
  const { status, body } = await service.call(`/v1/onestop/reviews?state=${state}`, { key })
  expect(status, JSON.stringify(body)).toBe(200)
  return body.reviews as Review[]
}
const hasStep = (view: CaseView, state: string) => view.steps.some((s) => s.state === state)
const SETTLED = ['completed', 'refused', 'failed', 'expired']

/** Opens a case, has `agent` answer its presentation request, and waits until it settles or waits for a clerk. */
async function runCase(agent: HolderAgent, fields: Record<string, unknown>) {
  const opened = await openCase({ bundle: BUNDLE, form: fields })
  expect(opened.status, JSON.stringify(opened.body)).toBe(201)
  const { id, token } = opened.body as { id: string; token: string }
  const presented = await presentTo(agent, opened.body.presentation.deepLink)
  const view = await until(
    async () => (await readCase(id, token)).body as CaseView,
    (v) => SETTLED.includes(v.state) || hasStep(v, 'in-review'),
  )
  expect(SETTLED.includes(view.state) || hasStep(view, 'in-review'), JSON.stringify(view)).toBe(true)
  return { opened: opened.body, id, token, view, presented }
}

beforeAll(async () => {
  service = await startServiceProcess({ prefix: 'govcred-interop-credo-onestop-', startTimeoutMs: 90_000 })
  const { departments } = service.demo()
  market = departments.find((d) => d.id === LICENCE_RULE.department)!
  realEstate = departments.find((d) => d.credentialTypes.includes(PROPERTY_TYPE))!
  socialSecurity = departments.find((d) => d.credentialTypes.includes(STATUS_TYPE))!
  expect(socialSecurity.id, 'the registration rule is the social-security bureau’s').toBe(REGISTRATION_RULE.department)
  network = (await service.call('/v1/network')).body
  // Each department publishes its own rule (hash anchored on chain); then the bundle is offered.
  await publishRule(service, market.apiKey, LICENCE_RULE)
  await publishRule(service, socialSecurity.apiKey, REGISTRATION_RULE)
  holder = createHolderAgent({ trustedCertificates: [network.issuerTrust.x509RootCertificatePem] })
  await holder.initialize()
  await receiveFromDepartment(service, holder, realEstate.apiKey, PROPERTY_TYPE, PROPERTY)
  await receiveFromDepartment(service, holder, socialSecurity.apiKey, STATUS_TYPE, SOCIAL_SECURITY)
}, 180_000)

afterAll(async () => {
  await holder?.shutdown()
  await service?.stop()
})

describe('one-stop "open a business" with a credo-ts wallet', () => {
  it('lists the bundle: two departments’ steps, the licence chained, the two prerequisites asked, one form', async () => {
    const { status, body } = await service.call('/v1/onestop/bundles')
    expect(status).toBe(200)
    const bundle = body.bundles.find((b: { id: string }) => b.id === BUNDLE)
    expect(bundle, JSON.stringify(body)).toBeDefined()
    expect(bundle.title).toEqual({ 'zh-CN': '开办企业', en: 'Open a business' })
    expect(bundle.steps.map((s: Step) => [s.ruleId, s.version, s.department.id, s.outputType])).toEqual([
      [LICENCE_RULE.id, LICENCE_RULE.version, market.id, LICENCE_TYPE],
      [REGISTRATION_RULE.id, REGISTRATION_RULE.version, socialSecurity.id, REGISTRATION_TYPE],
    ])
    for (const step of bundle.steps) expect(step.ruleHash).toMatch(/^0x[0-9a-f]{64}$/)
    // The licence the second step needs comes from the first: the wallet is asked for the other two only.
    expect(bundle.prerequisites).toEqual([
      { id: 'premises', type: PROPERTY_TYPE, claims: ['location', 'usage'], neededBy: LICENCE_RULE.id },
      { id: 'insured', type: STATUS_TYPE, claims: ['insuredName', 'insurances'], neededBy: LICENCE_RULE.id },
    ])
    expect(Object.keys(bundle.form.properties).sort()).toEqual(Object.keys(form()).sort())
    expect(bundle.form.required).toEqual(
      expect.arrayContaining(['enterpriseName', 'legalRepresentative', 'plannedEmployees', 'insuranceTypes']),
    )
  })

  it('issues both credentials with no clerk: credo presents once, then redeems the licence and the registration', async () => {
    const fields = form()
    const opened = await openCase({ bundle: BUNDLE, form: fields })
    expect(opened.status, JSON.stringify(opened.body)).toBe(201)
    const { id, token, presentation } = opened.body
    expect(token).toEqual(expect.any(String))
    expect(opened.body.state).toBe('awaiting-presentation')
    expect(presentation.requestUri).toBe(`${service.baseUrl}/oid4vp/requests/${presentation.requestId}`)
    expect(presentation.deepLink).toMatch(/^openid4vp:\/\/\?client_id=[^&]+&request_uri=/)
    expect(presentation.qrSvg).toContain('<svg')
    const pending = (await readCase(id, token)).body as CaseView
    expect(pending.presentation.state).toBe('pending')
    expect(pending.steps.map((s) => s.state)).toEqual(['waiting', 'waiting'])

    const { resolved, accepted } = await presentTo(holder!, presentation.deepLink)
    // The platform's own relying party, with a request object signed under its certificate from the consortium root.
    const clientId = new URLSearchParams(presentation.deepLink.split('?')[1]).get('client_id')
    expect(resolved.verifier).toEqual({ clientIdPrefix: 'x509_san_dns', effectiveClientId: clientId })
    expect(resolved.signedAuthorizationRequest?.signer.method).toBe('x5c')
    // One DCQL query per asked prerequisite; only the claims the rules read leave the wallet.
    const vpToken = accepted.authorizationResponsePayload.vp_token as Record<string, string[]>
    expect(Object.keys(vpToken).sort()).toEqual(['insured', 'premises'])
    expect(disclosedNames(vpToken.premises![0]!).sort()).toEqual(['location', 'usage'])
    expect(disclosedNames(vpToken.insured![0]!).sort()).toEqual(['insuredName', 'insurances'].sort())

    const view = await until(
      async () => (await readCase(id, token)).body as CaseView,
      (v) => v.steps.every((s) => s.state === 'issued') || SETTLED.includes(v.state),
    )
    expect(
      view.steps.map((s) => s.state),
      JSON.stringify(view),
    ).toEqual(['issued', 'issued'])
    expect(view.state).toBe('completed')
    expect(view.presentation).toMatchObject({ state: 'answered', error: null })
    const [licenceStep, registrationStep] = view.steps as [Step, Step]
    expect(licenceStep.conditions.map((c) => [c.id, c.result])).toEqual(
      (LICENCE_RULE.conditions as { id: string }[]).map((c) => [c.id, 'passed']),
    )
    expect(registrationStep.conditions.every((c) => c.result === 'passed')).toBe(true)
    expect(licenceStep.department).toMatchObject({ id: market.id })
    expect(registrationStep.department).toMatchObject({ id: socialSecurity.id })

    // credo redeems the licence: issued by the Market Supervision Bureau, domicile from the property certificate.
    expect(licenceStep.offer).toMatchObject({
      offerUri: expect.stringMatching(/^openid-credential-offer:/),
      txCode: expect.stringMatching(/^\d{6}$/),
      redeemed: false,
    })
    const licence = (await redeem(holder!, licenceStep.offer!.offerUri, licenceStep.offer!.txCode)).firstCredential.prettyClaims
    expect(licence).toMatchObject({
      vct: `${service.baseUrl}/vct/${LICENCE_TYPE}`,
      iss: `${service.baseUrl}/oid4vci/${market.id}`,
      unifiedSocialCreditCode: fields.unifiedSocialCreditCode,
      enterpriseName: fields.enterpriseName,
      legalRepresentative: fields.legalRepresentative,
      registrationAuthority: '南京市市场监督管理局',
    })
    expect(licence.domicile).toBe(PROPERTY.location)

    // Then the employer's social insurance registration, chained on the licence, by the social-security bureau.
    expect(registrationStep.offer).toMatchObject({
      offerUri: expect.stringMatching(/^openid-credential-offer:/),
      txCode: expect.stringMatching(/^\d{6}$/),
    })
    const registration = (await redeem(holder!, registrationStep.offer!.offerUri, registrationStep.offer!.txCode)).firstCredential
      .prettyClaims
    expect(registration).toMatchObject({
      vct: `${service.baseUrl}/vct/${REGISTRATION_TYPE}`,
      iss: `${service.baseUrl}/oid4vci/${socialSecurity.id}`,
      employerName: fields.enterpriseName,
      legalRepresentative: fields.legalRepresentative,
      domicile: PROPERTY.location,
      plannedEmployees: fields.plannedEmployees,
      insuranceTypes: fields.insuranceTypes,
    })
    expect(registration.unifiedSocialCreditCode).toBe(fields.unifiedSocialCreditCode)
    expect(registration.registrationDate).toMatch(/^\d{4}-\d{2}-\d{2}$/)

    const after = (await readCase(id, token)).body as CaseView
    for (const step of after.steps) expect(step.offer).toMatchObject({ redeemed: true, credentialId: expect.any(String) })
    const types = (await holder!.sdJwtVc.getAll()).map((r) => String(r.firstCredential.prettyClaims.vct).split('/').pop())
    expect(types.sort()).toEqual([LICENCE_TYPE, PROPERTY_TYPE, REGISTRATION_TYPE, STATUS_TYPE].sort())
    cases.completed = after
  })

  it('sends a failed condition to the Market Supervision Bureau’s queue alone; a refusal reaches the applicant with its reason', async () => {
    const { id, token, view } = await runCase(holder!, form({ legalRepresentative: '李四' }))
    expect(view.state, JSON.stringify(view)).toBe('in-progress')
    const [licenceStep, registrationStep] = view.steps as [Step, Step]
    expect(licenceStep.state).toBe('in-review')
    const failed = licenceStep.conditions.filter((c) => c.result === 'failed')
    expect(failed.map((c) => c.id)).toEqual(['representative-matches'])
    const rule = (LICENCE_RULE.conditions as { id: string; description: Record<string, string> }[]).find(
      (c) => c.id === 'representative-matches',
    )!
    expect(failed[0]!.description).toEqual(rule.description)
    expect(licenceStep.offer).toBeNull()
    expect(licenceStep.review).toMatchObject({ state: 'open', reason: null })
    expect(registrationStep.offer).toBeNull()
    expect(registrationStep.state).not.toBe('issued')

    const task = (await reviews(market.apiKey, 'open')).find((r) => r.caseId === id)
    expect(task, 'the review is in the Market Supervision Bureau’s open queue').toBeDefined()
    expect(task!.state).toBe('open')
    expect(task!.conditions.filter((c) => c.result === 'failed').map((c) => c.id)).toEqual(['representative-matches'])
    expect(task!.form.legalRepresentative).toBe('李四')
    // The clerk sees what the wallet disclosed, no more.
    const insured = task!.inputs.find((i) => i.type === STATUS_TYPE)!
    expect(insured.claims).toEqual({ insuredName: SOCIAL_SECURITY.insuredName, insurances: SOCIAL_SECURITY.insurances })
    expect(JSON.stringify(task)).not.toContain(SOCIAL_SECURITY.idNumberMasked)
    expect((await reviews(realEstate.apiKey, 'open')).find((r) => r.caseId === id)).toBeUndefined()

    const reason = '参保人与所填法定代表人不一致，请由法定代表人本人办理'
    const refused = await service.call(`/v1/onestop/reviews/${encodeURIComponent(task!.id)}/refuse`, {
      key: market.apiKey,
      body: { reason },
    })
    expect(refused.status, JSON.stringify(refused.body)).toBe(200)
    const again = await service.call(`/v1/onestop/reviews/${encodeURIComponent(task!.id)}/approve`, { key: market.apiKey, body: {} })
    expect([again.status, again.body.error?.code]).toEqual([409, 'ERR_REVIEW_DECIDED'])

    const after = (await readCase(id, token)).body as CaseView
    expect(after.state).toBe('refused')
    expect(after.steps[0]!.review).toMatchObject({ state: 'refused', reason, decidedAt: expect.any(String) })
    expect(after.steps[0]!.state).toBe('refused')
    expect(after.steps[1]!.state).toBe('blocked')
    expect(after.steps.map((s) => s.offer)).toEqual([null, null])
    expect((await reviews(market.apiKey, 'open')).find((r) => r.caseId === id)).toBeUndefined()
    expect((await reviews(market.apiKey, 'refused')).find((r) => r.caseId === id)).toMatchObject({ state: 'refused' })
    cases.refused = after
  })

  it('lets a clerk approve a failed condition: the licence is offered and the chain goes on to the registration', async () => {
    const fields = form({ legalRepresentative: '李四', enterpriseName: '南京鼓楼经审核科技有限公司' })
    const { id, token, view } = await runCase(holder!, fields)
    expect(view.steps.map((s) => s.state)).toEqual(['in-review', 'waiting'])
    const task = (await reviews(market.apiKey, 'open')).find((r) => r.caseId === id)!
    expect(task, 'the review is in the open queue').toBeDefined()
    const approved = await service.call(`/v1/onestop/reviews/${encodeURIComponent(task.id)}/approve`, { key: market.apiKey, body: {} })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)

    const after = await until(
      async () => (await readCase(id, token)).body as CaseView,
      (v) => SETTLED.includes(v.state),
    )
    expect(after.state, JSON.stringify(after)).toBe('completed')
    expect(after.steps.map((s) => s.state)).toEqual(['issued', 'issued'])
    expect(after.steps[0]!.review).toMatchObject({ state: 'approved', decidedAt: expect.any(String) })
    const offer = after.steps[0]!.offer!
    const licence = (await redeem(holder!, offer.offerUri, offer.txCode)).firstCredential.prettyClaims
    expect(licence).toMatchObject({ enterpriseName: fields.enterpriseName, legalRepresentative: '李四', domicile: PROPERTY.location })
    cases.approved = after
  })

  it('refuses bad input: the form by field, an unknown bundle, a wrong access token', async () => {
    const { enterpriseName: _name, plannedEmployees: _employees, ...missing } = form()
    const invalid = await openCase({ bundle: BUNDLE, form: missing })
    expect(invalid.status).toBe(422)
    expect(invalid.body.error.code).toBe('ERR_FORM_INVALID')
    // Both steps' forms are checked before the wallet is asked.
    expect(invalid.body.error.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['/enterpriseName', '/plannedEmployees']),
    )

    const unknown = await openCase({ bundle: 'open-a-bakery', form: form() })
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'ERR_BUNDLE_NOT_FOUND'])

    const opened = await openCase({ bundle: BUNDLE, form: form() })
    expect(opened.status).toBe(201)
    const wrong = await readCase(opened.body.id, 'not-the-token')
    expect([wrong.status, wrong.body.error?.code]).toEqual([404, 'ERR_CASE_NOT_FOUND'])
    // Another case's token opens only that case.
    const another = await openCase({ bundle: BUNDLE, form: form() })
    expect(another.status).toBe(201)
    const elsewhere = await readCase(opened.body.id, another.body.token)
    expect([elsewhere.status, elsewhere.body.error?.code]).toEqual([404, 'ERR_CASE_NOT_FOUND'])
    // No token at all: asked for (the design said 404; the server answers 401 and says which token to send).
    const none = await readCase(opened.body.id)
    expect([none.status, none.body.error?.code]).toEqual([401, 'ERR_AUTH_REQUIRED'])
    expect((await readCase(opened.body.id, opened.body.token)).body.state).toBe('awaiting-presentation')
  })

  it('fails a case presented with a revoked credential, and offers nothing', async () => {
    const other = createHolderAgent({ trustedCertificates: [network.issuerTrust.x509RootCertificatePem] })
    await other.initialize()
    try {
      await receiveFromDepartment(
        service,
        other,
        realEstate.apiKey,
        PROPERTY_TYPE,
        propertyCertificate('320106003005GB00123F00010205', '南京市鼓楼区中山北路1号'),
      )
      const status = await receiveFromDepartment(service, other, socialSecurity.apiKey, STATUS_TYPE, SOCIAL_SECURITY)
      const { credentialId } = (
        await service.call(`/v1/credential-offers/${encodeURIComponent(status.offerId)}`, { key: socialSecurity.apiKey })
      ).body
      const revoked = await service.call(`/v1/credentials/${encodeURIComponent(credentialId)}/revoke`, {
        method: 'POST',
        key: socialSecurity.apiKey,
      })
      expect(revoked.status, JSON.stringify(revoked.body)).toBe(200)
      expect(revoked.body.onChain).toBe('confirmed')

      // The verifier's watcher sees the revocation within a block or so: a whole case per round until it does.
      const deadline = Date.now() + 15_000
      let outcome: Awaited<ReturnType<typeof runCase>>
      do outcome = await runCase(other, form())
      while (outcome.view.state !== 'failed' && Date.now() < deadline)

      const { view } = outcome
      expect(view.state, JSON.stringify(view)).toBe('failed')
      expect(view.presentation.state).toBe('answered')
      expect(view.presentation.error).toMatchObject({ code: 'ERR_CREDENTIAL_REVOKED', message: expect.any(String) })
      expect(view.steps.map((s) => s.offer)).toEqual([null, null])
      expect(hasStep(view, 'issued')).toBe(false)
      expect((await reviews(market.apiKey, 'open')).find((r) => r.caseId === view.id)).toBeUndefined()
      cases.failed = view
    } finally {
      await other.shutdown()
    }
  })

  it('records each decision and review in the department’s audit log, and the chain holds its head', async () => {
    const { completed, refused, approved } = cases
    expect(completed && refused && approved, 'the three cases ran').toBeTruthy()
    // Oldest first: the rule decides before a clerk approves.
    const decisionsOf = (entries: AuditEntry[], caseId: string) =>
      entries.filter((e) => e.details.caseId === caseId).sort((a, b) => a.seq - b.seq)

    const marketDecisions = await auditEntries(service, market.apiKey, 'onestop-decision')
    for (const [c, outcome, later] of [
      [completed!, 'eligible', 0],
      [refused!, 'not-eligible', 0],
      // The rule's decision, then the clerk's approval that issued.
      [approved!, 'not-eligible', 1],
    ] as const) {
      const [decision, ...more] = decisionsOf(marketDecisions, c.id)
      expect(more, JSON.stringify(more)).toHaveLength(later)
      expect(decision?.details, JSON.stringify(marketDecisions)).toMatchObject({
        ruleId: LICENCE_RULE.id,
        version: LICENCE_RULE.version,
        ruleHash: c.steps[0]!.ruleHash,
        outcome,
      })
      expect(decision!.details.inputCredentialIds).toHaveLength(2)
    }
    expect(decisionsOf(marketDecisions, completed!.id)[0]!.details).toMatchObject({
      failedConditions: [],
      offerId: completed!.steps[0]!.offer!.id,
    })
    expect(decisionsOf(marketDecisions, refused!.id)[0]!.details.failedConditions).toEqual(['representative-matches'])
    expect(decisionsOf(marketDecisions, approved!.id)[1]!.details).toMatchObject({
      outcome: 'approved',
      failedConditions: ['representative-matches'],
      offerId: approved!.steps[0]!.offer!.id,
    })
    // The refused presentation is a decision too: nothing offered, the presented credentials named.
    if (cases.failed) {
      const [decision] = decisionsOf(marketDecisions, cases.failed.id)
      expect(decision?.details.outcome).toContain('ERR_CREDENTIAL_REVOKED')
      expect(decision!.details.offerId).toBeNull()
      expect(decision!.details.inputCredentialIds.length).toBeGreaterThan(0)
    }

    // The chained step's decisions are the social-security bureau's, with the licence as input.
    const registrationDecisions = await auditEntries(service, socialSecurity.apiKey, 'onestop-decision')
    for (const c of [completed!, approved!]) {
      const [decision] = decisionsOf(registrationDecisions, c.id)
      expect(decision?.details, JSON.stringify(registrationDecisions)).toMatchObject({
        ruleId: REGISTRATION_RULE.id,
        ruleHash: c.steps[1]!.ruleHash,
        outcome: 'eligible',
        offerId: c.steps[1]!.offer!.id,
      })
      expect(decision!.details.inputCredentialIds.length).toBeGreaterThan(0)
    }
    expect(decisionsOf(registrationDecisions, refused!.id)).toEqual([])
    expect(decisionsOf(await auditEntries(service, realEstate.apiKey, 'onestop-decision'), completed!.id)).toEqual([])

    const reviewEntries = await auditEntries(service, market.apiKey, 'onestop-review')
    const reviewOf = (c: CaseView) => reviewEntries.filter((e) => JSON.stringify(e.details).includes(c.id))
    expect(reviewOf(refused!).map((e) => e.details.decision)).toEqual(['refused'])
    expect(reviewOf(approved!).map((e) => e.details.decision)).toEqual(['approved'])

    // The periodic anchoring pass (or a status batch) writes the department's head, at or after these entries, on chain.
    const last = Math.max(...[...marketDecisions, ...reviewEntries].map((e) => e.seq))
    const anchoredAfter = async () => {
      const heads = await onChainAuditHeads(network, market.account)
      const all = await auditEntries(service, market.apiKey)
      return all.find(
        (e) => e.seq >= last && (e.hash.toLowerCase() === heads.anchorRegistry || e.hash.toLowerCase() === heads.statusRegistry),
      )
    }
    const anchored = await until(anchoredAfter, (entry) => entry !== undefined, 130_000)
    expect(anchored, 'an audit head at or after the one-stop entries is on chain').toBeDefined()
    const verified = await service.call('/v1/audit/verify', { key: market.apiKey })
    expect(verified.status).toBe(200)
    expect(verified.body, JSON.stringify(verified.body)).toMatchObject({ ok: true, problems: [] })
  }, 180_000)

  it('keeps the stranger out: a wallet trusting another root refuses the platform’s request', async () => {
    const stranger = createHolderAgent({ trustedCertificates: [] })
    await stranger.initialize()
    try {
      const foreignKey = await stranger.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
      const foreignRoot = await stranger.x509.createCertificate({
        authorityKey: Kms.PublicJwk.fromPublicJwk(foreignKey.publicJwk),
        issuer: { commonName: 'Some other consortium' },
      })
      stranger.x509.config.setTrustedCertificates([foreignRoot.toString('pem')])
      const opened = await openCase({ bundle: BUNDLE, form: form() })
      expect(opened.status).toBe(201)
      await expect(stranger.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(opened.body.presentation.deepLink)).rejects.toThrow(
        /no trusted certificate/i,
      )
      expect((await readCase(opened.body.id, opened.body.token)).body.presentation.state).toBe('pending')
    } finally {
      await stranger.shutdown()
    }
  })
})
