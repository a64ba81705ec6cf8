/**
 * `npm run conformance`: the W3C CCG VC-API issuer and verifier test suites against a fresh govcred.
 *
 * 1. Finds local copies of w3c-ccg/vc-api-issuer-test-suite, w3c-ccg/vc-api-verifier-test-suite and
 *    w3c-ccg/vc-test-suite-implementations (paths in GOVCRED_VC_API_ISSUER_SUITE, GOVCRED_VC_API_VERIFIER_SUITE,
 *    GOVCRED_VC_TEST_SUITE_IMPLEMENTATIONS: they live on GitHub, not on the npm registry); says which is missing
 *    and where to get it, and starts nothing, when one is not there.
 * 2. Copies both suites into .conformance/ (git-ignored), points their `vc-test-suite-implementations`
 *    dependency at the local copy (`file:`), checks that every other dependency is on the npm registry and
 *    installs them (`npm install`; skipped while the manifests and the implementations copy are unchanged).
 * 3. Starts govcred as a child process (embedded chain, temporary data directory, free loopback port,
 *    generic issuance on, rate limits lifted) and takes a demo department's DID and API key (scoped for
 *    VerifiableCredential) from its demo.json.
 * 4. Writes each suite's localConfig.cjs (one implementation, "govcred") and runs mocha on the issuer suite
 *    (tests/), the verifier suite's VC-JWT files, and, reported apart as not applicable, its Data Integrity files.
 * 5. Prints passed / failed / pending (and tests not run after a failed hook) per run with each failure's title
 *    and assertion message. Exit status: 0 when every applicable case passes, 1 when one does not, 2 when the
 *    run could not be set up. The service is stopped on every path, Ctrl-C included.
 *
 * Run: GOVCRED_VC_API_ISSUER_SUITE=… GOVCRED_VC_API_VERIFIER_SUITE=… GOVCRED_VC_TEST_SUITE_IMPLEMENTATIONS=… npm run conformance
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { startServiceProcess, type ServiceProcess } from '../../bench/service-process.js'
import { IMPLEMENTATION_NAME, localConfigSource } from './local-config.js'
import { locateRepos, type LocalRepo } from './suites.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const WORK = join(ROOT, '.conformance')
const STAMP = '.govcred-conformance-stamp'
const MOCHA_TIMEOUT_MS = '15000'

interface RunSpec {
  suite: 'issuer' | 'verifier'
  label: string
  files: string[]
  /** Not applicable runs are reported apart and do not decide the exit status. */
  notApplicable?: string
}

const RUNS: RunSpec[] = [
  { suite: 'issuer', label: 'VC-API issuer suite (tests/: 10-issuer.js, 11-issuer-jwt.js)', files: ['tests/'] },
  {
    suite: 'verifier',
    label: 'VC-API verifier suite, VC-JWT (tests/11-vc-jwt.js, 13-vp-jwt.js)',
    files: ['tests/11-vc-jwt.js', 'tests/13-vp-jwt.js'],
  },
  {
    suite: 'verifier',
    label: 'VC-API verifier suite, Data Integrity (tests/10-vc-di.js, 12-vp-di.js)',
    files: ['tests/10-vc-di.js', 'tests/12-vp-di.js'],
    notApplicable:
      'not applicable: Data Integrity. These send Ed25519Signature2020 / eddsa proofs; govcred issues and verifies VC-JWT only, so it refuses them by design',
  },
]

class SetupError extends Error {}

/** The service, from the moment it starts starting (so that Ctrl-C during the start stops it too). */
let starting: Promise<ServiceProcess> | undefined
let current: ChildProcess | undefined
let interrupted = false

const say = (line = '') => void process.stdout.write(`${line}\n`)

