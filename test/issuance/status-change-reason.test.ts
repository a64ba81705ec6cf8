// A status change may carry the department's reason (issue 13: "the clerk revokes the licence, with a reason"):
// it is kept with the change, copied into the change's audit entry and shown by the status answers; a reason of
// the wrong kind, or any other field, is refused before anything is recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { bearer, bitsOnChain, countRows, eventually, issue, readDemo, statusIndexOf, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

async function issueLicence(): Promise<{ id: string; index: number }> {
  const { status, body } = await issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
  expect(status).toBe(201)
  return { id: body.id, index: statusIndexOf(body.credential) }
}

/** POST /v1/credentials/{id}/{action} with a JSON body (or none), as the department console sends it. */
function post(
  id: string,
  action: 'revoke' | 'suspend' | 'reinstate',
  init: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
) {
  return service.api(`/v1/credentials/${encodeURIComponent(id)}/${action}`, {
    method: 'POST',
    ...init,
    headers: { ...bearer(demo.market.apiKey), ...init.headers },
  })
}

async function statusOf(id: string) {
  const { status, body } = await service.api(`/v1/credentials/${encodeURIComponent(id)}/status`, { headers: bearer(demo.market.apiKey) })
  expect(status).toBe(200)
  return body
}

async function auditOf(id: string): Promise<{ action: string; txHash: string | null; details: Record<string, unknown> }[]> {
  const { status, body } = await service.api(`/v1/audit?credentialId=${encodeURIComponent(id)}`, { headers: bearer(demo.market.apiKey) })
  expect(status).toBe(200)
  return (body.entries as { action: string; txHash: string | null; details: Record<string, unknown> }[]).reverse()
}

describe('a status change with a reason', () => {
  it('revoke with a reason: the audit entry and both status answers carry it (trimmed)', async () => {
    const { id, index } = await issueLicence()
    const reason = '经营者以欺骗手段取得营业执照 / licence obtained by deception'
    const revoked = await post(id, 'revoke', { body: { reason: `  ${reason}  ` } })
    expect(revoked.status).toBe(200)
    expect(revoked.body).toMatchObject({ credentialId: id, status: 'revoked', changed: true, onChain: 'confirmed', reason })
    expect((await bitsOnChain(service, demo.market.account, index)).revoked).toBe(true)

    expect(await statusOf(id)).toMatchObject({ id, status: 'revoked', recorded: 'revoked', inSync: true, reason })
    const entries = await auditOf(id)
    expect(entries.map((e) => e.action)).toEqual(['issue', 'revoke'])
    expect(entries[1]!.txHash).toBe(revoked.body.txHash)
    expect(entries[1]!.details).toEqual({ purpose: 'revocation', operation: 'set', statusIndex: index, reason })

    // A repeat records nothing, whatever reason it gives: the answer shows the reason in force.
    const again = await post(id, 'revoke', { body: { reason: 'another reason' } })
    expect(again.status).toBe(200)
    expect(again.body).toEqual({ credentialId: id, status: 'revoked', changed: false, txHash: null, onChain: 'unchanged', reason })
    expect((await auditOf(id)).length).toBe(2)
    expect((await statusOf(id)).reason).toBe(reason)
  })

  it('the 202 answer of `Prefer: respond-async` carries the reason; the audit entry has it once mined', async () => {
    const { id, index } = await issueLicence()
    const reason = '责令停业整顿'
    const { status, body } = await post(id, 'suspend', { body: { reason }, headers: { prefer: 'respond-async' } })
    expect(status).toBe(202)
    expect(body).toEqual({ credentialId: id, status: 'suspended', changed: true, txHash: null, onChain: 'pending', reason })
    expect(await eventually(async () => (await bitsOnChain(service, demo.market.account, index)).suspended, 10_000)).toBe(true)
    expect(await eventually(async () => (await auditOf(id)).some((e) => e.action === 'suspend'), 10_000)).toBe(true)
    expect((await auditOf(id)).find((e) => e.action === 'suspend')!.details.reason).toBe(reason)
    expect(await statusOf(id)).toMatchObject({ status: 'suspended', reason })
  })

  it('shows the latest change’s reason: a later change without one shows null', async () => {
    const { id } = await issueLicence()
    expect((await statusOf(id)).reason).toBeNull()
    const suspended = await post(id, 'suspend', { body: { reason: 'under investigation' } })
    expect(suspended.body).toMatchObject({ changed: true, reason: 'under investigation' })
    const reinstated = await post(id, 'reinstate')
    expect(reinstated.status).toBe(200)
    expect(reinstated.body).toMatchObject({ status: 'active', changed: true, onChain: 'confirmed', reason: null })
    expect((await statusOf(id)).reason).toBeNull()
    const entries = await auditOf(id)
    expect(entries.map((e) => e.action)).toEqual(['issue', 'suspend', 'reinstate'])
    expect(entries[1]!.details.reason).toBe('under investigation')
    expect(entries[2]!.details).not.toHaveProperty('reason')
  })

  it('no body, an empty JSON object or an empty body with a JSON content type still work', async () => {
    for (const init of [{}, { body: {} }, { rawBody: '', headers: { 'content-type': 'application/json' } }]) {
      const { id, index } = await issueLicence()
      const revoked = await post(id, 'revoke', init)
      expect(revoked.status, JSON.stringify(init)).toBe(200)
      expect(revoked.body).toMatchObject({ status: 'revoked', changed: true, onChain: 'confirmed', reason: null })
      expect((await bitsOnChain(service, demo.market.account, index)).revoked).toBe(true)
      expect((await auditOf(id))[1]!.details).toEqual({ purpose: 'revocation', operation: 'set', statusIndex: index })
    }
  })
})

