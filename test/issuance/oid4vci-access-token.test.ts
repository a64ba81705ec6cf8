// The credential endpoint checks a plain Bearer access token of its own without the OAuth library (issue 15):
// what it lets through must be exactly what the library would. A token is for one department's issuer (one
// signing key serves them all), unaltered, unexpired, and never sender-constrained when presented as Bearer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { countRows, readDemo, type Demo } from './issuance-helpers.js'
import { keyProof, makeOffer, newNonce, postJson, redeemCode, walletKey, type Redemption } from './oid4vci-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
}, 120_000)
afterAll(async () => {
  await service?.dispose()
})

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))

async function redeemed(): Promise<Redemption> {
  const { status, body } = await makeOffer(service, demo.market.apiKey, 'dc+sd-jwt')
  expect(status, JSON.stringify(body)).toBe(201)
  return redeemCode(body)
}

/** A credential request to `issuer` with `authorization`, its proof for that issuer. */
async function credentialRequest(redemption: Redemption, authorization: string, issuer = redemption.issuer) {
  const key = await walletKey()
  const proof = await keyProof(key, { aud: issuer, nonce: await newNonce(issuer) })
  return postJson(
    `${issuer}/credential`,
    { credential_configuration_id: redemption.configurationId, proofs: { jwt: [proof] } },
    { authorization },
  )
}

describe('the access token at the credential endpoint', () => {
  it('refuses a token of another department, a re-signed or edited one, and a Bearer token claiming a DPoP binding', async () => {
    const before = (await countRows(service)).credentials
    const redemption = await redeemed()
    const [header, payload, signature] = redemption.accessToken.split('.') as [string, string, string]

    const elsewhere = await credentialRequest(
      redemption,
      `Bearer ${redemption.accessToken}`,
      `${service.url}/oid4vci/${demo.realEstate.id}`,
    )
    expect(elsewhere.status).toBe(401)
    expect(elsewhere.body).toMatchObject({ error: 'invalid_token', govcred_code: 'ERR_ACCESS_TOKEN_INVALID' })

    const edits: Record<string, unknown>[] = [
      { exp: Math.floor(Date.now() / 1000) - 10 },
      { cnf: { jkt: 'x'.repeat(43) } },
      { sub: 'another-offer' },
    ]
    for (const edit of edits) {
      const edited = `${header}.${b64({ ...decode(payload), ...edit })}.${signature}`
      const answer = await credentialRequest(redemption, `Bearer ${edited}`)
      expect(answer.status, JSON.stringify(edit)).toBe(401)
      expect(answer.body).toMatchObject({ error: 'invalid_token' })
    }
    const otherKid = `${b64({ ...decode(header), kid: 'another-key' })}.${payload}.${signature}`
    expect((await credentialRequest(redemption, `Bearer ${otherKid}`)).status).toBe(401)
    expect((await countRows(service)).credentials).toBe(before)

    // The unaltered token still works, once.
    const issued = await credentialRequest(redemption, `Bearer ${redemption.accessToken}`)
    expect(issued.status, JSON.stringify(issued.body)).toBe(200)
    expect(issued.body.credentials[0].credential).toContain('~')
    const again = await credentialRequest(redemption, `Bearer ${redemption.accessToken}`)
    expect(again.status).toBe(401)
    expect(again.body).toMatchObject({ error: 'invalid_token', govcred_code: 'ERR_OFFER_REDEEMED' })
  })
})
