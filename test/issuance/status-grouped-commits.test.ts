// Status changes that arrive together are recorded in one write transaction (src/issuing/status/status-commits.ts),
// decided as if one after another: each request still gets exactly its own answer (a refusal only its own), a second
// change of one credential sees the first, and the audit entries and the chain end as a serial run would leave them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims, propertyCertificateClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'
import { issueCredential } from '../../src/issuing/issuance/issue-credential.js'
import { parseIssueRequest } from '../../src/issuing/issuance/issuance-request.js'
import { plannedChanges, type StatusAction } from '../../src/issuing/status/change-status.js'
import { statusCommitsOf } from '../../src/issuing/status/status-commits.js'
import { writeQuery, writeTransaction } from '../../src/store/write-transaction.js'
import type { CredentialState } from '../../src/issuing/records/credential-store.js'
import {
  bearer,
  bitsOnChain,
  eventually,
  holderDid,
  issue,
  pool,
  principalFor,
  readDemo,
  unitNumber,
  type Demo,
} from './issuance-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

interface Licence {
  id: string
  jwt: string
  index: number
}

let nextHolder = 0

/** Business licences issued through the service's own issuance function (the requests under test are the status changes). */
async function issueLicences(count: number): Promise<Licence[]> {
  const principal = await principalFor(service, demo.market.id)
  return pool(
    Array.from({ length: count }, () => nextHolder++),
    20,
    async (n) => {
      const { id, ...claims } = businessLicenseClaims({ id: holderDid(n) })
      const issued = await issueCredential(
        service.issuance.issuer,
        principal,
        parseIssueRequest({ type: 'BusinessLicenseCredential', holder: id, claims }),
      )
      return { id: issued.id, jwt: issued.jwt, index: issued.record.statusIndex }
    },
  )
}

/** POST /v1/credentials/{id}/{action} with a reason; `respond-async` unless `wait`. */
function statusChange(key: string, id: string, action: StatusAction, options: { reason?: string; wait?: boolean } = {}) {
  return service.api(`/v1/credentials/${encodeURIComponent(id)}/${action}`, {
    method: 'POST',
    headers: { ...bearer(key), ...(options.wait ? {} : { prefer: 'respond-async' }) },
    body: options.reason === undefined ? {} : { reason: options.reason },
  })
}

/** The write transactions the service begins while `run` runs (every write transaction goes through db.transaction). */
async function countingTransactions<T>(run: () => Promise<T>): Promise<{ result: T; transactions: number }> {
  const db = service.ctx.db
  const original = db.transaction.bind(db)
  let transactions = 0
  ;(db as { transaction: unknown }).transaction = (...args: Parameters<typeof original>) => {
    transactions++
    return (original as (...a: unknown[]) => Promise<unknown>)(...args)
  }
  try {
    return { result: await run(), transactions }
  } finally {
    ;(db as { transaction: unknown }).transaction = original
  }
}

/**
 * Fires every request while holding the write lock until all of them wait for the status commits' next transaction,
 * so the whole mix is one group (the arrival order among them is the server's).
 */
async function fireAsOneGroup<T>(requests: (() => Promise<T>)[]): Promise<T[]> {
  const commits = statusCommitsOf(service.issuance.status)
  let answers: Promise<T[]> | undefined
  await writeTransaction(service.ctx.db, async () => {
    answers = Promise.all(requests.map((r) => r()))
    expect(await eventually(async () => commits.waiting === requests.length, 30_000, 5)).toBe(true)
  })
  return answers!
}

async function auditEntriesOf(ids: string[]): Promise<{ credentialId: string; action: string; actor: string; details: any }[]> {
  const rows: { credentialId: string; action: string; actor: string; details: string }[] = await service.ctx.db.query(
    `SELECT credentialId, action, actor, details FROM govcred_audit_log WHERE credentialId IN (${ids.map(() => '?').join(', ')}) ORDER BY seq`,
    ids,
  )
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) }))
}

