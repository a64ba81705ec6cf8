// Personal data only while it is needed: one-stop cases (the applicant's form, the claims the wallet disclosed)
// are deleted once they have done their work, a case waiting for a clerk stays until the clerk decides, and a
// credential offer forgets its claims once redeemed or dead. Anonymous callers cannot open cases without bound.
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { openABusinessForm } from '../fixtures/claims.js'
import type { TestService } from '../helpers/service.js'
import { startOnestopHarness, type OnestopHarness } from './onestop-helpers.js'
import { bearer, claimsOf, eventually, type Demo } from '../verification/verification-helpers.js'

const BUNDLE = 'open-a-business'
const MAX_OPEN = 2
const DAY_MS = 86_400_000
/** The bundle's form: the licence's fields and the employer registration's. */
const bundleForm = (overrides: Record<string, unknown> = {}) =>
  openABusinessForm({ plannedEmployees: 12, insuranceTypes: ['pension', 'medical', 'workInjury'], ...overrides })

let service: TestService
let demo: Demo
let wallet: HolderWallet
let harness: OnestopHarness | undefined
const market = () => demo.BusinessLicenseCredential.apiKey

const open = (form = bundleForm()) => service.api('/v1/onestop/cases', { body: { bundle: BUNDLE, form } })
const read = (id: string, token: string) => service.api(`/v1/onestop/cases/${id}`, { headers: { authorization: `Bearer ${token}` } })

/** The wallet answers the case's request; resolves once the case no longer waits for it (done, or a step with a clerk). */
async function answer(opened: { id: string; token: string; presentation: { deepLink: string } }) {
  await wallet.sendPresentation(await wallet.openPresentationRequest(opened.presentation.deepLink))
  let view: any
  const moved = await eventually(async () => {
    view = (await read(opened.id, opened.token)).body
    const steps: string[] = view.steps.map((s: { state: string }) => s.state)
    return view.state !== 'awaiting-presentation' && (steps.includes('in-review') || !steps.includes('waiting'))
  }, 30_000)
  expect(moved, JSON.stringify(view)).toBe(true)
  return view
}

async function openedCase(form = bundleForm()) {
  const opened = await open(form)
  expect(opened.status, JSON.stringify(opened.body)).toBe(201)
  return opened.body as { id: string; token: string; expiresAt: string; presentation: { deepLink: string } }
}

const offerClaims = async (id: string): Promise<string> =>
  ((await service.ctx.db.query(`SELECT claims FROM govcred_credential_offers WHERE id = ?`, [id])) as { claims: string }[])[0]!.claims

beforeAll(async () => {
  harness = await startOnestopHarness({ GOVCRED_ONESTOP_MAX_OPEN_CASES: String(MAX_OPEN) })
  ;({ service, demo, wallet } = harness)
}, 120_000)

afterAll(async () => harness?.dispose())

describe('one-stop cases waiting for a wallet', () => {
  it('are limited (GOVCRED_ONESTOP_MAX_OPEN_CASES): the next answers 429 with Retry-After, and an answer makes room', async () => {
    const first = await openedCase()
    const second = await openedCase()
    const refused = await open()
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('ERR_TOO_MANY_OPEN_CASES')
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((Date.parse(first.expiresAt) - Date.now()) / 1000) + 1)
    // Nothing stored is touched by the refusal.
    for (const c of [first, second]) expect((await read(c.id, c.token)).body.state).toBe('awaiting-presentation')

    expect((await answer(first)).state).toBe('completed')
    const third = await openedCase()
    for (const c of [second, third]) expect((await answer(c)).state).toBe('completed')
  })
})

