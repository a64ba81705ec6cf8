// Issue 8, finding 3: every public route (no department API key) is rate limited per client and capped in
// flight. Over its budget a client gets 429 ERR_RATE_LIMITED with Retry-After; beyond the concurrency cap a
// request gets 503 ERR_BUSY with Retry-After; department routes are not limited. The service runs with small
// limits of its own (GOVCRED_RATE_LIMIT_PER_MINUTE, GOVCRED_PUBLIC_CONCURRENCY) over real HTTP on loopback.
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/config.js'
import { loadVerifierConfig } from '../../src/config/verifier-config.js'
import { DEFAULT_RATE_LIMITS } from '../../src/config/rate-limit-settings.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, readDemo, type Demo } from '../verification/verification-helpers.js'

const PER_MINUTE = 40
const CONCURRENCY = 3

let service: TestService
let demo: Demo
/** Every status a public route answered in this file, with its error code. */
const answered: { path: string; status: number; code?: string }[] = []

beforeAll(async () => {
  service = await startTestService({
    env: { GOVCRED_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE), GOVCRED_PUBLIC_CONCURRENCY: String(CONCURRENCY) },
  })
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

async function call(path: string, init: Parameters<TestService['api']>[1] = {}) {
  const answer = await service.api(path, init)
  answered.push({ path, status: answer.status, code: answer.body?.error?.code })
  return answer
}

const departmentCall = () => service.api('/v1/audit?limit=1', { headers: bearer(demo.BusinessLicenseCredential.apiKey) })

/** A public POST whose headers arrived but whose body never completes: it stays in flight until the socket closes. */
function holdPublicRequest(): Promise<Socket> {
  const { port } = new URL(service.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        'POST /credentials/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"verifiableCredential":',
      )
      resolve(socket)
    })
    socket.on('error', reject)
  })
}

describe('the concurrency cap of the public routes', () => {
  it(`refuses a request beyond ${CONCURRENCY} in flight with 503 ERR_BUSY and Retry-After, frees the slots, and leaves department routes alone`, async () => {
    const held = await Promise.all(Array.from({ length: CONCURRENCY }, holdPublicRequest))
    try {
      await expect.poll(async () => (await call('/v1/network')).status, { timeout: 3000, interval: 50 }).toBe(503)
      const busy = await call('/1.0/identifiers/did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')
      expect(busy.status).toBe(503)
      expect(busy.body).toEqual({ error: { code: 'ERR_BUSY', message: expect.any(String) } })
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      // Department routes do not count against the public cap.
      expect((await departmentCall()).status).toBe(200)
    } finally {
      for (const socket of held) socket.destroy()
    }
    await expect.poll(async () => (await call('/v1/network')).status, { timeout: 3000, interval: 50 }).toBe(200)
  })
})