async function changesOf(id: string): Promise<{ action: string; previousStatus: string; reason: string | null; state: string }[]> {
  return service.ctx.db.query(
    `SELECT action, previousStatus, reason, state FROM govcred_status_changes WHERE credentialId = ? ORDER BY rowid`,
    [id],
  )
}

async function recordedStatus(key: string, id: string): Promise<string> {
  const { status, body } = await service.api(`/v1/credentials/${encodeURIComponent(id)}`, { headers: bearer(key) })
  expect(status).toBe(200)
  return body.status
}

/** The verifier's answer for a lone credential (POST /credentials/verify): whether it verified, and its status check. */
async function statusCheck(jwt: string): Promise<{ verified: boolean; ok: boolean; code: string }> {
  const { body } = await service.api('/credentials/verify', { body: { verifiableCredential: jwt } })
  const check = body.checks.find((c: { check: string }) => c.check === 'status')
  return { verified: body.verified, ok: check.ok, code: check.code }
}

/** Every order of `items`. */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items]
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]))
}

type Answer = { status: number; body: any }

/**
 * The orders in which running `changes` of one credential one after another from `start` gives every answer
 * (status code, state, changed, and the reason in force); each order lists the indices of `changes`.
 */
function serialOrders(start: CredentialState, changes: { action: StatusAction; reason: string }[], answers: Answer[]): number[][] {
  return permutations(changes.map((_, i) => i)).filter((order) => {
    let state = start
    let inForce: string | null = null
    return order.every((i) => {
      const { next, bits } = plannedChanges(state, changes[i]!.action)
      state = next
      if (bits.length > 0) inForce = changes[i]!.reason
      const { status, body } = answers[i]!
      return status === (bits.length > 0 ? 202 : 200) && body.status === next && body.changed === bits.length > 0 && body.reason === inForce
    })
  })
}

/**
 * A serial order must explain the answers and the changes recorded (in the order recorded, each with the state
 * before it); the record ends as that order leaves it. Answers the indices of the changes that changed, in that order.
 */
async function expectSerial(id: string, changes: { action: StatusAction; reason: string }[], answers: Answer[]): Promise<number[]> {
  const recorded = await changesOf(id)
  const changedIn = (order: number[]) => order.filter((i) => answers[i]!.body.changed)
  const orders = serialOrders('active', changes, answers).filter(
    (order) =>
      JSON.stringify(changedIn(order).map((i) => [changes[i]!.action, changes[i]!.reason])) ===
      JSON.stringify(recorded.map((c) => [c.action, c.reason])),
  )
  expect(orders.length, JSON.stringify({ answers: answers.map((a) => a.body), recorded })).toBeGreaterThan(0)
  const order = orders[0]!
  const changed = changedIn(order)
  let before: string = 'active'
  for (const [k, i] of changed.entries()) {
    expect(recorded[k]!.previousStatus).toBe(before)
    before = answers[i]!.body.status
  }
  expect(await recordedStatus(demo.market.apiKey, id)).toBe(before)
  return changed
}

