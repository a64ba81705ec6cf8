/**
 * The three W3C CCG repositories `npm run conformance` needs, where it finds them (paths from the environment,
 * each a `git clone` of the GitHub repository: the suites are not on the npm registry), and how it checks
 * that a path is a copy of the right repository before anything starts.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

export interface RepoSpec {
  key: 'issuer' | 'verifier' | 'implementations'
  /** The environment variable that names the local copy. */
  env: string
  /** The repository (and package) name under github.com/w3c-ccg. */
  name: string
  /** A file each copy has, beyond package.json. */
  marker: string
}

export const REPOS: readonly RepoSpec[] = [
  { key: 'issuer', env: 'GOVCRED_VC_API_ISSUER_SUITE', name: 'vc-api-issuer-test-suite', marker: 'tests/10-issuer.js' },
  { key: 'verifier', env: 'GOVCRED_VC_API_VERIFIER_SUITE', name: 'vc-api-verifier-test-suite', marker: 'tests/11-vc-jwt.js' },
  { key: 'implementations', env: 'GOVCRED_VC_TEST_SUITE_IMPLEMENTATIONS', name: 'vc-test-suite-implementations', marker: 'lib/main.js' },
]

export const cloneUrl = (repo: RepoSpec) => `https://github.com/w3c-ccg/${repo.name}.git`

export interface LocalRepo {
  spec: RepoSpec
  dir: string
  /** The checked-out commit (short), or "no git metadata" for an exported copy. */
  version: string
}

/**
 * Why `dir` is not a usable copy of `repo`, or undefined when it is. A copy is a directory whose package.json
 * names the package and points at the w3c-ccg repository, and that has the repository's marker file.
 */
export function problemWith(repo: RepoSpec, dir: string | undefined): string | undefined {
  if (!dir) return `${repo.env} is not set`
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return `${repo.env}=${dir} is not a directory`
  const manifest = join(dir, 'package.json')
  if (!existsSync(manifest)) return `${repo.env}=${dir} has no package.json: not a copy of w3c-ccg/${repo.name}`
  let pkg: { name?: unknown; repository?: unknown }
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8')) as typeof pkg
  } catch (error) {
    return `${repo.env}=${dir}: package.json is not JSON (${(error as Error).message})`
  }
  const repository = typeof pkg.repository === 'string' ? pkg.repository : (pkg.repository as { url?: unknown } | undefined)?.url
  if (pkg.name !== repo.name || typeof repository !== 'string' || !repository.includes(`w3c-ccg/${repo.name}`)) {
    return `${repo.env}=${dir} is a copy of ${String(pkg.name ?? 'an unnamed package')}, not of w3c-ccg/${repo.name}`
  }
  if (!existsSync(join(dir, repo.marker))) return `${repo.env}=${dir} lacks ${repo.marker}: an incomplete copy of w3c-ccg/${repo.name}`
  return undefined
}

/** The three local copies from `env`, or every problem at once (with where to get each missing copy). */
export function locateRepos(env: Record<string, string | undefined>): { repos: LocalRepo[] } | { problems: string[] } {
  const problems: string[] = []
  const repos: LocalRepo[] = []
  for (const spec of REPOS) {
    const raw = env[spec.env]?.trim()
    const dir = raw ? resolve(raw) : undefined
    const problem = problemWith(spec, dir)
    if (problem) {
      problems.push(`${problem}\n    get it with:  git clone ${cloneUrl(spec)} <dir>  and set ${spec.env}=<dir>`)
    } else {
      repos.push({ spec, dir: dir!, version: versionOf(dir!) })
    }
  }
  return problems.length > 0 ? { problems } : { repos }
}

function versionOf(dir: string): string {
  if (!existsSync(join(dir, '.git'))) return 'no git metadata'
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return 'unknown commit'
  }
}
