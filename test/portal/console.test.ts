// The department console (/console, issue 13 Build item 2) in a real browser: Debian's chromium driven by
// playwright-core against the real service (embedded chain, SQLite, the demo departments and their accounts).
// A clerk signs in (a wrong password five times locks the account), fills the business licence form generated
// from its schema (a wrong USCC check character is flagged as they type and nothing is issued), shows the
// applicant the offer's QR code and code, and sees the offer redeemed; the supervisor revokes with a reason,
// reads the dashboard and the audit trail (the clerk named, integrity OK); the real estate centre's clerk meets
// a service-side field error and its supervisor transfers a property. GOVCRED_SCREENSHOTS=1 writes
// docs/screenshots/console-*.png.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { businessLicenseClaims, NANJING_USCC, propertyCertificateClaims } from '../fixtures/claims.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, readDemo, type Demo } from '../issuance/issuance-helpers.js'
import { redeemCode, requestCredential, walletKey, type CreatedOffer } from '../issuance/oid4vci-helpers.js'
import { demoAccount, signIn, type Browser } from '../security/portal-session-helpers.js'
import { describeInBrowser, ensurePortalBuilt, hasHorizontalScroll, openBrowser, screenshot, type PortalBrowser } from './browser.js'
import {
  fillBusinessLicence,
  fillField,
  fillPropertyCertificate,
  openCredential,
  readQrCode,
  signInAs,
  signOut,
} from './console-helpers.js'

const CLERK = 'market-supervision-clerk'
const SUPERVISOR = 'market-supervision-supervisor'
const ESTATE_CLERK = 'real-estate-registration-clerk'
const ESTATE_SUPERVISOR = 'real-estate-registration-supervisor'
const BUYER_DID = 'did:ethr:0x2b5ad5c4795c026514f8317c7a215e218dccd6cf'

let service: TestService
let demo: Demo
let browser: PortalBrowser
let page: Page
/** Every POST the page sent to the issuing endpoints, to show that an invalid form sends nothing. */
const issuingCalls: string[] = []
let licenceId: string
/** The market supervisor's own session over HTTP: the demo API keys are scoped to types and see no offer entries. */
let auditor: Browser

const licence = () => {
  const { id: _holder, ...claims } = businessLicenseClaims() as unknown as Record<string, unknown>
  return claims
}
const api = (path: string, key: string) => service.api(path, { headers: bearer(key) })
const offerEntries = async () => (await auditor.call('/v1/audit?action=offer-create')).body.entries as { actor: string }[]

