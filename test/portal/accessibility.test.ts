// An automated accessibility audit of every portal page a person sees (issue 13: "usable by keyboard, labelled
// controls, sufficient contrast, and laid out for a phone screen"): axe-core's WCAG 2.1 A and AA rules in Debian's
// chromium, driven by playwright-core against the real service (embedded chain, SQLite, the demo departments,
// bank and operator). One browser walks the portal as its people do, in Chinese and for a few pages in English:
// the public pages, the feedback dialog and the one-stop form; the clerk's sign-in (by keyboard only), issue form,
// offer QR code, credentials and a credential's detail; the supervisors' dashboard, audit trail, one-stop pages,
// revoke dialog and property transfer; the web wallet receiving that licence, its cards, the bank's consent screen
// (reached and answered by keyboard, the focus visible), a refusal, history and settings; the bank officer's
// sign-in, templates, QR code and the passed, declined and failed results; the operator's sign-in and feedback
// list; the wallet card, the consent screen and the verification QR code also on a 390-pixel phone. A violation of
// impact moderate or above fails, with the rule, the elements and axe's advice.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort } from '../../src/chain/anvil-node.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { demoAccount } from '../security/portal-session-helpers.js'
import { bearer, claimsOf, issueOverHttp, readDemo, type Demo } from '../verification/verification-helpers.js'
import { auditPage, blocking, formatFindings } from './axe-audit.js'
import { describeInBrowser, ensurePortalBuilt, openBrowser, VIEWPORTS, type PortalBrowser } from './browser.js'
import { fillBusinessLicence, openCredential, signInAs, signOut } from './console-helpers.js'

const CLERK = 'market-supervision-clerk'
const SUPERVISOR = 'market-supervision-supervisor'
const ESTATE_SUPERVISOR = 'real-estate-registration-supervisor'
const OFFICER = 'demo-bank-of-nanjing-officer'
const SELLER_DID = 'did:ethr:0x2b5ad5c4795c026514f8317c7a215e218dccd6cf'
/** Chromium logs each refused load (GET /v1/session before sign-in answers 401) as a console error. */
const REFUSED_LOAD = /Failed to load resource|status of 40[14]/

let service: TestService
let demo: Demo
let browser: PortalBrowser
let page: Page
/** A second tab of the same profile: the web wallet opened from the bank's QR code link. */
let walletTab: Page
/**
 * Audits what `tab` shows now; a violation of impact moderate or above fails the test (softly: the walk goes on
 * and every page's findings are reported).
 */
async function audit(label: string, tab: Page = page): Promise<void> {
  const findings = await auditPage(tab)
  expect.soft(blocking(findings), formatFindings(label, findings)).toEqual([])
}

/**
 * Opens `path` in `tab`, the tab in front (chromium stops the transitions and slows the timers of a tab behind
 * another), and waits for its first-level heading `heading` (the app has rendered the page).
 */
async function open(path: string, heading: string | RegExp, tab: Page = page): Promise<void> {
  await tab.bringToFront()
  await tab.goto(`${service.url}${path}`)
  await tab.getByRole('heading', { level: 1, name: heading }).waitFor()
}

/** Audits `label` again on a 390-pixel phone, then goes back to the desktop. */
async function auditOnPhone(label: string, tab: Page = page): Promise<void> {
  await tab.setViewportSize(VIEWPORTS.phone)
  try {
    await audit(`${label} (phone)`, tab)
  } finally {
    await tab.setViewportSize(VIEWPORTS.desktop)
  }
}

const switchToEnglish = () => page.getByRole('button', { name: 'Switch to English' }).click()
const switchToChinese = () => page.getByRole('button', { name: '切换到中文' }).click()

