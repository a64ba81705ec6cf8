// A verifier's view of an issued credential: nothing from govcred's source, only the running service's
// HTTP API and stock libraries (did-jwt-vc, did-resolver, ethr-did-resolver, ethers).
import { verifyCredential } from 'did-jwt-vc'
import { Resolver } from 'did-resolver'
import { getResolver } from 'ethr-did-resolver'
import { Contract, JsonRpcProvider } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServiceProcess, type DemoDepartment, type ServiceProcess } from './service-process.js'

const HOLDER = 'did:ethr:0x7e5f4552091a69125d5dfcb7b8c2659029395bdf'

interface Network {
  name: string
  chainId: number
  rpcUrl: string
  contracts: { didRegistry: string; status: string }
}

let service: ServiceProcess
let network: Network
let market: DemoDepartment
/** did-jwt-vc types its resolver with its own copy of did-resolver; the object is the same stock Resolver. */
let resolver: Parameters<typeof verifyCredential>[1]
let issued: { id: string; jwt: string }

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

/** Replaces the JWT's payload, keeping its header and signature. */
function withPayload(jwt: string, change: (payload: Record<string, any>) => void): string {
  const [header, payload, signature] = jwt.split('.')
  const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'))
  change(decoded)
  return [header, Buffer.from(JSON.stringify(decoded)).toString('base64url'), signature].join('.')
}

beforeAll(async () => {
  service = await startServiceProcess({ prefix: 'govcred-interop-vc-', startTimeoutMs: 90_000 })
  market = service.demo().departments.find((d) => d.id === 'market-supervision')!
  network = (await service.call('/v1/network')).body as Network
  resolver = new Resolver(
    getResolver({
      networks: [{ name: network.name, chainId: network.chainId, rpcUrl: network.rpcUrl, registry: network.contracts.didRegistry }],
    }),
  ) as unknown as Parameters<typeof verifyCredential>[1]
  const { status, body } = await service.call('/v1/credentials', {
    key: market.apiKey,
    body: { type: 'BusinessLicenseCredential', holder: HOLDER, claims: LICENCE },
  })
  expect(status, JSON.stringify(body)).toBe(201)
  issued = { id: body.id, jwt: body.jwt }
}, 120_000)

afterAll(async () => {
  await service?.stop()
}, 60_000)

describe('a govcred credential under stock did-jwt-vc + ethr-did-resolver', () => {
  it("verifies, issued by the department's did:ethr, with the claims as issued", async () => {
    const result = await verifyCredential(issued.jwt, resolver)
    expect(result.verified).toBe(true)
    expect(result.issuer).toBe(market.did)
    expect(result.signer.controller).toBe(market.did)
    const vc = result.verifiableCredential
    expect(vc.type).toEqual(['VerifiableCredential', 'BusinessLicenseCredential'])
    expect(vc.credentialSubject.id).toBe(HOLDER)
    expect(vc.credentialSubject.unifiedSocialCreditCode).toBe(LICENCE.unifiedSocialCreditCode)
    expect(vc.credentialSubject.enterpriseName).toBe(LICENCE.enterpriseName)
    expect(vc.id).toBe(issued.id)
  })

  it('refuses a tampered payload (a changed claim, or another issuer)', async () => {
    const renamed = withPayload(issued.jwt, (p) => {
      p.vc.credentialSubject.enterpriseName = '南京冒名顶替有限公司'
    })
    await expect(verifyCredential(renamed, resolver)).rejects.toThrow(/invalid_signature|signature/i)
    const otherIssuer = withPayload(issued.jwt, (p) => {
      p.iss = 'did:ethr:govcred:0x0000000000000000000000000000000000000001'
    })
    await expect(verifyCredential(otherIssuer, resolver)).rejects.toThrow()
  })

  it('a VC-API credential whose subject has only an id also verifies', async () => {
    const { status, body } = await service.call('/credentials/issue', {
      key: market.apiKey,
      body: {
        credential: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential'],
          issuer: market.did,
          credentialSubject: { id: HOLDER },
        },
      },
    })
    expect(status, JSON.stringify(body)).toBe(201)
    const result = await verifyCredential(body.verifiableCredential.proof.jwt, resolver)
    expect(result.verified).toBe(true)
    expect(result.issuer).toBe(market.did)
    expect(result.verifiableCredential.credentialSubject).toEqual({ id: HOLDER })
  })

  it('the status bits are read from the chain with ethers alone; a revocation shows in the block of its transaction', async () => {
    const result = await verifyCredential(issued.jwt, resolver)
    const entries = result.verifiableCredential.credentialStatus as unknown as {
      statusPurpose: string
      statusListIndex: string
      statusRegistry: string
      chainId: number
    }[]
    expect(entries.map((e) => e.statusPurpose).sort()).toEqual(['revocation', 'suspension'])
    expect(entries[0]!.chainId).toBe(network.chainId)
    expect(entries[0]!.statusRegistry.toLowerCase()).toBe(network.contracts.status.toLowerCase())

    const provider = new JsonRpcProvider(network.rpcUrl, network.chainId, { staticNetwork: true })
    try {
      const registry = new Contract(
        entries[0]!.statusRegistry,
        ['function statusOf(address issuer, uint256 index) view returns (bool revoked, bool suspended)'],
        provider,
      )
      const index = BigInt(entries[0]!.statusListIndex)
      const before = await registry.statusOf(market.account, index)
      expect([before[0], before[1]]).toEqual([false, false])

      const revoked = await service.call(`/v1/credentials/${encodeURIComponent(issued.id)}/revoke`, { method: 'POST', key: market.apiKey })
      expect(revoked.status).toBe(200)
      const receipt = await provider.getTransactionReceipt(revoked.body.txHash)
      const after = await registry.statusOf(market.account, index, { blockTag: receipt!.blockNumber })
      expect([after[0], after[1]]).toEqual([true, false])
    } finally {
      provider.destroy()
    }
  })
})
