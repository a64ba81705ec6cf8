// The bank verification page (/verify, issue 13) in a real browser: Debian's chromium driven by playwright-core
// against the real service (embedded Anvil, SQLite, HTTP on loopback). The demo bank's officer signs in, picks
// 贷款审核 and shows the QR code; a holder made here (the CLI wallet library, src/wallet/) answers; the page turns
// green with each check in plain words and only the claims asked for. After the market-supervision department
// revokes the licence and the batch is mined, the same check turns red and says why. A declined and an expired
// request, a wrong password, a hand-built check, the phone layout. GOVCRED_SCREENSHOTS=1 writes
// docs/screenshots/verify-*.png.
import 'reflect-metadata'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jsQRExports from 'jsqr'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort } from '../../src/chain/anvil-node.js'
import { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { demoAccount, type DemoAccount } from '../security/portal-session-helpers.js'
import { bearer, claimsOf, readDemo, type Demo } from '../verification/verification-helpers.js'
import {
  describeInBrowser,
  ensurePortalBuilt,
  hasHorizontalScroll,
  openBrowser,
  screenshot,
  settledTitle,
  type PortalBrowser,
} from './browser.js'

// jsqr is CommonJS (`module.exports = jsQR`) with types written as an ES default export: under NodeNext the
// default import is the function itself, typed as the module.
const jsQR = jsQRExports as unknown as typeof jsQRExports.default

let service: TestService
let demo: Demo
let officer: DemoAccount
let browser: PortalBrowser
let page: Page
let walletDir: string
let rootPem: string
let licenceOfferId: string
const issued: Record<string, Record<string, unknown>> = {}
/** The id of the check that passed (opened again on a phone). */
let passedCheckId: string

const BANK_NAME = '南京银行（演示）'
/** Chromium logs each 401 answer (GET /v1/session before sign-in, the wrong password) as a console error. */
const UNSIGNED_IN = /status of 401/

/** The holder's wallet (opened per use: its data directory allows one process at a time). */
async function withWallet<T>(run: (wallet: HolderWallet) => Promise<T>): Promise<T> {
  const wallet = await HolderWallet.open({ dir: walletDir })
  try {
    return await run(wallet)
  } finally {
    await wallet.close()
  }
}

/** Picks a template as a person does: a click on its card. */
const chooseTemplate = (name: string) => page.getByRole('radiogroup', { name: '核验模板' }).getByText(name, { exact: true }).click()

/** Starts the loan check on the page and waits for its QR code; answers the request's id and deep link. */
async function startLoanCheck(): Promise<{ id: string; deepLink: string }> {
  if (new URL(page.url()).pathname !== '/verify') await page.getByRole('link', { name: '返回发起核验' }).click()
  await page.getByRole('heading', { name: '发起核验' }).waitFor()
  await chooseTemplate('贷款审核')
  await page.getByRole('button', { name: '生成核验二维码' }).click()
  await page.locator('code.deep-link').waitFor()
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
  return { id, deepLink: (await page.locator('code.deep-link').innerText()).trim() }
}

/** The text the QR code on the page holds, read from its pixels (jsQR) as a phone camera would. */
async function qrText(): Promise<string | undefined> {
  const size = 360
  const rgba = await page.locator('img.qr-code').evaluate(async (img: HTMLImageElement, side) => {
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = canvas.height = side
    const context = canvas.getContext('2d')!
    context.fillStyle = '#fff'
    context.fillRect(0, 0, side, side)
    context.drawImage(img, 0, 0, side, side)
    // As base64: a plain array of the pixels takes seconds to cross the protocol.
    const bytes = context.getImageData(0, 0, side, side).data
    let binary = ''
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    return btoa(binary)
  }, size)
  return jsQR(new Uint8ClampedArray(Buffer.from(rgba, 'base64')), size, size, { inversionAttempts: 'dontInvert' })?.data
}

const checkCodes = (scope: string) =>
  page
    .locator(`${scope} .check-list li`)
    .evaluateAll((items) => items.map((li) => [li.getAttribute('data-check'), li.getAttribute('data-code')]))
const claimNames = (type: string) =>
  page
    .locator(`.presented-credential[data-type="${type}"] .disclosed-claims > div`)
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-claim')))

describeInBrowser('the bank verification page in chromium', () => {
  beforeAll(async () => {
    ensurePortalBuilt()
    // A known port: the bank's request and response URIs and its certificate name the public URL.
    service = await startTestService({ env: { PORT: String(await freePort()) } })
    demo = readDemo(service)
    officer = demoAccount(service, 'demo-bank-of-nanjing-officer')
    rootPem = (await service.api('/v1/network')).body.issuerTrust.x509RootCertificatePem
    walletDir = mkdtempSync(join(tmpdir(), 'govcred-verify-page-wallet-'))
    await withWallet(async (wallet) => {
      for (const type of ['BusinessLicenseCredential', 'SocialSecurityStatusCredential'] as const) {
        const claims = claimsOf(type)
        const { status, body } = await service.api('/v1/credential-offers', {
          headers: bearer(demo[type].apiKey),
          body: { type, claims, format: 'dc+sd-jwt' },
        })
        expect(status, JSON.stringify(body)).toBe(201)
        await wallet.receive(body.offerUri, { txCode: body.txCode })
        issued[type] = claims
        if (type === 'BusinessLicenseCredential') licenceOfferId = body.id
      }
    })
    browser = await openBrowser({ viewport: 'desktop' })
    page = await browser.newPage()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await service?.dispose()
    if (walletDir) rmSync(walletDir, { recursive: true, force: true })
  })

  it('refuses a wrong password in plain words, then signs the demo officer in under the bank’s registered name', async () => {
    await page.goto(`${service.url}/verify`)
    await page.getByRole('heading', { name: '核验员登录' }).waitFor()
    expect(await settledTitle(page, '银行核验 - 城市政务可信凭证平台')).toBe('银行核验 - 城市政务可信凭证平台')
    await page.getByLabel('用户名').fill(officer.username)
    await page.getByLabel('密码', { exact: true }).fill('not the password')
    await page.getByLabel('密码', { exact: true }).press('Enter')
    await page.getByText('用户名或密码不正确。').waitFor()
    expect(await page.getByLabel('密码', { exact: true }).inputValue()).toBe('')
    expect(await page.locator('main').innerText()).toContain('ERR_AUTH_INVALID')
    await screenshot(page, 'verify-sign-in-refused')

    await page.getByLabel('密码', { exact: true }).fill(officer.password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.getByRole('heading', { name: '发起核验' }).waitFor()
    const bar = page.getByRole('region', { name: '核验机构' })
    expect(await bar.innerText()).toContain(BANK_NAME)
    expect(await bar.innerText()).toContain('核验员：')
    expect(await page.getByText('本次登录后还没有发起核验。').count()).toBe(1)
    await screenshot(page, 'verify-home')
  })

  it('贷款审核: the QR code opens the web wallet on the request, the raw openid4vp:// link is shown, and the time left', async () => {
    await chooseTemplate('贷款审核')
    expect(await page.getByRole('radio', { name: /贷款审核/ }).isChecked()).toBe(true)
    const asks = await page.locator('.asks li').allInnerTexts()
    expect(asks).toEqual(['营业执照：名称、统一社会信用代码', '社会保险参保状态：险种、参保地'])
    expect(await page.getByLabel('核验目的（中文）').inputValue()).toBe('贷款审核')
    expect(await page.getByLabel('核验目的（英文）').inputValue()).toBe('Loan check')
    await page.getByRole('button', { name: '生成核验二维码' }).click()
    await page.locator('code.deep-link').waitFor()
    const deepLink = (await page.locator('code.deep-link').innerText()).trim()
    expect(deepLink).toMatch(/^openid4vp:\/\/\?client_id=x509_san_dns%3A[^&]+&request_uri=/)
    const webWallet = `${service.url}/wallet/present?request=${encodeURIComponent(deepLink)}`
    expect(await qrText()).toBe(webWallet)
    expect(await page.getByRole('link', { name: '在本设备打开网页卡包' }).getAttribute('href')).toBe(webWallet)
    expect(await page.getByRole('img', { name: '二维码：用平台网页卡包打开的核验请求' }).count()).toBe(1)
    // For a stock wallet, the QR code is the standard link itself.
    await page.getByText('其他标准卡包').click()
    await page.getByRole('img', { name: '二维码：标准卡包核验请求（OpenID4VP）' }).waitFor()
    expect(await qrText()).toBe(deepLink)
    await page.getByText('平台网页卡包').click()
    expect(await page.locator('.qr-expiry').innerText()).toMatch(/^二维码将在 \d+:\d\d 后失效$/)
    expect(await page.locator('.asked-list').innerText()).toContain('营业执照：名称、统一社会信用代码')
    expect(await page.getByRole('status').filter({ hasText: '等待申请人扫码出示…' }).count()).toBe(1)
    await screenshot(page, 'verify-qr')
  })

  it('turns green when the holder answers, with each check in plain words and only the claims asked for', async () => {
    const deepLink = (await page.locator('code.deep-link').innerText()).trim()
    passedCheckId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
    const plan = await withWallet(async (wallet) => {
      const opened = await wallet.openPresentationRequest(deepLink, { trustedRoots: [rootPem] })
      await wallet.sendPresentation(opened, { trustedRoots: [rootPem] })
      return opened
    })
    expect(plan.verifierName['zh-CN']).toBe(BANK_NAME)
    expect(plan.purpose).toEqual({ 'zh-CN': '贷款审核', en: 'Loan check' })

    await page.locator('.check-outcome[data-verified="true"]').waitFor()
    expect(await page.locator('.outcome-word').innerText()).toBe('通过')
    expect(await page.getByRole('status').filter({ hasText: '全部核验项均已通过' }).count()).toBe(1)
    expect(await page.locator('.check-failed').count()).toBe(0)
    const licence = '.presented-credential[data-type="BusinessLicenseCredential"]'
    const social = '.presented-credential[data-type="SocialSecurityStatusCredential"]'
    expect((await checkCodes(licence)).map(([check]) => check)).toEqual(
      expect.arrayContaining(['credentialSignature', 'issuerAccredited', 'status', 'keyBinding', 'requestedClaims']),
    )
    const licenceText = await page.locator(licence).innerText()
    expect(licenceText).toContain('营业执照未被撤销或暂停（已查询联盟链）')
    expect(licenceText).toContain('发证部门经联盟链授权签发此类凭证')
    expect(licenceText).toContain('市场监督管理局')
    expect(await claimNames('BusinessLicenseCredential')).toEqual(['enterpriseName', 'unifiedSocialCreditCode'])
    expect(await claimNames('SocialSecurityStatusCredential')).toEqual(['insurances', 'city'])
    const licenceClaims = issued.BusinessLicenseCredential!
    const socialClaims = issued.SocialSecurityStatusCredential!
    const claimRow = (name: string) => page.locator(`${licence} [data-claim="${name}"]`)
    expect(await claimRow('enterpriseName').locator('dt').innerText()).toBe('名称')
    expect(await claimRow('enterpriseName').locator('dd').innerText()).toBe(String(licenceClaims.enterpriseName))
    expect(await claimRow('unifiedSocialCreditCode').locator('dt').innerText()).toBe('统一社会信用代码')
    expect(await claimRow('unifiedSocialCreditCode').locator('dd').innerText()).toBe(String(licenceClaims.unifiedSocialCreditCode))
    const socialText = await page.locator(social).innerText()
    expect(socialText).toContain(String(socialClaims.city))
    expect(socialText).toContain('基本养老保险')
    // Nothing else: no other claim, no token, no holder key.
    const main = await page.locator('main').innerText()
    for (const hidden of [licenceClaims.legalRepresentative, licenceClaims.domicile, socialClaims.insuredName, socialClaims.idNumberMasked])
      expect(main).not.toContain(String(hidden))
    expect(main).not.toMatch(/eyJ[\w-]{10,}/)
    await screenshot(page, 'verify-passed')

    await page.getByRole('button', { name: 'Switch to English' }).click()
    await page.locator('.outcome-word').filter({ hasText: 'Passed' }).waitFor()
    expect(await page.locator(licence).innerText()).toContain('The business licence is neither revoked nor suspended (read from the chain)')
    await page.locator('button.lang-switch').click()
    await page.locator('.outcome-word').filter({ hasText: '通过' }).waitFor()

    await page.getByRole('button', { name: '发起其他核验' }).click()
    const recent = page.locator('.recent-item')
    await recent.first().waitFor()
    expect(await recent.count()).toBe(1)
    expect(await recent.first().getAttribute('data-outcome')).toBe('passed')
    expect(await recent.first().innerText()).toContain('贷款审核')
  })

  it('after the department revokes the licence and the batch is mined, the loan check turns red and says why', async () => {
    const offer = await service.api(`/v1/credential-offers/${encodeURIComponent(licenceOfferId)}`, {
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
    })
    const credentialId = offer.body.credentialId as string
    const revoked = await service.api(`/v1/credentials/${encodeURIComponent(credentialId)}/revoke`, {
      method: 'POST',
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
    })
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200)
    expect(revoked.body.onChain).toBe('confirmed')
    const onChain = async () =>
      (
        await service.api(`/v1/credentials/${encodeURIComponent(credentialId)}/status`, {
          headers: bearer(demo.BusinessLicenseCredential.apiKey),
        })
      ).body.onChain.revoked
    await expect.poll(onChain, { timeout: 30_000 }).toBe(true)

    const { deepLink } = await startLoanCheck()
    await withWallet(async (wallet) => wallet.sendPresentation(await wallet.openPresentationRequest(deepLink, { trustedRoots: [rootPem] })))

    await page.locator('.check-outcome[data-verified="false"]').waitFor()
    expect(await page.locator('.outcome-word').innerText()).toBe('未通过')
    expect(await page.locator('.outcome-reasons li').allInnerTexts()).toEqual(['该营业执照已被发证部门撤销'])
    const licence = '.presented-credential[data-type="BusinessLicenseCredential"]'
    expect(await checkCodes(licence)).toContainEqual(['status', 'ERR_CREDENTIAL_REVOKED'])
    expect(await page.locator(`${licence} .check-failed`).innerText()).toContain('该营业执照已被发证部门撤销')
    expect(await page.locator('.presented-credential[data-type="SocialSecurityStatusCredential"] .check-failed').count()).toBe(0)
    expect(await page.getByRole('status').filter({ hasText: '有 1 项核验未通过' }).count()).toBe(1)
    await screenshot(page, 'verify-failed')
  })

  it('says so when the holder declines, and offers to ask again', async () => {
    const { deepLink } = await startLoanCheck()
    const plan = await withWallet((wallet) => wallet.openPresentationRequest(deepLink, { trustedRoots: [rootPem] }))
    // What a wallet sends when its user says no (OpenID4VP 1.0 §8.5: an error response to the response URI).
    const declined = await fetch(plan.responseUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ error: 'access_denied', error_description: 'the holder declined', state: plan.state! }),
    })
    expect(declined.status).toBe(200)
    await page.getByRole('heading', { name: '申请人拒绝出示' }).waitFor()
    expect(await page.locator('.check-declined').innerText()).toContain('没有出示任何信息')
    expect(await page.getByRole('button', { name: '重新发起相同核验' }).count()).toBe(1)
    await screenshot(page, 'verify-declined')
  })

  it('a check built by hand that expires says so, and asks again for the same', async () => {
    await page.getByRole('button', { name: '发起其他核验' }).click()
    await chooseTemplate('自定义核验')
    expect(await page.getByRole('radio', { name: /自定义核验/ }).isChecked()).toBe(true)
    expect(await page.getByLabel('核验目的（中文）').inputValue()).toBe('')
    await page.getByRole('button', { name: '生成核验二维码' }).click()
    await page.getByText('请至少选择一项要核验的信息').waitFor()
    await page.getByText('请填写核验目的').first().waitFor()
    const property = page.locator('fieldset[data-type="PropertyCertificateCredential"]')
    await property.getByText('坐落', { exact: true }).click()
    await property.getByText('用途', { exact: true }).click()
    expect(await property.getByRole('checkbox', { name: '坐落' }).isChecked()).toBe(true)
    await page.getByLabel('核验目的（中文）').fill('抵押登记前核实房屋坐落')
    await page.getByLabel('核验目的（英文）').fill('Property location before a mortgage')
    expect(await page.locator('.asks li').allInnerTexts()).toEqual(['不动产权证书：坐落、用途'])
    await page.getByRole('button', { name: '生成核验二维码' }).click()
    await page.locator('code.deep-link').waitFor()
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('抵押登记前核实房屋坐落')
    const created = await service.api(`/v1/presentation-requests/${id}`, {}) // anonymous: the bank's request is not readable
    expect(created.status).toBe(401)

    // The request's time runs out on the service (its expiry moved into the past, as openid4vp-verifier.test does).
    const stored = (await service.verifier.deps.requests.lookup(id))!
    stored.expiresAt = new Date(Date.now() - 1000).toISOString()
    await page.getByRole('heading', { name: '核验请求已过期' }).waitFor()
    expect(await page.locator('code.deep-link').count()).toBe(0)
    await screenshot(page, 'verify-expired')

    await page.getByRole('button', { name: '重新发起相同核验' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/verify/checks/') && !url.pathname.endsWith(id))
    await page.locator('code.deep-link').waitFor()
    expect(await page.locator('.asked-list').innerText()).toContain('不动产权证书：坐落、用途')
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('抵押登记前核实房屋坐落')

    await page.getByRole('link', { name: '返回发起核验' }).click()
    const outcomes = await page.locator('.recent-item').evaluateAll((items) => items.map((li) => li.getAttribute('data-outcome')))
    expect(outcomes).toEqual(['pending', 'expired', 'declined', 'failed', 'passed'])
  })

  it('when the session ends while a check is open, asks for the sign-in again and comes back to the check', async () => {
    const pending = page.locator('.recent-item[data-outcome="pending"]')
    await pending.getByRole('link').click()
    await page.locator('code.deep-link').waitFor()
    const at = page.url()
    // The session cookie is gone (as after the idle timeout): the next read of the request answers 401.
    await browser.context.clearCookies()
    await page.getByText('登录已超时，请重新登录。').waitFor()
    await page.getByLabel('用户名').fill(officer.username)
    await page.getByLabel('密码', { exact: true }).fill(officer.password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.locator('code.deep-link').waitFor()
    expect(page.url()).toBe(at)
    expect(await page.locator('.recent-item').count()).toBe(0) // the home page's list is not on this page
    await page.getByRole('link', { name: '返回发起核验' }).click()
    expect(await page.locator('.recent-item').count()).toBe(5)
  })

  it('a clerk’s session cannot start checks: the page says whose account it is and offers sign-out', async () => {
    const other = await openBrowser({ viewport: 'desktop' })
    try {
      const tab = await other.newPage()
      const clerk = demoAccount(service, `${demo.BusinessLicenseCredential.id}-clerk`)
      await tab.goto(`${service.url}/verify`)
      await tab.getByLabel('用户名').fill(clerk.username)
      await tab.getByLabel('密码', { exact: true }).fill(clerk.password)
      await tab.getByRole('button', { name: '登录' }).click()
      await tab.getByRole('heading', { name: '当前账号不能发起核验' }).waitFor()
      expect(await tab.locator('main').innerText()).toContain('市场监督管理局')
      expect(await tab.getByRole('button', { name: '生成核验二维码' }).count()).toBe(0)
      await tab.getByRole('button', { name: '退出登录' }).click()
      await tab.getByRole('heading', { name: '核验员登录' }).waitFor()
    } finally {
      await other.close()
    }
  })

  it('lays the QR code and the result out for a phone (390 px, no horizontal scroll)', async () => {
    const phone = await openBrowser({ viewport: 'phone' })
    try {
      const tab = await phone.newPage()
      await tab.goto(`${service.url}/verify/checks/${passedCheckId}`)
      await tab.getByLabel('用户名').fill(officer.username)
      await tab.getByLabel('密码', { exact: true }).fill(officer.password)
      await tab.getByRole('button', { name: '登录' }).click()
      await tab.locator('.check-outcome[data-verified="true"]').waitFor()
      expect(await hasHorizontalScroll(tab)).toBe(false)
      await screenshot(tab, 'verify-passed-phone')
      await tab.getByRole('button', { name: '发起其他核验' }).click()
      await tab.getByRole('heading', { name: '发起核验' }).waitFor()
      expect(await hasHorizontalScroll(tab)).toBe(false)
      await screenshot(tab, 'verify-home-phone')
      await tab.getByRole('button', { name: '生成核验二维码' }).click()
      await tab.locator('code.deep-link').waitFor()
      expect(await hasHorizontalScroll(tab)).toBe(false)
      await screenshot(tab, 'verify-qr-phone')
      expect(phone.problems.filter((p) => !UNSIGNED_IN.test(p))).toEqual([])
    } finally {
      await phone.close()
    }
  })

  it('signs out: the page asks for the sign-in again and the bank’s requests are no longer readable', async () => {
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('heading', { name: '核验员登录' }).waitFor()
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('govcred.verify.')))).toEqual([])
    const status = await page.evaluate(async (id) => (await fetch(`/v1/presentation-requests/${id}`)).status, passedCheckId)
    expect(status).toBe(401)
    expect(browser.problems.filter((p) => !UNSIGNED_IN.test(p))).toEqual([])
  })
})
