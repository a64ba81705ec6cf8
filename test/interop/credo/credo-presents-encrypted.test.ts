// An independent wallet answers an encrypted OpenID4VP request: credo-ts 0.6.3 receives a business licence by
// OpenID4VCI, then answers the demo bank's request with response_mode direct_post.jwt (OpenID4VP 1.0 §8.3):
// credo reads the verifier's ephemeral ECDH-ES key from the signed request object's client_metadata.jwks, picks
// an enc from encrypted_response_enc_values_supported and posts one JWE (`response`); govcred decrypts it and
// verifies the SD-JWT VC against the chain. The harness's in-memory KMS encrypts by ECDH-ES only in this test.
// govcred is a child process reached only over HTTP; nothing from its source.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kms, SdJwtVcRecord } from '@credo-ts/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServiceProcess, type DemoDepartment, type ServiceProcess } from '../service-process.js'
import { createHolderAgent, type HolderAgent } from './holder-agent.js'

const LICENCE_TYPE = 'BusinessLicenseCredential'

/** 营业执照 claims of a Nanjing company (GB 32100-2015 check character included). */
const LICENCE = {
  unifiedSocialCreditCode: '91320106MA1X7K2P9E',
  enterpriseName: '南京鼓楼智链科技有限公司',
  enterpriseType: '有限责任公司(自然人投资或控股)',
  legalRepresentative: '王建国',
  registeredCapital: { amount: 10_000_000, currency: 'CNY' },
  dateOfEstablishment: '2018-06-15',
  businessTerm: { from: '2018-06-15', until: null },
  businessScope: '技术服务、技术开发、技术咨询；软件开发；信息系统集成服务',
  domicile: '南京市鼓楼区汉中门大街301号01幢12层',
  registrationAuthority: '南京市鼓楼区市场监督管理局',
}
const ASKED = ['enterpriseName', 'unifiedSocialCreditCode']

let service: ServiceProcess
let bankKey: string
let root: string
let market: DemoDepartment
let holder: HolderAgent | undefined

const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))

/** Offer → token with tx_code → SD-JWT VC bound to a fresh ES256 key, stored by credo. */
async function receive(agent: HolderAgent, department: DemoDepartment): Promise<void> {
  const offer = await service.call('/v1/credential-offers', { key: department.apiKey, body: { type: LICENCE_TYPE, claims: LICENCE } })
  expect(offer.status, JSON.stringify(offer.body)).toBe(201)
  const resolved = await agent.openid4vc.holder.resolveCredentialOffer(offer.body.offerUri)
  const token = await agent.openid4vc.holder.requestToken({ resolvedCredentialOffer: resolved, txCode: offer.body.txCode })
  const created = await agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
  const holderKey = Kms.PublicJwk.fromPublicJwk(created.publicJwk)
  const response = await agent.openid4vc.holder.requestCredentials({
    resolvedCredentialOffer: resolved,
    ...token,
    credentialConfigurationIds: [`${LICENCE_TYPE}_sd_jwt`],
    allowedProofOfPossessionSignatureAlgorithms: [Kms.KnownJwaSignatureAlgorithms.ES256],
    credentialBindingResolver: () => ({ method: 'jwk', keys: [holderKey] }),
  })
  expect(response.credentials).toHaveLength(1)
  await agent.sdJwtVc.store({ record: response.credentials[0]!.record as SdJwtVcRecord })
}

/** As the bank: an encrypted OpenID4VP request for the licence's name and USCC. */
async function askEncrypted() {
  const { status, body } = await service.call('/v1/presentation-requests', {
    key: bankKey,
    body: {
      protocol: 'openid4vp',
      credentials: [{ id: 'licence', type: LICENCE_TYPE, claims: ASKED }],
      purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
      responseMode: 'direct_post.jwt',
    },
  })
  expect(status, JSON.stringify(body)).toBe(201)
  return body as { id: string; deepLink: string; responseMode: string }
}

