// The one-stop pages (issue 14) in a real browser: Debian's chromium driven by playwright-core against the real
// service (embedded chain, SQLite, the demo departments and their published rules) and the project's holder
// wallet. An applicant opens 开办企业 without signing in: the steps and the credentials the wallet will be asked
// for, the form generated from the bundle's JSON Schema in Chinese; an empty form is refused field by field and
// nothing is sent; a filled form opens a case whose presentation QR code the page shows and still follows after a
// reload; once the wallet answers, the licence's offer QR code and code. The market supervisor's console lists
// the published rules, tests one on sample inputs and shows the JSON-pointer problems of a refused draft; a case
// whose condition fails waits in its review queue, and the refusal's reason reaches the applicant's page.
// GOVCRED_SCREENSHOTS=1 writes docs/screenshots/onestop-*.png.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort } from '../../src/chain/anvil-node.js'
import { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { NANJING_USCC } from '../fixtures/claims.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { claimsOf } from '../verification/verification-helpers.js'
import { describeInBrowser, ensurePortalBuilt, openBrowser, screenshot, type PortalBrowser } from './browser.js'
import { fillField, readQrCode, signInAs } from './console-helpers.js'

const RULES_DIR = new URL('../../rules/', import.meta.url)
/** The rules the repository ships (the licence first, then what follows from it). */
const RULES = readdirSync(RULES_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(new URL(name, RULES_DIR), 'utf8')) as { id: string; version: string; department: string })
  .sort((a, b) => (a.id === 'open-a-business' ? -1 : b.id === 'open-a-business' ? 1 : a.id.localeCompare(b.id)))
/** The shipped bundle when its rules are all in the repository, else the licence alone under the same id. */
const BUNDLE = (() => {
  const file = new URL('bundles/open-a-business.json', RULES_DIR)
  const shipped = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { steps: string[] }) : undefined
  if (shipped && shipped.steps.every((step) => RULES.some((rule) => rule.id === step))) return shipped
  return {
    id: 'open-a-business',
    title: { 'zh-CN': '开办企业', en: 'Open a business' },
    description: { 'zh-CN': '一次申请，各部门依次办理', en: 'One application; each department in turn' },
    steps: ['open-a-business'],
  }
})()

const SUPERVISOR = 'market-supervision-supervisor'

let service: TestService
let browser: PortalBrowser
let page: Page
let bundlesDir: string
let walletDir: string
/** The applicant's wallet (the project's holder wallet) with a property certificate and a social security record of 李明. */
let wallet: HolderWallet
let bundle: { title: Record<string, string>; form: { properties: Record<string, any> }; steps: { ruleId: string }[] }
/** Every POST the page sent to open a case. */
const caseCalls: string[] = []

const zh = (title: string) => title.split(' / ')[0]!

/** The licence's fields by their Chinese labels, then any later step's (a number of people, a set of choices). */
async function fillApplication(form: Locator, representative = '李明'): Promise<void> {
  await fillField(form, '统一社会信用代码', NANJING_USCC.gulou)
  await fillField(form, '企业名称', '南京鼓楼一站科技有限公司')
  await fillField(form, '企业类型', '有限责任公司(自然人独资)')
  await fillField(form, '法定代表人', representative)
  const capital = form.getByRole('group', { name: '注册资本' })
  await fillField(capital, '金额', '1000000')
  await fillField(capital, '币种', 'CNY')
  await fillField(form, '成立日期', '2026-12-01')
  const term = form.getByRole('group', { name: '营业期限' })
  await fillField(term, '自', '2026-12-01')
  await term.getByText('长期', { exact: true }).click()
  await fillField(form, '经营范围', '软件开发；信息技术咨询服务')
  const licenceFields = new Set([
    'unifiedSocialCreditCode',
    'enterpriseName',
    'enterpriseType',
    'legalRepresentative',
    'registeredCapital',
    'dateOfEstablishment',
    'businessTerm',
    'businessScope',
  ])
  for (const [name, property] of Object.entries(bundle.form.properties)) {
    if (licenceFields.has(name)) continue
    const label = zh(property.title ?? name)
    if (property.type === 'integer' || property.type === 'number') await fillField(form, label, '12')
    else if (property.type === 'array' && Array.isArray(property.items?.enum))
      await form.getByRole('group', { name: label }).getByText('基本养老保险', { exact: true }).click()
    else throw new Error(`the test does not know how to fill ${name}`)
  }
}

