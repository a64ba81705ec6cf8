// Issue 8, finding 3: anonymous CPU and JSON-RPC amplification on the verify routes. A presentation is checked
// cheapest first (request → challenge and audience → number of credentials → holder signature → credentials),
// so one refused early costs no credential work and no chain read for credentials; and DIDs of accounts the
// trusted-issuer registry does not know never push a registered issuer's cached DID document out.
// The chain's JSON-RPC calls are counted on the service's real provider (ethers' debug events).
import { randomBytes, randomUUID } from 'node:crypto'
import { ES256KSigner, createJWT, hexToBytes } from 'did-jwt'
import { Wallet as EthersWallet, getAddress, hexlify, type JsonRpcProvider } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChainRegistryCache } from '../../src/verifying/chain-registry-cache.js'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  createRequest,
  issueOverHttp,
  nowSeconds,
  rawHolder,
  rawPresentation,
  readDemo,
  verifyOverHttp,
  type Demo,
} from '../verification/verification-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

/** Counts eth_calls sent through `provider` to the registries a verifier reads (DID, issuers, schemas, status). */
function countRegistryCalls(provider: JsonRpcProvider, addresses: string[]): { readonly count: number; stop(): void } {
  const targets = new Set(addresses.map((a) => a.toLowerCase()))
  let count = 0
  const listener = (event: { action?: string; payload?: unknown }) => {
    if (event.action !== 'sendRpcPayload') return
    const payloads = (Array.isArray(event.payload) ? event.payload : [event.payload]) as { method?: string; params?: { to?: string }[] }[]
    for (const p of payloads) if (p?.method === 'eth_call' && targets.has(String(p.params?.[0]?.to ?? '').toLowerCase())) count++
  }
  void provider.on('debug', listener)
  return {
    get count() {
      return count
    },
    stop: () => void provider.off('debug', listener),
  }
}

function registryCalls(): { readonly count: number; stop(): void } {
  const { didRegistry, trustedIssuers, schemas, status } = service.ctx.deployments.contracts
  return countRegistryCalls(service.ctx.provider, [didRegistry, trustedIssuers, schemas, status])
}

const randomEthrDid = () => `did:ethr:${service.ctx.deployments.name}:${getAddress(hexlify(randomBytes(20)))}`

/** A well-formed, validly signed business licence from a random did:ethr nobody accredited. */
async function fakeCredential(holder: string): Promise<string> {
  const key = new EthersWallet(hexlify(randomBytes(32)))
  const issuer = `did:ethr:${service.ctx.deployments.name}:${key.address}`
  return createJWT(
    {
      sub: holder,
      jti: `urn:uuid:${randomUUID()}`,
      nbf: nowSeconds(),
      vc: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiableCredential', 'BusinessLicenseCredential'],
        credentialSubject: { enterpriseName: '南京某某有限公司' },
        credentialSchema: { name: 'BusinessLicenseCredential', version: `9.${Math.floor(Math.random() * 1e6)}.0` },
        credentialStatus: { type: 'GovcredStatus', index: 1 },
      },
    },
    { issuer, signer: ES256KSigner(hexToBytes(key.privateKey)) },
    { alg: 'ES256K' },
  )
}

/** The presentation's JWT with its signature replaced by garbage of the same shape. */
const garbageSignature = (jwt: string) => `${jwt.split('.').slice(0, 2).join('.')}.${Buffer.alloc(64, 7).toString('base64url')}`

const credentialChecks = (body: { checks: { credential?: number }[] }) => body.checks.filter((c) => c.credential !== undefined)