describeInBrowser('the department console in chromium', () => {
  beforeAll(async () => {
    ensurePortalBuilt()
    service = await startTestService()
    demo = readDemo(service)
    auditor = await signIn(service, demoAccount(service, SUPERVISOR))
    browser = await openBrowser({ viewport: 'desktop' })
    page = await browser.newPage()
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname
      if (request.method() === 'POST' && /^\/v1\/(credentials|credential-offers|property\/transfers)$/.test(path)) issuingCalls.push(path)
    })
  })
  afterAll(async () => {
    await browser?.close()
    await service?.dispose()
  })

  it('sends a visitor without a session to sign in, and locks an account after five wrong passwords', async () => {
    await page.goto(`${service.url}/console/issue`)
    await page.getByRole('heading', { name: '部门工作台登录' }).waitFor()
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/console/issue')
    await screenshot(page, 'console-sign-in')
    const account = demoAccount(service, 'human-resources-social-security-clerk')
    const alert = page.getByRole('alert')
    for (let attempt = 1; attempt <= 4; attempt++) {
      await fillField(page, '用户名', account.username)
      await fillField(page, '密码', `wrong password ${attempt}`)
      await page.getByRole('button', { name: '登录' }).click()
      await expect.poll(() => alert.innerText()).toContain('用户名或密码不正确。')
      await expect.poll(() => alert.innerText()).not.toContain('锁定')
    }
    await fillField(page, '密码', 'wrong password 5')
    await page.getByRole('button', { name: '登录' }).click()
    await expect.poll(() => alert.innerText()).toContain('密码错误次数过多，账号已暂时锁定')
    // Locked: the right password is refused too, with the same sentence, and no session starts.
    await fillField(page, '密码', account.password)
    await page.getByRole('button', { name: '登录' }).click()
    await expect.poll(() => alert.innerText()).toContain('账号已暂时锁定')
    expect(await page.locator('.console-bar').count()).toBe(0)
    expect(await page.locator('main').innerText()).not.toMatch(/ERR_ACCOUNT_LOCKED"|\{"error"|at .*\.ts:/)
    // A bank officer's account is not a department's: told so, and offered to sign out.
    const officer = demoAccount(service, 'demo-bank-of-nanjing-officer')
    await fillField(page, '用户名', officer.username)
    await fillField(page, '密码', officer.password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.getByText('当前登录的账号不是发证部门的工作人员账号').waitFor()
    expect(await page.locator('.console-bar').count()).toBe(0)
    await page.getByRole('button', { name: '退出并换一个账号登录' }).click()
    await page.getByLabel('用户名', { exact: true }).waitFor()
  })

  it("signs the market clerk in and back to the page asked for, naming the department and the clerk's role", async () => {
    await page.goto(`${service.url}/console/issue`)
    await page.getByRole('heading', { name: '部门工作台登录' }).waitFor()
    const account = demoAccount(service, CLERK)
    await fillField(page, '用户名', account.username)
    await fillField(page, '密码', account.password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.getByRole('heading', { name: '签发凭证', level: 1 }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/console/issue')
    const bar = page.locator('.console-bar')
    expect(await bar.innerText()).toContain('南京市市场监督管理局')
    expect(await bar.locator('.console-role').innerText()).toContain('办事员')
    expect(await bar.innerText()).toContain('南京市市场监督管理局 窗口办事员')
    // A clerk has no audit link, and the supervisors' page answers in plain words.
    const nav = page.getByRole('navigation', { name: '工作台导航' })
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['业务概览', '签发凭证', '凭证管理', '一网通办'])
    await page.goto(`${service.url}/console/audit`)
    await page.getByRole('heading', { name: '需要科长（审核员）权限' }).waitFor()
    expect(await page.locator('.audit-table').count()).toBe(0)
    await screenshot(page, 'console-forbidden')
  })

  it('flags a wrong USCC check character as the clerk types, and issues nothing while it is wrong', async () => {
    await page.goto(`${service.url}/console/issue`)
    const form = page.locator('form')
    await form.getByLabel('统一社会信用代码', { exact: true }).waitFor()
    expect(await page.getByRole('radiogroup', { name: '凭证类型' }).innerText()).toContain('营业执照')
    const claims = licence()
    const good = NANJING_USCC.gulou
    const wrongCheck = good.slice(0, 17) + (good.endsWith('E') ? 'F' : 'E')
    await fillBusinessLicence(form, { ...claims, unifiedSocialCreditCode: wrongCheck.toLowerCase() })
    const uscc = form.getByLabel('统一社会信用代码', { exact: true })
    // Typed in lower case, kept in capitals as GB 32100-2015 writes it; the check character flagged at once.
    expect(await uscc.inputValue()).toBe(wrongCheck)
    expect(await uscc.getAttribute('aria-invalid')).toBe('true')
    const usccItem = form.locator('[data-pointer="/unifiedSocialCreditCode"]')
    await expect.poll(() => usccItem.innerText()).toContain('统一社会信用代码校验位不正确')
    await screenshot(page, 'console-issue-invalid')
    const before = (await offerEntries()).length
    await page.getByRole('button', { name: '生成领取二维码' }).click()
    await expect.poll(() => page.getByRole('alert').first().innerText()).toContain('有 1 项填写有误')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('issue-unifiedSocialCreditCode')
    expect(issuingCalls).toEqual([])
    expect((await offerEntries()).length).toBe(before)
    // Corrected: the message goes as the clerk types.
    await uscc.fill(good)
    await expect.poll(() => usccItem.innerText()).not.toContain('校验位不正确')
    expect(await uscc.getAttribute('aria-invalid')).toBe('false')
  })

  it('makes an offer for a valid licence: the QR code, the six-digit code, the link and the live state', async () => {
    await page.getByRole('button', { name: '生成领取二维码' }).click()
    await page.getByRole('heading', { name: '请申请人扫码领取' }).waitFor()
    expect(issuingCalls).toEqual(['/v1/credential-offers'])
    const txCode = (await page.locator('.tx-code').innerText()).trim()
    expect(txCode).toMatch(/^\d{6}$/)
    const qr = page.getByRole('img', { name: '二维码：领取凭证的二维码' })
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    const link = (await page.locator('.offer-link code').innerText()).trim()
    expect(link).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/)
    expect(await page.getByRole('link', { name: '在本机卡包应用中打开' }).getAttribute('href')).toBe(link)
    // The QR code opens the web wallet's receive page with the standard link.
    expect(await readQrCode(qr)).toBe(`${service.url}/wallet/receive?offer=${encodeURIComponent(link)}`)
    expect(await page.getByRole('timer').innerText()).toMatch(/^\d{2}:\d{2}$/)
    const state = page.locator('.offer-state')
    expect(await state.getAttribute('data-state')).toBe('offered')
    expect(await state.innerText()).toContain('等待领取')
    await screenshot(page, 'console-offer')

    // The applicant's wallet redeems the offer with the code; the clerk's page sees it.
    const redemption = await redeemCode({ offerUri: link, txCode } as CreatedOffer)
    const received = await requestCredential(redemption, await walletKey())
    expect(received.status).toBe(200)
    await expect.poll(() => state.getAttribute('data-state'), { timeout: 30_000 }).toBe('redeemed')
    expect(await state.innerText()).toContain('已领取')
    expect((await offerEntries()).map((e) => e.actor)).toEqual([`clerk:${CLERK}`])
    const [record] = (await api('/v1/credentials?type=BusinessLicenseCredential', demo.market.apiKey)).body.items
    expect(record).toMatchObject({ format: 'dc+sd-jwt', status: 'active' })
    licenceId = record.id
  })

  it('shows the clerk the licence with its claims, and no suspend, reinstate or revoke button', async () => {
    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '凭证管理' }).click()
    await page.locator('.credential-table').waitFor()
    const drawer = await openCredential(page)
    expect(await drawer.innerText()).toContain('南京鼓楼智链科技有限公司')
    expect(await drawer.innerText()).toContain(NANJING_USCC.gulou)
    expect(await drawer.innerText()).toContain(licenceId)
    for (const name of ['撤销', '暂停', '恢复']) expect(await drawer.getByRole('button', { name, exact: true }).count()).toBe(0)
    expect(await drawer.innerText()).toContain('须由科长（审核员）办理')
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    await signOut(page)
  })

  it('lets the supervisor revoke with a reason, after a confirmation naming the credential; the list shows 已撤销', async () => {
    await signInAs(page, service, SUPERVISOR)
    expect(await page.locator('.console-role').innerText()).toContain('科长（审核员）')
    await page.goto(`${service.url}/console/credentials`)
    await page.locator('.credential-table').waitFor()
    const drawer = await openCredential(page)
    await drawer.getByRole('button', { name: '撤销', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: '撤销凭证' })
    await dialog.waitFor()
    expect(await dialog.innerText()).toContain('营业执照“南京鼓楼智链科技有限公司，91320106MA1X7K2P9E”')
    expect(await dialog.innerText()).toContain('撤销后不可恢复')
    // No reason: refused in the dialog, nothing revoked.
    await dialog.getByRole('button', { name: '确认撤销' }).click()
    await expect.poll(() => dialog.innerText()).toContain('请填写原因')
    expect((await api(`/v1/credentials/${encodeURIComponent(licenceId)}`, demo.market.apiKey)).body.status).toBe('active')
    await dialog.getByRole('textbox').fill('营业执照已被依法吊销')
    await screenshot(page, 'console-revoke-dialog', { fullPage: false })
    await dialog.getByRole('button', { name: '确认撤销' }).click()
    await expect
      .poll(() => drawer.locator('.outcome').innerText(), { timeout: 30_000 })
      .toMatch(/^撤销已(办结，并已写入联盟链|登记，正在写入联盟链)。$/)
    expect(await drawer.locator('.status-tag').innerText()).toBe('已撤销')
    await screenshot(page, 'console-credential-detail', { fullPage: false })
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    const row = page.locator('.credential-table tbody tr').first()
    expect(await row.locator('.status-tag').innerText()).toBe('已撤销')
    await screenshot(page, 'console-credentials')
    expect((await api(`/v1/credentials/${encodeURIComponent(licenceId)}`, demo.market.apiKey)).body.status).toBe('revoked')
    // The audit entry of a revocation is written once the chain has it, in the supervisor's name.
    const revocations = async () =>
      (await api(`/v1/audit?action=revoke&credentialId=${encodeURIComponent(licenceId)}`, demo.market.apiKey)).body.entries
    await expect
      .poll(async () => (await revocations()).map((e: { actor: string }) => e.actor), { timeout: 30_000 })
      .toEqual([`clerk:${SUPERVISOR}`])
    // The list filters by status as the service does.
    await page.locator('.filter-form').getByText('全部状态').click()
    await page.getByRole('option', { name: '有效' }).click()
    await page.getByRole('button', { name: '查询' }).click()
    await expect.poll(() => page.locator('.credential-table').innerText()).toContain('没有符合条件的凭证。')
  })

  it('draws the dashboard: 30 days of counts per type as a chart, and the totals', async () => {
    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '业务概览' }).click()
    await page.locator('.daily-chart svg').waitFor()
    await expect.poll(() => page.locator('.daily-chart svg path').count()).toBeGreaterThan(10)
    expect(await page.locator('.daily-chart').getAttribute('aria-label')).toContain('柱状图')
    expect(await page.locator('.daily-chart svg').innerHTML()).toContain('签发：营业执照')
    expect(await page.locator('[data-action="issued"] .total-value').innerText()).toBe('1 份')
    await expect.poll(() => page.locator('[data-action="revoked"] .total-value').innerText()).toBe('1 份')
    expect(await page.locator('[data-action="suspended"] .total-value').innerText()).toBe('0 份')
    await page.getByText('以表格查看每日数据').click()
    expect(await page.locator('.daily-table tbody tr').count()).toBe(1)
    expect(await page.locator('.daily-table tbody').innerText()).toContain('营业执照')
    await screenshot(page, 'console-dashboard')
    // In English: the page, the role, the chart's series (the choice is kept on the device: back to Chinese after).
    await page.getByRole('button', { name: 'Switch to English' }).click()
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor()
    expect(await page.locator('.console-role').innerText()).toContain('Section chief (supervisor)')
    expect(await page.locator('.console-department').innerText()).toBe('Nanjing Market Supervision Bureau')
    await expect.poll(() => page.locator('.daily-chart svg').innerHTML()).toContain('Issued: Business licence')
    await page.getByRole('button', { name: '切换到中文' }).click()
    await page.getByRole('heading', { name: '业务概览', level: 1 }).waitFor()
  })

  it('shows the supervisor the audit trail naming the clerk, and its integrity in plain words', async () => {
    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '审计日志' }).click()
    await page.locator('.audit-table').waitFor()
    const table = page.locator('.audit-table')
    await expect.poll(() => table.innerText()).toContain(`clerk:${CLERK}`)
    expect(await table.innerText()).toContain(`clerk:${SUPERVISOR}`)
    expect(await table.innerText()).toContain('生成领取码')
    expect(await table.innerText()).toContain('工作人员账号')
    await page.getByRole('button', { name: '校验完整性' }).click()
    const result = page.locator('.integrity-result')
    await expect.poll(() => result.innerText()).toMatch(/^审计日志完整：共 \d+ 条记录/)
    await screenshot(page, 'console-audit')
    await signOut(page)
  })

  it("puts the service's field errors on their fields: owners' shares that do not add up to 1, nothing issued", async () => {
    await signInAs(page, service, ESTATE_CLERK)
    await page.goto(`${service.url}/console/issue`)
    const form = page.locator('form')
    await form.getByLabel('不动产权证书号', { exact: true }).waitFor()
    const { id: holder, ...claims } = propertyCertificateClaims() as unknown as Record<string, any>
    claims.owners[1].share = 0.3
    await fillPropertyCertificate(form, claims)
    await form.getByText('直接签发给已知的持有人标识（DID）').click()
    await fillField(form, '持有人标识（DID）', holder)
    await screenshot(page, 'console-issue-property')
    const calls = issuingCalls.length
    await page.getByRole('button', { name: '签发凭证', exact: true }).click()
    const owners = form.locator('[data-pointer="/owners"]')
    await expect.poll(() => owners.innerText()).toContain('各权利人的份额之和必须等于 1')
    expect(await page.getByRole('alert').first().innerText()).toContain('本次没有签发任何凭证')
    expect(issuingCalls.slice(calls)).toEqual(['/v1/credentials'])
    expect((await api('/v1/credentials', demo.realEstate.apiKey)).body.items).toEqual([])
    // Corrected: the service's message leaves the field as the clerk edits it, and the certificate is issued.
    await fillField(form.getByRole('group', { name: '权利人 2' }), '份额', '0.5')
    await expect.poll(() => owners.innerText()).not.toContain('份额之和')
    await page.getByRole('button', { name: '签发凭证', exact: true }).click()
    await page.getByText('凭证已签发').waitFor()
    expect((await api('/v1/credentials', demo.realEstate.apiKey)).body.items).toHaveLength(1)
    await signOut(page)
  })

  it('lets the real estate supervisor transfer the property: the seller revoked, the buyer issued', async () => {
    await signInAs(page, service, ESTATE_SUPERVISOR)
    await page.goto(`${service.url}/console/credentials`)
    await page.locator('.credential-table').waitFor()
    const drawer = await openCredential(page)
    const sellerId = (await api('/v1/credentials', demo.realEstate.apiKey)).body.items[0].id
    await drawer.getByRole('button', { name: '办理过户' }).click()
    await page.getByRole('heading', { name: '不动产过户', level: 1 }).waitFor()
    const form = page.locator('form')
    expect(await form.getByLabel('不动产单元号', { exact: true }).isDisabled()).toBe(true)
    expect(await form.getByLabel('不动产权证书号', { exact: true }).inputValue()).toBe('苏(2024)南京市不动产权第0012345号')
    await fillField(form, '买方持有人标识（DID）', BUYER_DID)
    await fillField(form, '不动产权证书号', '苏(2025)南京市不动产权第0020001号')
    const owner = form.getByRole('group', { name: '权利人 1' })
    await fillField(owner, '权利人名称', '王强')
    await fillField(owner, '份额', '1')
    await form.getByRole('button', { name: '删除权利人 2' }).click()
    await screenshot(page, 'console-transfer')
    await page.getByRole('button', { name: '办理过户' }).click()
    const dialog = page.getByRole('dialog', { name: '确认过户' })
    await dialog.getByRole('button', { name: '确认过户' }).click()
    await page.getByText('过户已办结').waitFor({ timeout: 30_000 })
    expect((await api(`/v1/credentials/${encodeURIComponent(sellerId)}`, demo.realEstate.apiKey)).body.status).toBe('revoked')
    const items = (await api('/v1/credentials?status=active', demo.realEstate.apiKey)).body.items
    expect(items).toHaveLength(1)
    expect(items[0].holder).toBe(BUYER_DID)
    expect(await page.locator('main').innerText()).toContain(items[0].id)
  })

  it('generates the social security form: selects for the enums, an integer, repeatable records each type once', async () => {
    await signOut(page)
    await signInAs(page, service, 'human-resources-social-security-supervisor')
    await page.goto(`${service.url}/console/issue`)
    const form = page.locator('form')
    await form.getByLabel('参保人姓名', { exact: true }).waitFor()
    await fillField(form, '参保人姓名', '李明')
    const idField = form.locator('[data-pointer="/idNumberMasked"]')
    await fillField(form, '公民身份号码（脱敏）', '320106199001011234')
    await expect.poll(() => idField.innerText()).toContain('格式不正确')
    await fillField(form, '公民身份号码（脱敏）', '320106********1234')
    await expect.poll(() => idField.innerText()).not.toContain('格式不正确')
    await fillField(form, '参保地', '南京市')
    const choose = async (pointer: string, option: string) => {
      await form.locator(`[data-pointer="${pointer}"] .el-select`).click()
      await page.getByRole('option', { name: option, exact: true }).click()
    }
    const record = (n: number) => form.getByRole('group', { name: `险种参保记录 ${n}` })
    await choose('/insurances/0/type', '养老保险')
    await choose('/insurances/0/status', '参保缴费')
    await fillField(record(1), '累计缴费月数', '86.5')
    await expect.poll(() => record(1).innerText()).toContain('请输入整数')
    await fillField(record(1), '累计缴费月数', '86')
    await fillField(record(1), '最近缴费年月', '2024-05')
    await form.getByRole('button', { name: '添加险种参保记录' }).click()
    await choose('/insurances/1/type', '养老保险')
    const repeated = form.locator('[data-pointer="/insurances/1/type"]')
    await expect.poll(() => repeated.innerText()).toContain('与前面的项目重复')
    await choose('/insurances/1/type', '医疗保险')
    await expect.poll(() => repeated.innerText()).not.toContain('重复')
    await choose('/insurances/1/status', '暂停缴费')
    await fillField(record(2), '累计缴费月数', '24')
    await fillField(record(2), '最近缴费年月', '2021-12')
    await fillField(form, '截止日期', '2024-06-01')
    await page.getByRole('button', { name: '生成领取二维码' }).click()
    await page.getByRole('heading', { name: '请申请人扫码领取' }).waitFor()
    const offer = await redeemCode({
      offerUri: (await page.locator('.offer-link code').innerText()).trim(),
      txCode: (await page.locator('.tx-code').innerText()).trim(),
    } as CreatedOffer)
    expect((await requestCredential(offer, await walletKey())).status).toBe(200)
    const [issued] = (await api('/v1/credentials', demo.socialSecurity.apiKey)).body.items
    const detail = await api(`/v1/credentials/${encodeURIComponent(issued.id)}`, demo.socialSecurity.apiKey)
    expect(detail.body.type).toBe('SocialSecurityStatusCredential')
    // What the form sent: the two records, the months as integers (one disclosure holds the whole list).
    const disclosed = (detail.body.jwt as string)
      .split('~')
      .slice(1, -1)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as [string, string, unknown])
    expect(Object.fromEntries(disclosed.map(([, name, value]) => [name, value]))).toMatchObject({
      insuredName: '李明',
      idNumberMasked: '320106********1234',
      insurances: [
        { type: 'pension', status: 'active', contributionMonths: 86, lastContributionMonth: '2024-05' },
        { type: 'medical', status: 'suspended', contributionMonths: 24, lastContributionMonth: '2021-12' },
      ],
      asOf: '2024-06-01',
    })
  })

  it('fits a 390-pixel phone without horizontal scrolling', async () => {
    const phone = await openBrowser({ viewport: 'phone' })
    try {
      const small = await phone.newPage()
      await small.goto(`${service.url}/console/sign-in`)
      await small.getByRole('heading', { name: '部门工作台登录' }).waitFor()
      expect(await hasHorizontalScroll(small)).toBe(false)
      await signInAs(small, service, CLERK)
      for (const [path, ready] of [
        ['/console/dashboard', '.daily-chart svg'],
        ['/console/issue', '[data-pointer="/businessScope"]'],
        ['/console/credentials', '.credential-table'],
      ] as const) {
        await small.goto(`${service.url}${path}`)
        await small.locator(ready).first().waitFor()
        expect(await hasHorizontalScroll(small), path).toBe(false)
        if (path === '/console/issue') await screenshot(small, 'console-issue-phone')
      }
      // The session gone on the service side (here: the cookie): the next call sends the clerk to sign in again,
      // saying why, and back to the page afterwards.
      await phone.context.clearCookies()
      await small.getByRole('button', { name: '查询' }).click()
      await small.getByText('登录已超时，请重新登录。').waitFor()
      expect(new URL(small.url()).searchParams.get('redirect')).toBe('/console/credentials')
      const account = demoAccount(service, CLERK)
      await fillField(small, '用户名', account.username)
      await fillField(small, '密码', account.password)
      await small.getByRole('button', { name: '登录' }).click()
      await small.locator('.credential-table').waitFor()
      expect(phone.problems.filter((p) => !/status of 401/.test(p))).toEqual([])
    } finally {
      await phone.close()
    }
  })

  it('ran without an uncaught exception or a Content-Security-Policy violation', () => {
    // Chromium logs each refused call (401 before sign-in and for wrong passwords, 429 when locked, 422 for the
    // form the service refused) as a console error; those are the refusals the tests asked for.
    const expected = /Failed to load resource: the server responded with a status of (401|422|429)/
    expect(browser.problems.filter((problem) => !expected.test(problem))).toEqual([])
  })
})
