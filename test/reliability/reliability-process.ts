/**
 * The reliability tests' govcred: `node --import tsx src/main.ts start` as a child process (what `npm start` runs) on
 * a data directory the test keeps across starts, so that it can be killed with `kill -9` and started again.
 *
 * @example
 * const dataDir = freshDataDir()
 * const first = await startGovcred(dataDir)
 * killHard(first)
 * const second = await startGovcred(dataDir, { port: first.port })
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../src/chain/anvil-node.js'
import { claimsOf, rawHolder, rawPresentation, type GovcredType } from '../verification/verification-helpers.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface Govcred {
  child: ChildProcess
  port: number
  baseUrl: string
  dataDir: string
  exited: Promise<void>
  output(): string
  api(
    path: string,
    init?: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any }>
}

export const freshDataDir = () => mkdtempSync(join(tmpdir(), 'govcred-reliability-'))

/** Spawns the service; `waitHealthy` (default true) waits for GET /healthz 200 and throws with its output otherwise. */
export async function startGovcred(
  dataDir: string,
  options: { port?: number; waitHealthy?: boolean; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<Govcred> {
  const port = options.port ?? (await freePort())
  const baseUrl = `http://127.0.0.1:${port}`
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
    cwd: PROJECT_ROOT,
    env: { ...inherited, GOVCRED_DATA_DIR: dataDir, PORT: String(port), GOVCRED_LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own: kill -9 of the group is "the whole service and Anvil".
    detached: true,
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const service: Govcred = {
    child,
    port,
    baseUrl,
    dataDir,
    exited,
    output: () => output,
    api: (path, init = {}) => callJson(baseUrl, path, init),
  }
  if (options.waitHealthy ?? true) await waitHealthy(service, options.timeoutMs ?? 90_000)
  return service
}

export async function waitHealthy(service: Govcred, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let done = false
  void service.exited.then(() => {
    done = true
  })
  while (Date.now() < deadline && !done) {
    try {
      const res = await fetch(`${service.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  killHard(service)
  throw new Error(`govcred did not become healthy (${done ? 'it exited' : 'timeout'}):\n${service.output()}`)
}

/** The embedded Anvil's pid, from `<dataDir>/chain/node.json`. */
export function anvilPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'chain', 'node.json')
  if (!existsSync(file)) return undefined
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { anvilPid?: number }).anvilPid
  } catch {
    return undefined
  }
}

export function kill9(pid: number | undefined): void {
  if (!pid) return
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

/** kill -9 of the service's process group (the service, its Anvil, everything it started) and of its Anvil. */
export function killHard(service: Govcred): void {
  const anvil = anvilPid(service.dataDir)
  if (service.child.pid) kill9(-service.child.pid)
  kill9(anvil)
}

/** Waits until `pid` no longer exists. */
export async function gone(pid: number | undefined, timeoutMs = 10_000): Promise<void> {
  if (!pid) return
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`process ${pid} still runs`)
}

/** SIGTERM, then (after 20 s) SIGKILL of the group; removes the data directory unless `keepData`. */
export async function stopGovcred(service: Govcred | undefined, options: { keepData?: boolean } = {}): Promise<void> {
  if (!service) return
  if (service.child.exitCode === null && service.child.signalCode === null) {
    service.child.kill('SIGTERM')
    const stopped = await Promise.race([service.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))])
    if (!stopped) killHard(service)
  }
  kill9(anvilPid(service.dataDir))
  if (!options.keepData) rmSync(service.dataDir, { recursive: true, force: true })
}

async function callJson(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> },
) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(60_000),
  })
  const text = await res.text()
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as any }
}

export interface DemoDepartment {
  id: string
  account: string
  apiKey: string
  credentialTypes: string[]
}

/** The demo department that issues `type`, from `<dataDir>/demo.json`. */
export function demoDepartment(dataDir: string, type: GovcredType = 'BusinessLicenseCredential'): DemoDepartment {
  const file = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { departments: DemoDepartment[] }
  const found = file.departments.find((d) => d.credentialTypes.includes(type))
  if (!found) throw new Error(`demo.json has no department for ${type}`)
  return found
}

export interface IssuedToRaw {
  id: string
  jwt: string
  holder: ReturnType<typeof rawHolder>
}

/** Issues a business licence to a fresh in-memory holder; throws unless 201. */
export async function issueBusinessLicence(service: Govcred): Promise<IssuedToRaw> {
  const department = demoDepartment(service.dataDir)
  const holder = rawHolder()
  const { status, body } = await service.api('/v1/credentials', {
    key: department.apiKey,
    body: { type: 'BusinessLicenseCredential', holder: holder.did, claims: claimsOf('BusinessLicenseCredential') },
  })
  if (status !== 201) throw new Error(`issuing answered ${status}: ${JSON.stringify(body)}\n${service.output()}`)
  return { id: body.id, jwt: body.jwt, holder }
}

/** Presents `issued` against a fresh presentation request; answers the verify route's body. */
export async function presentOverHttp(service: Govcred, issued: IssuedToRaw): Promise<{ status: number; body: any }> {
  const created = await service.api('/v1/presentation-requests', {
    body: { credentialTypes: ['BusinessLicenseCredential'], purpose: 'reliability check' },
  })
  if (created.status !== 201) throw new Error(`creating a presentation request answered ${created.status}: ${JSON.stringify(created.body)}`)
  const request = created.body as { id: string; challenge: string; domain: string }
  const vp = await rawPresentation(issued.holder, [issued.jwt], request.challenge, request.domain)
  return service.api('/v1/presentations/verify', { body: { presentation: vp, requestId: request.id } })
}

/** The failed checks of a verification result, as `check:code`. */
export const failedChecks = (result: { checks?: { check: string; ok: boolean; code: string }[] }) =>
  (result.checks ?? []).filter((c) => !c.ok).map((c) => `${c.check}:${c.code}`)
