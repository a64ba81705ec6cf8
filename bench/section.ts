/**
 * What every section of `npm run bench` is: a named measurement that starts what it needs (usually its own
 * service with `startServiceProcess`), measures its limit and govcred in the same run, and answers its raw
 * numbers, the target lines judged against them, and a few lines for the printed table.
 *
 * @example
 * export const issuanceSection: BenchSection = {
 *   name: 'issuance',
 *   async run(ctx) {
 *     …
 *     return { results: { http, raw }, targets: [ratioTarget('issuance VC-JWT / raw signing', http / raw, 0.5)], lines: [`…`] }
 *   },
 * }
 */
export interface BenchContext {
  /** BENCH_SMOKE=1: tiny counts, proves the section runs; its numbers mean nothing. */
  smoke: boolean
  /** In-flight requests of the load generator (BENCH_CONCURRENCY, 16). */
  concurrency: number
  /** BENCH_CPU_PROF: when set, a directory for the server's --cpu-prof output (sections pass it to startServiceProcess). */
  profileDir?: string
  log(message: string): void
}

export interface BenchTarget {
  /** What is judged, in words: "issuance over HTTP / raw ES256K signing". */
  what: string
  value: number
  target: number
  /** `atLeast`: value ≥ target passes; `atMost`: value ≤ target passes. */
  kind: 'atLeast' | 'atMost'
  unit?: string
  ok: boolean
}

export interface SectionOutcome {
  /** Everything measured, written into bench/results/latest.json under the section's name. */
  results: Record<string, unknown>
  targets: BenchTarget[]
  /** Human-readable lines for the printed summary (rates, p50/p99, what the limit was). */
  lines: string[]
  /** Anything that makes the run invalid (failed requests, a check that did not hold). */
  problems?: string[]
}

export interface BenchSection {
  name: string
  run(ctx: BenchContext): Promise<SectionOutcome>
}

export function atLeast(what: string, value: number, target: number, unit?: string): BenchTarget {
  return { what, value, target, kind: 'atLeast', ...(unit ? { unit } : {}), ok: Number.isFinite(value) && value >= target }
}

export function atMost(what: string, value: number, target: number, unit?: string): BenchTarget {
  return { what, value, target, kind: 'atMost', ...(unit ? { unit } : {}), ok: Number.isFinite(value) && value <= target }
}

export const formatNumber = (x: number | undefined, digits = 0): string =>
  x === undefined || !Number.isFinite(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

export function intEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`)
  return value
}

/**
 * Runs `work` and records its window on CLOCK_MONOTONIC in µs, the clock of V8's .cpuprofile, so that
 * bench/profile-summary.ts counts only the samples of timed work.
 */
export async function windowed<T extends object>(work: () => Promise<T>): Promise<T & { window: { startUs: number; endUs: number } }> {
  const startUs = Number(process.hrtime.bigint() / 1000n)
  const result = await work()
  return { ...result, window: { startUs, endUs: Number(process.hrtime.bigint() / 1000n) } }
}

/**
 * Calls `once` in a tight loop on this thread for at least `minMs` (after a short warm-up) and answers how
 * many calls per second that was.
 */
export function callsPerSecond(once: () => void, minMs: number): number {
  for (let i = 0; i < 50; i++) once()
  let count = 0
  const started = performance.now()
  let elapsed = 0
  do {
    for (let i = 0; i < 25; i++) once()
    count += 25
    elapsed = performance.now() - started
  } while (elapsed < minMs)
  return count / (elapsed / 1000)
}

/** The service a section measures, profiled into ctx.profileDir when the run is profiled. */
export const profiledStart = (ctx: BenchContext): { nodeArgs?: string[] } =>
  ctx.profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${ctx.profileDir}`] } : {}
