/**
 * GET /1.0/identifiers/{did} answers by the W3C DID Resolution spec's HTTP(S) binding: invalid input 400, not
 * found 404, representation not supported 406, deactivated 410, method or feature not supported 501, and a
 * chain that does not answer 503 — never a 500, and always the resolution-result shape.
 */
import { Contract, Wallet, ZeroAddress, getAddress, hexlify, randomBytes, toBeHex } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { readDemo, type Demo } from '../issuance/issuance-helpers.js'

let service: TestService
let demo: Demo
let network: string

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  network = service.ctx.deployments.name
}, 120_000)
afterAll(async () => {
  await service?.dispose()
})

const randomAddress = () => getAddress(hexlify(randomBytes(20)))

async function resolveRaw(encodedDid: string, accept?: string) {
  const res = await fetch(`${service.url}/1.0/identifiers/${encodedDid}`, { headers: accept ? { accept } : {} })
  const text = await res.text()
  let body: any = text
  try {
    body = JSON.parse(text)
  } catch {
    // kept as text
  }
  return { status: res.status, body, type: res.headers.get('content-type') ?? '' }
}

/** The resolution-result shape every answer keeps. */
function expectResultShape(body: any): void {
  expect(body).toMatchObject({ didResolutionMetadata: expect.any(Object), didDocumentMetadata: expect.any(Object) })
  expect(body).toHaveProperty('didDocument')
}

describe('GET /1.0/identifiers/{did}: the HTTP(S) binding status codes', () => {
  const address = '0x1111111111111111111111111111111111111111'
  // [what, the DID as it goes in the path, status, didResolutionMetadata.error]
  const cases = (): [string, string, number, string | undefined][] => [
    ['another did:ethr network', `did:ethr:othernet:${randomAddress()}`, 404, 'unknownNetwork'],
    ['a did:ethr without a network (mainnet)', `did:ethr:${randomAddress()}`, 404, 'unknownNetwork'],
    ['a did:ethr of chain id 0x5', `did:ethr:0x5:${randomAddress()}`, 404, 'unknownNetwork'],
    ['a did:ethr whose address is not hex', `did:ethr:${network}:0xnothex`, 400, 'invalidDid'],
    ['a too long DID', `did:ethr:${network}:0x${'a'.repeat(2000)}`, 400, 'invalidDid'],
    ['a did:web', 'did:web:example.com', 501, 'unsupportedDidMethod'],
    ['a made-up method', 'did:foo:bar', 501, 'unsupportedDidMethod'],
    ['a did:key that does not decode', 'did:key:zBad', 400, 'invalidDid'],
    ['a string that is no DID', 'not-a-did', 400, 'invalidDid'],
    ['an empty method-specific id', 'did:ethr:', 400, 'invalidDid'],
    ['a DID URL with a fragment', encodeURIComponent(`did:ethr:${network}:${address}#controller`), 501, 'featureNotSupported'],
    ['a DID URL with a query', encodeURIComponent(`did:ethr:${network}:${address}?versionId=1`), 501, 'featureNotSupported'],
    ['a DID URL with a path', encodeURIComponent(`did:ethr:${network}:${address}/path`), 501, 'featureNotSupported'],
    ['a ";" in the DID (no DID Core 1.0 character)', `did:ethr:${network}:${address};service=x`, 400, 'invalidDid'],
    ['a percent-encoded other network', encodeURIComponent(`did:ethr:othernet:${randomAddress()}`), 404, 'unknownNetwork'],
    ['a percent-encoded did:web', encodeURIComponent('did:web:example.com'), 501, 'unsupportedDidMethod'],
    ['an unregistered but valid address (its default document)', `did:ethr:${network}:${randomAddress()}`, 200, undefined],
    ['the same, percent-encoded', encodeURIComponent(`did:ethr:${network}:${randomAddress()}`), 200, undefined],
    ['a valid did:key', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 200, undefined],
  ]

  it('maps every resolver outcome to its status, never a 500, in the resolution-result shape', async () => {
    const answers = []
    for (const [what, did, status, error] of cases()) {
      const { status: got, body, type } = await resolveRaw(did)
      const answer = { what, status: got, error: body?.didResolutionMetadata?.error }
      answers.push(answer)
      expect(answer).toEqual({ what, status, error })
      expectResultShape(body)
      expect(type, what).toContain('application/ld+json')
      if (status !== 200) expect(body.didDocument, what).toBeNull()
    }
    // 501 is the binding's "method (or feature) not supported"; no other 5xx for anything a caller sends.
    expect(answers.filter((a) => a.status >= 500 && a.status !== 501)).toEqual([])
  })

  it('resolves a registered department DID (200), by name or percent-encoded', async () => {
    for (const path of [demo.market.did, encodeURIComponent(demo.realEstate.did)]) {
      const { status, body } = await resolveRaw(path)
      expect(status).toBe(200)
      expect(body.didDocument.id).toBe(decodeURIComponent(path))
      expect(body.didResolutionMetadata.error).toBeUndefined()
    }
  })

  it('serves the Accept it is asked for: the result, the spec media type, the document alone, or 406', async () => {
    const did = demo.socialSecurity.did
    const universal = await resolveRaw(did, 'application/ld+json;profile="https://w3id.org/did-resolution"')
    expect([universal.status, universal.body.didDocument.id]).toEqual([200, did])
    const spec = await resolveRaw(did, 'application/did-resolution')
    expect([spec.status, spec.type.split(';')[0]]).toEqual([200, 'application/did-resolution'])
    expect(spec.body.didDocument.id).toBe(did)
    const document = await resolveRaw(did, 'application/did+ld+json')
    expect([document.status, document.type.split(';')[0], document.body.id]).toEqual([200, 'application/did+ld+json', did])
    expect(document.body).toHaveProperty('@context')
    const plain = await resolveRaw(did, 'application/did+json')
    expect([plain.status, plain.type.split(';')[0], plain.body.id]).toEqual([200, 'application/did+json', did])
    expect(plain.body).not.toHaveProperty('@context')
    const html = await resolveRaw(did, 'text/html')
    expect([html.status, html.body.didResolutionMetadata.error]).toEqual([406, 'representationNotSupported'])
  })

  it('answers 410 with the result for a deactivated DID', async () => {
    const { provider, deployments } = service.ctx
    const identity = Wallet.createRandom().connect(provider)
    await provider.send('anvil_setBalance', [identity.address, toBeHex(10n ** 18n)])
    const registry = new Contract(deployments.contracts.didRegistry, ['function changeOwner(address identity, address newOwner)'], identity)
    await (await registry.getFunction('changeOwner')(identity.address, ZeroAddress)).wait()
    const did = `did:ethr:${network}:${identity.address}`
    const { status, body } = await resolveRaw(did)
    expect(status).toBe(410)
    expect(body.didDocumentMetadata.deactivated).toBe(true)
    expect(body.didResolutionMetadata.error).toBeUndefined()
  })

  it('answers 503 (not 404, not 500) when the chain does not answer, and says so', async () => {
    await service.ctx.chain!.stop()
    const { status, body } = await resolveRaw(`did:ethr:${network}:${randomAddress()}`)
    expect(status).toBe(503)
    expectResultShape(body)
    expect(body.didDocument).toBeNull()
    expect(body.didResolutionMetadata.error).toBe('internalError')
    expect(body.didResolutionMetadata.message).toContain('ERR_CHAIN_UNAVAILABLE')
    // What needs no chain still answers.
    expect((await resolveRaw('did:web:example.com')).status).toBe(501)
  }, 30_000)
})
