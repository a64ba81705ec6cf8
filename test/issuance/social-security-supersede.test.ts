import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { MASKED_ID, socialSecurityStatusClaims } from '../fixtures/claims.js'
import { bearer, bitsOnChain, eventually, issue, readDemo, statusIndexOf, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo

const PERSON = 'did:ethr:0x0000000000000000000000000000000000005501'
const NAMESAKE = 'did:ethr:0x0000000000000000000000000000000000005502'

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

const issueStatus = (holder: string, overrides: Parameters<typeof socialSecurityStatusClaims>[0] = {}) =>
  issue(service, demo.socialSecurity.apiKey, 'SocialSecurityStatusCredential', socialSecurityStatusClaims({ id: holder, ...overrides }))

const revokedOnChain = (credential: Record<string, unknown>) =>
  bitsOnChain(service, demo.socialSecurity.account, statusIndexOf(credential)).then((b) => b.revoked)

describe("a new social-security status supersedes the person's previous one", () => {
  let first: { id: string; credential: Record<string, unknown> }
  let namesake: { id: string; credential: Record<string, unknown> }

  it('the first status credential supersedes nothing', async () => {
    const { status, body } = await issueStatus(PERSON)
    expect(status).toBe(201)
    expect(body.superseded).toBeUndefined()
    first = { id: body.id, credential: body.credential }
  })

  it('another holder with the same masked ID number is a different person: not superseded', async () => {
    const { status, body } = await issueStatus(NAMESAKE)
    expect(status).toBe(201)
    expect(body.superseded).toBeUndefined()
    namesake = { id: body.id, credential: body.credential }
  })

  it('a refreshed status for the same holder and masked ID lists the first as superseded, which is revoked on chain', async () => {
    const { status, body } = await issueStatus(PERSON, { asOf: '2024-07-01' })
    expect(status).toBe(201)
    expect(body.superseded).toEqual([first.id])

    expect(await eventually(() => revokedOnChain(first.credential), 5_000)).toBe(true)
    expect(await revokedOnChain(body.credential)).toBe(false)
    expect(await revokedOnChain(namesake.credential)).toBe(false)

    const old = await service.api(`/v1/credentials/${encodeURIComponent(first.id)}`, { headers: bearer(demo.socialSecurity.apiKey) })
    expect(old.body).toMatchObject({ status: 'revoked', supersededBy: body.id })
    const other = await service.api(`/v1/credentials/${encodeURIComponent(namesake.id)}`, { headers: bearer(demo.socialSecurity.apiKey) })
    expect(other.body).toMatchObject({ status: 'active', supersededBy: null })

    // The revocation is audited as a supersede, with its transaction.
    expect(
      await eventually(async () => {
        const { body: audit } = await service.api(`/v1/audit?credentialId=${encodeURIComponent(first.id)}&action=supersede`, {
          headers: bearer(demo.socialSecurity.apiKey),
        })
        return audit.entries.length === 1 && /^0x[0-9a-f]{64}$/.test(audit.entries[0].txHash)
      }, 5_000),
    ).toBe(true)
  })

  it("the same holder with another masked ID number (another person's record) supersedes nothing", async () => {
    const { status, body } = await issueStatus(PERSON, { idNumberMasked: MASKED_ID.four, insuredName: '赵强' })
    expect(status).toBe(201)
    expect(body.superseded).toBeUndefined()
  })

  it('a third refresh supersedes only the second (the first is already revoked)', async () => {
    const { body: second } = await service.api(
      `/v1/credentials?type=SocialSecurityStatusCredential&holder=${encodeURIComponent(PERSON)}&status=active`,
      { headers: bearer(demo.socialSecurity.apiKey) },
    )
    const current = second.items as { id: string }[]
    expect(current).toHaveLength(2)
    const { body } = await issueStatus(PERSON, { asOf: '2024-08-01' })
    expect(body.superseded).toHaveLength(1)
    expect(body.superseded[0]).not.toBe(first.id)
    expect(current.map((c) => c.id)).toContain(body.superseded[0])
  })
})
