import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'
import { holderDid, issue, payloadOf, readDemo, statusIndexOf, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

describe('concurrent issuance', () => {
  it('100 concurrent POSTs: 100 credentials, 100 distinct status indices, no errors', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims({ id: holderDid(i) })),
      ),
    )
    expect(results.filter((r) => r.status !== 201).map((r) => r.body)).toEqual([])

    const indices = results.map((r) => statusIndexOf(payloadOf(r.body.jwt).vc))
    expect(new Set(indices).size).toBe(100)
    expect(new Set(results.map((r) => r.body.id)).size).toBe(100)
    // Each credential's two entries (revocation, suspension) share its index.
    for (const r of results) {
      const entries = payloadOf(r.body.jwt).vc.credentialStatus as { statusListIndex: string }[]
      expect(new Set(entries.map((e) => e.statusListIndex)).size).toBe(1)
    }

    const rows: { statusIndex: number }[] = await service.ctx.db.query(
      `SELECT statusIndex FROM govcred_credentials WHERE issuerDid = ? AND id IN (${results.map(() => '?').join(',')})`,
      [demo.market.did, ...results.map((r) => r.body.id)],
    )
    expect(rows.map((r) => Number(r.statusIndex)).sort((a, b) => a - b)).toEqual([...indices].sort((a, b) => a - b))
    const audit = await service.ctx.db.query(`SELECT COUNT(*) AS n FROM govcred_audit_log WHERE action = 'issue' AND departmentId = ?`, [
      demo.market.id,
    ])
    expect(Number(audit[0].n)).toBe(100)
  })

  it("the database refuses a second credential at an index already taken in the issuer's list", async () => {
    const [taken] = await service.ctx.db.query(`SELECT * FROM govcred_credentials WHERE issuerDid = ? LIMIT 1`, [demo.market.did])
    const copy = { ...taken, id: 'urn:uuid:00000000-0000-4000-8000-00000000d0b1', statusIndex: Number(taken.statusIndex) }
    await expect(service.issuance.credentials.insert(copy)).rejects.toThrow(
      /UNIQUE constraint failed: govcred_credentials\.issuerDid, govcred_credentials\.statusIndex/,
    )
    expect(await service.issuance.credentials.get(copy.id)).toBeUndefined()
  })

  it('the indices are spread over the list (herd privacy), not sequential', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims({ id: holderDid(1000 + i) })),
      ),
    )
    const indices = results.map((r) => statusIndexOf(r.body.credential)).sort((a, b) => a - b)
    const gaps = indices.slice(1).map((v, i) => v - indices[i]!)
    // 20 random draws from 2^20: neighbours are on average ~50,000 apart; sequential allocation would give 1.
    expect(gaps.filter((g) => g <= 1).length).toBeLessThan(3)
    expect(indices.at(-1)! - indices[0]!).toBeGreaterThan(1 << 16)
  })

  it('concurrent issuance by two departments: each list has its own distinct indices, no errors', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims({ id: holderDid(2000 + i) }))
          : issue(
              service,
              demo.socialSecurity.apiKey,
              'SocialSecurityStatusCredential',
              socialSecurityStatusClaims({ id: holderDid(2000 + i) }),
            ),
      ),
    )
    expect(results.filter((r) => r.status !== 201).map((r) => r.body)).toEqual([])
    for (const did of [demo.market.did, demo.socialSecurity.did]) {
      const mine = results.filter((r) => payloadOf(r.body.jwt).iss === did)
      expect(mine.length).toBe(20)
      expect(new Set(mine.map((r) => statusIndexOf(r.body.credential))).size).toBe(20)
    }
  })
})