/** What shows the focused element has the focus: its outline or box shadow (an input's Element Plus frame's). */
const focusIndicator = (tab: Page) =>
  tab.evaluate(() => {
    const focused = document.activeElement as HTMLElement
    const framed = focused.closest('.el-input__wrapper, .el-textarea') ?? focused
    const shown = (element: Element) => {
      const style = getComputedStyle(element)
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
      return outline || style.boxShadow !== 'none'
    }
    return { text: focused.innerText?.trim() ?? '', id: focused.id, visible: shown(focused) || shown(framed) }
  })

/** Presses Tab until the focused element is `wanted` (its id or text), at most `limit` times; answers the presses. */
async function tabTo(tab: Page, wanted: { id?: string; text?: string }, limit = 60): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await tab.keyboard.press('Tab')
    const focused = await focusIndicator(tab)
    if ((wanted.id && focused.id === wanted.id) || (wanted.text && focused.text === wanted.text)) return presses
  }
  throw new Error(`Tab did not reach ${JSON.stringify(wanted)} in ${limit} presses`)
}

/** POST /v1/credential-offers with the issuing department's key (no holder yet: the wallet binds it). */
async function makeOffer(type: 'BusinessLicenseCredential' | 'SocialSecurityStatusCredential') {
  const { status, body } = await service.api('/v1/credential-offers', {
    headers: bearer(demo[type].apiKey),
    body: { type, claims: claimsOf(type), format: 'dc+sd-jwt' },
  })
  expect(status, JSON.stringify(body)).toBe(201)
  return body as { offerUri: string; txCode: string }
}

/** Receives an offer in the web wallet of `page` (/wallet/receive?offer=…, the transaction code typed in). */
async function receiveInWallet(offerUri: string, txCode: string, auditAs?: string): Promise<void> {
  await open(`/wallet/receive?offer=${encodeURIComponent(offerUri)}`, '领取凭证')
  await page.getByRole('region', { name: '确认领取' }).waitFor()
  if (auditAs) await audit(`${auditAs}: the offer to confirm`)
  await page.getByLabel('交易码').fill(txCode)
  await page.getByRole('button', { name: '领取' }).click()
  await page.getByText('领取成功，凭证已放入卡包。').waitFor()
  if (auditAs) await audit(`${auditAs}: received`)
}