describe('status changes recorded together', () => {
  it('300 revocations fired at once over HTTP (respond-async): all recorded in fewer transactions than changes, one audit entry each, all on chain', async () => {
    const licences = await issueLicences(300)
    const reason = '营业执照吊销 licence revoked (grouped burst)'
    const { result: answers, transactions } = await countingTransactions(() =>
      Promise.all(licences.map((l) => statusChange(demo.market.apiKey, l.id, 'revoke', { reason }))),
    )
    expect(answers.filter((a) => a.status !== 202).map((a) => a.body)).toEqual([])
    answers.forEach((a, i) =>
      expect(a.body).toEqual({ credentialId: licences[i]!.id, status: 'revoked', changed: true, txHash: null, onChain: 'pending', reason }),
    )
    // One transaction per change before; now the changes that arrive while one is written share the next.
    expect(transactions).toBeGreaterThan(0)
    expect(transactions).toBeLessThan(licences.length)

    for (const l of licences) {
      const changes = await changesOf(l.id)
      expect(changes.map(({ action, previousStatus, reason: r }) => ({ action, previousStatus, reason: r }))).toEqual([
        { action: 'revoke', previousStatus: 'active', reason },
      ])
    }
    expect(await pool(licences, 16, (l) => recordedStatus(demo.market.apiKey, l.id))).toEqual(licences.map(() => 'revoked'))

    await service.issuance.batcher.flush()
    const entries = await auditEntriesOf(licences.map((l) => l.id))
    const revokes = entries.filter((e) => e.action === 'revoke')
    expect(revokes.length).toBe(licences.length)
    expect(new Set(revokes.map((e) => e.credentialId)).size).toBe(licences.length)
    // The API key that asked, as before.
    expect(new Set(revokes.map((e) => e.actor)).size).toBe(1)
    for (const e of revokes) {
      expect(e.actor).toMatch(/^api-key:/)
      expect(e.details).toMatchObject({ purpose: 'revocation', operation: 'set', reason })
    }
    expect((await service.issuance.audit.verify(demo.market.id)).ok).toBe(true)

    const bits = await pool(licences, 16, (l) => bitsOnChain(service, demo.market.account, l.index))
    expect(bits.filter((b) => !b.revoked).length).toBe(0)
    const checks = await pool(licences, 16, (l) => statusCheck(l.jwt))
    expect(checks.filter((c) => c.verified || c.ok || c.code !== 'ERR_CREDENTIAL_REVOKED')).toEqual([])
  }, 120_000)

  it('a mix in one transaction: every request gets exactly its own answer, the valid ones are stored, a credential changed three times ends as some serial order leaves it', async () => {
    const revocations = await issueLicences(20)
    const waited = await issueLicences(2)
    const [revokedAlready, suspendedAlready, flipped, twice] = await issueLicences(4)
    expect((await statusChange(demo.market.apiKey, revokedAlready!.id, 'revoke', { wait: true })).status).toBe(200)
    expect((await statusChange(demo.market.apiKey, suspendedAlready!.id, 'suspend', { reason: 'seized', wait: true })).status).toBe(200)
    const social = await issue(service, demo.socialSecurity.apiKey, 'SocialSecurityStatusCredential', socialSecurityStatusClaims())
    expect(social.status).toBe(201)
    const unit = unitNumber(4242)
    const { id: _holder, ...certificateClaims } = propertyCertificateClaims({ propertyUnitNumber: unit })
    const certificate = await issue(service, demo.realEstate.apiKey, 'PropertyCertificateCredential', {
      id: holderDid(9_000),
      ...certificateClaims,
    })
    expect(certificate.status).toBe(201)
    const unknown = 'urn:uuid:00000000-0000-4000-8000-000000000000'
    const market = demo.market.apiKey
    const outOfScope = (await issueLicences(1))[0]!
    const narrowKey = (await service.issuance.keys.create(demo.market.id, ['VerifiableCredential'], 'grouped commits: no licences')).key

    const flips: { action: StatusAction; reason: string }[] = [
      { action: 'suspend', reason: 'flip 1' },
      { action: 'reinstate', reason: 'flip 2' },
      { action: 'suspend', reason: 'flip 3' },
    ]
    const requests = [
      ...revocations.map((l) => () => statusChange(market, l.id, 'revoke', { reason: 'mix' })),
      () => statusChange(market, unknown, 'revoke'),
      () => statusChange(market, revokedAlready!.id, 'reinstate'),
      () => statusChange(market, social.body.id, 'revoke'),
      () => statusChange(market, suspendedAlready!.id, 'suspend'),
      () => statusChange(narrowKey, outOfScope.id, 'revoke'),
      ...flips.map((f) => () => statusChange(market, flipped!.id, f.action, { reason: f.reason })),
      () => statusChange(market, twice!.id, 'revoke', { reason: 'first of two' }),
      () => statusChange(market, twice!.id, 'revoke', { reason: 'second of two' }),
      ...waited.map((l) => () => statusChange(market, l.id, 'revoke', { reason: 'waited', wait: true })),
      () => statusChange(demo.realEstate.apiKey, certificate.body.id, 'suspend', { reason: 'seized unit', wait: true }),
    ]
    const { result: answers, transactions } = await countingTransactions(() => fireAsOneGroup(requests))
    // The lock held while they arrive, the whole mix, and the batches the waited changes are mined in: far fewer than one per change.
    expect(transactions).toBeLessThan(requests.length)
    let at = 0
    const next = (n = 1) => answers.slice(at, (at += n))

    for (const [i, a] of next(revocations.length).entries()) {
      expect(a.status).toBe(202)
      expect(a.body).toEqual({
        credentialId: revocations[i]!.id,
        status: 'revoked',
        changed: true,
        txHash: null,
        onChain: 'pending',
        reason: 'mix',
      })
    }
    const [notFound, reinstateRevoked, otherDepartment, repeat, scopeRefused] = next(5)
    expect(scopeRefused!.status).toBe(403)
    expect(scopeRefused!.body.error.code).toBe('ERR_SCOPE')
    expect(notFound!.status).toBe(404)
    expect(notFound!.body.error.code).toBe('ERR_CREDENTIAL_NOT_FOUND')
    expect(reinstateRevoked!.status).toBe(409)
    expect(reinstateRevoked!.body.error.code).toBe('ERR_CREDENTIAL_REVOKED')
    expect(otherDepartment!.status).toBe(404)
    expect(otherDepartment!.body.error.code).toBe('ERR_CREDENTIAL_NOT_FOUND')
    expect(repeat!.status).toBe(200)
    expect(repeat!.body).toEqual({
      credentialId: suspendedAlready!.id,
      status: 'suspended',
      changed: false,
      txHash: null,
      onChain: 'unchanged',
      reason: 'seized',
    })

    // The three changes of one credential: some order of them, run one after another from active, gives every answer.
    const flipAnswers = next(flips.length)
    const changedInOrder = await expectSerial(flipped!.id, flips, flipAnswers)
    const finalState = flipAnswers[changedInOrder[changedInOrder.length - 1]!]?.body.status ?? 'active'

    // Two revocations of one credential: one changes it, the other repeats it and shows the reason in force.
    const [first, second] = next(2)
    expect([first!.body.changed, second!.body.changed].sort()).toEqual([false, true])
    const changer = first!.body.changed ? first! : second!
    const repeater = first!.body.changed ? second! : first!
    expect(changer.status).toBe(202)
    expect(repeater.status).toBe(200)
    expect(repeater.body).toEqual({
      credentialId: twice!.id,
      status: 'revoked',
      changed: false,
      txHash: null,
      onChain: 'unchanged',
      reason: changer.body.reason,
    })
    expect((await changesOf(twice!.id)).length).toBe(1)

    // The changes that waited for their batch: mined, with the transaction that carried them.
    for (const [i, a] of next(waited.length).entries()) {
      expect(a.status).toBe(200)
      expect(a.body).toMatchObject({
        credentialId: waited[i]!.id,
        status: 'revoked',
        changed: true,
        onChain: 'confirmed',
        reason: 'waited',
      })
      expect(a.body.txHash).toMatch(/^0x[0-9a-f]{64}$/)
      expect((await bitsOnChain(service, demo.market.account, waited[i]!.index)).revoked).toBe(true)
    }
    // Another department's change in the same transaction, with its property anchor cleared once mined.
    const [seized] = next()
    expect(seized!.status).toBe(200)
    expect(seized!.body).toMatchObject({ credentialId: certificate.body.id, status: 'suspended', changed: true, onChain: 'confirmed' })
    const current = await service.api(`/v1/property/units/${unit}/current`, { body: { certificate: certificate.body.jwt } })
    expect(current.status).toBe(200)
    expect(current.body).toMatchObject({ current: false })
    const [unitRow] = await service.ctx.db.query(`SELECT anchorState FROM govcred_property_units WHERE credentialId = ?`, [
      certificate.body.id,
    ])
    expect(unitRow.anchorState).toBe('cleared')
    expect(at).toBe(answers.length)

    // Nothing of the refused requests was written; the stored states are the answers'.
    expect(await changesOf(revokedAlready!.id)).toHaveLength(1)
    expect(await changesOf(suspendedAlready!.id)).toHaveLength(1)
    expect(await changesOf(social.body.id)).toHaveLength(0)
    expect(await changesOf(outOfScope.id)).toHaveLength(0)
    expect(await recordedStatus(market, outOfScope.id)).toBe('active')
    expect(await recordedStatus(demo.socialSecurity.apiKey, social.body.id)).toBe('active')
    expect(await recordedStatus(market, suspendedAlready!.id)).toBe('suspended')
    expect(await recordedStatus(market, twice!.id)).toBe('revoked')
    for (const l of revocations) expect(await recordedStatus(market, l.id)).toBe('revoked')

    // Once mined: one audit entry per change, in the serial order; the chain holds the final state.
    await service.issuance.batcher.flush()
    const audit = await auditEntriesOf([flipped!.id, twice!.id, ...revocations.map((l) => l.id)])
    expect(audit.filter((e) => e.credentialId === flipped!.id && e.action !== 'issue').map((e) => e.action)).toEqual(
      changedInOrder.map((i) => flips[i]!.action),
    )
    expect(audit.filter((e) => e.credentialId === twice!.id && e.action === 'revoke').map((e) => e.details.reason)).toEqual([
      changer.body.reason,
    ])
    expect(audit.filter((e) => e.action === 'revoke' && e.details.reason === 'mix').length).toBe(revocations.length)
    expect(await bitsOnChain(service, demo.market.account, flipped!.index)).toEqual({
      revoked: false,
      suspended: finalState === 'suspended',
    })
    expect((await service.issuance.audit.verify(demo.market.id)).ok).toBe(true)
  }, 120_000)

  it('when the shared transaction fails, each request is recorded again alone: only the one that fails is refused', async () => {
    const [doomed, flipped, ...others] = await issueLicences(7)
    // A real refusal by SQLite of the group's multi-row INSERT: the shared transaction fails, as a failing disk would fail it.
    await writeQuery(
      service.ctx.db,
      `CREATE TRIGGER test_refuse_one_change BEFORE INSERT ON govcred_status_changes WHEN NEW.credentialId = '${doomed!.id}'
       BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END`,
    )
    const flips: { action: StatusAction; reason: string }[] = [
      { action: 'suspend', reason: 'one' },
      { action: 'reinstate', reason: 'two' },
    ]
    let answers: Answer[]
    try {
      answers = await fireAsOneGroup([
        () => statusChange(demo.market.apiKey, doomed!.id, 'revoke'),
        ...others.map((l) => () => statusChange(demo.market.apiKey, l.id, 'revoke', { reason: 'after a failed group' })),
        ...flips.map((f) => () => statusChange(demo.market.apiKey, flipped!.id, f.action, { reason: f.reason })),
      ])
    } finally {
      await writeQuery(service.ctx.db, `DROP TRIGGER test_refuse_one_change`)
    }
    expect(answers[0]!.status).toBe(500)
    expect(answers[0]!.body.error.code).toBe('ERR_INTERNAL')
    expect(await changesOf(doomed!.id)).toHaveLength(0)
    expect(await recordedStatus(demo.market.apiKey, doomed!.id)).toBe('active')
    for (const [i, l] of others.entries()) {
      expect(answers[1 + i]!.status).toBe(202)
      expect(answers[1 + i]!.body).toMatchObject({ credentialId: l.id, status: 'revoked', changed: true, reason: 'after a failed group' })
      expect(await changesOf(l.id)).toHaveLength(1)
    }
    // Recorded alone in the order they had in the group: the second change of one credential still sees the first.
    const changed = await expectSerial(flipped!.id, flips, answers.slice(1 + others.length))
    await service.issuance.batcher.flush()
    const suspended = changed.length === 1 && flips[changed[0]!]!.action === 'suspend'
    expect(await bitsOnChain(service, demo.market.account, flipped!.index)).toEqual({ revoked: false, suspended })
    for (const l of others) expect((await bitsOnChain(service, demo.market.account, l.index)).revoked).toBe(true)
  }, 60_000)
})
