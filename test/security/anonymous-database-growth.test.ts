// Issue 8, finding 7: anonymous callers grew the database without bound (3,000 presentation requests in 9 s, all
// stored; used VC-API challenges never purged). Relying parties are registered with their own keys and display
// names, own their requests and results; anonymous requests are taken only where configured, and capped; used
// caller challenges expire and are purged.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createJWT } from 'did-jwt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  bearer,
  failures,
  issueOverHttp,
  nowSeconds,
  openWallet,
  rawHolder,
  readDemo,
  serveVerifier,
  type Demo,
  type Issued,
} from '../verification/verification-helpers.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ANONYMOUS_MAX = 3
const LICENCE = ['BusinessLicenseCredential']

let service: TestService
let demo: Demo
let bankKey: string
let otherKey: string
let closedVerifier: Awaited<ReturnType<typeof serveVerifier>> | undefined
let wallet: HolderWallet
let holder: string
let licence: Issued

/** JSON over HTTP against any base URL, with an optional relying-party key. */
async function call(
  base: string,
  path: string,
  init: { body?: unknown; key?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.key ? bearer(init.key) : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
}

const requestBody = (purpose = '贷款审核 loan check') => ({ credentialTypes: LICENCE, purpose })
const count = async (sql: string, params: unknown[] = []) => Number((await service.ctx.db.query(sql, params))[0].n)

/** Runs `govcred …` as a child process on the test service's data directory; resolves with its stdout. */
function cli(args: string[]): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, GOVCRED_DATA_DIR: service.dataDir, GOVCRED_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`govcred ${args.join(' ')} exited ${code}: ${stderr}`))))
  })
}

beforeAll(async () => {
  service = await startTestService({ env: { GOVCRED_ANONYMOUS_REQUESTS_MAX: String(ANONYMOUS_MAX) } })
  demo = readDemo(service)
  bankKey = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).relyingParties[0].apiKey
  const other = await service.verifier.relyingParties.create({ id: 'other-bank', nameZh: '另一家银行', nameEn: 'Another Bank' })
  otherKey = (await service.verifier.relyingParties.createKey(other.id, 'test')).key
  // The same chain and database, served by a verifier configured as production would be: no anonymous requests.
  closedVerifier = await serveVerifier({
    provider: service.ctx.provider,
    deployments: service.ctx.deployments,
    registries: service.ctx.registries,
    db: service.ctx.db,
    domain: service.verifier.domain,
    access: { anonymousRequests: false, anonymousRequestsMax: 1000 },
  })
  wallet = await openWallet()
  holder = await wallet.createDid('key')
  licence = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder)
  await wallet.importCredential(licence.jwt)
}, 90_000)

afterAll(async () => {
  await closedVerifier?.close()
  await wallet?.close()
  await service?.dispose()
})

