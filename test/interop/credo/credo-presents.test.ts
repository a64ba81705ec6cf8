// An independent wallet presents to govcred end to end: credo-ts 0.6.3 as the holder receives a business licence
// and a social-security status by OpenID4VCI, then answers the demo bank's OpenID4VP 1.0 request (a request object
// signed under x509_san_dns, fetched by request_uri, verified by credo against the consortium root; a DCQL query
// matched by credo; SD-JWT VC presentations with key binding, by direct_post), disclosing only what is asked.
// govcred verifies against the chain; after a revocation the same flow is refused within one block.
// govcred is a child process reached only over HTTP; nothing from its source.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kms, SdJwtVcRecord } from '@credo-ts/core'
import { JsonRpcProvider } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServiceProcess, type DemoDepartment, type ServiceProcess } from '../service-process.js'
import { createHolderAgent, type HolderAgent } from './holder-agent.js'

const LICENCE_TYPE = 'BusinessLicenseCredential'
const STATUS_TYPE = 'SocialSecurityStatusCredential'

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

/** 社会保险参保状态 of the company's legal representative. */
const SOCIAL_SECURITY = {
  insuredName: '王建国',
  idNumberMasked: '320106********1234',
  city: '南京市',
  insurances: [
    { type: 'pension', status: 'active', contributionMonths: 86, lastContributionMonth: '2024-05' },
    { type: 'medical', status: 'active', contributionMonths: 86, lastContributionMonth: '2024-05' },
  ],
  asOf: '2024-06-01',
}

/**
 * What the bank asks for: the licence's name and USCC; of the social-security status, the insurances (one
 * disclosure holding the list, which credo discloses whole), where and as of when.
 */
const ASKED = { licence: ['enterpriseName', 'unifiedSocialCreditCode'], insured: ['city', 'insurances', 'asOf'] }

interface DemoRelyingParty {
  id: string
  name: string
  nameEn: string
  apiKey: string
  clientId: string
}

let service: ServiceProcess
let market: DemoDepartment
let socialSecurity: DemoDepartment
let bank: DemoRelyingParty
let root: string
let holder: HolderAgent | undefined
let licenceOfferId: string | undefined

const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))

/** The claim names an SD-JWT presentation (`<jwt>~<disclosure>~…~<kb-jwt>`) discloses, and its KB-JWT payload. */
function opened(presentation: string) {
  const parts = presentation.split('~')
  const kbJwt = parts.pop()!
  const [, ...disclosures] = parts.filter(Boolean)
  return {
    // An object-property disclosure is [salt, name, value]; an array element's, [salt, value].
    disclosed: disclosures.map((d) => decodePart(d) as unknown[]).map((d) => (d.length === 3 ? (d[1] as string) : '(array element)')),
    keyBinding: kbJwt ? decodePart(kbJwt.split('.')[1]!) : undefined,
  }
}

/** Offer → token with tx_code → credential bound to a fresh ES256 key; credo verifies it (x5c to the root) and stores it. */
async function receive(agent: HolderAgent, department: DemoDepartment, type: string, claims: unknown): Promise<string> {
  const offer = await service.call('/v1/credential-offers', { key: department.apiKey, body: { type, claims } })
  expect(offer.status, JSON.stringify(offer.body)).toBe(201)
  const resolved = await agent.openid4vc.holder.resolveCredentialOffer(offer.body.offerUri)
  const token = await agent.openid4vc.holder.requestToken({ resolvedCredentialOffer: resolved, txCode: offer.body.txCode })
  const created = await agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
  const holderKey = Kms.PublicJwk.fromPublicJwk(created.publicJwk)
  const response = await agent.openid4vc.holder.requestCredentials({
    resolvedCredentialOffer: resolved,
    ...token,
    credentialConfigurationIds: [`${type}_sd_jwt`],
    allowedProofOfPossessionSignatureAlgorithms: [Kms.KnownJwaSignatureAlgorithms.ES256],
    credentialBindingResolver: () => ({ method: 'jwk', keys: [holderKey] }),
  })
  expect(response.credentials).toHaveLength(1)
  await agent.sdJwtVc.store({ record: response.credentials[0]!.record as SdJwtVcRecord })
  return offer.body.id as string
}

/** As the bank: an OpenID4VP request for the licence's name and USCC and the social-security insurances. */
async function askAsBank() {
  const { status, body } = await service.call('/v1/presentation-requests', {
    key: bank.apiKey,
    body: {
      protocol: 'openid4vp',
      credentials: [
        { id: 'licence', type: LICENCE_TYPE, claims: ASKED.licence },
        { id: 'insured', type: STATUS_TYPE, claims: ASKED.insured },
      ],
      purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
    },
  })
  expect(status, JSON.stringify(body)).toBe(201)
  return body as { id: string; requestUri: string; deepLink: string; expiresAt: string }
}

