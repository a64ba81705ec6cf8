// The platform operator's page (/admin, issue 13) in a real browser: Debian's chromium driven by playwright-core
// against the real service (embedded Anvil, SQLite, HTTP on loopback). Two visitors send feedback through the
// API; a department clerk who signs in is told plainly that the page is for platform operators; the demo
// operator signs in and sees both messages newest first, the contact only where one was given; the phone layout.
// GOVCRED_SCREENSHOTS=1 writes docs/screenshots/admin-feedback.png.
import 'reflect-metadata'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { demoAccount, type DemoAccount } from '../security/portal-session-helpers.js'
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
let operator: DemoAccount
let clerk: DemoAccount
let browser: PortalBrowser
let page: Page

/** Chromium logs each 401 answer (GET /v1/session before sign-in) as a console error. */
const UNSIGNED_IN = /status of 401/

const OLDER = { page: '/guide', message: '办事指南写得很清楚，谢谢。', rating: 5, locale: 'zh-CN' }
const NEWER = {
  page: '/departments',
  message: 'Please add a search box to the department list.',
  contact: 'visitor@example.cn',
  locale: 'en',
}

async function signInAs(account: DemoAccount): Promise<void> {
  await page.getByRole('heading', { name: '运营人员登录' }).waitFor()
  await page.getByLabel('用户名').fill(account.username)
  await page.getByLabel('密码', { exact: true }).fill(account.password)
  await page.getByRole('button', { name: '登录' }).click()
}

describeInBrowser('the platform operator page in chromium', () => {
  beforeAll(async () => {
    ensurePortalBuilt()
    service = await startTestService()
    operator = demoAccount(service, 'operator')
    const accounts = (JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { accounts: DemoAccount[] }).accounts
    clerk = demoAccount(service, accounts.find((a) => a.role === 'clerk')!.username)
    for (const feedback of [OLDER, NEWER]) {
      const { status, body } = await service.api('/v1/feedback', { method: 'POST', body: feedback })
      expect(status, JSON.stringify(body)).toBe(201)
    }
    browser = await openBrowser({ viewport: 'desktop' })
    page = await browser.newPage()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await service?.dispose()
  })

  it('tells a department clerk in plain words that the page is for platform operators, and lists nothing', async () => {
    await page.goto(`${service.url}/admin`)
    expect(await settledTitle(page, '平台管理 - 城市政务可信凭证平台')).toBe('平台管理 - 城市政务可信凭证平台')
    await signInAs(clerk)
    await page.getByRole('heading', { name: '当前账号无权访问平台管理' }).waitFor()
    expect(await page.locator('main').innerText()).toContain('平台管理仅限平台运营人员使用')
    expect(await page.locator('table').count()).toBe(0)
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('heading', { name: '运营人员登录' }).waitFor()
  })

  it('signs the demo operator in and lists both messages newest first, the contact only where given', async () => {
    await signInAs(operator)
    await page.getByRole('heading', { name: '意见建议' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/admin/feedback')
    const rows = page.locator('table.feedback-table tbody tr')
    await rows.nth(1).waitFor()
    expect(await rows.count()).toBe(2)
    const [first, second] = [await rows.nth(0).innerText(), await rows.nth(1).innerText()]
    expect(first).toContain(NEWER.message)
    expect(first).toContain('/departments')
    expect(first).toContain(`联系方式：${NEWER.contact}`)
    expect(first).toContain('未评分')
    expect(first).toContain('英文')
    expect(second).toContain(OLDER.message)
    expect(second).toContain('/guide')
    expect(second).toContain('5 分（满分 5 分）')
    expect(second).toContain('中文')
    expect(second).not.toContain('联系方式')
    expect(await page.getByRole('button', { name: '下一页' }).isDisabled()).toBe(true)
    expect(await page.getByRole('region', { name: '平台管理账号' }).innerText()).toContain('平台运营员')
    await screenshot(page, 'admin-feedback')
  })

  it('fits a phone (390 px) without a horizontal scroll bar, and reported no page problems', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.reload()
    await page.locator('table.feedback-table tbody tr').nth(1).waitFor()
    expect(await hasHorizontalScroll(page)).toBe(false)
    expect(browser.problems.filter((p) => !UNSIGNED_IN.test(p))).toEqual([])
  })
})
