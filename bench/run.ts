/**
 * `npm run bench`: every section in one run on this machine, each against its limit measured in the same run.
 * Prints rates and ratios, writes bench/results/latest.json (BENCH_RESULTS_FILE elsewhere). Exit 1 when a
 * section failed or was invalid; a missed target is reported, not a failure (the numbers are the answer).
 *
 * Environment (all optional):
 *   BENCH_ONLY=a,b            run only these sections (names below)
 *   BENCH_SMOKE=1             tiny counts: proves every section runs (npm test does this); numbers mean nothing
 *   BENCH_CONCURRENCY         in-flight requests (default 16)
 *   BENCH_CPU_PROF=DIR        servers run with `node --cpu-prof --cpu-prof-dir=DIR` (then: tsx bench/profile-summary.ts DIR)
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg } from 'node:os'
import { dirname, resolve } from 'node:path'
import { formatNumber as n, intEnv, type BenchContext, type BenchSection, type BenchTarget } from './section.js'
import { issuanceSection } from './sections/issuance.js'
import { scaleSection } from './sections/scale.js'
import { vpJwtVerificationSection } from './sections/vp-jwt-verification.js'
import { sdJwtIssuanceSection } from './sections/sdjwt-issuance.js'
import { openid4vpVerificationSection } from './sections/openid4vp-verification.js'
import { revocationBurstSection } from './sections/revocation-burst.js'
import { statusListScaleSection } from './sections/status-list-scale.js'

const SECTIONS: BenchSection[] = [
  issuanceSection,
  sdJwtIssuanceSection,
  vpJwtVerificationSection,
  openid4vpVerificationSection,
  revocationBurstSection,
  statusListScaleSection,
  scaleSection,
]

const log = (message: string) => process.stderr.write(`${message}\n`)

async function main(): Promise<number> {
  const startedAt = new Date()
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())
  const unknown = only?.filter((name) => !SECTIONS.some((s) => s.name === name)) ?? []
  if (unknown.length > 0)
    throw new Error(`unknown bench sections: ${unknown.join(', ')} (known: ${SECTIONS.map((s) => s.name).join(', ')})`)
  const ctx: BenchContext = {
    smoke: process.env.BENCH_SMOKE === '1',
    concurrency: intEnv('BENCH_CONCURRENCY', 16),
    ...(process.env.BENCH_CPU_PROF ? { profileDir: resolve(process.env.BENCH_CPU_PROF) } : {}),
    log,
  }
  const results: Record<string, unknown> = {
    date: startedAt.toISOString(),
    node: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    concurrency: ctx.concurrency,
    smoke: ctx.smoke,
    loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
    sections: {},
  }
  const sections = results.sections as Record<string, unknown>
  const targets: (BenchTarget & { section: string })[] = []
  const lines: string[] = []
  const problems: string[] = []
  for (const section of SECTIONS.filter((s) => !only || only.includes(s.name))) {
    const started = performance.now()
    log(`— ${section.name} —`)
    try {
      const outcome = await section.run(ctx)
      const seconds = (performance.now() - started) / 1000
      sections[section.name] = { ...outcome.results, seconds, targets: outcome.targets }
      targets.push(...outcome.targets.map((t) => ({ ...t, section: section.name })))
      lines.push(...outcome.lines)
      problems.push(...(outcome.problems ?? []).map((p) => `${section.name}: ${p}`))
    } catch (error) {
      problems.push(`${section.name} aborted: ${(error as Error).stack ?? String(error)}`)
    }
  }
  results.targets = targets
  results.loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)))
  results.valid = problems.length === 0
  results.problems = problems
  results.seconds = (Date.now() - startedAt.getTime()) / 1000
  const file = process.env.BENCH_RESULTS_FILE
    ? resolve(process.env.BENCH_RESULTS_FILE)
    : resolve(import.meta.dirname, 'results', 'latest.json')
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)

  const out = [
    `govcred bench  (node ${results.node}, ${results.cores} cores, ${results.cpu}, ${results.date}, concurrency ${ctx.concurrency}${ctx.smoke ? ', SMOKE: numbers mean nothing' : ''})`,
    ...lines,
    '',
    'targets:',
    ...targets.map(
      (t) =>
        `  ${t.ok ? 'ok          ' : 'BELOW TARGET'}  ${t.what}: ${n(t.value, t.value < 10 ? 2 : 0)}${t.unit ? ` ${t.unit}` : ''} (${t.kind === 'atLeast' ? '≥' : '≤'} ${n(t.target, t.target < 10 ? 2 : 0)})`,
    ),
    `total ${n(results.seconds as number, 1)} s`,
  ]
  process.stdout.write(`${out.join('\n')}\n`)
  for (const problem of problems) process.stdout.write(`FAILED ${problem}\n`)
  process.stdout.write(`results: ${file}${problems.length === 0 ? '' : '   (INVALID RUN)'}\n`)
  return problems.length === 0 ? 0 : 1
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
  return 1
})
process.exit(process.exitCode)