/** The stock credo holder flow: resolve the deep link (request_uri, signed request object), match DCQL, accept. */
async function present(agent: HolderAgent, deepLink: string) {
  const resolved = await agent.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(deepLink)
  const queryResult = resolved.dcql?.queryResult
  expect(queryResult?.can_be_satisfied, JSON.stringify(queryResult)).toBe(true)
  const credentials = agent.openid4vc.holder.selectCredentialsForDcqlRequest(queryResult!)
  const accepted = await agent.openid4vc.holder.acceptOpenId4VpAuthorizationRequest({
    authorizationRequestPayload: resolved.authorizationRequestPayload,
    dcql: { credentials },
  })
  return { resolved, accepted }
}

/** As the bank: the request's state and result. */
async function resultOf(id: string) {
  const { status, body } = await service.call(`/v1/presentation-requests/${encodeURIComponent(id)}`, { key: bank.apiKey })
  expect(status, JSON.stringify(body)).toBe(200)
  return body as {
    state: string
    result?: {
      verified: boolean
      checks: { check: string; ok: boolean; code: string; credential?: number }[]
      credentials: { types: string[]; claims: Record<string, unknown>; verified: boolean }[]
    }
  }
}

beforeAll(async () => {
  service = await startServiceProcess({ prefix: 'govcred-interop-credo-vp-', startTimeoutMs: 90_000 })
  const demo = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as {
    departments: DemoDepartment[]
    relyingParties?: DemoRelyingParty[]
  }
  market = demo.departments.find((d) => d.id === 'market-supervision')!
  socialSecurity = demo.departments.find((d) => d.credentialTypes.includes(STATUS_TYPE))!
  bank = demo.relyingParties?.find((p) => p.id === 'demo-bank-of-nanjing')!
  expect(bank?.apiKey, 'demo.json lists the demo bank with its key').toMatch(/^grp_/)
  root = (await service.call('/v1/network')).body.issuerTrust.x509RootCertificatePem
  holder = createHolderAgent({ trustedCertificates: [root] })
  await holder.initialize()
  licenceOfferId = await receive(holder, market, LICENCE_TYPE, LICENCE)
  await receive(holder, socialSecurity, STATUS_TYPE, SOCIAL_SECURITY)
}, 180_000)

afterAll(async () => {
  await holder?.shutdown()
  await service?.stop()
})

