// The portal's public pages in a real browser (issue 13): Debian's chromium driven by playwright-core against the
// real service (embedded chain, demo departments). Chinese first, English on request; the departments and
// schemas as the chain has them; the feedback dialog stores what a visitor writes; keyboard and phone layout.
// GOVCRED_SCREENSHOTS=1 writes docs/screenshots/portal-*.png.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { OperatorKeyStore } from '../../src/accounts/operator-keys.js'
import { DEMO_DEPARTMENTS } from '../../src/issuing/departments/demo-departments.js'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  describeInBrowser,
  ensurePortalBuilt,
  hasHorizontalScroll,
  openBrowser,
  screenshot,
  settledTitle,
  type PortalBrowser,
} from './browser.js'

let service: TestService
let browser: PortalBrowser
let operatorKey: string

/** Opens `path` and waits until the page's first heading is there (the app has rendered). */
async function open(page: Page, path: string): Promise<void> {
  await page.goto(`${service.url}${path}`)
  await page.locator('main h1').first().waitFor()
}
const headings = (page: Page, level: 'h1' | 'h2') => page.locator(`main ${level}`).allInnerTexts()

describeInBrowser('the public pages in chromium', () => {
  beforeAll(async () => {
    ensurePortalBuilt()
    service = await startTestService()
    operatorKey = (await new OperatorKeyStore(service.ctx.db).create('public-pages test')).key
    browser = await openBrowser({ viewport: 'desktop' })
  })
  afterAll(async () => {
    await browser?.close()
    await service?.dispose()
  })

  it('opens / in Chinese: the platform, and a way in for each audience', async () => {
    const page = await browser.newPage()
    await open(page, '/')
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')
    expect(await headings(page, 'h1')).toEqual(['城市政务可信凭证平台'])
    expect(await headings(page, 'h2')).toEqual(expect.arrayContaining(['我是…', '它是如何运作的', '公开透明']))
    expect(await settledTitle(page, '首页 - 城市政务可信凭证平台')).toBe('首页 - 城市政务可信凭证平台')
    const cards = page.locator('.audience-card a')
    expect(await cards.evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['/console', '/wallet', '/verify'])
    const nav = page.getByRole('navigation', { name: '主导航' })
    for (const name of ['首页', '发证部门', '凭证模式', '公民指南', '部门工作台', '我的卡包', '银行核验'])
      await expect.poll(() => nav.getByRole('link', { name, exact: true }).count(), { message: name }).toBe(1)
    await expect.poll(() => page.getByRole('button', { name: '意见反馈' }).count()).toBe(1)
    await screenshot(page, 'portal-home')
    await page.close()
  })

  it('shows the accredited departments as the chain has them', async () => {
    const page = await browser.newPage()
    await open(page, '/')
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '发证部门' }).click()
    await page.locator('.department-card').first().waitFor()
    expect(new URL(page.url()).pathname).toBe('/departments')
    expect(await settledTitle(page, '发证部门 - 城市政务可信凭证平台')).toBe('发证部门 - 城市政务可信凭证平台')
    const { body } = await service.api('/v1/issuers')
    expect(body.issuers).toHaveLength(DEMO_DEPARTMENTS.length)
    const cards = page.locator('.department-card')
    expect(await cards.count()).toBe(DEMO_DEPARTMENTS.length)
    for (const profile of DEMO_DEPARTMENTS) {
      const issuer = body.issuers.find((i: { name: string }) => i.name === profile.name)
      const card = cards.filter({ has: page.getByRole('heading', { name: profile.name }) })
      await expect.poll(() => card.count(), { message: profile.name }).toBe(1)
      const text = await card.innerText()
      expect(text).toContain(issuer.did)
      expect(text).toContain(profile.unifiedSocialCreditCode)
      expect(text).toContain('已授权')
    }
    expect(await page.locator('.department-card').first().innerText()).toContain('营业执照')
    await screenshot(page, 'portal-departments')
    await page.close()
  })

  it('shows the four credential schemas, each anchored on chain, with their fields', async () => {
    const page = await browser.newPage()
    await open(page, '/schemas')
    await page.locator('.schema-card').first().waitFor()
    const cards = page.locator('.schema-card')
    expect(await cards.count()).toBe(4)
    expect(await cards.locator('h2').allInnerTexts()).toEqual(['营业执照', '不动产权证书', '社会保险参保状态', '单位社会保险登记'])
    expect(await page.locator('.anchor-state').evaluateAll((tags) => tags.map((t) => t.getAttribute('data-state')))).toEqual([
      'anchored',
      'anchored',
      'anchored',
      'anchored',
    ])
    expect(await page.locator('.anchor-state').allInnerTexts()).toEqual(['已在链上锚定', '已在链上锚定', '已在链上锚定', '已在链上锚定'])
    const { body } = await service.api('/v1/schemas')
    const licence = cards.first()
    expect(await licence.innerText()).toContain(body.schemas[0].contentHash)
    await licence.locator('summary').click()
    const rows = licence.locator('tbody tr')
    expect(await rows.count()).toBe(Object.keys(body.schemas[0].schema.properties).length)
    expect(await licence.locator('tbody').innerText()).toContain('统一社会信用代码')
    await screenshot(page, 'portal-schemas')
    await page.close()
  })

  it('explains to citizens what the chain holds and never holds', async () => {
    const page = await browser.newPage()
    await open(page, '/guide')
    expect(await headings(page, 'h1')).toEqual(['公民指南'])
    expect(await headings(page, 'h2')).toEqual(
      expect.arrayContaining(['什么是可验证凭证？', '联盟链上保存什么？', '联盟链上从不保存什么？', '选择性出示是怎么回事？']),
    )
    expect(await page.locator('main').innerText()).toContain('任何个人信息都不上链')
    await screenshot(page, 'portal-guide')
    await page.close()
  })

  it('switches to English, keeps the choice on the device, and reads the pages in English', async () => {
    const page = await browser.newPage()
    await open(page, '/')
    await page.getByRole('button', { name: 'Switch to English' }).click()
    await expect.poll(() => headings(page, 'h1')).toEqual(['City Verifiable Credentials'])
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    expect(await settledTitle(page, 'Home - City Verifiable Credentials')).toBe('Home - City Verifiable Credentials')
    await page.reload()
    await page.locator('main h1').waitFor()
    expect(await headings(page, 'h1')).toEqual(['City Verifiable Credentials'])
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Departments' }).click()
    await page.locator('.department-card').first().waitFor()
    expect(await headings(page, 'h1')).toEqual(['Issuing departments'])
    expect(await page.locator('.department-card').first().innerText()).toContain('Business licence')
    expect(await page.locator('.department-card').first().innerText()).toContain('Accredited')
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Credential schemas' }).click()
    await page.locator('.schema-card').first().waitFor()
    expect(await page.locator('.anchor-state').first().innerText()).toBe('Anchored on chain')
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Citizen guide' }).click()
    await expect.poll(() => headings(page, 'h1')).toEqual(['Citizen guide'])
    // Back to Chinese for the tests that follow (the choice is kept in this profile's localStorage).
    await page.getByRole('button', { name: '切换到中文' }).click()
    await expect.poll(() => headings(page, 'h1')).toEqual(['公民指南'])
    await page.close()
  })

  it('takes feedback through the dialog on any page and stores it for the operator', async () => {
    const page = await browser.newPage()
    await open(page, '/guide')
    await page.getByRole('button', { name: '意见反馈' }).click()
    const dialog = page.getByRole('dialog', { name: '意见反馈' })
    await dialog.waitFor()
    // Nothing written yet: an inline error, nothing sent.
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => dialog.innerText()).toContain('请填写您的意见')
    await dialog.getByLabel('您的意见').fill('指南很清楚，希望增加办事地点的说明。')
    await dialog.locator('.el-rate__item').nth(3).click()
    await dialog.getByLabel('联系方式（可选）').fill('wang.example')
    await screenshot(page, 'portal-feedback', { fullPage: false })
    await dialog.getByRole('button', { name: '提交' }).click()
    await expect.poll(() => dialog.innerText()).toContain('感谢您的反馈')
    const { status, body } = await service.api('/v1/feedback', { headers: { authorization: `Bearer ${operatorKey}` } })
    expect(status).toBe(200)
    expect(body.feedback[0]).toMatchObject({
      page: '/guide',
      message: '指南很清楚，希望增加办事地点的说明。',
      rating: 4,
      contact: 'wang.example',
      locale: 'zh-CN',
    })
    await page.close()
  })

  it('is usable by keyboard: Tab reaches the navigation and the feedback button, which opens the dialog', async () => {
    const page = await browser.newPage()
    await open(page, '/')
    const reached: string[] = []
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab')
      reached.push(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText?.trim() ?? ''))
    }
    expect(reached[0]).toBe('跳到主要内容')
    expect(reached).toEqual(expect.arrayContaining(['首页', '发证部门', '凭证模式', '公民指南', '银行核验', '意见反馈', 'English']))
    // From the top again, Tab to the feedback button and open it with Enter.
    await open(page, '/')
    for (let i = 0; i <= reached.indexOf('意见反馈'); i++) await page.keyboard.press('Tab')
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).innerText.trim())).toBe('意见反馈')
    await page.keyboard.press('Enter')
    await page.getByRole('dialog', { name: '意见反馈' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('dialog', { name: '意见反馈' }).waitFor({ state: 'hidden' })
    await page.close()
  })

  it('fits a 390-pixel phone without horizontal scrolling; the navigation folds into a menu', async () => {
    const phone = await openBrowser({ viewport: 'phone' })
    try {
      const page = await phone.newPage()
      for (const [path, ready] of [
        ['/', '.audience-card'],
        ['/departments', '.department-card'],
        ['/schemas', '.schema-card'],
        ['/guide', '.callout'],
      ] as const) {
        await open(page, path)
        await page.locator(ready).first().waitFor()
        if (path === '/schemas') await page.locator('.schema-card summary').first().click()
        expect(await hasHorizontalScroll(page), path).toBe(false)
        if (path === '/') await screenshot(page, 'portal-home-phone')
      }
      const menu = page.getByRole('button', { name: '打开菜单' })
      const nav = page.getByRole('navigation', { name: '主导航' })
      expect(await nav.isVisible()).toBe(false)
      await menu.click()
      expect(await nav.isVisible()).toBe(true)
      await nav.getByRole('link', { name: '凭证模式' }).click()
      await page.locator('.schema-card').first().waitFor()
      expect(await nav.isVisible()).toBe(false)
      expect(phone.problems).toEqual([])
    } finally {
      await phone.close()
    }
  })

  it('serves the SPA for /console/… and keeps /v1/nope a JSON 404', async () => {
    const api = await fetch(`${service.url}/v1/nope`)
    expect(api.status).toBe(404)
    expect(api.headers.get('content-type')).toMatch(/^application\/json/)
    expect((await api.json()).error.code).toBe('ERR_NOT_FOUND')
    const page = await browser.newPage()
    const response = await page.goto(`${service.url}/console/anything`)
    expect(response?.status()).toBe(200)
    expect(response?.headers()['content-type']).toMatch(/^text\/html/)
    await page.locator('main h1').first().waitFor()
    expect(await page.locator('header .brand').innerText()).toContain('城市政务可信凭证平台')
    await page.close()
  })

  it('ran without a console error, an uncaught exception or a Content-Security-Policy violation', () => {
    expect(browser.problems).toEqual([])
  })
})
