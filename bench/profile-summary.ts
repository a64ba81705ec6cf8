/**
 * Summarizes a V8 .cpuprofile of the server (from `BENCH_CPU_PROF=DIR npm run bench`): self time per
 * function, per package, and inclusive time of govcred's own functions. When bench/results/latest.json
 * holds the verification sections' time windows, only samples inside them are counted (the profile's
 * clock and process.hrtime are both CLOCK_MONOTONIC).
 *
 * @example
 * node_modules/.bin/tsx bench/profile-summary.ts /tmp/prof [--all] [--top 40] [--results bench/results/latest.json]
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

const args = process.argv.slice(2)
const target = args.find((a) => !a.startsWith('--')) ?? '/tmp/prof'
const all = args.includes('--all')
const topIndex = args.indexOf('--top')
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 35

const file = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(target, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0]
  : target
if (!file) throw new Error(`no .cpuprofile in ${target}`)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile

const windows: [number, number][] = []
const resultsIndex = args.indexOf('--results')
const resultsFile = resultsIndex >= 0 ? resolve(args[resultsIndex + 1]!) : resolve(import.meta.dirname, 'results', 'latest.json')
/** Every `window: {startUs, endUs}` anywhere in the results: the timed parts of the sections. */
const collectWindows = (value: unknown): void => {
  if (!value || typeof value !== 'object') return
  const window = (value as { window?: { startUs?: unknown; endUs?: unknown } }).window
  if (typeof window?.startUs === 'number' && typeof window.endUs === 'number') windows.push([window.startUs, window.endUs])
  for (const child of Object.values(value)) collectWindows(child)
}
if (!all && existsSync(resultsFile)) collectWindows(JSON.parse(readFileSync(resultsFile, 'utf8')))

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

const root = resolve(import.meta.dirname, '..')
const short = (url: string) => url.replace(`file://${root}/`, '').replace(/^file:\/\//, '')
const keyOf = (node: ProfileNode) =>
  `${node.callFrame.functionName || '(anonymous)'}  ${short(node.callFrame.url)}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`
const packageOf = (node: ProfileNode): string => {
  const url = node.callFrame.url
  const name = node.callFrame.functionName
  if (!url) return name.startsWith('(') ? name : '(native/V8)'
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m) {
    const inner = url.lastIndexOf('node_modules/')
    const innermost = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.slice(inner))
    return innermost?.[1] ?? m[1]!
  }
  if (url.includes('/src/')) return `govcred ${short(url).split('/').slice(0, 2).join('/')}`
  return short(url)
}

const self = new Map<string, number>()
const packages = new Map<string, number>()
const inclusive = new Map<string, number>()
let total = 0
let time = profile.startTime
for (let i = 0; i < profile.samples.length; i++) {
  time += profile.timeDeltas[i] ?? 0
  const dt = profile.timeDeltas[i + 1] ?? 0
  if (windows.length > 0 && !windows.some(([a, b]) => time >= a && time <= b)) continue
  const node = byId.get(profile.samples[i]!)!
  total += dt
  self.set(keyOf(node), (self.get(keyOf(node)) ?? 0) + dt)
  packages.set(packageOf(node), (packages.get(packageOf(node)) ?? 0) + dt)
  const seen = new Set<string>()
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id)!
    if (!n.callFrame.url.includes('/src/') || n.callFrame.url.includes('node_modules')) continue
    const k = keyOf(n)
    if (seen.has(k)) continue
    seen.add(k)
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt)
  }
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`
const print = (title: string, map: Map<string, number>, n: number) => {
  process.stdout.write(`\n${title}\n`)
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${ms(v)} ${pct(v)}  ${k}\n`)
}
process.stdout.write(
  `${file}\n${windows.length > 0 ? `samples inside the ${windows.length} verification windows of ${resultsFile}` : 'all samples'}: ${(total / 1000).toFixed(0)} ms\n`,
)
print('self time by package', packages, 30)
print(`self time by function (top ${top})`, self, top)
print('inclusive time of govcred src functions', inclusive, 30)
