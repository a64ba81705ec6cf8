// The citizen web wallet (/wallet, issue 13) in a real browser: Debian's chromium driven by playwright-core on a
// 390 x 844 phone in zh-CN, against the real service (embedded chain, demo departments and bank). A department
// makes an offer through the API; the wallet receives it from /wallet/receive?offer=… with the transaction code
// and shows the card; a reused offer and a wrong code say so in Chinese; the demo bank's OpenID4VP request opened at
// /wallet/present?request=… shows the bank, the purpose and the claims, and after consent the bank reads a
// verified answer with only those claims; the history keeps no values; a denied camera falls back to pasting.
// GOVCRED_SCREENSHOTS=1 writes docs/screenshots/wallet-*.png.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort } from '../../src/chain/anvil-node.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, claimsOf, readDemo, type Demo } from '../verification/verification-helpers.js'
import {
  CHROMIUM_PATH,
  describeInBrowser,
  ensurePortalBuilt,
  hasHorizontalScroll,
  openBrowser,
  screenshot,
  VIEWPORTS,
  type PortalBrowser,
} from './browser.js'

let service: TestService
let demo: Demo
let bank: { id: string; apiKey: string }
let browser: PortalBrowser
let page: Page
let licenceClaims: Record<string, unknown>

const LOAN_REQUEST = {
  protocol: 'openid4vp',
  credentials: [{ id: 'licence', type: 'BusinessLicenseCredential', claims: ['enterpriseName', 'unifiedSocialCreditCode'] }],
  purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
}

/** POST /v1/credential-offers with the market-supervision bureau's key: a business licence as SD-JWT VC. */
async function makeOffer(claims = claimsOf('BusinessLicenseCredential')): Promise<{ id: string; offerUri: string; txCode: string }> {
  const { status, body } = await service.api('/v1/credential-offers', {
    headers: bearer(demo.BusinessLicenseCredential.apiKey),
    body: { type: 'BusinessLicenseCredential', claims, format: 'dc+sd-jwt' },
  })
  expect(status, JSON.stringify(body)).toBe(201)
  return body
}

/** POST /v1/presentation-requests with the demo bank's key. */
async function bankRequest(body: unknown = LOAN_REQUEST): Promise<{ id: string; deepLink: string }> {
  const { status, body: created } = await service.api('/v1/presentation-requests', { headers: bearer(bank.apiKey), body })
  expect(status, JSON.stringify(created)).toBe(201)
  return created
}

/** Opens a wallet page and waits for its heading (the app has rendered it). */
async function open(path: string, heading: string): Promise<void> {
  await page.goto(`${service.url}${path}`)
  await page.getByRole('heading', { level: 1, name: heading }).waitFor()
}

const receiveLink = (offerUri: string) => `/wallet/receive?offer=${encodeURIComponent(offerUri)}`
const presentLink = (deepLink: string) => `/wallet/present?request=${encodeURIComponent(deepLink)}`
const mainText = () => page.locator('main').innerText()
const wrongCodeFor = (code: string) => (code === '000000' ? '111111' : '000000')

