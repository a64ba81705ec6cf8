import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { JsonRpcProvider, Wallet, getAddress, isAddress } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'

interface DemoFile {
  departments: { id: string; name: string; did: string; account: string; credentialTypes: string[] }[]
}

let service: TestService
let demo: DemoFile

beforeAll(async () => {
  service = await startTestService()
  demo = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8'))
})
afterAll(async () => {
  await service?.dispose()
})

/** Every error body: `{ error: { code, message } }` with a stable ERR_ code. */
function expectErrorShape(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) })
  expect((body as { error: { message: string } }).error.message.length).toBeGreaterThan(0)
}

describe('GET /healthz', () => {
  it('is 200 with the block number and a database that answers', async () => {
    const { status, body } = await service.api('/healthz')
    expect(status).toBe(200)
    expect(body.status).toBe('ok')
    expect(body.chain).toMatchObject({ ok: true, chainId: 20191 })
    expect(Number.isInteger(body.chain.blockNumber)).toBe(true)
    expect(body.chain.blockNumber).toBeGreaterThan(0)
    expect(body.database).toMatchObject({ ok: true })
  })
})

describe('GET /v1/network', () => {
  it('names the network and chain and points at registries that have code on that chain', async () => {
    const { status, body } = await service.api('/v1/network')
    expect(status).toBe(200)
    expect(body.name).toBe('govcred')
    expect(body.chainId).toBe(20191)
    expect(body.rpcUrl).toBe(`${service.url}/v1/chain/rpc`)
    const provider = new JsonRpcProvider(body.rpcUrl, body.chainId, { staticNetwork: true })
    try {
      expect(Number((await provider.getNetwork()).chainId)).toBe(20191)
      for (const key of ['didRegistry', 'trustedIssuers', 'schemas', 'status']) {
        const address = body.contracts[key]
        expect(isAddress(address), key).toBe(true)
        expect(await provider.getCode(address), `${key} has code`).not.toBe('0x')
      }
    } finally {
      provider.destroy()
    }
  })
})

describe('GET /v1/issuers', () => {
  it('lists the three demo departments as the chain has them, active, with their credential types', async () => {
    const { status, body } = await service.api('/v1/issuers')
    expect(status).toBe(200)
    expect(body.issuers).toHaveLength(3)
    for (const department of demo.departments) {
      const issuer = body.issuers.find((i: { account: string }) => i.account === getAddress(department.account))
      expect(issuer, department.id).toBeDefined()
      expect(issuer).toMatchObject({
        did: `did:ethr:govcred:${getAddress(department.account)}`,
        name: department.name,
        credentialTypes: department.credentialTypes,
        status: 'active',
        accreditedNow: true,
      })
      expect(issuer.unifiedSocialCreditCode).toMatch(/^[0-9A-HJ-NPQRTUWXY]{18}$/)
      // The registry read goes to the chain: the same entry is what the agent's plugin reads from the contract.
      const onChain = await service.ctx.agent.trustRegistryGetIssuer({ issuer: department.account })
      expect(onChain?.name).toBe(issuer.name)
    }
    expect(new Set(body.issuers.flatMap((i: { credentialTypes: string[] }) => i.credentialTypes))).toEqual(
      new Set([
        'BusinessLicenseCredential',
        'PropertyCertificateCredential',
        'SocialSecurityStatusCredential',
        'SocialInsuranceRegistrationCredential',
      ]),
    )
  })
})

describe('GET /v1/issuers/{did}', () => {
  it('finds a department by its public-key DID, its address DID and its bare address', async () => {
    const department = demo.departments[0]
    expect(department.did).toMatch(/^did:ethr:govcred:0x0[23][0-9a-f]{64}$/)
    const forms = [
      department.did,
      `did:ethr:govcred:${department.account}`,
      `did:ethr:govcred:${department.account.toLowerCase()}`,
      department.account,
    ]
    for (const form of forms) {
      const { status, body } = await service.api(`/v1/issuers/${encodeURIComponent(form)}`)
      expect(status, form).toBe(200)
      expect(body).toMatchObject({
        account: getAddress(department.account),
        name: department.name,
        status: 'active',
        credentialTypes: department.credentialTypes,
      })
    }
  })

  it('is 404 ERR_ISSUER_NOT_FOUND for a well-formed DID the registry does not know', async () => {
    const stranger = Wallet.createRandom()
    for (const did of [`did:ethr:govcred:${stranger.address}`, `did:ethr:govcred:${stranger.signingKey.compressedPublicKey}`]) {
      const { status, body } = await service.api(`/v1/issuers/${encodeURIComponent(did)}`)
      expect(status, did).toBe(404)
      expectErrorShape(body, 'ERR_ISSUER_NOT_FOUND')
    }
  })

  it('is 400 ERR_INVALID_DID for garbage', async () => {
    for (const did of ['garbage', 'did:ethr:govcred:0xnothex', 'did:web:example.gov.cn', `did:ethr:govcred:0x${'1'.repeat(39)}`]) {
      const { status, body } = await service.api(`/v1/issuers/${encodeURIComponent(did)}`)
      expect(status, did).toBe(400)
      expectErrorShape(body, 'ERR_INVALID_DID')
    }
  })
})