describe('verify routes: cheapest checks first', () => {
  it('10 presentations of 20 credentials from random did:ethr issuers, a garbage holder signature and an unknown requestId cost no eth_call', async () => {
    const holder = rawHolder()
    const presentations = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const credentials = await Promise.all(Array.from({ length: 20 }, () => fakeCredential(holder.did)))
        return garbageSignature(await rawPresentation(holder, credentials, 'no-such-challenge', 'bank.example.cn'))
      }),
    )
    const calls = registryCalls()
    try {
      const answers = await Promise.all(presentations.map((vp) => verifyOverHttp(service, vp, randomUUID())))
      for (const answer of answers) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(422)
        expect(credentialChecks(answer.body)).toEqual([])
        expect(answer.body.credentials).toEqual([])
      }
      expect(calls.count).toBe(0)
    } finally {
      calls.stop()
    }
  })

  it('an unknown requestId is refused before the holder signature and the credentials: no eth_call, ERR_UNKNOWN_REQUEST', async () => {
    const holder = rawHolder()
    const credentials = await Promise.all(Array.from({ length: 3 }, () => fakeCredential(holder.did)))
    const vp = garbageSignature(await rawPresentation(holder, credentials, 'no-such-challenge', 'bank.example.cn'))
    const calls = registryCalls()
    try {
      const { status, body } = await verifyOverHttp(service, vp, randomUUID())
      expect(status).toBe(422)
      expect(body.error.code).toBe('ERR_UNKNOWN_REQUEST')
      expect(body.checks.map((c: { check: string }) => c.check)).toEqual(['proof', 'challenge'])
      expect(calls.count).toBe(0)
    } finally {
      calls.stop()
    }
  })

  it('a garbage holder signature for a real request costs only the holder DID’s resolution, no credential work, and leaves the request usable', async () => {
    const request = await createRequest(service)
    const holder = rawHolder()
    const credentials = await Promise.all(Array.from({ length: 3 }, () => fakeCredential(holder.did)))
    const forged = garbageSignature(await rawPresentation(holder, credentials, request.challenge, request.domain))
    const calls = registryCalls()
    try {
      const { status, body } = await verifyOverHttp(service, forged, request.id)
      expect(status).toBe(422)
      expect(body.error.code).toBe('ERR_HOLDER_SIGNATURE_INVALID')
      expect(credentialChecks(body)).toEqual([])
      // the holder's did:ethr: one read of the DID registry; nothing for the three credentials
      expect(calls.count).toBeLessThanOrEqual(1)
    } finally {
      calls.stop()
    }
    // Not used up: the holder's real answer is still checked (and refused for the fake credentials only),
    // and that one does read the chain for its credentials.
    const signed = await rawPresentation(holder, credentials, request.challenge, request.domain)
    const control = registryCalls()
    const real = await verifyOverHttp(service, signed, request.id).finally(() => control.stop())
    expect(control.count).toBeGreaterThanOrEqual(3)
    expect(real.status).toBe(422)
    expect(real.body.checks.find((c: { check: string }) => c.check === 'holderSignature')?.ok).toBe(true)
    expect(real.body.checks.find((c: { check: string }) => c.check === 'challenge')?.ok).toBe(true)
    expect(credentialChecks(real.body).length).toBeGreaterThan(0)
  })

  it('a presentation with more credentials than the request asks for is refused ERR_PRESENTATION_TOO_LARGE before any credential work', async () => {
    const request = await createRequest(service, ['BusinessLicenseCredential'])
    const holder = rawHolder()
    const credentials = [await fakeCredential(holder.did), await fakeCredential(holder.did)]
    const vp = await rawPresentation(holder, credentials, request.challenge, request.domain)
    const calls = registryCalls()
    try {
      const { status, body } = await verifyOverHttp(service, vp, request.id)
      expect(status).toBe(422)
      expect(body.error.code).toBe('ERR_PRESENTATION_TOO_LARGE')
      expect(credentialChecks(body)).toEqual([])
      expect(calls.count).toBe(0)
    } finally {
      calls.stop()
    }
  })

  it('the VC-API route keeps a small fixed cap: 11 credentials for a caller challenge are refused ERR_PRESENTATION_TOO_LARGE, with no eth_call', async () => {
    const holder = rawHolder()
    const credentials = await Promise.all(Array.from({ length: 11 }, () => fakeCredential(holder.did)))
    const options = { challenge: `cap-${randomUUID()}`, domain: 'bank.example.cn' }
    const vp = await rawPresentation(holder, credentials, options.challenge, options.domain)
    const calls = registryCalls()
    try {
      const { status, body } = await service.api('/presentations/verify', { body: { verifiablePresentation: vp, options } })
      expect(status).toBe(422)
      expect(body.error.code).toBe('ERR_PRESENTATION_TOO_LARGE')
      expect(calls.count).toBe(0)
    } finally {
      calls.stop()
    }
  })
})

