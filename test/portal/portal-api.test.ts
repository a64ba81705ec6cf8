// The JSON the portal's public pages use (issue 13): GET /v1/schemas (the catalogue with each schema's anchor, read
// from the chain) and the feedback box (POST /v1/feedback anonymous, bounded per client and in total, never
// logged; GET /v1/feedback for the platform operator only).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OperatorKeyStore } from '../../src/accounts/operator-keys.js'
import { startService, type RunningService } from '../../src/app/start-service.js'
import { CREDENTIAL_TYPE_NAMES } from '../../src/catalog/credential-types.js'
import { loadSchema } from '../../src/catalog/schemas/load-schemas.js'
import { loadConfig } from '../../src/config/config.js'
import { saltOf } from '../../src/issuing/governance/governance-proposals.js'
import type { Logger } from '../../src/shared/logger.js'
import { readDemo } from '../verification/verification-helpers.js'

const PER_HOUR = 6
const MAX_STORED = 8
/** A message no log line may contain. */
const SECRET_WORDS = 'my-private-feedback-marker 我的隐私内容'

let dataDir: string
let service: RunningService
let operatorKey: string
let departmentKey: string
const logLines: string[] = []
const logger: Logger = {
  info: (message, fields) => void logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  warn: (message, fields) => void logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  error: (message, fields) => void logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
}

