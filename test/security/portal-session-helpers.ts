/**
 * Shared helpers of the portal-session tests: the demo accounts of a running test service (demo.json), sign-in
 * over HTTP, and requests as a signed-in browser would send them (the cookie, and X-CSRF-Token on unsafe methods).
 *
 * @example
 * const clerk = await signIn(service, account(service, 'market-supervision-clerk'))
 * const { status } = await clerk.call('/v1/credentials', { body })
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TestService } from '../helpers/service.js'

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname

export interface DemoAccount {
  username: string
  password: string
  kind: string
  orgId: string
  role: string
}

/** A demo account of demo.json by username. */
export function demoAccount(service: Pick<TestService, 'dataDir'>, username: string): DemoAccount {
  const file = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { accounts: DemoAccount[] }
  const found = file.accounts.find((a) => a.username === username)
  if (!found) throw new Error(`demo.json has no account ${username}`)
  return found
}

export interface Answer {
  status: number
  body: any
  headers: Headers
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text()
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers }
}

/** POST /v1/session as fetch sends it (no Origin unless given). */
export async function postSignIn(service: TestService, username: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${service.url}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  })
  return answer(res)
}

export interface Browser {
  /** The Cookie header value (`govcred_session=…`). */
  cookie: string
  csrfToken: string
  signInBody: any
  setCookie: string
  /** A request with the cookie; unsafe methods carry X-CSRF-Token unless `csrf: false` or another token is given. */
  call(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; csrf?: false | string }): Promise<Answer>
}

/** Signs in and answers a client that sends the session as a browser on the portal would. */
export async function signIn(service: TestService, account: { username: string; password: string }): Promise<Browser> {
  const signed = await postSignIn(service, account.username, account.password)
  if (signed.status !== 200) throw new Error(`sign-in of ${account.username}: ${signed.status} ${JSON.stringify(signed.body)}`)
  const setCookie = signed.headers.getSetCookie()[0]!
  const cookie = setCookie.split(';')[0]!
  const csrfToken = signed.body.csrfToken as string
  return {
    cookie,
    csrfToken,
    signInBody: signed.body,
    setCookie,
    async call(path, init = {}) {
      const method = init.method ?? (init.body === undefined ? 'GET' : 'POST')
      const headers: Record<string, string> = { cookie, ...init.headers }
      if (init.body !== undefined) headers['content-type'] = 'application/json'
      if (!['GET', 'HEAD'].includes(method) && init.csrf !== false) headers['x-csrf-token'] = init.csrf ?? csrfToken
      const res = await fetch(`${service.url}${path}`, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      })
      return answer(res)
    },
  }
}

/** The real CLI (`node --import tsx src/main.ts …`) on the service's data directory; stdout parsed as JSON. */
export function cli(
  args: string[],
  dataDir: string,
  options: { stdin?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; json: any }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, GOVCRED_DATA_DIR: dataDir, GOVCRED_LOG_LEVEL: 'silent' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('error', reject)
    run.once('exit', (code) => {
      let json: unknown
      try {
        json = JSON.parse(stdout)
      } catch {
        json = undefined
      }
      resolve({ code, stdout, stderr, json })
    })
    run.stdin!.end(options.stdin ?? '')
  })
}