describe('the DID cache keeps registered issuers’ documents whatever anonymous callers resolve', () => {
  it('200 resolver calls for random did:ethr DIDs do not evict a cached issuer DID: its next resolution costs no eth_call', async () => {
    const issuer = demo.BusinessLicenseCredential
    const wallet = rawHolder()
    const credential = await issueOverHttp(service, demo, 'BusinessLicenseCredential', wallet.did)
    // A verification reads the issuer's DID document and its registry entry.
    expect((await service.api('/credentials/verify', { body: { verifiableCredential: credential.jwt } })).status).toBe(200)
    expect((await service.api(`/1.0/identifiers/${issuer.did}`)).status).toBe(200)
    const before = service.verifier.deps.cache.sizes()

    const flood = registryCalls()
    try {
      for (let batch = 0; batch < 10; batch++) {
        const dids = Array.from({ length: 20 }, randomEthrDid)
        const answers = await Promise.all(dids.map((did) => service.api(`/1.0/identifiers/${did}`)))
        answers.forEach((answer, i) => {
          expect(answer.status).toBe(200)
          expect(answer.body.didDocument.id).toBe(dids[i])
        })
      }
      // one read of the DID registry per random DID, no more
      expect(flood.count).toBeGreaterThan(0)
      expect(flood.count).toBeLessThanOrEqual(200)
    } finally {
      flood.stop()
    }
    const after = service.verifier.deps.cache.sizes()
    expect(after.dids).toBe(before.dids)
    expect(after.otherDids).toBeLessThanOrEqual(1000)

    const calls = registryCalls()
    try {
      const { status, body } = await service.api(`/1.0/identifiers/${issuer.did}`)
      expect(status).toBe(200)
      expect(body.didDocument.id).toBe(issuer.did)
      expect((await service.api('/credentials/verify', { body: { verifiableCredential: credential.jwt } })).status).toBe(200)
      expect(calls.count).toBe(0)
    } finally {
      calls.stop()
    }
  })

  it('keeps the issuer’s document when the LRU of other DIDs is far smaller than the flood', async () => {
    const { ctx } = service
    const cache = new ChainRegistryCache(ctx.provider, ctx.deployments, ctx.registries, service.verifier.watcher, { others: 20 })
    const issuer = demo.PropertyCertificateCredential
    expect((await cache.resolveDid(issuer.did)).didDocument?.id).toBe(issuer.did)
    expect(await cache.issuer(issuer.account)).toMatchObject({ account: issuer.account })
    for (let i = 0; i < 200; i++) await cache.resolveDid(randomEthrDid())
    expect(cache.sizes()).toMatchObject({ dids: 1, otherDids: 20 })

    const misses = cache.stats.didMisses
    const calls = registryCalls()
    try {
      expect((await cache.resolveDid(issuer.did)).didDocument?.id).toBe(issuer.did)
      expect(calls.count).toBe(0)
      expect(cache.stats.didMisses).toBe(misses)
    } finally {
      calls.stop()
    }
  })

  it('stays a Universal Resolver driver: 400 for an invalid DID, 404 for a network it does not serve, no 5xx', async () => {
    const invalid = await service.api('/1.0/identifiers/did:ethr:govcred:0x1234')
    expect(invalid.status).toBe(400)
    expect(invalid.body.didResolutionMetadata.error).toBe('invalidDid')
    const otherNetwork = await service.api(`/1.0/identifiers/did:ethr:elsewhere:${getAddress(hexlify(randomBytes(20)))}`)
    expect(otherNetwork.status).toBe(404)
    expect(otherNetwork.body).toMatchObject({ didDocument: null })
    const tooLong = await service.api(`/1.0/identifiers/did:key:z${'a'.repeat(2000)}`)
    expect(tooLong.status).toBe(400)
    const key = await service.api('/1.0/identifiers/did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')
    expect(key.status).toBe(200)
    expect(key.headers.get('content-type')).toContain('application/ld+json')
  })
})