describe('anonymous presentation requests', () => {
  it('are refused 401 ERR_RELYING_PARTY_REQUIRED where anonymous requests are off, and nothing is stored', async () => {
    const before = await count(`SELECT COUNT(*) AS n FROM govcred_presentation_requests`)
    for (let i = 0; i < 5; i++) {
      const { status, body } = await call(closedVerifier!.url, '/v1/presentation-requests', { body: requestBody() })
      expect(status).toBe(401)
      expect(body.error.code).toBe('ERR_RELYING_PARTY_REQUIRED')
    }
    expect(await count(`SELECT COUNT(*) AS n FROM govcred_presentation_requests`)).toBe(before)
    // A registered relying party still creates requests there.
    const owned = await call(closedVerifier!.url, '/v1/presentation-requests', { body: requestBody(), key: bankKey })
    expect(owned.status).toBe(201)
  })

  it('are capped: the N+1th open anonymous request is refused 429 ERR_TOO_MANY_OPEN_REQUESTS with Retry-After', async () => {
    const open = await service.verifier.deps.requests.openAnonymousCount()
    for (let i = open; i < ANONYMOUS_MAX; i++) {
      expect((await call(service.url, '/v1/presentation-requests', { body: requestBody() })).status).toBe(201)
    }
    const before = await count(`SELECT COUNT(*) AS n FROM govcred_presentation_requests`)
    const refused = await call(service.url, '/v1/presentation-requests', { body: requestBody() })
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('ERR_TOO_MANY_OPEN_REQUESTS')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await count(`SELECT COUNT(*) AS n FROM govcred_presentation_requests`)).toBe(before)
    // The cap is on anonymous callers only.
    expect((await call(service.url, '/v1/presentation-requests', { body: requestBody(), key: bankKey })).status).toBe(201)
  })

  it('refuse a malformed, unknown or revoked key 401 ERR_AUTH_INVALID instead of taking the caller for anonymous', async () => {
    const party = await service.verifier.relyingParties.create({ id: 'revoked-bank', nameZh: '已撤销银行', nameEn: 'Revoked Bank' })
    const key = await service.verifier.relyingParties.createKey(party.id, 'to revoke')
    expect((await call(service.url, '/v1/presentation-requests', { body: requestBody(), key: key.key })).status).toBe(201)
    expect(await service.verifier.relyingParties.revokeKey(key.id)).toBe(true)
    for (const presented of [key.key, 'grp_unknown', demo.BusinessLicenseCredential.apiKey]) {
      const { status, body } = await call(service.url, '/v1/presentation-requests', { body: requestBody(), key: presented })
      expect([status, body.error.code], presented.slice(0, 4)).toEqual([401, 'ERR_AUTH_INVALID'])
    }
  })
})

describe("a registered relying party's request", () => {
  it("carries the party's display names, and only that party reads its result or verifies its answer", async () => {
    const created = await call(service.url, '/v1/presentation-requests', { body: requestBody(), key: bankKey })
    expect(created.status).toBe(201)
    const verifier = { id: 'demo-bank-of-nanjing', name: { 'zh-CN': '南京银行（演示）', en: 'Demo Bank of Nanjing' } }
    expect(created.body.verifier).toEqual(verifier)
    const id = created.body.id as string

    // What the holder's wallet fetches: the request and who asks, without its result.
    const asHolder = await call(service.url, `/v1/presentation-requests/${id}`)
    expect(asHolder.status).toBe(200)
    expect(asHolder.body).toMatchObject({ id, challenge: created.body.challenge, verifier })
    expect(asHolder.body).not.toHaveProperty('used')
    expect((await call(service.url, `/v1/presentation-requests/${id}`, { key: otherKey })).status).toBe(404)

    // The result: the owner's only.
    const noKey = await call(service.url, `/v1/presentation-requests/${id}/result`)
    expect([noKey.status, noKey.body.error.code]).toEqual([401, 'ERR_AUTH_REQUIRED'])
    const other = await call(service.url, `/v1/presentation-requests/${id}/result`, { key: otherKey })
    expect([other.status, other.body.error.code]).toEqual([404, 'ERR_UNKNOWN_REQUEST'])
    const unused = await call(service.url, `/v1/presentation-requests/${id}/result`, { key: bankKey })
    expect(unused.status).toBe(200)
    expect(unused.body).toMatchObject({ id, used: false, usedAt: null, result: null })

    const vp = await wallet.present(asHolder.body, { holder })
    const verifyAs = (key?: string) => call(service.url, '/v1/presentations/verify', { body: { presentation: vp, requestId: id }, key })
    expect((await verifyAs()).status).toBe(401)
    expect((await verifyAs(otherKey)).status).toBe(404)
    const verified = await verifyAs(bankKey)
    expect(failures(verified.body)).toEqual([])
    expect(verified.status).toBe(200)

    const result = await call(service.url, `/v1/presentation-requests/${id}/result`, { key: bankKey })
    expect(result.body).toMatchObject({ id, used: true, result: { verified: true, code: 'OK', holder } })
    expect(result.body.usedAt).toEqual(expect.any(String))
    expect((await call(service.url, `/v1/presentation-requests/${id}/result`, { key: otherKey })).status).toBe(404)
  })
})

