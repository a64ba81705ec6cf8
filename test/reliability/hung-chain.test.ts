/**
 * Issue 9, "every chain call has a deadline": with the embedded Anvil paused (SIGSTOP) a verification answers
 * 503 ERR_CHAIN_UNAVAILABLE within the staleness bound plus the JSON-RPC timeout, issuance answers 503 and a
 * status change 202 pending (recorded and queued) within the timeout, /healthz answers 503 within 1 s naming the chain; after SIGCONT /healthz is 200
 * again, the status change queued during the pause reaches the chain and verification works (and sees it).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { ConfigError, loadConfig } from '../../src/config/config.js'
import { loadVerifierConfig } from '../../src/config/verifier-config.js'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  bearer,
  claimsOf,
  createRequest,
  eventually,
  failures,
  issueOverHttp,
  openWallet,
  readDemo,
  sleep,
  type Demo,
  type Issued,
} from '../verification/verification-helpers.js'

const STALENESS_MS = 2000
const RPC_TIMEOUT_MS = 1000
/** Scheduling on a shared 2-core machine; still far below ethers' 300 s default. */
const SLACK_MS = 1500

let service: TestService
let demo: Demo
let wallet: HolderWallet
let holder: string
let anvilPid: number
let paused = false
/** Verified before the pause; revoked during it. */
let revoked: Issued
/** Never changed: verifies again after the pause. */
let kept: Issued

