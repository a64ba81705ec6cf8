// An independent wallet receives a credential from govcred end to end: credo-ts 0.6.3 as the holder (its
// OpenID4VCI client, its SD-JWT VC verification with an x5c chain against a trusted root, its storage API),
// govcred as a child process reached only over HTTP. Nothing from govcred's source; credo's verification is on.
import { Kms, SdJwtVcRecord } from '@credo-ts/core'
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list'
import { JsonRpcProvider } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServiceProcess, type DemoDepartment, type ServiceProcess } from '../service-process.js'
import { createHolderAgent, type HolderAgent } from './holder-agent.js'

const TYPE = 'BusinessLicenseCredential'
const SD_JWT_CONFIGURATION = `${TYPE}_sd_jwt`

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

interface Offer {
  id: string
  offerUri: string
  txCode: string
  expiresAt: string
}

let service: ServiceProcess
let market: DemoDepartment
let network: { rpcUrl: string; issuerTrust?: { x509RootCertificatePem?: string } }
let holder: HolderAgent | undefined
let received: { offer: Offer; record: SdJwtVcRecord; holderKey: Kms.PublicJwk } | undefined

const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))

async function makeOffer(): Promise<Offer> {
  const { status, body } = await service.call('/v1/credential-offers', { key: market.apiKey, body: { type: TYPE, claims: LICENCE } })
  expect(status, JSON.stringify(body)).toBe(201)
  expect(body.offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/)
  expect(body.txCode).toMatch(/^\d{6}$/)
  return body as Offer
}

/** The stock holder flow: resolve the offer, token with the transaction code, credential with a fresh ES256 key. */
async function receive(agent: HolderAgent, offer: Offer) {
  const resolved = await agent.openid4vc.holder.resolveCredentialOffer(offer.offerUri)
  const token = await agent.openid4vc.holder.requestToken({ resolvedCredentialOffer: resolved, txCode: offer.txCode })
  const created = await agent.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
  const holderKey = Kms.PublicJwk.fromPublicJwk(created.publicJwk)
  const response = await agent.openid4vc.holder.requestCredentials({
    resolvedCredentialOffer: resolved,
    ...token,
    credentialConfigurationIds: [SD_JWT_CONFIGURATION],
    allowedProofOfPossessionSignatureAlgorithms: [Kms.KnownJwaSignatureAlgorithms.ES256],
    credentialBindingResolver: () => ({ method: 'jwk', keys: [holderKey] }),
  })
  return { resolved, response, holderKey }
}

beforeAll(async () => {
  service = await startServiceProcess({ prefix: 'govcred-interop-credo-', startTimeoutMs: 90_000 })
  market = service.demo().departments.find((d) => d.id === 'market-supervision')!
  network = (await service.call('/v1/network')).body
  const root = network.issuerTrust?.x509RootCertificatePem
  holder = createHolderAgent({ trustedCertificates: root ? [root] : [] })
  await holder.initialize()
})

afterAll(async () => {
  await holder?.shutdown()
  await service?.stop()
})