describeInBrowser('the one-stop pages in chromium', () => {
  beforeAll(async () => {
    ensurePortalBuilt()
    bundlesDir = mkdtempSync(join(tmpdir(), 'govcred-onestop-bundles-'))
    writeFileSync(join(bundlesDir, 'open-a-business.json'), JSON.stringify(BUNDLE))
    // A fixed port: the issuer certificates name the public URL, which port 0 would only learn after they are made.
    service = await startTestService({ env: { GOVCRED_ONESTOP_BUNDLES_DIR: bundlesDir, PORT: String(await freePort()) } })
    const demo = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { departments: { id: string; apiKey: string }[] }
    // Each step's rule published by its department, unless the service published it on start.
    for (const rule of RULES.filter((r) => BUNDLE.steps.includes(r.id))) {
      if ((await service.api(`/v1/onestop/rules/${rule.id}/${rule.version}`)).body?.state === 'published') continue
      const key = demo.departments.find((d) => d.id === rule.department)!.apiKey
      const headers = { authorization: `Bearer ${key}` }
      const drafted = await service.api('/v1/onestop/rules', { headers, body: rule })
      expect(drafted.status, JSON.stringify(drafted.body)).toBe(201)
      const published = await service.api(`/v1/onestop/rules/${rule.id}/${rule.version}/publish`, { headers, body: {} })
      expect(published.status, JSON.stringify(published.body)).toBe(200)
    }
    const listed = (await service.api('/v1/onestop/bundles')).body.bundles
    bundle = listed.find((b: { id: string }) => b.id === 'open-a-business')
    expect(bundle, JSON.stringify(listed)).toBeDefined()
    walletDir = mkdtempSync(join(tmpdir(), 'govcred-onestop-wallet-'))
    wallet = await HolderWallet.open({ dir: walletDir })
    for (const type of ['PropertyCertificateCredential', 'SocialSecurityStatusCredential'] as const) {
      const key = demo.departments.find((d) => (d as { credentialTypes?: string[] }).credentialTypes?.includes(type))!.apiKey
      const offered = await service.api('/v1/credential-offers', {
        headers: { authorization: `Bearer ${key}` },
        body: { type, claims: claimsOf(type), format: 'dc+sd-jwt' },
      })
      expect(offered.status, JSON.stringify(offered.body)).toBe(201)
      await wallet.receive(offered.body.offerUri, { txCode: offered.body.txCode })
    }
    browser = await openBrowser({ viewport: 'desktop' })
    page = await browser.newPage()
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/onestop/cases') caseCalls.push(request.url())
    })
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await wallet?.close()
    await service?.dispose()
    for (const dir of [bundlesDir, walletDir]) if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('shows 开办企业 to anyone, in Chinese: the steps, what the wallet is asked for, and the form from the bundle', async () => {
    await page.goto(service.url)
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '一网通办', exact: true }).click()
    await page.getByRole('heading', { name: '开办企业', level: 1 }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/onestop')
    const plan = page.locator('.onestop-plan')
    await expect.poll(() => plan.locator('li').count()).toBe(bundle.steps.length)
    expect(await plan.innerText()).toContain('南京市市场监督管理局 签发营业执照')
    const asked = await page.locator('.onestop-prerequisites').innerText()
    expect(asked).toContain('不动产权证书')
    expect(asked).toContain('社会保险参保状态')
    expect(asked).toContain('坐落')
    // Every field of the bundle's form, by the Chinese half of its title; nested objects as groups.
    const form = page.locator('form')
    for (const [name, property] of Object.entries(bundle.form.properties)) {
      if (property.type === 'object') expect(await form.getByRole('group', { name: zh(property.title) }).count(), name).toBe(1)
      else if (property.type === 'array') expect(await form.getByRole('group', { name: zh(property.title) }).count(), name).toBe(1)
      else expect(await form.getByLabel(zh(property.title), { exact: true }).count(), name).toBe(1)
    }
    const capital = form.getByRole('group', { name: '注册资本' })
    expect(await capital.getByLabel('金额', { exact: true }).count()).toBe(1)
    expect(await capital.getByLabel('币种', { exact: true }).count()).toBe(1)
    for (const label of await form.locator('label, legend').allInnerTexts()) expect(label).not.toContain(' / ')
    await screenshot(page, 'onestop-form')
  })

  it('refuses an empty form field by field, sending nothing', async () => {
    await page.getByRole('button', { name: '提交申请' }).click()
    await page.getByText(/^有 \d+ 项需要修改/).waitFor()
    const name = page.locator('[data-pointer="/enterpriseName"]')
    expect(await name.locator('.field-error').innerText()).toBe('此项为必填项')
    expect(await page.getByLabel('企业名称', { exact: true }).getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('[data-pointer="/registeredCapital/amount"] .field-error').innerText()).toBe('此项为必填项')
    // A wrong check character is named as such, as the console's form does.
    await fillField(page, '统一社会信用代码', '91320106MA1X7K2P9F')
    await expect
      .poll(() => page.locator('[data-pointer="/unifiedSocialCreditCode"] .field-error').innerText())
      .toBe('统一社会信用代码校验位不正确，请逐位核对')
    expect(caseCalls).toEqual([])
  })

  it('opens a case from a filled form: the presentation QR code (kept over a reload), then the licence offered', async () => {
    await fillApplication(page.locator('form'))
    await page.getByRole('button', { name: '提交申请' }).click()
    const qr = page.getByRole('img', { name: /出示凭证的二维码/ })
    await qr.waitFor()
    expect(caseCalls).toHaveLength(1)
    const link = await readQrCode(qr)
    expect(link).toMatch(new RegExp(`^${service.url}/wallet/present\\?request=`))
    const request = new URL(link!).searchParams.get('request')!
    expect(request).toMatch(/^openid4vp:/)
    expect(await page.locator('.onestop-deep-link').first().innerText()).toBe(request)
    expect(await page.locator('.onestop-case-state').innerText()).toContain('等待出示凭证')
    const number = await page.getByText(/^申请编号：/).innerText()
    const steps = page.locator('.onestop-step')
    expect(await steps.count()).toBe(bundle.steps.length)
    expect(await steps.first().innerText()).toContain('等待办理')
    await screenshot(page, 'onestop-case')

    // The case is the tab's: coming back to the page, or reloading it, follows it (GET with the case's token)
    // instead of showing the form again.
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '首页', exact: true }).click()
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '一网通办', exact: true }).click()
    await page.getByRole('img', { name: /出示凭证的二维码/ }).waitFor()
    expect(await page.getByText(/^申请编号：/).innerText()).toBe(number)
    await page.reload()
    await page.getByRole('img', { name: /出示凭证的二维码/ }).waitFor()
    expect(await page.getByText(/^申请编号：/).innerText()).toBe(number)
    expect(await readQrCode(page.getByRole('img', { name: /出示凭证的二维码/ }))).toBe(link)

    // The wallet answers the request: the licence's conditions hold, so it is offered with no clerk, its QR code
    // and code on the page, until the wallet has received it.
    await wallet.sendPresentation(await wallet.openPresentationRequest(request))
    const licenceStep = page.locator('.onestop-step[data-rule="open-a-business"]')
    await expect.poll(() => licenceStep.getAttribute('data-state'), { timeout: 20_000 }).toBe('issued')
    expect(await licenceStep.innerText()).toContain('已签发')
    const offerQr = licenceStep.getByRole('img', { name: /领取营业执照的二维码/ })
    const offerLink = new URL((await readQrCode(offerQr))!)
    expect(offerLink.pathname).toBe('/wallet/receive')
    const offerUri = offerLink.searchParams.get('offer')!
    expect(offerUri).toMatch(/^openid-credential-offer:/)
    const txCode = await licenceStep.locator('.tx-code').innerText()
    expect(txCode).toMatch(/^\d{6}$/)
    await screenshot(page, 'onestop-offer')
    await wallet.receive(offerUri, { txCode })
    await licenceStep.getByText('已领取').waitFor({ timeout: 20_000 })

    // Starting over forgets it.
    await page.getByRole('button', { name: '办理新的申请' }).click()
    await page.getByRole('button', { name: '提交申请' }).waitFor()
    expect(await page.evaluate(() => sessionStorage.getItem('govcred.onestop.case'))).toBeNull()
  })

  it("lists the published rules in the market supervisor's console, tests one, and names a refused draft's problems", async () => {
    await signInAs(page, service, SUPERVISOR)
    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '一网通办' }).click()
    await page.getByRole('heading', { name: '一网通办', level: 1 }).waitFor()
    await page.getByText('目前没有待审核的申请。').waitFor()
    await page.getByRole('tab', { name: '规则' }).click()
    await page.waitForURL(/\/console\/onestop\/rules$/)
    const table = page.locator('.onestop-rule-table')
    await table.waitFor()
    for (const rule of RULES.filter((r) => BUNDLE.steps.includes(r.id))) {
      const row = table.locator(`tr[data-rule="${rule.id}@${rule.version}"]`)
      expect(await row.innerText(), rule.id).toContain('已发布')
    }
    const licence = table.locator('tr[data-rule="open-a-business@1.0.0"]')
    expect(await licence.innerText()).toContain('营业执照')

    // A test on sample inputs: eligible, each condition met; nothing is issued.
    await licence.getByRole('button', { name: '测试' }).click()
    const inputs = {
      credentials: {
        premises: { location: '南京市鼓楼区汉中门大街301号01幢12层', usage: '商业' },
        insured: { insuredName: '李明', insurances: [{ type: 'pension', status: 'active' }] },
      },
      form: {
        unifiedSocialCreditCode: NANJING_USCC.gulou,
        enterpriseName: '南京鼓楼一站科技有限公司',
        enterpriseType: '有限责任公司(自然人独资)',
        legalRepresentative: '李明',
        registeredCapital: { amount: 1_000_000, currency: 'CNY' },
        dateOfEstablishment: '2026-12-01',
        businessTerm: { from: '2026-12-01', until: null },
        businessScope: '软件开发',
      },
    }
    await page.getByLabel('样例输入（JSON）', { exact: true }).fill(JSON.stringify(inputs))
    await page.getByRole('button', { name: '运行测试' }).click()
    const evaluation = page.locator('.onestop-evaluation')
    await evaluation.waitFor()
    expect(await evaluation.locator('[data-outcome]').getAttribute('data-outcome')).toBe('eligible')
    expect(await evaluation.innerText()).toContain('符合条件，可以签发')
    expect(await evaluation.locator('[data-result="passed"]').count()).toBe(4)
    // The legal representative named differently: that condition fails, in words.
    inputs.form.legalRepresentative = '王建国'
    await page.getByLabel('样例输入（JSON）', { exact: true }).fill(JSON.stringify(inputs))
    await page.getByRole('button', { name: '运行测试' }).click()
    await expect.poll(() => evaluation.locator('[data-outcome]').getAttribute('data-outcome')).toBe('not-eligible')
    expect(await evaluation.locator('[data-result="failed"]').innerText()).toContain('社保参保人须为所填法定代表人')

    // A draft the service refuses: each problem with its JSON pointer.
    const draft = page.getByLabel('规则文档（JSON）', { exact: true })
    await draft.fill('{ "id": "open-a-business", ')
    await page.getByRole('button', { name: '保存草稿' }).click()
    await page.getByText(/^内容不是有效的 JSON/).waitFor()
    const broken = JSON.parse(readFileSync(new URL('open-a-business.market-supervision.json', RULES_DIR), 'utf8'))
    broken.version = '1.0.1'
    broken.conditions[0].rule = { method: [{ var: 'form.enterpriseName' }, 'toString'] }
    await draft.fill(JSON.stringify(broken))
    await page.getByRole('button', { name: '保存草稿' }).click()
    const problems = page.locator('.onestop-draft .onestop-problems')
    await problems.waitFor()
    expect(await page.locator('.onestop-draft').innerText()).toContain('规则文档不符合要求')
    expect(await problems.innerText()).toContain('/conditions/0/rule')
    expect(await table.locator('tr[data-rule="open-a-business@1.0.1"]').count()).toBe(0)
    await screenshot(page, 'onestop-console-rules')
    expect(browser.problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([])
  })

  it("sends a failed condition to the department's review queue; the clerk's refusal reason reaches the applicant", async () => {
    await page.goto(service.url)
    await page.evaluate(() => sessionStorage.removeItem('govcred.onestop.case'))
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '一网通办', exact: true }).click()
    await fillApplication(page.locator('form'), '王建国')
    await page.getByRole('button', { name: '提交申请' }).click()
    const qr = page.getByRole('img', { name: /出示凭证的二维码/ })
    const request = new URL((await readQrCode(qr))!).searchParams.get('request')!
    await wallet.sendPresentation(await wallet.openPresentationRequest(request))
    const licenceStep = page.locator('.onestop-step[data-rule="open-a-business"]')
    await expect.poll(() => licenceStep.getAttribute('data-state'), { timeout: 20_000 }).toBe('in-review')
    expect(await licenceStep.innerText()).toContain('社保参保人须为所填法定代表人')
    expect(await licenceStep.innerText()).toContain('您的申请需要部门工作人员人工审核')

    await page.goto(`${service.url}/console/onestop/reviews`)
    const task = page.locator('.onestop-review').first()
    await task.waitFor()
    expect(await task.innerText()).toContain('社保参保人须为所填法定代表人')
    expect(await task.innerText()).toContain('王建国')
    await task.getByRole('button', { name: '不予办理' }).click()
    const dialog = page.getByRole('dialog', { name: '不予办理' })
    await dialog.getByRole('button', { name: '确认不予办理' }).click()
    await dialog.getByText('请填写理由').waitFor()
    await dialog.getByLabel('理由（申请人会看到）').fill('法定代表人未在本市参保，请先办理参保登记')
    await dialog.getByRole('button', { name: '确认不予办理' }).click()
    await page.getByText('已不予办理，申请人会看到理由。').waitFor()
    await page.getByText('目前没有待审核的申请。').waitFor()

    await page.goto(service.url)
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '一网通办', exact: true }).click()
    await expect.poll(() => licenceStep.getAttribute('data-state'), { timeout: 20_000 }).toBe('refused')
    expect(await licenceStep.innerText()).toContain('部门不予办理，理由：法定代表人未在本市参保，请先办理参保登记')
    expect(await page.locator('.onestop-case-state').innerText()).toContain('不予办理')
    expect(browser.problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([])
  })
})