/** A JSON call that gives up after 20 s, so a hang fails the test with its own message instead of the test timeout. */
async function timedCall(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now()
  const headers: Record<string, string> = { ...init.headers }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(`${service.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(20_000),
    })
  } catch (error) {
    throw new Error(`${path} did not answer within 20 s (${(error as Error).message})`)
  }
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started }
}

async function presentationOf(credential: Issued): Promise<{ vp: string; requestId: string }> {
  const request = await createRequest(service, [credential.type])
  return { vp: await wallet.present(request, { holder }), requestId: request.id }
}

const verify = (p: { vp: string; requestId: string }) =>
  timedCall('/v1/presentations/verify', { body: { presentation: p.vp, requestId: p.requestId } })

function resume(): void {
  if (!paused) return
  process.kill(anvilPid, 'SIGCONT')
  paused = false
}

beforeAll(async () => {
  service = await startTestService({
    env: { GOVCRED_MAX_STALENESS_MS: String(STALENESS_MS), GOVCRED_RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS) },
  })
  demo = readDemo(service)
  anvilPid = (JSON.parse(readFileSync(join(service.dataDir, 'chain', 'node.json'), 'utf8')) as { anvilPid: number }).anvilPid
  expect(anvilPid).toBeGreaterThan(0)
  wallet = await openWallet()
  holder = await wallet.createDid('key')
  revoked = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder)
  kept = await issueOverHttp(service, demo, 'SocialSecurityStatusCredential', holder)
  for (const credential of [revoked, kept]) await wallet.importCredential(credential.jwt)
  // Warm: the verifier's caches hold everything these presentations need.
  const warm = await verify(await presentationOf(revoked))
  expect(failures(warm.body)).toEqual([])
})

afterAll(async () => {
  resume()
  await wallet?.close()
  await service?.dispose()
})

describe('a hung chain (Anvil paused with SIGSTOP)', () => {
  let pausedAt = 0
  let prepared: { vp: string; requestId: string }

  it('verification fails closed with 503 ERR_CHAIN_UNAVAILABLE within the staleness bound plus the RPC timeout', async () => {
    // Made before the pause: presentation requests and a did:key holder need no chain.
    prepared = await presentationOf(kept)
    process.kill(anvilPid, 'SIGSTOP')
    paused = true
    pausedAt = performance.now()
    await sleep(STALENESS_MS)
    const answer = await verify(prepared)
    expect(answer.status).toBe(503)
    expect(answer.body.error.code).toBe('ERR_CHAIN_UNAVAILABLE')
    expect(performance.now() - pausedAt).toBeLessThan(STALENESS_MS + RPC_TIMEOUT_MS + SLACK_MS)
  })

  it('/healthz answers 503 within 1 s and names the chain', async () => {
    const answer = await timedCall('/healthz')
    expect(answer.ms).toBeLessThan(1000)
    expect(answer.status).toBe(503)
    expect(answer.body.status).toBe('unavailable')
    expect(answer.body.chain.ok).toBe(false)
    expect(answer.body.chain.error).toMatch(/chain/)
    expect(answer.body.database.ok).toBe(true)
  })

  it('issuance answers 503 ERR_CHAIN_UNAVAILABLE within the RPC timeout', async () => {
    const answer = await timedCall('/v1/credentials', {
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
      body: { type: 'BusinessLicenseCredential', holder, claims: claimsOf('BusinessLicenseCredential') },
    })
    expect(answer.status).toBe(503)
    expect(answer.body.error.code).toBe('ERR_CHAIN_UNAVAILABLE')
    expect(answer.ms).toBeLessThan(RPC_TIMEOUT_MS + SLACK_MS)
  })

  it('a status change answers 202 pending within the RPC timeout, and stays recorded and queued', async () => {
    const answer = await timedCall(`/v1/credentials/${encodeURIComponent(revoked.id)}/revoke`, {
      method: 'POST',
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
    })
    expect(answer.status).toBe(202)
    expect(answer.body).toMatchObject({ status: 'revoked', changed: true, onChain: 'pending' })
    expect(answer.ms).toBeLessThan(RPC_TIMEOUT_MS + SLACK_MS)
    const [row] = await service.ctx.db.query(`SELECT state FROM govcred_status_changes WHERE credentialId = ?`, [revoked.id])
    expect(row.state).not.toBe('confirmed')
  })

  describe('after SIGCONT', () => {
    beforeAll(() => resume())

    it('/healthz is 200 again', async () => {
      expect(await eventually(async () => (await timedCall('/healthz')).status === 200, 10_000, 100)).toBe(true)
    })

    it('the status change queued during the pause reaches the chain', async () => {
      const onChain = async () => {
        const { status, body } = await timedCall(`/v1/credentials/${encodeURIComponent(revoked.id)}/status`, {
          headers: bearer(demo.BusinessLicenseCredential.apiKey),
        })
        return status === 200 && body.onChain.revoked === true && body.inSync === true
      }
      expect(await eventually(onChain, 15_000, 200)).toBe(true)
    })

    it('verification works again and sees the revocation made during the pause', async () => {
      const fine = await verify(await presentationOf(kept))
      expect(failures(fine.body)).toEqual([])
      expect(fine.status).toBe(200)
      const refused = await verify(await presentationOf(revoked))
      expect(refused.status).toBe(422)
      expect(failures(refused.body)).toContain('status:ERR_CREDENTIAL_REVOKED')
    })

    it('issuance works again', async () => {
      const again = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder)
      expect(again.id).toEqual(expect.any(String))
    })
  })
})

describe('GOVCRED_RPC_TIMEOUT_MS', () => {
  const verifierEnv = {
    GOVCRED_RPC_URL: 'http://127.0.0.1:8545',
    GOVCRED_DID_REGISTRY: '0x' + '1'.repeat(40),
    GOVCRED_TRUSTED_ISSUERS: '0x' + '2'.repeat(40),
    GOVCRED_SCHEMA_REGISTRY: '0x' + '3'.repeat(40),
    GOVCRED_STATUS_REGISTRY: '0x' + '4'.repeat(40),
  }

  it('defaults to 3 s in both modes and takes a value in ms', () => {
    expect(loadConfig({}).chain.rpcTimeoutMs).toBe(3000)
    expect(loadConfig({ GOVCRED_RPC_TIMEOUT_MS: '1500' }).chain.rpcTimeoutMs).toBe(1500)
    expect(loadVerifierConfig(verifierEnv).rpcTimeoutMs).toBe(3000)
    expect(loadVerifierConfig({ ...verifierEnv, GOVCRED_RPC_TIMEOUT_MS: '800' }).rpcTimeoutMs).toBe(800)
  })

  it('refuses a value that is not a whole number of ms between 100 and 120000, naming the variable', () => {
    for (const bad of ['abc', '0', '50', '1.5', '600000']) {
      expect(() => loadConfig({ GOVCRED_RPC_TIMEOUT_MS: bad })).toThrow(ConfigError)
      expect(() => loadConfig({ GOVCRED_RPC_TIMEOUT_MS: bad })).toThrow(/GOVCRED_RPC_TIMEOUT_MS/)
      expect(() => loadVerifierConfig({ ...verifierEnv, GOVCRED_RPC_TIMEOUT_MS: bad })).toThrow(/GOVCRED_RPC_TIMEOUT_MS/)
    }
  })
})