describe('retention', () => {
  it('deletes an unanswered case a day after its request expired, and a finished one after the TTL, never a fresh one', async () => {
    const unanswered = await openedCase()
    const finished = await openedCase()
    expect((await answer(finished)).state).toBe('completed')
    const expiry = Date.parse(unanswered.expiresAt)

    await service.retention.runOnce()
    await service.retention.runOnce(expiry + DAY_MS - 60_000)
    expect((await read(unanswered.id, unanswered.token)).body.state).toBe('awaiting-presentation')

    await service.retention.runOnce(expiry + DAY_MS + 60_000)
    expect((await read(unanswered.id, unanswered.token)).body.error.code).toBe('ERR_CASE_NOT_FOUND')
    expect((await read(finished.id, finished.token)).body.state).toBe('completed')

    const outcome = await service.retention.runOnce(Date.now() + 30 * DAY_MS + 60_000)
    expect(outcome.cases).toBeGreaterThanOrEqual(1)
    expect((await read(finished.id, finished.token)).body.error.code).toBe('ERR_CASE_NOT_FOUND')
  })

  it('keeps a case waiting for a clerk past the TTL; once refused, the next pass deletes it and its task', async () => {
    const inReview = await openedCase(bundleForm({ legalRepresentative: '王芳' }))
    const view = await answer(inReview)
    expect(view.steps[0].state).toBe('in-review')
    const later = Date.now() + 31 * DAY_MS

    await service.retention.runOnce(later)
    expect((await read(inReview.id, inReview.token)).body.steps[0].state).toBe('in-review')
    const task = (await service.api('/v1/onestop/reviews', { headers: bearer(market()) })).body.reviews.find(
      (r: { caseId: string }) => r.caseId === inReview.id,
    )
    const refused = await service.api(`/v1/onestop/reviews/${task.id}/refuse`, {
      headers: bearer(market()),
      body: { reason: '法定代表人不一致' },
    })
    expect(refused.status, JSON.stringify(refused.body)).toBe(200)

    await service.retention.runOnce(later)
    expect((await read(inReview.id, inReview.token)).body.error.code).toBe('ERR_CASE_NOT_FOUND')
    const decided = (await service.api('/v1/onestop/reviews?state=refused', { headers: bearer(market()) })).body.reviews
    expect(decided.find((r: { caseId: string }) => r.caseId === inReview.id)).toBeUndefined()
    // The decisions stay in the hash-chained audit trail (ids and rule hashes, no personal data), still intact.
    const audit = (await service.api('/v1/audit?limit=200', { headers: bearer(market()) })).body.entries
    expect(audit.filter((e: { details: { caseId?: string } }) => e.details.caseId === inReview.id).length).toBeGreaterThanOrEqual(1)
    const integrity = await service.api('/v1/audit/verify', { headers: bearer(market()) })
    expect(integrity.body, JSON.stringify(integrity.body)).toMatchObject({ ok: true, problems: [] })
  })
})

describe('credential offers', () => {
  it('forget their claims once redeemed, and once dead; a live one keeps them; the state and the record read as before', async () => {
    const make = async () => {
      const { status, body } = await service.api('/v1/credential-offers', {
        headers: bearer(market()),
        body: { type: 'BusinessLicenseCredential', claims: claimsOf('BusinessLicenseCredential'), format: 'dc+sd-jwt' },
      })
      expect(status, JSON.stringify(body)).toBe(201)
      return body as { id: string; offerUri: string; txCode: string; expiresAt: string }
    }
    const state = async (id: string) => (await service.api(`/v1/credential-offers/${id}`, { headers: bearer(market()) })).body
    const redeemed = await make()
    const unredeemed = await make()

    await wallet.receive(redeemed.offerUri, { txCode: redeemed.txCode })
    expect(await offerClaims(redeemed.id)).toBe('{}')
    const after = await state(redeemed.id)
    expect(after).toMatchObject({ status: 'redeemed', credentialId: expect.stringMatching(/^urn:uuid:/) })
    const record = await service.api(`/v1/credentials/${after.credentialId}`, { headers: bearer(market()) })
    expect(record.status, JSON.stringify(record.body)).toBe(200)
    expect(record.body.jwt).toContain('~')

    await service.retention.runOnce()
    expect(JSON.parse(await offerClaims(unredeemed.id)).enterpriseName).toBe(claimsOf('BusinessLicenseCredential').enterpriseName)
    expect((await state(unredeemed.id)).status).toBe('offered')

    const outcome = await service.retention.runOnce(Date.parse(unredeemed.expiresAt) + 60_000)
    expect(outcome.offerClaims).toBeGreaterThanOrEqual(1)
    expect(await offerClaims(unredeemed.id)).toBe('{}')
  })
})