async function call(
  path: string,
  init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const hasBody = init.body !== undefined || init.raw !== undefined
  const res = await fetch(`${service.url}${path}`, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
}
/** Each feedback post comes from its own (forwarded) client, so that the per-client budget does not interfere. */
let clients = 0
const post = (body: unknown, client = `10.0.0.${++clients}`) => call('/v1/feedback', { body, headers: { 'x-forwarded-for': client } })
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'govcred-portal-api-'))
  const config = loadConfig({
    GOVCRED_DATA_DIR: dataDir,
    PORT: '0',
    GOVCRED_STATE_INTERVAL: '1',
    GOVCRED_ACCESS_LOG: 'true',
    // One proxy hop: the test names its clients in X-Forwarded-For.
    GOVCRED_TRUST_PROXY: '1',
    GOVCRED_FEEDBACK_PER_HOUR: String(PER_HOUR),
    GOVCRED_FEEDBACK_MAX_STORED: String(MAX_STORED),
  })
  service = await startService(config, logger, { demo: true })
  operatorKey = (await new OperatorKeyStore(service.ctx.db).create('portal-api test')).key
  departmentKey = readDemo({ dataDir }).BusinessLicenseCredential.apiKey
})
afterAll(async () => {
  await service?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('GET /v1/schemas', () => {
  it('lists every credential type with its schema, canonical hash and anchor state read from the chain', async () => {
    const { status, body } = await call('/v1/schemas')
    expect(status).toBe(200)
    expect(body.schemas.map((s: any) => s.type)).toEqual([...CREDENTIAL_TYPE_NAMES])
    for (const item of body.schemas) {
      const loaded = loadSchema(item.type)
      expect(item.contentHash).toBe(loaded.contentHash)
      expect(item.uri).toBe(loaded.uri)
      expect(item.schema).toEqual(loaded.schema)
      expect(item.title['zh-CN']).toMatch(/[\u4e00-\u9fff]/)
      expect(item.title.en).toMatch(/^[A-Z]/)
      expect(item.description['zh-CN']).toBeTruthy()
      expect(item.anchor.state).toBe('anchored')
      expect(item.anchor.contentHash).toBe(loaded.contentHash)
      expect(Date.parse(item.anchor.publishedAt)).toBeGreaterThan(0)
    }
  })

  it('says deprecated once governance deprecates a schema on chain (the chain answers, not the catalogue)', async () => {
    const { ctx } = service
    await ctx.governance.proposeAndApprove(
      {
        contract: 'SchemaRegistry',
        target: ctx.registries.schemas.address,
        method: 'deprecateSchema',
        args: ['SocialSecurityStatusCredential', '1.0.0'],
        salt: saltOf('portal-api test: deprecate SocialSecurityStatusCredential 1.0.0'),
        label: 'deprecate schema SocialSecurityStatusCredential 1.0.0',
      },
      ctx.members,
    )
    const { body } = await call('/v1/schemas')
    const states = Object.fromEntries(body.schemas.map((s: any) => [s.type, s.anchor.state]))
    expect(states).toEqual({
      BusinessLicenseCredential: 'anchored',
      PropertyCertificateCredential: 'anchored',
      SocialSecurityStatusCredential: 'deprecated',
      SocialInsuranceRegistrationCredential: 'anchored',
    })
  })
})

describe('POST /v1/feedback', () => {
  it('stores a message anonymously and answers 201 {id}', async () => {
    const { status, body } = await post({
      page: '/guide',
      message: '  指南写得很清楚  ',
      rating: 5,
      contact: '138 0000 0000',
      locale: 'zh-CN',
    })
    expect(status).toBe(201)
    expect(Object.keys(body)).toEqual(['id'])
    const { body: page } = await call('/v1/feedback', { headers: bearer(operatorKey) })
    expect(page.feedback[0]).toMatchObject({
      id: body.id,
      page: '/guide',
      message: '指南写得很清楚',
      rating: 5,
      contact: '138 0000 0000',
      locale: 'zh-CN',
    })
  })

  it('refuses each malformed body with 422 ERR_INVALID_REQUEST naming the field, storing nothing', async () => {
    const before = (await call('/v1/feedback?limit=200', { headers: bearer(operatorKey) })).body.feedback.length
    const cases: [unknown, string][] = [
      [[], ''],
      [{ message: 'x' }, '/page'],
      [{ page: '/', message: '' }, '/message'],
      [{ page: '/', message: '   ' }, '/message'],
      [{ page: '/', message: 42 }, '/message'],
      [{ page: '/', message: '好'.repeat(2001) }, '/message'],
      [{ page: 'guide', message: 'x' }, '/page'],
      [{ page: '/wallet/receive?offer=secret-code', message: 'x' }, '/page'],
      [{ page: '/guide#top', message: 'x' }, '/page'],
      [{ page: `/${'a'.repeat(200)}`, message: 'x' }, '/page'],
      [{ page: '/', message: 'x', rating: 0 }, '/rating'],
      [{ page: '/', message: 'x', rating: 6 }, '/rating'],
      [{ page: '/', message: 'x', rating: 4.5 }, '/rating'],
      [{ page: '/', message: 'x', rating: '5' }, '/rating'],
      [{ page: '/', message: 'x', contact: 'c'.repeat(201) }, '/contact'],
      [{ page: '/', message: 'x\u0000y' }, '/message'],
      [{ page: '/', message: 'x\u202ey' }, '/message'],
      [{ page: '/', message: 'x', locale: 'fr' }, '/locale'],
      [{ page: '/', message: 'x', email: 'a' }, '/email'],
    ]
    for (const [body, field] of cases) {
      const res = await post(body)
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422)
      expect(res.body.error.code).toBe('ERR_INVALID_REQUEST')
      if (field) expect(res.body.error.details?.[0]?.field, JSON.stringify(body).slice(0, 80)).toBe(field)
    }
    const malformed = await call('/v1/feedback', { raw: '{"page":', headers: { 'x-forwarded-for': '10.0.1.1' } })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.code).toBe('ERR_MALFORMED_JSON')
    const after = (await call('/v1/feedback?limit=200', { headers: bearer(operatorKey) })).body.feedback.length
    expect(after).toBe(before)
  })

  it('takes exactly 2000 characters of Chinese (counted as a person counts them)', async () => {
    const { status } = await post({ page: '/', message: '好'.repeat(2000) })
    expect(status).toBe(201)
  })

  it(`gives each client ${PER_HOUR} messages an hour, then 429 ERR_RATE_LIMITED with Retry-After`, async () => {
    const client = '10.0.2.1'
    for (let i = 0; i < PER_HOUR; i++) {
      // Malformed bodies count too: the budget is read before the body is checked.
      const res = await post({ page: '/', message: '' }, client)
      expect(res.status).toBe(422)
    }
    const refused = await post({ page: '/', message: 'one more' }, client)
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('ERR_RATE_LIMITED')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    // Another client is not affected.
    expect((await post({ page: '/', message: 'another client' })).status).toBe(201)
  })

  it(`keeps at most ${MAX_STORED} messages, then refuses with 503 ERR_FEEDBACK_FULL, dropping none`, async () => {
    const store = () => call(`/v1/feedback?limit=200`, { headers: bearer(operatorKey) })
    let kept = (await store()).body.feedback.length
    while (kept < MAX_STORED) {
      expect((await post({ page: '/', message: `fill ${kept}` })).status).toBe(201)
      kept++
    }
    const full = await post({ page: '/', message: 'over the cap' })
    expect(full.status).toBe(503)
    expect(full.body.error.code).toBe('ERR_FEEDBACK_FULL')
    const { body } = await store()
    expect(body.feedback).toHaveLength(MAX_STORED)
    expect(body.feedback.map((f: any) => f.message)).not.toContain('over the cap')
    expect(body.feedback.map((f: any) => f.message)).toContain('指南写得很清楚')
  })

  it('never writes the message (or the contact) to the log', async () => {
    const res = await post({ page: '/guide', message: SECRET_WORDS, contact: SECRET_WORDS })
    // The box is full by now: refused, but the body went through the parser and the checks all the same.
    expect(res.status).toBe(503)
    await post({ page: '/guide', message: `${SECRET_WORDS}\u0000` })
    expect(logLines.some((line) => line.includes('POST /v1/feedback'))).toBe(true)
    expect(logLines.filter((line) => line.includes('my-private-feedback-marker') || line.includes('我的隐私内容'))).toEqual([])
  })
})