describe('used VC-API challenges', () => {
  const vcApiVerify = (presentation: string, challenge: string) =>
    call(service.url, '/presentations/verify', {
      body: { verifiablePresentation: presentation, options: { challenge, domain: 'bank.example.cn' } },
    })
  const usedRows = (challenge: string) => count(`SELECT COUNT(*) AS n FROM govcred_used_challenges WHERE challenge = ?`, [challenge])

  it('expire and are purged with the hourly purge, while a recent one still refuses a replay', async () => {
    const challenge = `vc-api-${randomUUID()}`
    const vp = await wallet.present({ challenge, domain: 'bank.example.cn', credentialTypes: LICENCE }, { holder })
    const first = await vcApiVerify(vp, challenge)
    expect(failures(first.body)).toEqual([])
    expect(first.status).toBe(200)
    expect(await usedRows(challenge)).toBe(1)

    // Half an hour on: still on record, the replay is refused.
    await service.verifier.purge(Date.now() + 30 * 60_000)
    expect(await usedRows(challenge)).toBe(1)
    const replay = await vcApiVerify(vp, challenge)
    expect([replay.status, replay.body.error.code]).toEqual([422, 'ERR_CHALLENGE_REPLAYED'])

    // Past its expiry (an hour and the clock skew): purged.
    const purged = await service.verifier.purge(Date.now() + 2 * 3_600_000)
    expect(purged.usedChallenges).toBeGreaterThanOrEqual(1)
    expect(await usedRows(challenge)).toBe(0)
  })

  it('are never needed past their expiry: a presentation for a caller challenge older than that is refused and not stored', async () => {
    const raw = rawHolder()
    const own = await issueOverHttp(service, demo, 'BusinessLicenseCredential', raw.did)
    const challenge = `vc-api-old-${randomUUID()}`
    const vp = await createJWT(
      {
        vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [own.jwt] },
        nonce: challenge,
        aud: ['bank.example.cn'],
        iat: nowSeconds() - 2 * 3600,
      },
      { issuer: raw.did, signer: raw.signer },
      { alg: 'ES256K' },
    )
    const { status, body } = await vcApiVerify(vp, challenge)
    expect(status).toBe(422)
    expect(failures(body)).toEqual(['presentationValidity:ERR_PRESENTATION_EXPIRED'])
    expect(await usedRows(challenge)).toBe(0)
  })
})

describe('govcred relying-party (CLI)', () => {
  it('create prints a key, once, that creates requests carrying the names; list shows no secret; key-revoke stops it', async () => {
    const created = JSON.parse(
      await cli(['relying-party', 'create', '--id', 'jiangsu-bank', '--name', '江苏银行', '--name-en', 'Bank of Jiangsu']),
    )
    expect(created).toMatchObject({ id: 'jiangsu-bank', nameZh: '江苏银行', nameEn: 'Bank of Jiangsu' })
    expect(created.apiKey.key).toMatch(/^grp_[A-Za-z0-9_-]{43}$/)
    const request = await call(service.url, '/v1/presentation-requests', { body: requestBody(), key: created.apiKey.key })
    expect(request.status).toBe(201)
    expect(request.body.verifier).toEqual({ id: 'jiangsu-bank', name: { 'zh-CN': '江苏银行', en: 'Bank of Jiangsu' } })

    const listed = await cli(['relying-party', 'list'])
    expect(listed).not.toContain(created.apiKey.key)
    expect(JSON.parse(listed).find((p: { id: string }) => p.id === 'jiangsu-bank').keys).toEqual([
      expect.objectContaining({ id: created.apiKey.id, revokedAt: null }),
    ])

    expect(JSON.parse(await cli(['relying-party', 'key-revoke', created.apiKey.id]))).toEqual({ id: created.apiKey.id, revoked: true })
    const refused = await call(service.url, '/v1/presentation-requests', { body: requestBody(), key: created.apiKey.key })
    expect([refused.status, refused.body.error.code]).toEqual([401, 'ERR_AUTH_INVALID'])
  }, 120_000)
})