beforeAll(async () => {
  service = await startServiceProcess({ prefix: 'govcred-interop-credo-jwe-', startTimeoutMs: 90_000 })
  const demo = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as {
    departments: DemoDepartment[]
    relyingParties?: { id: string; apiKey: string }[]
  }
  bankKey = demo.relyingParties!.find((p) => p.id === 'demo-bank-of-nanjing')!.apiKey
  root = (await service.call('/v1/network')).body.issuerTrust.x509RootCertificatePem
  market = demo.departments.find((d) => d.credentialTypes.includes(LICENCE_TYPE))!
  holder = createHolderAgent({ trustedCertificates: [root], responseEncryption: true })
  await holder.initialize()
  await receive(holder, market)
}, 180_000)

afterAll(async () => {
  await holder?.shutdown()
  await service?.stop()
})

describe('a credo-ts wallet answers govcred over OpenID4VP 1.0 direct_post.jwt', () => {
  it('encrypts its response to the key of the signed request; govcred decrypts and verifies it against the chain', async () => {
    const request = await askEncrypted()
    expect(request.responseMode).toBe('direct_post.jwt')
    const resolved = await holder!.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(request.deepLink)
    const payload = resolved.authorizationRequestPayload as Record<string, any>
    expect(payload.response_mode).toBe('direct_post.jwt')
    const [key] = payload.client_metadata.jwks.keys
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'enc', alg: 'ECDH-ES' })
    const queryResult = resolved.dcql!.queryResult
    expect(queryResult.can_be_satisfied, JSON.stringify(queryResult)).toBe(true)
    const accepted = await holder!.openid4vc.holder.acceptOpenId4VpAuthorizationRequest({
      authorizationRequestPayload: resolved.authorizationRequestPayload,
      dcql: { credentials: holder!.openid4vc.holder.selectCredentialsForDcqlRequest(queryResult) },
    })
    expect(accepted.ok, JSON.stringify(accepted.ok ? {} : accepted.serverResponse)).toBe(true)
    expect(accepted.serverResponse?.status).toBe(200)

    // What left the wallet: one JWE (ECDH-ES, an enc govcred listed, the request key's kid), nothing in the clear.
    const sent = accepted.authorizationResponse as Record<string, unknown>
    expect(Object.keys(sent)).toEqual(['response'])
    const jwe = String(sent.response).split('.')
    expect(jwe).toHaveLength(5)
    expect(decodePart(jwe[0]!)).toMatchObject({ alg: 'ECDH-ES', enc: expect.stringMatching(/^A(128|256)GCM$/), kid: key.kid })

    const { status, body } = await service.call(`/v1/presentation-requests/${request.id}`, { key: bankKey })
    expect(status).toBe(200)
    expect(body.state).toBe('answered')
    expect(body.result.verified, JSON.stringify(body.result.checks.filter((c: { ok: boolean }) => !c.ok))).toBe(true)
    expect(body.result.credentials[0].claims).toEqual({
      enterpriseName: LICENCE.enterpriseName,
      unifiedSocialCreditCode: LICENCE.unifiedSocialCreditCode,
    })
    expect(JSON.stringify(body)).not.toContain(LICENCE.legalRepresentative)
  })

  it('a wallet whose KMS cannot encrypt by ECDH-ES sends nothing, and the request stays pending', async () => {
    const plain = createHolderAgent({ trustedCertificates: [root] })
    await plain.initialize()
    try {
      await receive(plain, market)
      const request = await askEncrypted()
      const resolved = await plain.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(request.deepLink)
      const queryResult = resolved.dcql!.queryResult
      expect(queryResult.can_be_satisfied).toBe(true)
      await expect(
        plain.openid4vc.holder.acceptOpenId4VpAuthorizationRequest({
          authorizationRequestPayload: resolved.authorizationRequestPayload,
          dcql: { credentials: plain.openid4vc.holder.selectCredentialsForDcqlRequest(queryResult) },
        }),
      ).rejects.toThrow(/'encrypt' operation/)
      expect((await service.call(`/v1/presentation-requests/${request.id}`, { key: bankKey })).body.state).toBe('pending')
    } finally {
      await plain.shutdown()
    }
  })
})