/** Signs the bank officer in on /verify and waits for the page that starts a check. */
async function signInOfficer(): Promise<void> {
  const officer = demoAccount(service, OFFICER)
  await page.bringToFront()
  await page.goto(`${service.url}/verify`)
  await page.getByRole('heading', { name: '核验员登录' }).waitFor()
  await page.getByLabel('用户名').fill(officer.username)
  await page.getByLabel('密码', { exact: true }).fill(officer.password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByRole('heading', { name: '发起核验' }).waitFor()
}

/** Starts the loan check (贷款审核) and waits for its QR code; answers the web wallet's link to the request. */
async function startLoanCheck(): Promise<string> {
  await page.getByRole('radiogroup', { name: '核验模板' }).getByText('贷款审核', { exact: true }).click()
  await page.getByRole('button', { name: '生成核验二维码' }).click()
  await page.locator('code.deep-link').waitFor()
  return (await page.getByRole('link', { name: '在本设备打开网页卡包' }).getAttribute('href'))!
}

/** From a check's page: back to the start, then the loan check again. */
async function startLoanCheckAgain(): Promise<string> {
  await page.getByRole('button', { name: '发起其他核验' }).click()
  await page.getByRole('heading', { name: '发起核验' }).waitFor()
  return startLoanCheck()
}

/** Opens the bank's request in the wallet tab, in front, and waits for the consent screen. */
async function openConsent(link: string): Promise<void> {
  await walletTab.bringToFront()
  await walletTab.goto(link)
  await walletTab.getByRole('region', { name: '出示确认' }).waitFor()
}

describeInBrowser('the portal against axe-core (WCAG 2.1 AA) in chromium', () => {
  beforeAll(async () => {
    ensurePortalBuilt()
    // A real port: the issuer certificates and the bank's request name the public URL.
    service = await startTestService({ env: { PORT: String(await freePort()) } })
    demo = readDemo(service)
    browser = await openBrowser({ viewport: 'desktop' })
    page = await browser.newPage()
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await service?.dispose()
  })

  it('public pages: home, departments, schemas, guide, the feedback dialog, one-stop, not found; some in English', async () => {
    await open('/', '城市政务可信凭证平台')
    await page.locator('.audience-card').first().waitFor()
    await audit('/')
    await open('/departments', '发证部门')
    await page.locator('.department-card').first().waitFor()
    await audit('/departments')
    await open('/schemas', '凭证模式')
    await page.locator('.schema-card summary').first().click()
    await page.locator('.schema-card tbody tr').first().waitFor()
    await audit('/schemas (fields open)')
    await open('/guide', '公民指南')
    await audit('/guide')

    await page.getByRole('button', { name: '意见反馈' }).click()
    const dialog = page.getByRole('dialog', { name: '意见反馈' })
    await dialog.waitFor()
    await audit('feedback dialog')
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => dialog.innerText()).toContain('请填写您的意见')
    await audit('feedback dialog: message missing')
    await dialog.getByLabel('您的意见').fill('希望增加办事地点的说明。')
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => dialog.innerText()).toContain('感谢您的反馈')
    await audit('feedback dialog: sent')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })

    await open('/onestop', '开办企业')
    await page.locator('form').getByLabel('统一社会信用代码', { exact: true }).waitFor()
    await audit('/onestop')
    await page.getByRole('button', { name: '提交申请' }).click()
    await page.locator('.form-summary').waitFor()
    await audit('/onestop: the empty form refused')
    await open('/wallet/no-such-page', '页面不存在')
    await audit('not found')

    await open('/', '城市政务可信凭证平台')
    await switchToEnglish()
    await page.getByRole('heading', { level: 1, name: 'City Verifiable Credentials' }).waitFor()
    await audit('/ (en)')
    await open('/departments', 'Issuing departments')
    await page.locator('.department-card').first().waitFor()
    await audit('/departments (en)')
    await open('/onestop', 'Open a business')
    await audit('/onestop (en)')
    await switchToChinese()
    await page.getByRole('heading', { level: 1, name: '开办企业' }).waitFor()
  })

  it('the empty wallet and its receive page', async () => {
    await open('/wallet', '我的卡包')
    await page.getByText('卡包里还没有凭证。').waitFor()
    await audit('wallet: empty')
    await open('/wallet/receive', '领取凭证')
    await page.getByLabel('或粘贴链接').waitFor()
    await audit('wallet: receive page')
  })

  it('console as the clerk: sign-in by keyboard only, the issue form, the offer QR code, the forbidden page', async () => {
    await open('/console/sign-in', '部门工作台登录')
    await audit('console: sign-in')
    const clerk = demoAccount(service, CLERK)
    await tabTo(page, { id: 'console-username' })
    expect((await focusIndicator(page)).visible).toBe(true)
    await page.keyboard.type(clerk.username)
    await page.keyboard.press('Tab')
    expect((await focusIndicator(page)).id).toBe('console-password')
    expect((await focusIndicator(page)).visible).toBe(true)
    await page.keyboard.type(clerk.password)
    await page.keyboard.press('Enter')
    await page.locator('.console-bar').waitFor()
    await page.getByRole('heading', { level: 1, name: '业务概览' }).waitFor()

    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '签发凭证' }).click()
    const form = page.locator('form')
    await form.getByLabel('统一社会信用代码', { exact: true }).waitFor()
    await audit('console: issue form (business licence)')
    await page.getByRole('button', { name: '生成领取二维码' }).click()
    await page.locator('.form-summary').waitFor()
    await audit('console: issue form refused (fields missing)')
    const { id: _holder, ...claims } = businessLicenseClaims() as unknown as Record<string, unknown>
    await fillBusinessLicence(form, claims)
    await page.getByRole('button', { name: '生成领取二维码' }).click()
    await page.getByRole('heading', { name: '请申请人扫码领取' }).waitFor()
    await audit('console: offer QR code')
    const offerUri = (await page.locator('.offer-link code').innerText()).trim()
    const txCode = (await page.locator('.tx-code').innerText()).trim()

    await page.goto(`${service.url}/console/audit`)
    await page.getByRole('heading', { name: '需要科长（审核员）权限' }).waitFor()
    await audit('console: forbidden (clerk on the audit page)')

    // The applicant's web wallet (this browser) receives the licence; the social security record through the API.
    await receiveInWallet(offerUri, txCode, 'wallet: receive')
    const insured = await makeOffer('SocialSecurityStatusCredential')
    await receiveInWallet(insured.offerUri, insured.txCode)
  })

  it('the wallet’s refusals: a wrong transaction code, a request for a credential it does not hold', async () => {
    const offer = await makeOffer('BusinessLicenseCredential')
    await open(`/wallet/receive?offer=${encodeURIComponent(offer.offerUri)}`, '领取凭证')
    await page.getByLabel('交易码').fill(offer.txCode === '000000' ? '111111' : '000000')
    await page.getByRole('button', { name: '领取' }).click()
    await page.getByRole('alert').filter({ hasText: '交易码不正确' }).waitFor()
    await audit('wallet: a wrong transaction code')
    const bank = (JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { relyingParties: { apiKey: string }[] })
      .relyingParties[0]!
    const { status, body } = await service.api('/v1/presentation-requests', {
      headers: bearer(bank.apiKey),
      body: {
        protocol: 'openid4vp',
        credentials: [{ id: 'flat', type: 'PropertyCertificateCredential', claims: ['location'] }],
        purpose: { 'zh-CN': '房产核验', en: 'Property check' },
      },
    })
    expect(status, JSON.stringify(body)).toBe(201)
    await open(`/wallet/present?request=${encodeURIComponent(body.deepLink)}`, '出示凭证')
    await page.getByRole('region', { name: '卡包中缺少所需凭证' }).waitFor()
    await audit('wallet: the credential asked for is missing')
  })

  it('the wallet with cards: the list, a card (also on a phone), in English', async () => {
    await open('/wallet', '我的卡包')
    await expect.poll(() => page.locator('.credential-tile').count()).toBe(2)
    await page.locator('.credential-tile .status-line .el-tag', { hasText: '有效' }).first().waitFor()
    await audit('wallet: cards')
    await page.locator('.credential-tile').filter({ hasText: '营业执照' }).getByRole('link', { name: '营业执照' }).click()
    await page.getByRole('heading', { level: 2, name: '凭证内容' }).waitFor()
    await audit('wallet: a card')
    await auditOnPhone('wallet: a card')
    await switchToEnglish()
    await page.getByRole('heading', { level: 2, name: 'What it says' }).waitFor()
    await audit('wallet: a card (en)')
    await auditOnPhone('wallet: a card (en)')
    await switchToChinese()
    await page.getByRole('heading', { level: 2, name: '凭证内容' }).waitFor()
  })

  it('console as the clerk: the credentials list and a credential’s detail', async () => {
    await page.goto(`${service.url}/console/credentials`)
    await page.locator('.credential-table tbody tr').first().waitFor()
    await audit('console: credentials')
    const drawer = await openCredential(page)
    await audit('console: a credential’s detail')
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    await signOut(page)
    await audit('console: signed out')
  })

  it('verify as the bank officer: sign-in, template, QR code (also on a phone), the consent by keyboard, passed', async () => {
    await page.goto(`${service.url}/verify`)
    await page.getByRole('heading', { name: '核验员登录' }).waitFor()
    await audit('verify: sign-in')
    await signInOfficer()
    await audit('verify: templates')
    const link = await startLoanCheck()
    await audit('verify: QR code')
    await auditOnPhone('verify: QR code')

    walletTab = await browser.newPage()
    await openConsent(link)
    await audit('wallet: consent for the bank’s loan check', walletTab)
    await auditOnPhone('wallet: consent', walletTab)
    // By keyboard: Tab reaches both answers, each showing that it has the focus.
    await tabTo(walletTab, { text: '同意并出示' })
    expect(await focusIndicator(walletTab)).toMatchObject({ text: '同意并出示', visible: true })
    await walletTab.keyboard.press('Tab')
    expect(await focusIndicator(walletTab)).toMatchObject({ text: '拒绝', visible: true })
    await walletTab.keyboard.press('Shift+Tab')
    await walletTab.keyboard.press('Enter')
    await walletTab.getByText('已出示给 南京银行（演示）').waitFor()
    await audit('wallet: presented', walletTab)
    await page.bringToFront()

    await page.locator('.check-outcome[data-verified="true"]').waitFor()
    await audit('verify: passed')
    await switchToEnglish()
    await page.locator('.outcome-word').filter({ hasText: 'Passed' }).waitFor()
    await audit('verify: passed (en)')
    await switchToChinese()
    await page.locator('.outcome-word').filter({ hasText: '通过' }).waitFor()

    // The applicant declines the next one; a check built by hand is refused while nothing is chosen.
    await openConsent(await startLoanCheckAgain())
    await walletTab.getByRole('button', { name: '拒绝' }).click()
    await walletTab.getByText('已拒绝，未向 南京银行（演示） 出示任何信息。').waitFor()
    await page.bringToFront()
    await page.getByRole('heading', { name: '申请人拒绝出示' }).waitFor()
    await audit('verify: declined')
    await page.getByRole('button', { name: '发起其他核验' }).click()
    await page.getByRole('radiogroup', { name: '核验模板' }).getByText('自定义核验', { exact: true }).click()
    await page.getByRole('button', { name: '生成核验二维码' }).click()
    await page.getByText('请至少选择一项要核验的信息').waitFor()
    await audit('verify: a check by hand, refused')
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('heading', { name: '核验员登录' }).waitFor()
  })

  it('console as the supervisor: the dashboard, the audit trail, the one-stop pages, the revoke dialog', async () => {
    await page.bringToFront()
    await signInAs(page, service, SUPERVISOR)
    await page.getByRole('heading', { level: 1, name: '业务概览' }).waitFor()
    await page.locator('.daily-chart svg').waitFor()
    await audit('console: dashboard')
    await page.getByRole('navigation', { name: '工作台导航' }).getByRole('link', { name: '审计日志' }).click()
    await page.locator('.audit-table tbody tr').first().waitFor()
    await page.getByRole('button', { name: '校验完整性' }).click()
    await expect.poll(() => page.locator('.integrity-result').innerText()).toMatch(/^审计日志完整/)
    await audit('console: audit trail')
    await page.goto(`${service.url}/console/onestop/reviews`)
    await page.getByRole('heading', { level: 1 }).waitFor()
    await audit('console: one-stop reviews')
    await page.goto(`${service.url}/console/onestop/rules`)
    await page.getByRole('heading', { level: 1 }).waitFor()
    await audit('console: one-stop rules')

    await page.goto(`${service.url}/console/credentials`)
    await page.locator('.credential-table tbody tr').first().waitFor()
    const drawer = await openCredential(page)
    await drawer.getByRole('button', { name: '撤销', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: '撤销凭证' })
    await dialog.waitFor()
    await audit('console: revoke confirmation')
    await dialog.getByRole('button', { name: '确认撤销' }).click()
    await expect.poll(() => dialog.innerText()).toContain('请填写原因')
    await audit('console: revoke confirmation without a reason')
    await dialog.getByRole('textbox').fill('营业执照已被依法吊销')
    await dialog.getByRole('button', { name: '确认撤销' }).click()
    await expect.poll(() => drawer.locator('.status-tag').innerText(), { timeout: 30_000 }).toBe('已撤销')
    await audit('console: a revoked credential’s detail')
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    await switchToEnglish()
    await page.getByRole('heading', { level: 1, name: 'Credentials' }).waitFor()
    await audit('console: credentials (en)')
    await switchToChinese()
    await page.getByRole('heading', { level: 1, name: '凭证管理' }).waitFor()
    await signOut(page)
  })

  it('console as the real estate supervisor: the property transfer form', async () => {
    await issueOverHttp(service, demo, 'PropertyCertificateCredential', SELLER_DID)
    await signInAs(page, service, ESTATE_SUPERVISOR)
    await page.goto(`${service.url}/console/credentials`)
    await page.locator('.credential-table tbody tr').first().waitFor()
    const drawer = await openCredential(page)
    await drawer.getByRole('button', { name: '办理过户' }).click()
    await page.getByRole('heading', { name: '不动产过户', level: 1 }).waitFor()
    await audit('console: property transfer')
    await page.getByRole('button', { name: '办理过户' }).click()
    await page.locator('.form-summary').waitFor()
    await audit('console: property transfer refused (fields missing)')
    await signOut(page)
  })

  it('verify: the failed result once the licence is revoked on chain; the wallet warns before presenting it', async () => {
    const [licence] = (
      await service.api('/v1/credentials?type=BusinessLicenseCredential', { headers: bearer(demo.BusinessLicenseCredential.apiKey) })
    ).body.items as { id: string }[]
    const revokedOnChain = async () =>
      (
        await service.api(`/v1/credentials/${encodeURIComponent(licence!.id)}/status`, {
          headers: bearer(demo.BusinessLicenseCredential.apiKey),
        })
      ).body.onChain.revoked
    await expect.poll(revokedOnChain, { timeout: 30_000 }).toBe(true)
    // The wallet reads the status lists when its cards are shown: the licence's card says 已撤销 (once the list
    // the browser cached for its ttl, 60 s, is gone).
    const devtools = await browser.context.newCDPSession(walletTab)
    await devtools.send('Network.clearBrowserCache')
    await devtools.detach()
    await open('/wallet', '我的卡包', walletTab)
    await walletTab.locator('.credential-tile .status-line .el-tag', { hasText: '已撤销' }).waitFor()
    await audit('wallet: cards, one revoked', walletTab)
    await signInOfficer()
    const link = await startLoanCheck()
    await openConsent(link)
    await walletTab.getByText('这张凭证已撤销，对方核验时将不会通过。').waitFor()
    await audit('wallet: consent with a revoked card', walletTab)
    await walletTab.getByRole('button', { name: '同意并出示' }).click()
    await walletTab.getByText('已出示给 南京银行（演示）').waitFor()
    await page.bringToFront()
    await page.locator('.check-outcome[data-verified="false"]').waitFor()
    await audit('verify: failed')
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('heading', { name: '核验员登录' }).waitFor()
  })

  it('the wallet’s history and settings', async () => {
    await open('/wallet/history', '出示记录')
    await expect.poll(() => page.locator('.history-entry').count()).toBe(3)
    await audit('wallet: history')
    await open('/wallet/settings', '设置')
    await audit('wallet: settings')
  })

  it('admin: the operator’s sign-in and the feedback list', async () => {
    await open('/admin', '平台管理')
    await page.getByRole('heading', { name: '运营人员登录' }).waitFor()
    await audit('admin: sign-in')
    const operator = demoAccount(service, 'operator')
    await page.getByLabel('用户名').fill(operator.username)
    await page.getByLabel('密码', { exact: true }).fill(operator.password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.locator('table.feedback-table tbody tr').first().waitFor()
    await audit('admin: feedback')
  })

  it('ran without a console error, an uncaught exception or a Content-Security-Policy violation', () => {
    expect(browser.problems.filter((problem) => !REFUSED_LOAD.test(problem))).toEqual([])
  })
})