describe('a credo-ts wallet presents SD-JWT VCs to govcred over OpenID4VP 1.0 with DCQL', () => {
  it('holds the two credentials it received by OpenID4VCI', async () => {
    const types = (await holder!.sdJwtVc.getAll()).map((r) => r.firstCredential.prettyClaims.vct)
    expect(types.sort()).toEqual([`${service.baseUrl}/vct/${LICENCE_TYPE}`, `${service.baseUrl}/vct/${STATUS_TYPE}`])
  })

  it('answers the bank, disclosing only what is asked, and govcred verifies it against the chain', async () => {
    const request = await askAsBank()
    expect(request.requestUri).toBe(`${service.baseUrl}/oid4vp/requests/${request.id}`)
    expect(request.deepLink).toBe(
      `openid4vp://?client_id=${encodeURIComponent(bank.clientId)}&request_uri=${encodeURIComponent(request.requestUri)}`,
    )
    expect((await resultOf(request.id)).state).toBe('pending')

    const { resolved, accepted } = await present(holder!, request.deepLink)
    // credo verified the request object: signed under x5c, the chain to the consortium root, the SAN DNS name.
    expect(resolved.verifier).toEqual({ clientIdPrefix: 'x509_san_dns', effectiveClientId: bank.clientId })
    expect(resolved.signedAuthorizationRequest?.signer.method).toBe('x5c')
    expect(resolved.signedAuthorizationRequest?.header.typ).toBe('oauth-authz-req+jwt')
    const payload = resolved.authorizationRequestPayload
    expect(payload).toMatchObject({
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: `${service.baseUrl}/oid4vp/responses/${request.id}`,
      state: request.id,
    })
    expect(accepted.ok, JSON.stringify(accepted.ok ? {} : accepted.serverResponse)).toBe(true)
    expect(accepted.serverResponse?.status).toBe(200)

    // What left the wallet: per credential query one SD-JWT presentation with the requested disclosures only,
    // and a KB-JWT for this request's nonce and the bank's client identifier.
    const vpToken = accepted.authorizationResponsePayload.vp_token as Record<string, string[]>
    expect(Object.keys(vpToken).sort()).toEqual(['insured', 'licence'])
    for (const [queryId, asked] of Object.entries(ASKED)) {
      expect(vpToken[queryId]).toHaveLength(1)
      const { disclosed, keyBinding } = opened(vpToken[queryId]![0]!)
      expect(disclosed.sort()).toEqual([...asked].sort())
      expect(keyBinding).toMatchObject({ nonce: payload.nonce, aud: bank.clientId })
    }

    const { state, result } = await resultOf(request.id)
    expect(state).toBe('answered')
    expect(result?.verified, JSON.stringify(result?.checks.filter((c) => !c.ok))).toBe(true)
    for (const name of ['credentialSignature', 'issuerAccredited', 'disclosures', 'keyBinding', 'status', 'requestedClaims']) {
      expect(result!.checks.some((c) => c.check === name && c.ok)).toBe(true)
    }
    const licence = result!.credentials.find((c) => c.types.includes(LICENCE_TYPE))!
    const status = result!.credentials.find((c) => c.types.includes(STATUS_TYPE))!
    expect(licence.claims).toEqual({ enterpriseName: LICENCE.enterpriseName, unifiedSocialCreditCode: LICENCE.unifiedSocialCreditCode })
    expect(status.claims).toEqual({ city: SOCIAL_SECURITY.city, insurances: SOCIAL_SECURITY.insurances, asOf: SOCIAL_SECURITY.asOf })
    // Never seen by the bank: the legal representative (also the insured's name), the masked ID number, the domicile.
    const seen = JSON.stringify(result)
    for (const secret of [LICENCE.legalRepresentative, SOCIAL_SECURITY.idNumberMasked, LICENCE.domicile]) {
      expect(seen).not.toContain(secret)
    }
  })

  it('refuses the request object in a wallet that trusts another root (credo verifies the x5c chain)', async () => {
    const stranger = createHolderAgent({ trustedCertificates: [] })
    await stranger.initialize()
    try {
      // A root of its own making, same algorithm, another key: the bank's certificate does not lead to it.
      const foreignKey = await stranger.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
      const foreignRoot = await stranger.x509.createCertificate({
        authorityKey: Kms.PublicJwk.fromPublicJwk(foreignKey.publicJwk),
        issuer: { commonName: 'Some other consortium' },
      })
      stranger.x509.config.setTrustedCertificates([foreignRoot.toString('pem')])
      const request = await askAsBank()
      await expect(stranger.openid4vc.holder.resolveOpenId4VpAuthorizationRequest(request.deepLink)).rejects.toThrow(
        /no trusted certificate/i,
      )
      expect((await resultOf(request.id)).state).toBe('pending')
    } finally {
      await stranger.shutdown()
    }
  })

  it('refuses the same flow within one block of the licence being revoked', async () => {
    expect(licenceOfferId, 'the licence was received').toBeDefined()
    const { credentialId } = (await service.call(`/v1/credential-offers/${encodeURIComponent(licenceOfferId!)}`, { key: market.apiKey }))
      .body
    const revoked = await service.call(`/v1/credentials/${encodeURIComponent(credentialId)}/revoke`, { method: 'POST', key: market.apiKey })
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200)
    expect(revoked.body.onChain).toBe('confirmed')

    const provider = new JsonRpcProvider((await service.call('/v1/network')).body.rpcUrl, undefined, { staticNetwork: true })
    try {
      const mined = (await provider.getTransactionReceipt(revoked.body.txHash))!.blockNumber
      // The watcher polls every 250 ms by default; each round is a whole stock flow, 10 s is ample when loaded.
      const deadline = Date.now() + 10_000
      let outcome: Awaited<ReturnType<typeof resultOf>>
      do {
        const request = await askAsBank()
        const { accepted } = await present(holder!, request.deepLink)
        // A revoked credential is a verification failure, not a protocol error: the response is taken.
        expect(accepted.ok, JSON.stringify(accepted.ok ? {} : accepted.serverResponse)).toBe(true)
        outcome = await resultOf(request.id)
        expect(outcome.state).toBe('answered')
      } while (outcome.result?.verified !== false && Date.now() < deadline)
      expect(await provider.getBlockNumber()).toBeLessThanOrEqual(mined + 1)

      expect(outcome.result?.verified).toBe(false)
      const failed = outcome.result!.checks.filter((c) => !c.ok)
      expect(failed.map((c) => [c.check, c.code])).toEqual([['status', 'ERR_CREDENTIAL_REVOKED']])
      const licence = outcome.result!.credentials.find((c) => c.types.includes(LICENCE_TYPE))!
      expect(licence.verified).toBe(false)
      expect(outcome.result!.credentials.find((c) => c.types.includes(STATUS_TYPE))!.verified).toBe(true)
    } finally {
      provider.destroy()
    }
  })
})
