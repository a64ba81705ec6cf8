/**
 * An accessibility audit of a page in the browser with axe-core: injected through the DevTools protocol (not
 * subject to the portal's Content-Security-Policy, which allows no script but its own), run with the WCAG 2.1
 * A and AA rules, and its violations written out so a failing test says which rule, where and why.
 *
 * @example
 * const findings = await auditPage(page)
 * expect(blocking(findings), formatFindings('/wallet', findings)).toEqual([])
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AxeResults, ImpactValue, RunOptions } from 'axe-core'
import type { Page } from 'playwright-core'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** The rules of WCAG 2.0 and 2.1, levels A and AA (axe-core's tags). */
export const WCAG21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const

/** The impacts a test does not accept (only `minor` passes). */
export const BLOCKING_IMPACTS: readonly ImpactValue[] = ['critical', 'serious', 'moderate']

/**
 * One rule not applied to the elements a selector matches, because axe is wrong about them there. The reason is
 * printed with every audit that used the exemption.
 */
export interface AxeExemption {
  rule: string
  /** A CSS selector: the rule's findings on elements matching it (Element.matches) are dropped. */
  selector: string
  reason: string
}

/** One element a rule failed on. */
export interface AxeNode {
  /** axe's CSS selector of the element. */
  target: string
  /** The start of the element's HTML. */
  html: string
  /** axe's sentence on what to fix (the failing checks' messages). */
  summary: string
}

/** One rule's violation on a page, with the elements it failed on. */
export interface AxeFinding {
  rule: string
  impact: ImpactValue | 'unknown'
  help: string
  helpUrl: string
  nodes: AxeNode[]
}

/** How long the page may keep animating before the audit runs anyway. */
const SETTLE_TIMEOUT_MS = 1_500
const HTML_SNIPPET_LENGTH = 200

/**
 * Runs axe-core on the whole document of `page` with `tags` (WCAG 2.1 AA by default) once running transitions
 * and finite animations have ended (a dialog fading in would be measured half transparent), and answers its
 * violations, without the elements `exemptions` name for their rule.
 */
export async function auditPage(
  page: Page,
  options: { tags?: readonly string[]; exemptions?: readonly AxeExemption[] } = {},
): Promise<AxeFinding[]> {
  await settle(page)
  const injected = await page.evaluate(() => 'axe' in window)
  if (!injected) await page.evaluate(axeSource)
  const runOptions: RunOptions = {
    runOnly: { type: 'tag', values: [...(options.tags ?? WCAG21_AA_TAGS)] },
    resultTypes: ['violations'],
    elementRef: true,
  }
  const exemptions = (options.exemptions ?? []).map(({ rule, selector }) => ({ rule, selector }))
  return page.evaluate(
    async ({ runOptions, exemptions, snippet }) => {
      const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<AxeResults> } }).axe
      const results = await axe.run(document, runOptions)
      const exempt = (rule: string, element: Element | undefined) =>
        element !== undefined && exemptions.some((e) => e.rule === rule && element.matches(e.selector))
      return results.violations
        .map((violation) => ({
          rule: violation.id,
          impact: violation.impact ?? ('unknown' as const),
          help: violation.help,
          helpUrl: violation.helpUrl,
          nodes: violation.nodes
            .filter((node) => !exempt(violation.id, node.element))
            .map((node) => ({
              target: node.target.map((part) => (Array.isArray(part) ? part.join(' >>> ') : part)).join(' | '),
              html: node.html.length > snippet ? `${node.html.slice(0, snippet)}…` : node.html,
              summary: node.failureSummary ?? '',
            })),
        }))
        .filter((finding) => finding.nodes.length > 0)
    },
    { runOptions, exemptions, snippet: HTML_SNIPPET_LENGTH },
  )
}

/** The findings a test fails on: those of impact critical, serious or moderate. */
export function blocking(findings: readonly AxeFinding[]): AxeFinding[] {
  return findings.filter((finding) => finding.impact === 'unknown' || BLOCKING_IMPACTS.includes(finding.impact))
}

/**
 * The findings as lines a person reads: per rule its id, impact, help and link; per element its selector, the
 * start of its HTML and axe's advice.
 *
 * @example
 * formatFindings('wallet card', findings)
 * // wallet card: 1 rule violated
 * //   color-contrast (serious): Elements must meet minimum color contrast ratio thresholds  https://…
 * //     .status-line > .el-tag  <span class="el-tag …">有效</span>
 * //       Fix any of the following: Element has insufficient color contrast of 3.1 (…)
 */
export function formatFindings(label: string, findings: readonly AxeFinding[]): string {
  if (findings.length === 0) return `${label}: no violation`
  const lines = [`${label}: ${findings.length} rule${findings.length === 1 ? '' : 's'} violated`]
  for (const finding of findings) {
    lines.push(`  ${finding.rule} (${finding.impact}): ${finding.help}  ${finding.helpUrl}`)
    for (const node of finding.nodes) {
      lines.push(`    ${node.target}  ${node.html.replace(/\s+/g, ' ')}`)
      for (const advice of node.summary.split('\n').filter(Boolean)) lines.push(`      ${advice.trim()}`)
    }
  }
  return lines.join('\n')
}

/** Waits (a few seconds at most) until no transition or finite animation of the document is running. */
async function settle(page: Page): Promise<void> {
  await page
    .waitForFunction(
      () =>
        document
          .getAnimations()
          .every((animation) => animation.playState !== 'running' || animation.effect?.getTiming().iterations === Infinity),
      undefined,
      { timeout: SETTLE_TIMEOUT_MS, polling: 100 },
    )
    .catch(() => undefined)
}
