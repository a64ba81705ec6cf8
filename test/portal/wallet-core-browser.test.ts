// The wallet core as the browser runs it: bundled by Vite for the browser (no Node built-ins), loaded in Debian's
// chromium at the service's own origin under the portal's Content-Security-Policy, with the browser's own
// IndexedDB, WebCrypto and DecompressionStream. Receive, reload (the key and card survive), live status, and an
// encrypted (direct_post.jwt) answer to the demo bank.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort } from '../../src/chain/anvil-node.js'
import { PORTAL_CSP } from '../../src/http/routes/portal-routes.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, claimsOf, readDemo, type Demo } from '../verification/verification-helpers.js'
import { describeInBrowser, openBrowser, type PortalBrowser } from './browser.js'

const ENTRY = fileURLToPath(new URL('../../portal/src/wallet-core/index.ts', import.meta.url))
/** Where the test page and the bundle are served, on the service's origin (the wallet talks to its home node). */
const SMOKE_PATH = '/wallet-core-smoke'

let service: TestService
let demo: Demo
let bank: { apiKey: string }
let browser: PortalBrowser
let bundleDir: string
let bundle: string

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'govcred-wallet-core-bundle-'))
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      outDir: bundleDir,
      emptyOutDir: true,
      lib: { entry: ENTRY, formats: ['es'], fileName: () => 'wallet-core.js' },
    },
  })
  bundle = readFileSync(join(bundleDir, 'wallet-core.js'), 'utf8')
  service = await startTestService({ env: { PORT: String(await freePort()) } })
  demo = readDemo(service)
  bank = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).relyingParties[0]
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await service?.dispose()
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true })
})

describeInBrowser('wallet core in chromium', () => {
  it('bundles without Node built-ins, keeps a non-extractable key and the card across a reload, and answers the bank encrypted', async () => {
    expect(bundle).not.toMatch(/from\s*["']node:|require\(["'](crypto|buffer|zlib)["']\)/)

    const offer = (
      await service.api('/v1/credential-offers', {
        headers: bearer(demo.BusinessLicenseCredential.apiKey),
        body: { type: 'BusinessLicenseCredential', claims: claimsOf('BusinessLicenseCredential'), format: 'dc+sd-jwt' },
      })
    ).body
    const request = (
      await service.api('/v1/presentation-requests', {
        headers: bearer(bank.apiKey),
        body: {
          protocol: 'openid4vp',
          responseMode: 'direct_post.jwt',
          credentials: [{ id: 'licence', type: 'BusinessLicenseCredential', claims: ['enterpriseName'] }],
          purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
        },
      })
    ).body
    expect(request.deepLink).toMatch(/^openid4vp:/)

    browser = await openBrowser()
    const page = await browser.newPage()
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
    // A page like the portal's: its script from 'self' (no inline code), the bundle as a module it imports.
    await page.route(`${service.url}${SMOKE_PATH}/**`, (route) => {
      const url = route.request().url()
      if (url.endsWith('/wallet-core.js')) return route.fulfill({ contentType: 'text/javascript', body: bundle })
      if (url.endsWith('/boot.js'))
        return route.fulfill({
          contentType: 'text/javascript',
          body: "import * as core from './wallet-core.js'; globalThis.walletCore = core",
        })
      return route.fulfill({
        contentType: 'text/html; charset=utf-8',
        headers: { 'content-security-policy': PORTAL_CSP },
        body: '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>wallet core</title><script type="module" src="boot.js"></script></html>',
      })
    })
    const load = async () => {
      await page.goto(`${service.url}${SMOKE_PATH}/index.html`)
      await page.waitForFunction(() => 'walletCore' in globalThis)
    }
    await load()

    const received = await page.evaluate(
      async ({ offerUri, txCode, link }) => {
        const core = (globalThis as unknown as { walletCore: any }).walletCore
        const wallet = await core.openWallet()
        const card = await wallet.acceptOffer(await wallet.openOffer(offerUri), { txCode })
        const plan = await wallet.openPresentationRequest(link)
        await wallet.sendPresentation(plan)
        const db: IDBDatabase = await new Promise((resolve, reject) => {
          const opening = indexedDB.open(core.WALLET_DB_NAME)
          opening.onsuccess = () => resolve(opening.result)
          opening.onerror = () => reject(opening.error)
        })
        const keys: { privateKey: CryptoKey }[] = await new Promise((resolve) => {
          const reading = db.transaction('keys').objectStore('keys').getAll()
          reading.onsuccess = () => resolve(reading.result)
        })
        db.close()
        const exported = await crypto.subtle.exportKey('jwk', keys[0]!.privateKey).then(
          () => 'exported',
          () => 'refused',
        )
        return {
          type: card.type.name['zh-CN'],
          status: card.status.value,
          verifier: plan.verifier.name['zh-CN'],
          purpose: plan.purpose['zh-CN'],
          responseMode: plan.responseMode,
          keys: keys.length,
          extractable: keys[0]!.privateKey.extractable,
          exported,
        }
      },
      { offerUri: offer.offerUri, txCode: offer.txCode, link: request.deepLink },
    )
    expect(received).toEqual({
      type: '营业执照',
      status: 'valid',
      verifier: '南京银行（演示）',
      purpose: '贷款审核',
      responseMode: 'direct_post.jwt',
      keys: 1,
      extractable: false,
      exported: 'refused',
    })

    await load()
    const afterReload = await page.evaluate(async () => {
      const core = (globalThis as unknown as { walletCore: any }).walletCore
      const wallet = await core.openWallet()
      const cards = await wallet.refreshStatuses()
      const history = await wallet.history()
      return {
        cards: cards.map((c: { type: { name: Record<string, string> }; status: { value: string; live: boolean } }) => [
          c.type.name['zh-CN'],
          c.status.value,
          c.status.live,
        ]),
        history: history.map((h: { outcome: string; credentials: { claims: string[] }[] }) => [h.outcome, h.credentials[0]!.claims]),
      }
    })
    expect(afterReload).toEqual({ cards: [['营业执照', 'valid', true]], history: [['sent', ['enterpriseName']]] })

    const result = (await service.api(`/v1/presentation-requests/${request.id}`, { headers: bearer(bank.apiKey) })).body
    expect(result.result.verified, JSON.stringify(result.result.checks)).toBe(true)
    expect(Object.keys(result.result.credentials[0].claims)).toEqual(['enterpriseName'])
    expect(violations).toEqual([])
    expect(browser.problems).toEqual([])
  }, 180_000)
})
