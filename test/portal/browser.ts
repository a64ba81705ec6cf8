import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { describe } from 'vitest'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SCREENSHOTS_DIR = join(PROJECT_ROOT, 'docs', 'screenshots')

/** Debian's chromium (`.ci/run` installs it), or GOVCRED_CHROMIUM; playwright's own downloads are not reachable here. */
export const CHROMIUM_PATH = process.env.GOVCRED_CHROMIUM ?? '/usr/bin/chromium'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Native date inputs follow the process locale, not the context's: yyyy/mm/dd as a Chinese browser shows them.
  '--lang=zh-CN',
]

export const VIEWPORTS = {
  /** A common phone (the wallet is used on phones). */
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 900 },
} as const

/**
 * `describe`, or `describe.skip` with a message saying why when no chromium binary exists on a developer's
 * machine. Under CI (env CI set) a missing chromium is not skipped: the tests run and fail at launch.
 *
 * @example
 * describeInBrowser('public pages', () => { … })
 */
export const describeInBrowser: typeof describe = (() => {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return describe
  console.warn(
    `browser tests skipped: no chromium at ${CHROMIUM_PATH} (install Debian's chromium, e.g. bash .ci/run, or set GOVCRED_CHROMIUM); under CI they fail instead`,
  )
  return describe.skip
})() as typeof describe

/**
 * Builds the portal when its sources changed since the last build (`node scripts/build-portal.mjs --if-stale`:
 * quick when current, and safe when several test files call it at once).
 */
export function ensurePortalBuilt(): void {
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-portal.mjs'), '--if-stale'], { cwd: PROJECT_ROOT, stdio: 'pipe' })
}

/** A headless chromium with a fresh profile, and what its pages reported. */
export interface PortalBrowser {
  context: BrowserContext
  /** A new tab that records its console errors, uncaught exceptions and CSP violations in `problems`. */
  newPage(): Promise<Page>
  /** Console errors, page errors and Content-Security-Policy violations of every page opened with newPage. */
  problems: string[]
  close(): Promise<void>
}

/**
 * Launches playwright-core's chromium from CHROMIUM_PATH with a fresh user-data directory, in `locale`
 * (zh-CN by default) and the given viewport (a phone by default).
 *
 * @example
 * const browser = await openBrowser({ viewport: 'desktop' })
 * const page = await browser.newPage()
 * await page.goto(service.url)
 */
export async function openBrowser(
  options: { viewport?: keyof typeof VIEWPORTS | { width: number; height: number }; locale?: string } = {},
): Promise<PortalBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'govcred-chromium-'))
  const viewport = typeof options.viewport === 'object' ? options.viewport : VIEWPORTS[options.viewport ?? 'phone']
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      headless: true,
      locale: options.locale ?? 'zh-CN',
      viewport,
      timeout: 60_000,
    })
  } catch (error) {
    rmSync(profile, { recursive: true, force: true })
    throw new Error(`cannot start chromium at ${CHROMIUM_PATH}: ${(error as Error).message}`, { cause: error })
  }
  const problems: string[] = []
  return {
    context,
    problems,
    async newPage() {
      const page = await context.newPage()
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()}`)
      })
      page.on('pageerror', (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`))
      return page
    },
    async close() {
      await context.close().catch(() => undefined)
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** Whether screenshots are written (GOVCRED_SCREENSHOTS=1), so that `npm test` does not change the working tree. */
export const SCREENSHOTS = process.env.GOVCRED_SCREENSHOTS === '1'

/**
 * Writes `docs/screenshots/<name>.png` when GOVCRED_SCREENSHOTS=1 (the whole page, or with `fullPage: false` what
 * the viewport shows, for a dialog); does nothing otherwise.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (!SCREENSHOTS) return
  mkdirSync(SCREENSHOTS_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: options.fullPage ?? true, animations: 'disabled' })
}

/** Whether the document is wider than the viewport (a horizontal scroll bar on a phone). */
export function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)
}

/**
 * The document's title once the app has set it (the router sets it after the page loads, so reading it at once
 * races), or what it still is after five seconds, for the assertion's message.
 */
export async function settledTitle(page: Page, expected: string): Promise<string> {
  await page.waitForFunction((title) => document.title === title, expected, { timeout: 5_000 }).catch(() => undefined)
  return page.title()
}
