// Security review, finding 11: a did:ethr whose identifier is a public key that is not a point of secp256k1
// cannot have a DID document. Naming it as a credential's issuer or as a presentation's holder answered 503
// "the DID registry cannot be read" while the chain was fine: any caller could make the verifier claim an
// outage. It is the DID's fault, so it is refused as a check (422), and the resolver route answers a 4xx.
import { randomUUID } from 'node:crypto'
import { createJWT } from 'did-jwt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  createRequest,
  failures,
  issueOverHttp,
  payloadOf,
  rawHolder,
  rawPresentation,
  readDemo,
  serveVerifier,
  verifyOverHttp,
  type Demo,
  type Issued,
} from '../verification/verification-helpers.js'

/** Compressed public keys that are no point of secp256k1: x = 0 has no y, and x = 2²⁵⁶ − 1 is not even below p. */
const NOT_ON_CURVE = [`did:ethr:govcred:0x02${'0'.repeat(64)}`, `did:ethr:govcred:0x03${'f'.repeat(64)}`]

let service: TestService
let demo: Demo
let holder: ReturnType<typeof rawHolder>
let licence: Issued

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  holder = rawHolder()
  licence = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder.did)
})

afterAll(async () => {
  await service?.dispose()
})

/** The issued licence's payload, claimed by `issuer` and signed by a key of nobody's. */
function credentialFrom(issuer: string): Promise<string> {
  const { iss: _iss, ...payload } = payloadOf(licence.jwt)
  return createJWT({ ...payload, jti: `urn:uuid:${randomUUID()}` }, { issuer, signer: rawHolder().signer }, { alg: 'ES256K' })
}

describe.each(NOT_ON_CURVE)('a DID whose public key is not a curve point: %s', (did) => {
  it('as the issuer of a credential: 422 issuerResolved ERR_ISSUER_NOT_RESOLVED, not 503', async () => {
    const answer = await service.api('/credentials/verify', { body: { verifiableCredential: await credentialFrom(did) } })
    expect(answer.status, JSON.stringify(answer.body)).toBe(422)
    expect(answer.body.error.code).toBe('ERR_ISSUER_NOT_RESOLVED')
    expect(failures(answer.body)).toEqual(['issuerResolved:ERR_ISSUER_NOT_RESOLVED'])
  })

  it('as the issuer of a credential in a presentation: 422 with the check, the holder’s signature checks out', async () => {
    const request = await createRequest(service, ['BusinessLicenseCredential'])
    const vp = await rawPresentation(holder, [await credentialFrom(did)], request.challenge, request.domain)
    const answer = await verifyOverHttp(service, vp, request.id)
    expect(answer.status, JSON.stringify(answer.body)).toBe(422)
    expect(failures(answer.body)).toContain('issuerResolved:ERR_ISSUER_NOT_RESOLVED')
    expect(failures(answer.body).filter((f) => f.startsWith('holderSignature'))).toEqual([])
  })

  it('as the holder of a presentation: 422 holderSignature ERR_HOLDER_SIGNATURE_INVALID, on both verify routes', async () => {
    const pretender = { did, signer: rawHolder().signer }
    const request = await createRequest(service, ['BusinessLicenseCredential'])
    const viaRequest = await verifyOverHttp(
      service,
      await rawPresentation(pretender, [licence.jwt], request.challenge, request.domain),
      request.id,
    )
    expect(viaRequest.status, JSON.stringify(viaRequest.body)).toBe(422)
    expect(failures(viaRequest.body)).toContain('holderSignature:ERR_HOLDER_SIGNATURE_INVALID')

    const options = { challenge: `curve-${randomUUID()}`, domain: request.domain }
    const viaVcApi = await service.api('/presentations/verify', {
      body: { verifiablePresentation: await rawPresentation(pretender, [licence.jwt], options.challenge, options.domain), options },
    })
    expect(viaVcApi.status, JSON.stringify(viaVcApi.body)).toBe(422)
    expect(failures(viaVcApi.body)).toContain('holderSignature:ERR_HOLDER_SIGNATURE_INVALID')
  })

  it('GET /1.0/identifiers/{did} answers a 4xx resolution error, on the full node and on a verifier-only node', async () => {
    const verifier = await serveVerifier({
      provider: service.ctx.provider,
      deployments: service.ctx.deployments,
      db: service.ctx.db,
      domain: 'curve.bank.example',
    })
    try {
      for (const answer of [
        await service.api(`/1.0/identifiers/${encodeURIComponent(did)}`),
        await verifier.api(`/1.0/identifiers/${encodeURIComponent(did)}`),
      ]) {
        expect(answer.status).toBeGreaterThanOrEqual(400)
        expect(answer.status).toBeLessThan(500)
        expect(answer.body.didDocument).toBeNull()
        expect(answer.body.didResolutionMetadata.error).toEqual(expect.any(String))
      }
    } finally {
      await verifier.close()
    }
  })
})

describe('the chain itself', () => {
  it('was reachable all along: a good credential verifies', async () => {
    const answer = await service.api('/credentials/verify', { body: { verifiableCredential: licence.jwt } })
    expect(failures(answer.body)).toEqual([])
    expect(answer.status).toBe(200)
  })
})