async function main(): Promise<number> {
  const located = locateRepos(process.env)
  if ('problems' in located) {
    say('npm run conformance needs local copies of three W3C CCG repositories (they are on GitHub, not on the npm registry):')
    for (const problem of located.problems) say(`  - ${problem}`)
    say('Nothing was started.')
    return 2
  }
  const repos = Object.fromEntries(located.repos.map((repo) => [repo.spec.key, repo])) as Record<LocalRepo['spec']['key'], LocalRepo>
  for (const repo of located.repos) say(`${repo.spec.name}: ${repo.dir} (${repo.version})`)

  // The service is a fresh embedded one whatever the caller's shell says (GOVCRED_RPC_URL, a data directory, …).
  for (const name of Object.keys(process.env)) if (name.startsWith('GOVCRED_')) delete process.env[name]

  const workDirs = { issuer: join(WORK, repos.issuer.spec.name), verifier: join(WORK, repos.verifier.spec.name) }
  for (const key of ['issuer', 'verifier'] as const) await prepareSuite(repos[key], repos.implementations, workDirs[key])
  if (interrupted) return 130

  say('starting govcred (embedded chain, fresh data directory, generic issuance on) …')
  starting = startServiceProcess({ env: { GOVCRED_GENERIC_ISSUANCE: 'true' } })
  const service = await starting
  const demo = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as {
    departments: { id: string; did: string; apiKey: string }[]
  }
  const department = demo.departments[0]
  if (!department?.apiKey) throw new SetupError(`the service's demo.json has no department with an API key:\n${JSON.stringify(demo)}`)
  say(`govcred at ${service.url}; issuer ${department.id} ${department.did}`)
  const config = localConfigSource({ baseUrl: service.url, issuerDid: department.did, apiKey: department.apiKey })
  for (const dir of Object.values(workDirs)) writeFileSync(join(dir, 'localConfig.cjs'), config, { mode: 0o600 })

  const results: { spec: RunSpec; result: RunResult }[] = []
  for (const spec of RUNS) {
    if (interrupted) return 130
    say(`running ${spec.label} …`)
    results.push({ spec, result: await runMocha(workDirs[spec.suite], spec) })
  }

  say()
  say(`W3C CCG VC-API conformance of govcred (implementation "${IMPLEMENTATION_NAME}")`)
  say(
    `  issuer suite ${repos.issuer.version} · verifier suite ${repos.verifier.version} · implementations ${repos.implementations.version}`,
  )
  let applicableFailures = 0
  for (const { spec, result } of results) {
    say()
    say(`${spec.label}${spec.notApplicable ? `  [${spec.notApplicable}]` : ''}`)
    const notRun = result.notRun > 0 ? `, ${result.notRun} not run (a hook failed)` : ''
    say(`  ${result.passed} passed, ${result.failed} failed, ${result.pending} pending${notRun}  (of ${result.declared} declared)`)
    if (!spec.notApplicable) applicableFailures += result.failed + result.notRun
    for (const failure of result.failures) {
      say(`  ✗ ${failure.title}`)
      say(`      ${failure.message}`)
    }
  }
  say()
  say(
    applicableFailures === 0
      ? 'every applicable case passes'
      : `${applicableFailures} applicable case(s) failed or did not run (the Data Integrity run does not count)`,
  )
  return applicableFailures === 0 ? 0 : 1
}

/** Copies `repo` into `dir` (keeping its installed node_modules), points it at the local implementations, installs when needed. */
async function prepareSuite(repo: LocalRepo, implementations: LocalRepo, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true })
  for (const entry of readdirSync(dir)) {
    if (entry !== 'node_modules' && entry !== 'package-lock.json') rmSync(join(dir, entry), { recursive: true, force: true })
  }
  const skip = new Set(['.git', 'node_modules', 'package-lock.json', 'localConfig.cjs'])
  cpSync(repo.dir, dir, { recursive: true, filter: (source) => !skip.has(relative(repo.dir, source).split('/')[0]!) })

  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>
    [key: string]: unknown
  }
  const dependencies = { ...pkg.dependencies }
  if (!dependencies['vc-test-suite-implementations'])
    throw new SetupError(`${repo.spec.name}'s package.json no longer depends on vc-test-suite-implementations`)
  // The `github:` spec cannot be fetched here; the local copy is packed and installed like a registry package
  // (--install-links), so that app-root-path inside it finds this suite's root and its localConfig.cjs.
  dependencies['vc-test-suite-implementations'] = `file:${implementations.dir}`
  // Lint tooling only; not needed to run the tests.
  delete pkg.devDependencies
  pkg.dependencies = dependencies
  const manifest = `${JSON.stringify(pkg, null, 2)}\n`
  writeFileSync(join(dir, 'package.json'), manifest)

  const stamp = installStamp(manifest, implementations.dir)
  const stampFile = join(dir, 'node_modules', STAMP)
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    say(`${repo.spec.name}: packages already installed (manifests and implementations copy unchanged)`)
    return
  }

  const implementationsPkg = JSON.parse(readFileSync(join(implementations.dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>
  }
  const wanted = [
    ...Object.entries(dependencies)
      .filter(([name]) => name !== 'vc-test-suite-implementations')
      .map(([name, range]) => ({ name, range, by: repo.spec.name })),
    ...Object.entries(implementationsPkg.dependencies ?? {}).map(([name, range]) => ({ name, range, by: implementations.spec.name })),
  ]
  say(`${repo.spec.name}: checking ${wanted.length} dependencies on the npm registry …`)
  const missing = (await mapLimited(wanted, 4, async (dep) => ((await onRegistry(dep.name, dep.range)) ? undefined : dep))).filter(
    (dep) => dep !== undefined,
  )
  if (missing.length > 0) {
    throw new SetupError(
      `not on the npm registry (or no version matches):\n${missing.map((d) => `    ${d.name}@${d.range} (a dependency of ${d.by})`).join('\n')}`,
    )
  }
  say(`${repo.spec.name}: npm install …`)
  rmSync(stampFile, { force: true })
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--install-links', '--ignore-scripts'], { cwd: dir })
  if (install.code !== 0) throw new SetupError(`npm install in ${dir} failed (exit ${install.code}):\n${install.output}`)
  writeFileSync(stampFile, stamp)
}

/** What decides whether an install is still good: the suite's manifest, the implementations copy's files, node's major version. */
function installStamp(manifest: string, implementationsDir: string): string {
  const hash = createHash('sha256').update(manifest).update(process.versions.node.split('.')[0]!)
  const files = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name)
        return statSync(path).isDirectory() ? files(path) : [path]
      })
  for (const part of ['package.json', 'package-lock.json', 'lib', 'implementations']) {
    const path = join(implementationsDir, part)
    if (!existsSync(path)) continue
    for (const file of statSync(path).isDirectory() ? files(path) : [path]) {
      hash.update(relative(implementationsDir, file)).update(readFileSync(file))
    }
  }
  return hash.digest('hex')
}