describe('GET /1.0/identifiers/{did} (Universal Resolver driver)', () => {
  it('resolves a department DID to a resolution result', async () => {
    const department = demo.departments[1]
    const res = await fetch(`${service.url}/1.0/identifiers/${department.did}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/ld+json')
    expect(res.headers.get('content-type')).toContain('https://w3id.org/did-resolution')
    const body = await res.json()
    expect(body).toHaveProperty('didDocument')
    expect(body).toHaveProperty('didResolutionMetadata')
    expect(body).toHaveProperty('didDocumentMetadata')
    expect(body.didResolutionMetadata.error).toBeUndefined()
    expect(body.didDocument.id).toBe(department.did)
    const accountIds = body.didDocument.verificationMethod.map((vm: { blockchainAccountId?: string }) =>
      vm.blockchainAccountId?.toLowerCase(),
    )
    expect(accountIds).toContain(`eip155:20191:${department.account.toLowerCase()}`)
  })

  it('resolves the address form of the same DID', async () => {
    const department = demo.departments[1]
    const { status, body } = await service.api(`/1.0/identifiers/did:ethr:govcred:${department.account}`)
    expect(status).toBe(200)
    expect(body.didDocument.id).toBe(`did:ethr:govcred:${department.account}`)
  })

  it('is 400 with didResolutionMetadata.error invalidDid for a malformed did:ethr', async () => {
    const { status, body } = await service.api('/1.0/identifiers/did:ethr:govcred:0xnothex')
    expect(status).toBe(400)
    expect(body.didResolutionMetadata.error).toBe('invalidDid')
    expect(body.didDocument).toBeNull()
    expect(body).toHaveProperty('didDocumentMetadata')
  })

  it('answers an unsupported method with 501 and unsupportedDidMethod, never a 5xx crash', async () => {
    const { status, body } = await service.api('/1.0/identifiers/did:web:x')
    expect(status).toBe(501)
    expect(body.didResolutionMetadata.error).toBe('unsupportedDidMethod')
    expect(body.didDocument).toBeNull()
  })
})

describe('errors', () => {
  it('an unknown route is 404 ERR_NOT_FOUND', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/v1/nope'],
      ['DELETE', '/v1/issuers'],
    ]) {
      const { status, body } = await service.api(path, { method })
      expect(status, `${method} ${path}`).toBe(404)
      expectErrorShape(body, 'ERR_NOT_FOUND')
    }
  })

  it('a malformed JSON body is 400 ERR_MALFORMED_JSON', async () => {
    for (const rawBody of ['{"a":', '{bad json}', '"just a string"']) {
      const { status, body } = await service.api('/v1/anything', {
        method: 'POST',
        rawBody,
        headers: { 'content-type': 'application/json' },
      })
      expect(status, rawBody).toBe(400)
      expectErrorShape(body, 'ERR_MALFORMED_JSON')
    }
  })

  it('a body over 256kb is 413 ERR_BODY_TOO_LARGE', async () => {
    const rawBody = JSON.stringify({ padding: 'x'.repeat(257 * 1024) })
    const { status, body } = await service.api('/v1/anything', { method: 'POST', rawBody, headers: { 'content-type': 'application/json' } })
    expect(status).toBe(413)
    expectErrorShape(body, 'ERR_BODY_TOO_LARGE')
  })

  it('a body just under the limit is parsed and reaches routing', async () => {
    const rawBody = JSON.stringify({ padding: 'x'.repeat(200 * 1024) })
    const { status, body } = await service.api('/v1/anything', { method: 'POST', rawBody, headers: { 'content-type': 'application/json' } })
    expect(status).toBe(404)
    expectErrorShape(body, 'ERR_NOT_FOUND')
  })
})
