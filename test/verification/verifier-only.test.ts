// A bank runs `govcred verifier` with nothing but the chain's RPC URL and the registries' addresses. The
// issuing service is stopped: verification still works, and a revocation written on chain (by the issuing
// service, restarted for that moment only) refuses the same credentials within one block.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startAnvil, type AnvilNode } from '../../src/chain/anvil-node.js'
import { loadConfig } from '../../src/config/config.js'
import { openServiceContext } from '../../src/app/service-context.js'
import { silentLogger } from '../../src/shared/logger.js'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  THREE_TYPES,
  bearer,
  failures,
  fetchJson,
  issueThree,
  openWallet,
  readDemo,
  sleep,
  type GovcredType,
  type Issued,
} from './verification-helpers.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

let anvil: AnvilNode
let issuingDir: string
let verifierDir: string
let issuingEnv: Record<string, string>
let issuing: TestService | undefined
let wallet: HolderWallet
let holder: string
let issued: Record<GovcredType, Issued>
let apiKey: string
let child: ChildProcess | undefined
let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
let output = ''
let verifierUrl: string
/** The bank's relying-party key, registered in the verifier's database with `govcred relying-party create --verifier`. */
let bankKey: string

/** Runs the CLI with only the given GOVCRED_ variables; resolves with its stdout. */
function cli(args: string[], govcredEnv: Record<string, string>): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, ...govcredEnv, GOVCRED_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`govcred ${args.join(' ')} exited ${code}: ${stderr}`))))
  })
}

/** A JSON POST to the verifier with the bank's key. */
async function postAsBank(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${verifierUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(bankKey) },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: await res.json() }
}

/** The issuing service on the shared chain (external mode), in its own data directory. */
const startIssuing = () => startTestService({ dataDir: issuingDir, env: issuingEnv })