async function onRegistry(name: string, range: string): Promise<boolean> {
  const view = await run('npm', ['view', `${name}@${range}`, 'version', '--json'], { cwd: WORK })
  return view.code === 0 && view.output.trim() !== ''
}

interface RunResult {
  declared: number
  passed: number
  failed: number
  pending: number
  notRun: number
  failures: { title: string; message: string }[]
}

interface MochaJson {
  stats: { tests: number; passes: number; failures: number; pending: number }
  passes: { fullTitle: string }[]
  pending: { fullTitle: string }[]
  failures: { fullTitle: string; title: string; err: { message?: string; status?: number; data?: unknown } }[]
}

/** mocha with the JSON reporter into a file; a dry run first counts the declared tests, so that tests a failed hook skipped show. */
async function runMocha(dir: string, spec: RunSpec): Promise<RunResult> {
  const env = { ...process.env, ISSUER_NAME: IMPLEMENTATION_NAME, ISSUER_NAME_JWT: IMPLEMENTATION_NAME }
  const mocha = async (extra: string[], output: string): Promise<MochaJson> => {
    rmSync(output, { force: true })
    const args = [
      join(dir, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      ...spec.files,
      '--reporter',
      'json',
      '--reporter-option',
      `output=${output}`,
      '--timeout',
      MOCHA_TIMEOUT_MS,
      '--preserve-symlinks',
      ...extra,
    ]
    const result = await run(process.execPath, args, { cwd: dir, env })
    if (!existsSync(output)) throw new SetupError(`mocha wrote no report (exit ${result.code}) in ${dir}:\n${result.output}`)
    return JSON.parse(readFileSync(output, 'utf8')) as MochaJson
  }
  const dry = await mocha(['--dry-run'], join(dir, 'dry-run.json'))
  const report = await mocha([], join(dir, 'report.json'))
  const declared = dry.passes.length + dry.pending.length + dry.failures.length
  const testFailures = report.failures.filter((f) => !/"(before|after) (all|each)" hook/.test(f.title)).length
  return {
    declared,
    passed: report.passes.length,
    failed: report.failures.length,
    pending: report.pending.length,
    notRun: Math.max(0, declared - report.passes.length - report.pending.length - testFailures),
    failures: report.failures.map((f) => ({ title: f.fullTitle, message: describeError(f.err) })),
  }
}

function describeError(err: MochaJson['failures'][number]['err']): string {
  // chai prints a whole fetch Response (headers and all) for "expected no result": its status says it all.
  const message = (err.message ?? 'no message').replace(
    /Response \{ status: (\d+), statusText: '([^']*)'[\s\S]*? url: '[^']*' \}/g,
    (_, status: string, text: string) => `an HTTP ${status} ${text} answer`,
  )
  const parts = [oneLine(message, 400)]
  if (typeof err.status === 'number') parts.push(`HTTP ${err.status}`)
  if (err.data !== undefined) parts.push(`answer ${oneLine(JSON.stringify(err.data), 400)}`)
  return parts.join(' · ')
}

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

/** A child process whose output is kept (not shown); the one running now is stopped on Ctrl-C. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string }> {
  mkdirSync(options.cwd, { recursive: true })
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    current = child
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-200_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.once('error', fail)
    child.once('close', (code, signal) => {
      if (current === child) current = undefined
      done({ code: code ?? (signal ? 128 : 1), output })
    })
  })
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

let stopped: Promise<void> | undefined
/** Stops the running child and the service, once; every caller waits for the same stop. */
function shutdown(): Promise<void> {
  stopped ??= (async () => {
    current?.kill('SIGTERM')
    const service = await starting?.catch(() => undefined)
    await service?.stop()
  })()
  return stopped
}

for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(name, () => {
    if (interrupted) return
    interrupted = true
    say(`\n${name}: stopping the service and the suites …`)
    void shutdown().finally(() => process.exit(130))
  })
}

let status = 2
try {
  status = await main()
} catch (error) {
  if (!interrupted)
    say(error instanceof SetupError ? `conformance run not possible: ${error.message}` : `conformance run failed: ${String(error)}`)
} finally {
  await shutdown()
}
process.exit(interrupted ? 130 : status)