describe('GET /v1/feedback', () => {
  it('is for the platform operator only: 401 without a key, with a department key, or with a wrong one', async () => {
    const none = await call('/v1/feedback')
    expect(none.status).toBe(401)
    expect(none.body.error.code).toBe('ERR_AUTH_REQUIRED')
    for (const key of [departmentKey, 'gop_not-a-real-key', operatorKey.slice(0, -2)]) {
      const res = await call('/v1/feedback', { headers: bearer(key) })
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('ERR_AUTH_INVALID')
      expect(JSON.stringify(res.body)).not.toContain('指南写得很清楚')
    }
  })

  it('pages newest first with limit and before, and refuses a malformed query', async () => {
    const first = await call('/v1/feedback?limit=3', { headers: bearer(operatorKey) })
    expect(first.status).toBe(200)
    expect(first.body.feedback).toHaveLength(3)
    const second = await call(`/v1/feedback?limit=3&before=${first.body.nextBefore}`, { headers: bearer(operatorKey) })
    const firstIds = first.body.feedback.map((f: any) => f.id)
    expect(second.body.feedback.map((f: any) => f.id).some((id: string) => firstIds.includes(id))).toBe(false)
    const times = [...first.body.feedback, ...second.body.feedback].map((f: any) => f.createdAt)
    expect([...times].sort().reverse()).toEqual(times)
    for (const query of ['limit=0', 'limit=201', 'limit=x', 'before=-1', 'limit=1&limit=2', 'other=1']) {
      const res = await call(`/v1/feedback?${query}`, { headers: bearer(operatorKey) })
      expect(res.status, query).toBe(400)
      expect(res.body.error.code, query).toBe('ERR_INVALID_QUERY')
    }
  })
})