describeInBrowser('the citizen web wallet in chromium (phone, zh-CN)', () => {
  beforeAll(async () => {
    ensurePortalBuilt()
    // A real port: the issuer certificates name the public URL, which must be known before the service listens.
    service = await startTestService({ env: { PORT: String(await freePort()) } })
    demo = readDemo(service)
    bank = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).relyingParties[0]
    browser = await openBrowser({ viewport: 'phone' })
    page = await browser.newPage()
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await service?.dispose()
  })

  it('receives a business licence from /wallet/receive?offer=… with the transaction code and shows its card: Chinese names, 有效', async () => {
    licenceClaims = claimsOf('BusinessLicenseCredential')
    const offer = await makeOffer(licenceClaims)
    await open(receiveLink(offer.offerUri), '领取凭证')
    // Who offers what, before anything is received.
    const confirm = page.getByRole('region', { name: '确认领取' })
    await confirm.waitFor()
    expect(await confirm.locator('.offer-type').innerText()).toBe('营业执照')
    expect(await confirm.locator('.offer-issuer').innerText()).toBe('南京市市场监督管理局')
    const code = page.getByLabel('交易码')
    expect(await code.getAttribute('inputmode')).toBe('numeric')
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code')
    expect(await hasHorizontalScroll(page)).toBe(false)
    await screenshot(page, 'wallet-receive')

    await code.fill(offer.txCode)
    await page.getByRole('button', { name: '领取' }).click()
    await page.getByText('领取成功，凭证已放入卡包。').waitFor()
    const tile = page.locator('.received-tile')
    expect(await tile.getByRole('heading').innerText()).toBe('营业执照')
    expect(await tile.innerText()).toContain('南京市市场监督管理局')
    expect(await tile.locator('.status-line').getAttribute('data-status')).toBe('valid')
    expect(await tile.locator('.el-tag').first().innerText()).toBe('有效')
    await screenshot(page, 'wallet-received')

    // The home shows the card with its live status, and the card its claims by display name, kept on the device.
    await page.getByRole('link', { name: '查看卡包' }).click()
    await page.getByRole('heading', { level: 1, name: '我的卡包' }).waitFor()
    const card = page.locator('.credential-tile').filter({ hasText: '营业执照' })
    await expect.poll(() => card.count()).toBe(1)
    await card.locator('.status-line .el-tag', { hasText: '有效' }).waitFor()
    expect(await card.innerText()).toMatch(/核验于/)
    expect(await hasHorizontalScroll(page)).toBe(false)
    await screenshot(page, 'wallet-cards')

    await card.getByRole('link', { name: '营业执照' }).click()
    await page.getByRole('heading', { level: 2, name: '凭证内容' }).waitFor()
    const claims = page.locator('dl.claims')
    expect(await claims.innerText()).toContain('名称')
    expect(await claims.innerText()).toContain(String(licenceClaims.enterpriseName))
    expect(await claims.innerText()).toContain('统一社会信用代码')
    expect(await mainText()).toContain('以上内容只保存在您的这台设备上')
    expect(await hasHorizontalScroll(page)).toBe(false)
    await screenshot(page, 'wallet-card')
  })

  it('keeps the holder key non-extractable in the browser', async () => {
    const keys = await page.evaluate(async () => {
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        const opening = indexedDB.open('govcred-wallet')
        opening.onsuccess = () => resolve(opening.result)
        opening.onerror = () => reject(opening.error)
      })
      const records: { privateKey: CryptoKey }[] = await new Promise((resolve, reject) => {
        const reading = db.transaction('keys').objectStore('keys').getAll()
        reading.onsuccess = () => resolve(reading.result)
        reading.onerror = () => reject(reading.error)
      })
      db.close()
      return Promise.all(
        records.map(async ({ privateKey }) => ({
          type: privateKey.type,
          extractable: privateKey.extractable,
          usages: privateKey.usages,
          exported: await crypto.subtle.exportKey('jwk', privateKey).then(
            () => 'exported',
            (error: Error) => error.name,
          ),
        })),
      )
    })
    expect(keys).toEqual([{ type: 'private', extractable: false, usages: ['sign'], exported: 'InvalidAccessError' }])
  })

  it('says in Chinese when an offer was received already, and when the code is wrong (with the attempts left)', async () => {
    // An offer received, then opened again.
    const reused = await makeOffer()
    await open(receiveLink(reused.offerUri), '领取凭证')
    await page.getByLabel('交易码').fill(reused.txCode)
    await page.getByRole('button', { name: '领取' }).click()
    await page.getByText('领取成功，凭证已放入卡包。').waitFor()
    await open(receiveLink(reused.offerUri), '领取凭证')
    await page.getByRole('alert').filter({ hasText: '这个领取链接已经领取过了' }).waitFor()
    expect(await page.getByRole('link', { name: '查看卡包' }).count()).toBe(1)
    await screenshot(page, 'wallet-receive-used')

    const offer = await makeOffer()
    await open(receiveLink(offer.offerUri), '领取凭证')
    await page.getByLabel('交易码').fill(wrongCodeFor(offer.txCode))
    await page.getByRole('button', { name: '领取' }).click()
    await page.getByRole('alert').filter({ hasText: '交易码不正确，请核对后重新输入（还可尝试 2 次）。' }).waitFor()
    // The field is emptied and focused for the next try; the right code still works.
    expect(await page.getByLabel('交易码').inputValue()).toBe('')
    await screenshot(page, 'wallet-receive-wrong-code')
    await page.getByLabel('交易码').fill(offer.txCode)
    await page.getByRole('button', { name: '领取' }).click()
    await page.getByText('领取成功，凭证已放入卡包。').waitFor()
  })

  it('says so when the network fails (the same code can be tried again) and when the offer expired meanwhile', async () => {
    const offer = await makeOffer()
    await open(receiveLink(offer.offerUri), '领取凭证')
    await page.getByRole('region', { name: '确认领取' }).waitFor()
    // The issuer's token endpoint cannot be reached: nothing is spent, the form stays.
    await page.route('**/oid4vci/*/token', (route) => route.abort('connectionrefused'))
    await page.getByLabel('交易码').fill(offer.txCode)
    await page.getByRole('button', { name: '领取' }).click()
    await page.getByRole('alert').filter({ hasText: '网络连接失败，请检查网络后重试。' }).waitFor()
    await page.unroute('**/oid4vci/*/token')
    // Meanwhile the offer's time ran out at the department.
    await service.ctx.db.query(`UPDATE govcred_credential_offers SET expiresAt = ? WHERE id = ?`, [
      new Date(Date.now() - 1000).toISOString(),
      offer.id,
    ])
    await page.getByLabel('交易码').fill(offer.txCode)
    await page.getByRole('button', { name: '领取' }).click()
    await page.getByRole('alert').filter({ hasText: '领取链接已过期。请向办事人员重新申请。' }).waitFor()
    expect(await page.getByRole('button', { name: '重新扫码' }).count()).toBe(1)
  })

  it("shows the bank's name, the purpose and the claims; on consent the bank reads a verified answer with only those claims", async () => {
    const request = await bankRequest()
    await open(presentLink(request.deepLink), '出示凭证')
    const consent = page.getByRole('region', { name: '出示确认' })
    await consent.waitFor()
    expect(await consent.locator('.verifier-name').innerText()).toBe('南京银行（演示）')
    expect(await consent.locator('.verifier-other').innerText()).toBe('Demo Bank of Nanjing')
    expect(await consent.locator('.verifier-trust').innerText()).toContain('证书由平台联盟根证书签发')
    expect(await consent.locator('.purpose').innerText()).toBe('贷款审核')
    const requested = consent.locator('.requested')
    expect(await requested.locator('.requested-type').innerText()).toBe('营业执照')
    expect(await requested.locator('dl.claims dt').allInnerTexts()).toEqual(['名称', '统一社会信用代码'])
    const notShared = await consent.locator('.not-shared').innerText()
    expect(notShared).toContain('不会出示的内容')
    expect(notShared).toContain('法定代表人')
    expect(notShared).not.toContain('统一社会信用代码')
    expect(await hasHorizontalScroll(page)).toBe(false)
    await screenshot(page, 'wallet-present')

    await consent.getByRole('button', { name: '同意并出示' }).click()
    await page.getByText('已出示给 南京银行（演示）').waitFor()
    await screenshot(page, 'wallet-presented')

    const { body } = await service.api(`/v1/presentation-requests/${request.id}`, { headers: bearer(bank.apiKey) })
    expect(body.state).toBe('answered')
    expect(body.result.verified, JSON.stringify(body.result.checks)).toBe(true)
    expect(body.result.credentials).toHaveLength(1)
    expect(Object.keys(body.result.credentials[0].claims).sort()).toEqual(['enterpriseName', 'unifiedSocialCreditCode'])
  })

  it('declining tells the bank access_denied and shares nothing', async () => {
    const request = await bankRequest()
    await open(presentLink(request.deepLink), '出示凭证')
    await page.getByRole('button', { name: '拒绝' }).click()
    await page.getByText('已拒绝，未向 南京银行（演示） 出示任何信息。').waitFor()
    const { body } = await service.api(`/v1/presentation-requests/${request.id}`, { headers: bearer(bank.apiKey) })
    expect(body.result).toMatchObject({ verified: false, credentials: [], walletError: { error: 'access_denied' } })
  })

  it('names a missing credential and the department that issues it', async () => {
    const request = await bankRequest({
      ...LOAN_REQUEST,
      credentials: [{ id: 'flat', type: 'PropertyCertificateCredential', claims: ['location'] }],
    })
    await open(presentLink(request.deepLink), '出示凭证')
    const missing = page.getByRole('region', { name: '卡包中缺少所需凭证' })
    await missing.getByText('可向 南京市不动产登记中心 申请领取。').waitFor()
    expect(await missing.innerText()).toContain('南京银行（演示） 请求的凭证您还没有领取')
    expect(await missing.locator('.missing-list strong').innerText()).toBe('不动产权证书')
    await screenshot(page, 'wallet-present-missing')
  })

  it('keeps a history on the device with who asked, when, the types and claim names but no values; clearing asks first', async () => {
    await open('/wallet/history', '出示记录')
    const entries = page.locator('.history-entry')
    await expect.poll(() => entries.count()).toBe(2)
    const sent = entries.filter({ hasText: '已出示' })
    expect(await sent.getByRole('heading').innerText()).toBe('南京银行（演示）')
    const sentText = await sent.innerText()
    expect(sentText).toContain('用途：贷款审核')
    expect(sentText).toContain('营业执照')
    expect(sentText).toContain('名称、统一社会信用代码')
    expect(await sent.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(await entries.filter({ hasText: '已拒绝' }).count()).toBe(1)
    const text = await mainText()
    for (const value of [licenceClaims.enterpriseName, licenceClaims.unifiedSocialCreditCode]) expect(text).not.toContain(String(value))
    expect(await hasHorizontalScroll(page)).toBe(false)
    await screenshot(page, 'wallet-history')

    await page.getByRole('button', { name: '清除记录' }).click()
    const dialog = page.getByRole('dialog', { name: '清除出示记录' })
    await dialog.waitFor()
    await dialog.getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(await entries.count()).toBe(2)
    await page.getByRole('button', { name: '清除记录' }).click()
    await dialog.getByRole('button', { name: '清除' }).click()
    await page.getByText('还没有出示记录。').waitFor()
    await page.reload()
    await page.getByText('还没有出示记录。').waitFor()
  })

  it('falls back to pasting a link when the camera is denied (or missing), and opens the pasted offer', async () => {
    // A browser with a (fake) camera whose use this page was never allowed: getUserMedia is refused.
    const withCamera = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--use-fake-device-for-media-stream'],
    })
    try {
      const context = await withCamera.newContext({ locale: 'zh-CN', viewport: VIEWPORTS.phone })
      const denied = await context.newPage()
      await denied.goto(`${service.url}/wallet/present`)
      await denied.getByRole('button', { name: '用摄像头扫码' }).click()
      await denied.getByRole('alert').filter({ hasText: '无法使用摄像头：您没有允许本页面使用摄像头' }).waitFor()
      expect(await denied.getByLabel('或粘贴链接').isVisible()).toBe(true)
      await screenshot(denied, 'wallet-scan-denied')
    } finally {
      await withCamera.close()
    }

    // This browser has no camera at all: the same fallback, and the pasted link opens the offer.
    await open('/wallet/receive', '领取凭证')
    await page.getByRole('button', { name: '用摄像头扫码' }).click()
    await page.getByRole('alert').filter({ hasText: '没有找到可用的摄像头。请把链接粘贴到下面。' }).waitFor()
    const offer = await makeOffer()
    await page.getByLabel('或粘贴链接').fill(offer.offerUri)
    await page.getByRole('button', { name: '打开', exact: true }).click()
    await page.getByRole('region', { name: '确认领取' }).waitFor()
    expect(new URL(page.url()).searchParams.get('offer')).toBe(offer.offerUri)
  })

  it('switches the language and deletes all wallet data after a confirmation', async () => {
    await open('/wallet/settings', '设置')
    expect(await mainText()).toContain('不能被导出，也从不发送给任何人')
    expect(await hasHorizontalScroll(page)).toBe(false)
    await screenshot(page, 'wallet-settings')

    await page.getByRole('radio', { name: 'English' }).check({ force: true })
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
    await page.getByRole('radio', { name: '中文' }).check({ force: true })
    await page.getByRole('heading', { level: 1, name: '设置' }).waitFor()

    await page.getByRole('button', { name: '删除全部卡包数据' }).click()
    const dialog = page.getByRole('dialog', { name: '删除全部卡包数据' })
    await dialog.getByRole('button', { name: '全部删除' }).click()
    await page.getByText('卡包数据已全部删除。').waitFor()
    await page.getByRole('navigation', { name: '卡包功能' }).getByRole('link', { name: '卡包' }).click()
    await page.getByText('卡包里还没有凭证。').waitFor()
  })

  it('ran without an uncaught exception or a Content-Security-Policy violation', () => {
    // Refused answers (the reused offer's 404, the wrong code's 400) are logged by chromium as failed loads.
    expect(browser.problems.filter((problem) => !/Failed to load resource/.test(problem))).toEqual([])
  })
})