beforeAll(async () => {
  anvil = await startAnvil({ chainId: 20191 })
  issuingDir = mkdtempSync(join(tmpdir(), 'govcred-issuing-'))
  verifierDir = mkdtempSync(join(tmpdir(), 'govcred-verifier-'))
  issuingEnv = {
    GOVCRED_CHAIN_MODE: 'external',
    GOVCRED_RPC_URL: anvil.rpcUrl,
    GOVCRED_KMS_SECRET: randomBytes(32).toString('hex'),
    GOVCRED_DEMO: 'true',
  }
  // External mode never deploys on start; deploy once, as `govcred deploy` would.
  const deploying = await openServiceContext(loadConfig({ GOVCRED_DATA_DIR: issuingDir, ...issuingEnv }), {
    logger: silentLogger,
    deployIfMissing: true,
  })
  await deploying.close()

  issuing = await startIssuing()
  const demo = readDemo(issuing)
  apiKey = demo.BusinessLicenseCredential.apiKey
  wallet = await openWallet()
  holder = await wallet.createDid('key')
  issued = await issueThree(issuing, demo, holder)
  for (const type of THREE_TYPES) await wallet.importCredential(issued[type].jwt)
  await issuing.dispose({ keepData: true })
  issuing = undefined

  // Verifier-only mode takes presentation requests from registered relying parties only (by default).
  const created = JSON.parse(
    await cli(['relying-party', 'create', '--id', 'bank-of-nanjing', '--name', '南京银行', '--name-en', 'Bank of Nanjing', '--verifier'], {
      GOVCRED_DATA_DIR: verifierDir,
    }),
  )
  bankKey = created.apiKey.key

  const port = await freePort()
  verifierUrl = `http://127.0.0.1:${port}`
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  // node itself (not npx or the tsx CLI), so that SIGTERM reaches the verifier process.
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'verifier'], {
    cwd: PROJECT_ROOT,
    env: {
      ...env,
      GOVCRED_RPC_URL: anvil.rpcUrl,
      GOVCRED_DEPLOYMENTS_FILE: join(issuingDir, 'deployments.json'),
      PORT: String(port),
      GOVCRED_DATA_DIR: verifierDir,
      GOVCRED_LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)))
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)))
  exited = new Promise((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })))
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`govcred verifier exited during start:\n${output}`)
    const healthy = await fetch(`${verifierUrl}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (healthy) break
    if (Date.now() > deadline) throw new Error(`govcred verifier did not become healthy:\n${output}`)
    await sleep(100)
  }
}, 90_000)

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL')
    await exited
  }
  await issuing?.dispose({ keepData: true })
  await wallet?.close()
  await anvil?.stop()
  for (const dir of [issuingDir, verifierDir]) if (dir) rmSync(dir, { recursive: true, force: true })
}, 60_000)

async function presentToVerifier() {
  const request = await postAsBank('/v1/presentation-requests', {
    credentialTypes: THREE_TYPES,
    purpose: '贷款审核 loan check',
  })
  expect(request.status).toBe(201)
  expect(request.body.verifier).toEqual({ id: 'bank-of-nanjing', name: { 'zh-CN': '南京银行', en: 'Bank of Nanjing' } })
  const vp = await wallet.present(request.body, { holder, credentialIds: THREE_TYPES.map((t) => issued[t].id) })
  return postAsBank('/v1/presentations/verify', { presentation: vp, requestId: request.body.id })
}

describe('govcred verifier (verifier-only mode) with the issuing service stopped', () => {
  it('holds no issuer keys and no issuer database, and offers no issuing routes', async () => {
    // Only its challenge database, and the lock that keeps a second verifier off this directory.
    expect(readdirSync(verifierDir).filter((f) => !f.startsWith('verifier.sqlite') && f !== 'govcred.lock')).toEqual([])
    const issuingRoute = await fetchJson(verifierUrl, '/v1/credentials', { type: 'BusinessLicenseCredential', holder, claims: {} })
    expect(issuingRoute.status).toBe(404)
    const network = await fetchJson(verifierUrl, '/v1/network')
    // The verifier's own read-only endpoint, over its GOVCRED_RPC_URL (which it does not advertise).
    expect(network.body).toMatchObject({ name: 'govcred', chainId: 20191, rpcUrl: `${verifierUrl}/v1/chain/rpc` })
    const chainId = await fetchJson(verifierUrl, '/v1/chain/rpc', { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] })
    expect(chainId.body).toEqual({ jsonrpc: '2.0', id: 1, result: '0x4edf' })
  })

  it('takes presentation requests from registered relying parties only', async () => {
    const anonymous = await fetchJson(verifierUrl, '/v1/presentation-requests', { credentialTypes: THREE_TYPES, purpose: '匿名 anonymous' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.body.error.code).toBe('ERR_RELYING_PARTY_REQUIRED')
  })

  it('lists the accredited issuers from the chain', async () => {
    const { status, body } = await fetchJson(verifierUrl, '/v1/issuers')
    expect(status).toBe(200)
    expect(body.issuers).toHaveLength(3)
    expect(body.issuers.every((i: { status: string }) => i.status === 'active')).toBe(true)
  })

  it('verifies a presentation with only the chain', async () => {
    const { status, body } = await presentToVerifier()
    expect(failures(body)).toEqual([])
    expect(status).toBe(200)
    expect(body.credentials.map((c: { id: string }) => c.id).sort()).toEqual(THREE_TYPES.map((t) => issued[t].id).sort())
  })

  it('refuses the same credentials ERR_CREDENTIAL_REVOKED within one block of a revocation on chain', async () => {
    issuing = await startIssuing()
    const revoked = await issuing.api(`/v1/credentials/${encodeURIComponent(issued.BusinessLicenseCredential.id)}/revoke`, {
      method: 'POST',
      headers: bearer(apiKey),
    })
    expect(revoked.body).toMatchObject({ onChain: 'confirmed', txHash: expect.stringMatching(/^0x/) })
    const minedAt = Date.now()
    await issuing.dispose({ keepData: true })
    issuing = undefined
    expect(await fetch(`${verifierUrl}/healthz`).then((r) => r.status)).toBe(200)

    await sleep(Math.max(0, 250 - (Date.now() - minedAt)))
    const { status, body } = await presentToVerifier()
    expect(status).toBe(422)
    expect(body.error.code).toBe('ERR_CREDENTIAL_REVOKED')
    expect(failures(body)).toEqual(['status:ERR_CREDENTIAL_REVOKED'])
  })

  it('shuts down on SIGTERM with exit code 0', async () => {
    child!.kill('SIGTERM')
    const result = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)])
    expect(result, output).toEqual({ code: 0, signal: null })
  })
})