describe('the per-client limit of the public routes', () => {
  it(`answers 429 ERR_RATE_LIMITED with Retry-After past ${PER_MINUTE} requests a minute, on every public route; X-Forwarded-For does not reset it`, async () => {
    let first429: Awaited<ReturnType<typeof call>> | undefined
    let ok = 0
    for (let i = 0; i <= PER_MINUTE && !first429; i++) {
      const answer = await call('/v1/network')
      if (answer.status === 429) first429 = answer
      else {
        expect(answer.status).toBe(200)
        ok++
      }
    }
    expect(first429, 'no 429 within the budget + 1').toBeDefined()
    expect(ok).toBeLessThan(PER_MINUTE)
    expect(first429!.body).toEqual({ error: { code: 'ERR_RATE_LIMITED', message: expect.any(String) } })
    const retryAfter = Number(first429!.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)

    // The budget is the client's, across every public route.
    const publicRoutes: [string, Parameters<TestService['api']>[1]][] = [
      ['/v1/presentation-requests', { body: { credentialTypes: ['BusinessLicenseCredential'], purpose: 'x' } }],
      ['/v1/presentation-requests/00000000-0000-0000-0000-000000000000', {}],
      ['/v1/presentations/verify', { body: { presentation: 'a.b.c', requestId: 'r' } }],
      ['/presentations/verify', { body: { verifiablePresentation: 'a.b.c', options: { challenge: 'challenge-1' } } }],
      ['/credentials/verify', { body: { verifiableCredential: 'a.b.c' } }],
      ['/1.0/identifiers/did:ethr:govcred:0x0000000000000000000000000000000000000001', {}],
      ['/v1/issuers', {}],
      [`/v1/issuers/${demo.BusinessLicenseCredential.did}`, {}],
      ['/v1/network', {}],
      ['/v1/chain/rpc', { body: { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] } }],
      ['/v1/property/units/320106003005GB00123F00000001/current', { body: { certificate: 'a.b.c' } }],
      ['/v1/network', { headers: { 'x-forwarded-for': '203.0.113.9' } }],
    ]
    for (const [path, init] of publicRoutes) {
      const answer = await call(path, init)
      expect(answer.status, path).toBe(429)
      expect(answer.body.error.code, path).toBe('ERR_RATE_LIMITED')
      expect(answer.headers.get('retry-after'), path).toMatch(/^\d+$/)
    }

    // Department routes and the health check have budgets of their own.
    for (let i = 0; i < 5; i++) expect((await departmentCall()).status).toBe(200)
    expect((await service.api('/healthz')).status).toBe(200)
  })

  it('lets a department issue and read well past the public budget', async () => {
    const key = demo.BusinessLicenseCredential.apiKey
    const answers = await Promise.all(Array.from({ length: PER_MINUTE + 10 }, () => departmentCall()))
    expect(answers.every((a) => a.status === 200)).toBe(true)
    expect(answers.some((a) => a.status === 429)).toBe(false)
    // and the issuing route itself
    const issued = await service.api('/v1/credentials/urn:uuid:no-such/status', { headers: bearer(key) })
    expect(issued.status).toBe(404)
  })

  it('answered no 5xx other than the documented 503 ERR_BUSY', () => {
    expect(answered.filter((a) => a.status >= 500 && !(a.status === 503 && a.code === 'ERR_BUSY'))).toEqual([])
  })
})

describe('rate-limit settings', () => {
  it('are validated, with documented defaults, in both modes', () => {
    expect(loadConfig({}).rateLimits).toEqual(DEFAULT_RATE_LIMITS)
    expect(DEFAULT_RATE_LIMITS).toMatchObject({ perMinute: 600, healthPerMinute: 6000, publicConcurrency: 64, trustProxy: false })
    const verifierEnv = {
      GOVCRED_RPC_URL: 'http://127.0.0.1:8545',
      GOVCRED_DID_REGISTRY: '0x0000000000000000000000000000000000000001',
      GOVCRED_TRUSTED_ISSUERS: '0x0000000000000000000000000000000000000002',
      GOVCRED_SCHEMA_REGISTRY: '0x0000000000000000000000000000000000000003',
      GOVCRED_STATUS_REGISTRY: '0x0000000000000000000000000000000000000004',
    }
    expect(loadVerifierConfig({ ...verifierEnv, GOVCRED_RATE_LIMIT_PER_MINUTE: '5', GOVCRED_TRUST_PROXY: 'loopback' }).rateLimits).toEqual({
      ...DEFAULT_RATE_LIMITS,
      perMinute: 5,
      trustProxy: 'loopback',
    })
    expect(loadConfig({ GOVCRED_TRUST_PROXY: '2' }).rateLimits.trustProxy).toBe(2)
    expect(() =>
      loadConfig({ GOVCRED_RATE_LIMIT_PER_MINUTE: '0', GOVCRED_PUBLIC_CONCURRENCY: 'many', GOVCRED_TRUST_PROXY: 'true' }),
    ).toThrow(/GOVCRED_RATE_LIMIT_PER_MINUTE[\s\S]*GOVCRED_PUBLIC_CONCURRENCY[\s\S]*GOVCRED_TRUST_PROXY/)
  })
})