describe('a credo-ts wallet receives an SD-JWT VC from govcred over OpenID4VCI', () => {
  it('resolves the department issuer metadata with its stock client', async () => {
    const issuer = `${service.baseUrl}/oid4vci/${market.id}`
    const metadata = await holder!.openid4vc.holder.resolveIssuerMetadata(issuer)
    expect(metadata.credentialIssuer.credential_issuer).toBe(issuer)
    const configuration = metadata.credentialIssuer.credential_configurations_supported[SD_JWT_CONFIGURATION]
    expect(configuration).toMatchObject({ format: 'dc+sd-jwt', vct: `${service.baseUrl}/vct/${TYPE}` })
    expect(metadata.credentialIssuer.credential_configurations_supported[`${TYPE}_jwt_vc_json`]).toMatchObject({ format: 'jwt_vc_json' })
    expect(metadata.authorizationServers[0]?.token_endpoint).toBe(`${issuer}/token`)
  })

  it('publishes the consortium root certificate a wallet must trust', () => {
    expect(network.issuerTrust?.x509RootCertificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/)
  })

  it('receives, verifies and stores the credential: offer → token with tx_code → credential with a key proof', async () => {
    const offer = await makeOffer()
    const { resolved, response, holderKey } = await receive(holder!, offer)
    expect(Object.keys(resolved.offeredCredentialConfigurations)).toContain(SD_JWT_CONFIGURATION)
    expect(response.credentials).toHaveLength(1)
    // credo has verified it (signature, x5c chain to the trusted root, iss against the leaf's SAN, status) or it throws.
    const record = await holder!.sdJwtVc.store({ record: response.credentials[0]!.record as SdJwtVcRecord })
    const [stored] = await holder!.sdJwtVc.getAll()
    expect(stored!.id).toBe(record.id)
    received = { offer, record: stored!, holderKey }

    const credential = stored!.firstCredential
    expect(credential.prettyClaims).toMatchObject({
      vct: `${service.baseUrl}/vct/${TYPE}`,
      iss: `${service.baseUrl}/oid4vci/${market.id}`,
      enterpriseName: LICENCE.enterpriseName,
      unifiedSocialCreditCode: LICENCE.unifiedSocialCreditCode,
      legalRepresentative: LICENCE.legalRepresentative,
    })
    expect(credential.header).toMatchObject({ alg: 'ES256', typ: 'dc+sd-jwt' })
    expect(Array.isArray(credential.header.x5c)).toBe(true)
    // Bound to the wallet's own key.
    expect(credential.holder?.method).toBe('jwk')
    const bound = credential.holder?.method === 'jwk' ? credential.holder.jwk : undefined
    expect(bound?.fingerprint).toBe(holderKey.fingerprint)
    expect(stored!.credentialInstances[0]!.kmsKeyId).toBe(holderKey.keyId)

    // Selectively disclosable: the named claims travel as disclosures, not in the signed payload.
    const [jwt, ...disclosures] = credential.compact.split('~').filter(Boolean)
    const payload = decodePart(jwt!.split('.')[1]!)
    expect(Array.isArray(payload._sd)).toBe(true)
    const disclosed = disclosures.map((d) => decodePart(d) as unknown[]).map((d) => d[1])
    for (const name of ['enterpriseName', 'unifiedSocialCreditCode', 'legalRepresentative']) {
      expect(payload).not.toHaveProperty(name)
      expect(disclosed).toContain(name)
    }
    expect(payload.status?.status_list).toMatchObject({ uri: `${service.baseUrl}/status-lists/${market.id}` })

    // The department sees the offer redeemed and the resulting credential.
    const shown = await service.call(`/v1/credential-offers/${encodeURIComponent(offer.id)}`, { key: market.apiKey })
    expect(shown.status).toBe(200)
    expect(typeof shown.body.credentialId).toBe('string')
  })

  it("refuses the credential in a wallet that trusts another root (credo's verification is on)", async () => {
    const stranger = createHolderAgent({ trustedCertificates: [] })
    await stranger.initialize()
    try {
      // A root of its own making, same algorithm, another key: the x5c chain does not lead to it.
      const foreignKey = await stranger.kms.createKey({ type: { kty: 'EC', crv: 'P-256' } })
      const foreignRoot = await stranger.x509.createCertificate({
        authorityKey: Kms.PublicJwk.fromPublicJwk(foreignKey.publicJwk),
        issuer: { commonName: 'Some other consortium' },
      })
      stranger.x509.config.setTrustedCertificates([foreignRoot.toString('pem')])
      await expect(receive(stranger, await makeOffer())).rejects.toThrow(/certificate|chain/i)
      expect(await stranger.sdJwtVc.getAll()).toHaveLength(0)
    } finally {
      await stranger.shutdown()
    }
  })

  it('shows a revocation in the status list token within one block, to a stock reader and to the wallet', async () => {
    expect(received, 'the credential was received').toBeDefined()
    const { offer, record } = received!
    const credential = record.firstCredential
    const { idx, uri } = (credential.payload as { status: { status_list: { idx: number; uri: string } } }).status.status_list
    const readStatus = async () => {
      const res = await fetch(uri, { headers: { accept: 'application/statuslist+jwt' } })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain('application/statuslist+jwt')
      const token = await res.text()
      expect(decodePart(token.split('.')[0]!)).toMatchObject({ typ: 'statuslist+jwt', alg: 'ES256' })
      expect(decodePart(token.split('.')[1]!)).toMatchObject({ sub: uri })
      return getListFromStatusListJWT(token).getStatus(idx)
    }
    expect(await readStatus()).toBe(0)

    const { credentialId } = (await service.call(`/v1/credential-offers/${encodeURIComponent(offer.id)}`, { key: market.apiKey })).body
    const revoked = await service.call(`/v1/credentials/${encodeURIComponent(credentialId)}/revoke`, { method: 'POST', key: market.apiKey })
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200)
    expect(revoked.body.onChain).toBe('confirmed')

    const provider = new JsonRpcProvider(network.rpcUrl, undefined, { staticNetwork: true })
    try {
      const mined = (await provider.getTransactionReceipt(revoked.body.txHash))!.blockNumber
      // The watcher polls the chain every 250 ms by default; 5 s is ample on a loaded machine.
      const deadline = Date.now() + 5_000
      let status = await readStatus()
      while (status !== 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        status = await readStatus()
      }
      expect(status).toBe(1)
      expect(await provider.getBlockNumber()).toBeLessThanOrEqual(mined + 1)
    } finally {
      provider.destroy()
    }

    // credo's own verification fetches the status list (signed by the issuer's key) and now refuses the credential.
    const verified = await holder!.sdJwtVc.verify({ compactSdJwtVc: credential.compact })
    expect(verified.isValid).toBe(false)
    expect(verified.isValid ? '' : String(verified.error.message)).toMatch(/status/i)
  })
})
