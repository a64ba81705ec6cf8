import type { Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import express from 'express'
import { startTestService, type TestService } from '../helpers/service.js'
import { AuditLog, type AuditEntry } from '../../src/issuing/audit/audit-log.js'
import { auditRoutes } from '../../src/http/routes/audit-routes.js'
import { requireDepartment } from '../../src/http/department-auth.js'
import { errorHandler, notFoundHandler } from '../../src/http/error-middleware.js'
import { ApiKeyStore } from '../../src/issuing/departments/api-keys/api-key-store.js'
import { silentLogger } from '../../src/shared/logger.js'

let service: TestService
let server: Server
let baseUrl: string
let log: AuditLog
const keys: Record<'a' | 'b', string> = { a: '', b: '' }
const ids: Record<'a' | 'b', string> = { a: '', b: '' }
const appended: AuditEntry[] = []

beforeAll(async () => {
  service = await startTestService()
  const { ctx } = service
  log = new AuditLog(ctx.db)
  const apiKeys = new ApiKeyStore(ctx.db)
  const [a, b] = await ctx.departments.list()
  ids.a = a!.id
  ids.b = b!.id
  keys.a = (await apiKeys.create(ids.a, ['*'], 'audit test a')).key
  keys.b = (await apiKeys.create(ids.b, ['*'], 'audit test b')).key
  for (let i = 0; i < 5; i++) {
    appended.push(
      await log.append({
        departmentId: ids.a,
        actor: 'cli:a',
        action: i === 3 ? 'revoke' : 'issue',
        credentialId: `urn:uuid:a-${i % 2}`,
        details: { i },
      }),
    )
    await log.append({ departmentId: ids.b, actor: 'cli:b', action: 'issue', credentialId: `urn:uuid:b-${i}`, details: { i } })
  }

  const app = express()
  app.set('query parser', 'simple')
  app.use(auditRoutes({ log, authenticate: requireDepartment(apiKeys, ctx.departments) }))
  app.use(notFoundHandler)
  app.use(errorHandler(silentLogger))
  server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)))
  })
  const address = server.address()
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  await service?.dispose()
})

async function get(path: string, key?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} })
  return { status: res.status, body: await res.json() }
}

describe('GET /v1/audit', () => {
  it("returns only the caller's department, newest first, in pages", async () => {
    const all = await get('/v1/audit', keys.a)
    expect(all.status).toBe(200)
    expect(all.body.entries.map((e: AuditEntry) => e.seq)).toEqual(appended.map((e) => e.seq).reverse())
    expect(all.body.entries.every((e: AuditEntry) => e.departmentId === ids.a)).toBe(true)
    expect(all.body.nextBefore).toBeNull()

    const first = await get('/v1/audit?limit=2', keys.a)
    expect(first.body.entries).toEqual([appended[4], appended[3]])
    const second = await get(`/v1/audit?limit=2&before=${first.body.nextBefore}`, keys.a)
    expect(second.body.entries).toEqual([appended[2], appended[1]])

    const other = await get('/v1/audit?limit=200', keys.b)
    expect(other.body.entries).toHaveLength(5)
    expect(other.body.entries.every((e: AuditEntry) => e.departmentId === ids.b)).toBe(true)
    // Another department's credential id or seq gives nothing away.
    expect((await get(`/v1/audit?credentialId=urn:uuid:b-1`, keys.a)).body).toEqual({ entries: [], nextBefore: null })
  })

  it('filters by action and credential', async () => {
    expect((await get('/v1/audit?action=revoke', keys.a)).body.entries).toEqual([appended[3]])
    expect((await get('/v1/audit?credentialId=urn%3Auuid%3Aa-0', keys.a)).body.entries).toEqual([appended[4], appended[2], appended[0]])
  })

  it('rejects bad query parameters with ERR_INVALID_QUERY', async () => {
    for (const query of [
      'limit=0',
      'limit=201',
      'limit=abc',
      'limit=1.5',
      'before=-1',
      'before=x',
      'action=delete',
      'credentialId=',
      'sort=asc',
      'limit=1&limit=2',
    ]) {
      const { status, body } = await get(`/v1/audit?${query}`, keys.a)
      expect({ query, status, code: body.error?.code }).toEqual({ query, status: 400, code: 'ERR_INVALID_QUERY' })
    }
  })

  it('requires a valid API key', async () => {
    expect(await get('/v1/audit')).toMatchObject({ status: 401, body: { error: { code: 'ERR_AUTH_REQUIRED' } } })
    expect(await get('/v1/audit', 'gck_not-a-real-key')).toMatchObject({ status: 401, body: { error: { code: 'ERR_AUTH_INVALID' } } })
    expect(await get('/v1/audit/verify')).toMatchObject({ status: 401 })
  })
})

describe('GET /v1/audit/verify', () => {
  it("verifies the caller's chain only", async () => {
    const ok = await get('/v1/audit/verify', keys.a)
    expect(ok).toMatchObject({
      status: 200,
      body: { ok: true, departmentId: ids.a, entries: 5, head: { seq: appended[4]!.seq }, problems: [] },
    })

    const victim = (await log.list(ids.b, { limit: 1 })).entries[0]!
    await service.ctx.db.query(`UPDATE govcred_audit_log SET actor = 'cli:mallory' WHERE seq = ?`, [victim.seq])
    expect((await get('/v1/audit/verify', keys.a)).body.ok).toBe(true)
    const broken = await get('/v1/audit/verify', keys.b)
    expect(broken.body).toMatchObject({ ok: false, departmentId: ids.b, problems: [{ seq: victim.seq, code: 'ERR_AUDIT_HASH_MISMATCH' }] })
  })
})
