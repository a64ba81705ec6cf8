// `govcred demo accounts`: a person trying the portal reads the demo accounts from the demo file as a table
// (who, where to sign in, the password) instead of digging through JSON, and each listed password signs in.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoAccountsText } from '../../src/cli/demo-command.js'
import { startTestService, type TestService } from '../helpers/service.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

let service: TestService
let empty: string

beforeAll(async () => {
  service = await startTestService()
  empty = mkdtempSync(join(tmpdir(), 'govcred-no-demo-'))
})

afterAll(async () => {
  await service?.dispose()
  if (empty) rmSync(empty, { recursive: true, force: true })
})

function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_') && key !== 'PORT'))
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', ...args],
      { cwd: PROJECT_ROOT, env: { ...env, GOVCRED_DATA_DIR: dataDir, GOVCRED_LOG_LEVEL: 'silent' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    )
  })
}

describe('govcred demo accounts', () => {
  it('lists every demo account with its role, where it signs in and a password that signs in', async () => {
    const demo = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { accounts: { username: string }[] }
    const text = demoAccountsText(service.dataDir, service.url)
    const lines = text.split('\n')
    for (const { username } of demo.accounts) expect(lines.some((l) => l.startsWith(`${username} `))).toBe(true)
    const clerk = lines.find((l) => l.startsWith('market-supervision-clerk '))!
    expect(clerk).toContain('窗口办事员 clerk')
    expect(clerk).toContain(`${service.url}/console`)
    expect(lines.find((l) => l.startsWith('demo-bank-of-nanjing-officer '))).toContain(`${service.url}/verify`)

    const password = clerk.trim().split(/\s+/).pop()!
    const signIn = await fetch(`${service.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'market-supervision-clerk', password }),
    })
    expect(signIn.status).toBe(200)
  })

  it('runs from the command line, and says what to do when there is no demo file yet', async () => {
    const listed = await cli(['demo', 'accounts'], service.dataDir)
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toContain('market-supervision-supervisor')
    expect(listed.stdout).toContain('/admin')

    const missing = await cli(['demo', 'accounts'], empty)
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('npm start')
    expect(missing.stderr).not.toMatch(/at .+\.ts:\d+/)
  })
})