describe('a reason of the wrong kind', () => {
  const refused: [string, unknown, { field: string; code: string }[]][] = [
    ['201 characters', { reason: '理'.repeat(201) }, [{ field: '/reason', code: 'ERR_FIELD_LENGTH' }]],
    ['a number', { reason: 42 }, [{ field: '/reason', code: 'ERR_FIELD_TYPE' }]],
    ['null', { reason: null }, [{ field: '/reason', code: 'ERR_FIELD_TYPE' }]],
    ['an empty text', { reason: '' }, [{ field: '/reason', code: 'ERR_FIELD_LENGTH' }]],
    ['only spaces', { reason: '   ' }, [{ field: '/reason', code: 'ERR_FIELD_LENGTH' }]],
    ['a line break', { reason: 'forged\n2025-01-01 revoke by someone else' }, [{ field: '/reason', code: 'ERR_FIELD_FORMAT' }]],
    ['a NUL', { reason: 'a\u0000b' }, [{ field: '/reason', code: 'ERR_FIELD_FORMAT' }]],
    ['a bidirectional override', { reason: 'fraud \u202Edilav' }, [{ field: '/reason', code: 'ERR_FIELD_FORMAT' }]],
    ['an extra field', { reason: 'fraud', actor: 'someone-else' }, [{ field: '/actor', code: 'ERR_FIELD_UNKNOWN' }]],
    ['only an extra field', { txHash: '0x00' }, [{ field: '/txHash', code: 'ERR_FIELD_UNKNOWN' }]],
  ]
  for (const [label, body, details] of refused) {
    it(`${label} → 400 ERR_INVALID_REQUEST with field details, and nothing changed`, async () => {
      const { id, index } = await issueLicence()
      const before = await countRows(service)
      const { status, body: answer } = await post(id, 'revoke', { body })
      expect(status).toBe(400)
      expect(answer.error.code).toBe('ERR_INVALID_REQUEST')
      expect(answer.error.details).toMatchObject(details)
      // The refusal never repeats the reason (free text).
      if (typeof (body as { reason?: unknown }).reason === 'string' && (body as { reason: string }).reason.trim())
        expect(JSON.stringify(answer)).not.toContain((body as { reason: string }).reason)
      expect(await countRows(service)).toEqual(before)
      expect(await statusOf(id)).toMatchObject({ status: 'active', recorded: 'active', inSync: true, reason: null })
      expect((await bitsOnChain(service, demo.market.account, index)).revoked).toBe(false)
    })
  }

  it('a body that is not an object (a list, a JSON text) → 400 ERR_INVALID_REQUEST', async () => {
    const { id } = await issueLicence()
    for (const rawBody of ['["fraud"]', '"fraud"']) {
      const { status, body } = await post(id, 'suspend', { rawBody, headers: { 'content-type': 'application/json' } })
      expect(status, rawBody).toBe(400)
      expect(['ERR_INVALID_REQUEST', 'ERR_MALFORMED_JSON']).toContain(body.error.code)
    }
    expect((await statusOf(id)).recorded).toBe('active')
  })

  it('200 characters of CJK text (the console’s limit, counted in characters) are accepted', async () => {
    const { id } = await issueLicence()
    const reason = '理'.repeat(200)
    const { status, body } = await post(id, 'suspend', { body: { reason } })
    expect(status).toBe(200)
    expect(body.reason).toBe(reason)
  })
})
