// Every bad presentation or credential is refused with its own stable code: 422 with the result as data,
// or 400 for a request body that is not a verification request at all. Never a 5xx.
import { randomBytes, randomUUID } from 'node:crypto'
import { Contract } from 'ethers'
import { ES256KSigner, createJWT } from 'did-jwt'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { loadSchema } from '../../src/catalog/schemas/load-schemas.js'
import { schemaContentHash } from '../../src/catalog/schemas/schema-hash.js'
import { accreditationChangeAction, type AccreditationChange } from '../../src/issuing/governance/accreditation.js'
import { saltOf } from '../../src/issuing/governance/governance-proposals.js'
import { SchemaSource } from '../../src/verifying/schema-source.js'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  THREE_TYPES,
  bearer,
  createRequest,
  failures,
  isoSeconds,
  issueOverHttp,
  issueThree,
  nowSeconds,
  openWallet,
  payloadOf,
  rawHolder,
  rawPresentation,
  readDemo,
  serveVerifier,
  signAsDepartment,
  tamperPayload,
  verifyOverHttp,
  watcherPast,
  type Demo,
  type GovcredType,
  type Issued,
} from './verification-helpers.js'

let service: TestService
let demo: Demo
let wallet: HolderWallet
let holder: string
/** A second DID in the same wallet: presents credentials that are not about it. */
let otherHolder: string
let issued: Record<GovcredType, Issued>
/** Wallet hashes of the three good credentials (a tampered copy shares its original's id). */
let goodHashes: Record<GovcredType, string>

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  wallet = await openWallet()
  holder = await wallet.createDid('key')
  otherHolder = await wallet.createDid('key')
  issued = await issueThree(service, demo, holder)
  goodHashes = {} as Record<GovcredType, string>
  for (const type of THREE_TYPES) goodHashes[type] = (await wallet.importCredential(issued[type].jwt)).hash
})

afterAll(async () => {
  await wallet?.close()
  await service?.dispose()
})

type Answer = { status: number; body: any }

/** The three good credentials: the wallet also holds the revoked, expired and forged ones the cases import. */
const goodIds = () => THREE_TYPES.map((t) => goodHashes[t])

/** The holder presents exactly these credential JWTs (imported into its wallet first) for a new request. */
async function presentJwts(jwts: string[], types: readonly string[] = ['BusinessLicenseCredential']): Promise<Answer> {
  const hashes: string[] = []
  for (const jwt of jwts) hashes.push((await wallet.importCredential(jwt)).hash)
  const request = await createRequest(service, types)
  const vp = await wallet.present(request, { holder, credentialIds: hashes })
  return verifyOverHttp(service, vp, request.id)
}

const presentOne = (jwt: string, type: GovcredType) => presentJwts([jwt], [type])

/** Suspends or revokes a department's accreditation through governance, dated strictly after every credential issued so far. */
async function changeAccreditation(type: GovcredType, change: AccreditationChange): Promise<number> {
  const registry = new Contract(
    service.ctx.deployments.contracts.trustedIssuers,
    loadArtifact('TrustedIssuerRegistry').abi,
    service.ctx.provider,
  )
  const wanted = change === 'suspendIssuer' ? 2 : 3
  const account = demo[type].account
  if (Number((await registry.getIssuer(account)).status) !== wanted) {
    // Anvil may date the block in the same second as a credential issued just before; move the chain clock on.
    await service.ctx.provider.send('evm_increaseTime', [2])
    await service.ctx.governance.proposeAndApprove(
      accreditationChangeAction(service.ctx.deployments.contracts.trustedIssuers, account, change),
      service.ctx.members,
    )
  }
  const history: [bigint, bigint][] = await registry.getStatusHistory(account)
  const [status, at] = history.at(-1)!
  expect(Number(status)).toBe(wanted)
  await expect.poll(async () => (await service.verifier.deps.cache.issuer(account))?.status, { timeout: 2000, interval: 20 }).toBe(wanted)
  return Number(at)
}

/** A credential of `type` for the holder, signed by its department's key, dated after the accreditation change. */
async function signedAfter(type: GovcredType, changedAt: number): Promise<string> {
  const from = Math.max(changedAt + 1, nowSeconds())
  return signAsDepartment(service, issued[type], {
    id: `urn:uuid:${randomUUID()}`,
    issuanceDate: isoSeconds(from),
    expirationDate: isoSeconds(from + 86_400),
  })
}

interface RefusalCase {
  name: string
  code: string
  /** 422 with the verification result (default), or 400 for a malformed request body. */
  status?: 400 | 422
  run: () => Promise<Answer>
}

const cases: RefusalCase[] = [
  {
    name: 'forged signature: a VC-JWT naming the department as issuer, signed by a random key',
    code: 'ERR_CREDENTIAL_SIGNATURE_INVALID',
    run: async () => {
      const { iss: _iss, ...payload } = payloadOf(issued.BusinessLicenseCredential.jwt)
      const forged = await createJWT(
        { ...payload, jti: `urn:uuid:${randomUUID()}` },
        { issuer: demo.BusinessLicenseCredential.did, signer: ES256KSigner(randomBytes(32)) },
        { alg: 'ES256K' },
      )
      return presentOne(forged, 'BusinessLicenseCredential')
    },
  },
  {
    name: 'tampered payload: a claim changed in the signed JWT payload',
    code: 'ERR_CREDENTIAL_SIGNATURE_INVALID',
    run: () =>
      presentOne(
        tamperPayload(
          issued.BusinessLicenseCredential.jwt,
          (p) => (p.vc.credentialSubject.registeredCapital = { amount: 990_000_000, currency: 'CNY' }),
        ),
        'BusinessLicenseCredential',
      ),
  },
  {
    name: 'outer JSON changed and its proof type removed',
    code: 'ERR_UNKNOWN_PROOF_TYPE',
    run: () => {
      const { proof, ...credential } = issued.BusinessLicenseCredential.credential
      const changed = {
        ...credential,
        credentialSubject: { ...credential.credentialSubject, enterpriseName: '南京另一家有限公司' },
        proof: { jwt: proof.jwt },
      }
      return service.api('/credentials/verify', { body: { verifiableCredential: changed } })
    },
  },
  {
    name: 'credential as JSON with no proof at all',
    code: 'ERR_PROOF_MISSING',
    run: () => {
      const { proof: _proof, ...credential } = issued.BusinessLicenseCredential.credential
      return service.api('/credentials/verify', { body: { verifiableCredential: credential } })
    },
  },
  {
    name: 'unknown proof type (Ed25519Signature2020)',
    code: 'ERR_UNKNOWN_PROOF_TYPE',
    run: () => {
      const credential = {
        ...issued.BusinessLicenseCredential.credential,
        proof: { type: 'Ed25519Signature2020', proofValue: 'z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk' },
      }
      return service.api('/credentials/verify', { body: { verifiableCredential: credential } })
    },
  },
  {
    name: 'presentation as JSON whose proof type is not JwtProof2020',
    code: 'ERR_UNKNOWN_PROOF_TYPE',
    run: async () => {
      const request = await createRequest(service)
      const vp = await wallet.present(request, { holder, credentialIds: goodIds() })
      const asObject = { ...payloadOf(vp).vp, holder, proof: { type: 'DataIntegrityProof', jwt: vp } }
      return verifyOverHttp(service, asObject, request.id)
    },
  },
  {
    name: 'issuer not accredited for the type: the market bureau signs a property certificate',
    code: 'ERR_ISSUER_NOT_ACCREDITED',
    run: async () => {
      const market = demo.BusinessLicenseCredential
      const jwt = await signAsDepartment(service, issued.PropertyCertificateCredential, {
        id: `urn:uuid:${randomUUID()}`,
        issuer: { id: market.did, name: '南京市市场监督管理局' },
      })
      expect(payloadOf(jwt).iss).toBe(market.did)
      return presentOne(jwt, 'PropertyCertificateCredential')
    },
  },
  {
    name: 'revoked by its issuer',
    code: 'ERR_CREDENTIAL_REVOKED',
    run: async () => {
      const credential = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder)
      const { status, body } = await service.api(`/v1/credentials/${encodeURIComponent(credential.id)}/revoke`, {
        method: 'POST',
        headers: bearer(demo.BusinessLicenseCredential.apiKey),
      })
      expect(status).toBe(200)
      await watcherPast(service.ctx.provider, service.verifier.watcher, body.txHash)
      return presentOne(credential.jwt, 'BusinessLicenseCredential')
    },
  },
  {
    name: 'suspended by its issuer',
    code: 'ERR_CREDENTIAL_SUSPENDED',
    run: async () => {
      const credential = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder)
      const { status, body } = await service.api(`/v1/credentials/${encodeURIComponent(credential.id)}/suspend`, {
        method: 'POST',
        headers: bearer(demo.BusinessLicenseCredential.apiKey),
      })
      expect(status).toBe(200)
      await watcherPast(service.ctx.provider, service.verifier.watcher, body.txHash)
      return presentOne(credential.jwt, 'BusinessLicenseCredential')
    },
  },
  {
    name: 'expired (verified two hours after its one-hour validity began, with the clock frozen there)',
    code: 'ERR_CREDENTIAL_EXPIRED',
    run: async () => {
      const from = nowSeconds()
      const jwt = await signAsDepartment(service, issued.BusinessLicenseCredential, {
        id: `urn:uuid:${randomUUID()}`,
        issuanceDate: isoSeconds(from),
        expirationDate: isoSeconds(from + 3600),
      })
      vi.useFakeTimers({ toFake: ['Date'] })
      try {
        vi.setSystemTime((from + 7200) * 1000)
        return await presentOne(jwt, 'BusinessLicenseCredential')
      } finally {
        vi.useRealTimers()
      }
    },
  },
  {
    name: 'not yet valid (nbf a day ahead)',
    code: 'ERR_CREDENTIAL_NOT_YET_VALID',
    run: async () => {
      const from = nowSeconds() + 86_400
      const jwt = await signAsDepartment(service, issued.BusinessLicenseCredential, {
        id: `urn:uuid:${randomUUID()}`,
        issuanceDate: isoSeconds(from),
      })
      expect(payloadOf(jwt).nbf).toBe(from)
      return presentOne(jwt, 'BusinessLicenseCredential')
    },
  },
  {
    name: 'replayed challenge: the same presentation sent twice',
    code: 'ERR_CHALLENGE_REPLAYED',
    run: async () => {
      const request = await createRequest(service)
      const vp = await wallet.present(request, { holder, credentialIds: goodIds() })
      const first = await verifyOverHttp(service, vp, request.id)
      expect(first.status).toBe(200)
      return verifyOverHttp(service, vp, request.id)
    },
  },
  {
    name: 'replayed through the VC-API route: a presentation that answered a stored request, sent again with its challenge',
    code: 'ERR_CHALLENGE_REPLAYED',
    run: async () => {
      const request = await createRequest(service)
      const vp = await wallet.present(request, { holder, credentialIds: goodIds() })
      expect((await verifyOverHttp(service, vp, request.id)).status).toBe(200)
      return service.api('/presentations/verify', { body: { verifiablePresentation: vp, options: { challenge: request.challenge } } })
    },
  },
  {
    name: 'a stored request’s challenge used first through the VC-API route, then answered to the request',
    code: 'ERR_CHALLENGE_REPLAYED',
    run: async () => {
      const request = await createRequest(service)
      const vp = await wallet.present(request, { holder, credentialIds: goodIds() })
      const viaVcApi = await service.api('/presentations/verify', {
        body: { verifiablePresentation: vp, options: { challenge: request.challenge, domain: request.domain } },
      })
      expect(viaVcApi.status).toBeLessThan(500)
      if (viaVcApi.status === 200) return verifyOverHttp(service, vp, request.id)
      return viaVcApi
    },
  },
  {
    name: 'expired challenge: the request expired before the answer came',
    code: 'ERR_CHALLENGE_EXPIRED',
    run: async () => {
      // Made eleven minutes ago (the verifier keeps the requests it made in memory, so the clock, not SQL, ages it).
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() - 11 * 60_000)
      const request = await createRequest(service).finally(() => vi.useRealTimers())
      return verifyOverHttp(service, await wallet.present(request, { holder, credentialIds: goodIds() }), request.id)
    },
  },
  {
    name: 'wrong domain: a presentation addressed to another verifier',
    code: 'ERR_DOMAIN_MISMATCH',
    run: async () => {
      const request = await createRequest(service)
      return verifyOverHttp(
        service,
        await wallet.present({ ...request, domain: 'other-bank.example.cn' }, { holder, credentialIds: goodIds() }),
        request.id,
      )
    },
  },
  {
    name: 'wrong challenge: a presentation made for another request',
    code: 'ERR_CHALLENGE_MISMATCH',
    run: async () => {
      const [mine, theirs] = [await createRequest(service), await createRequest(service)]
      return verifyOverHttp(service, await wallet.present(theirs, { holder, credentialIds: goodIds() }), mine.id)
    },
  },
  {
    name: 'holder not the subject: another DID presents the holder’s credential',
    code: 'ERR_HOLDER_NOT_SUBJECT',
    run: async () => {
      const request = await createRequest(service)
      return verifyOverHttp(service, await wallet.present(request, { holder: otherHolder, credentialIds: goodIds() }), request.id)
    },
  },
  {
    name: 'holder not the subject: a stranger outside any wallet presents it',
    code: 'ERR_HOLDER_NOT_SUBJECT',
    run: async () => {
      const request = await createRequest(service, ['BusinessLicenseCredential'])
      return verifyOverHttp(
        service,
        await rawPresentation(rawHolder(), [issued.BusinessLicenseCredential.jwt], request.challenge, request.domain),
        request.id,
      )
    },
  },
  {
    name: 'unknown schema: the credential names schema version 9.9.9',
    code: 'ERR_SCHEMA_UNKNOWN',
    run: async () => {
      const schema = { ...issued.BusinessLicenseCredential.credential.credentialSchema, version: '9.9.9' }
      return presentOne(
        await signAsDepartment(service, issued.BusinessLicenseCredential, { id: `urn:uuid:${randomUUID()}`, credentialSchema: schema }),
        'BusinessLicenseCredential',
      )
    },
  },
  {
    name: 'malformed JWT as the presentation',
    code: 'ERR_MALFORMED_JWT',
    run: async () => verifyOverHttp(service, 'eyJhbGciOiJFUzI1NksifQ.bm90IGpzb24.c2ln', (await createRequest(service)).id),
  },
  {
    name: 'malformed JWT as a credential inside a well-signed presentation',
    code: 'ERR_MALFORMED_JWT',
    run: async () => {
      const request = await createRequest(service, ['BusinessLicenseCredential'])
      const stranger = rawHolder()
      return verifyOverHttp(service, await rawPresentation(stranger, ['not-a-jwt'], request.challenge, request.domain), request.id)
    },
  },
  {
    name: 'empty presentation: no credential in it',
    code: 'ERR_EMPTY_PRESENTATION',
    run: async () => {
      const request = await createRequest(service)
      return verifyOverHttp(service, await rawPresentation(rawHolder(), [], request.challenge, request.domain), request.id)
    },
  },
  {
    name: 'requested type missing: asked for three, given one',
    code: 'ERR_REQUESTED_TYPE_MISSING',
    run: async () => {
      const request = await createRequest(service)
      return verifyOverHttp(
        service,
        await wallet.present(request, { holder, credentialIds: [goodHashes.BusinessLicenseCredential] }),
        request.id,
      )
    },
  },
  {
    name: 'unknown requestId',
    code: 'ERR_UNKNOWN_REQUEST',
    run: async () => {
      const request = await createRequest(service)
      return verifyOverHttp(service, await wallet.present(request, { holder, credentialIds: goodIds() }), randomUUID())
    },
  },
  {
    name: 'request body without a requestId',
    code: 'ERR_INVALID_REQUEST',
    status: 400,
    run: () => service.api('/v1/presentations/verify', { body: { presentation: 'a.b.c' } }),
  },
  {
    name: 'request body that is not JSON',
    code: 'ERR_MALFORMED_JSON',
    status: 400,
    run: () => service.api('/v1/presentations/verify', { rawBody: '{"presentation": ', headers: { 'content-type': 'application/json' } }),
  },
  {
    name: 'VC-API presentation verification without a challenge',
    code: 'ERR_INVALID_REQUEST',
    status: 400,
    run: async () =>
      service.api('/presentations/verify', {
        body: {
          verifiablePresentation: await wallet.present(
            { challenge: 'c'.repeat(16), domain: 'bank.example.cn' },
            { holder, credentialIds: [goodHashes.BusinessLicenseCredential] },
          ),
          options: {},
        },
      }),
  },
  // Governance cases last: they change the demo departments' accreditation for the rest of this file.
  {
    name: 'accreditation suspended before issuance: a credential signed after the suspension',
    code: 'ERR_ISSUER_SUSPENDED',
    run: async () =>
      presentOne(
        await signedAfter('SocialSecurityStatusCredential', await changeAccreditation('SocialSecurityStatusCredential', 'suspendIssuer')),
        'SocialSecurityStatusCredential',
      ),
  },
  {
    name: 'accreditation revoked before issuance: a credential signed after the revocation',
    code: 'ERR_ISSUER_NO_LONGER_ACCREDITED',
    run: async () =>
      presentOne(
        await signedAfter('PropertyCertificateCredential', await changeAccreditation('PropertyCertificateCredential', 'revokeIssuer')),
        'PropertyCertificateCredential',
      ),
  },
]

describe('refused, each with its own stable code, never a 5xx', () => {
  it.each(cases)('$name → $code', async ({ code, status = 422, run }) => {
    const answer = await run()
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500)
    expect(answer.status).toBe(status)
    if (status === 422) {
      expect(answer.body.verified).toBe(false)
      expect(answer.body.error.code).toBe(code)
      expect(failures(answer.body).map((f) => f.split(':')[1])).toContain(code)
    } else {
      expect(answer.body.error.code).toBe(code)
    }
  })

  it('covers every code the issue lists', () => {
    const listed = [
      'ERR_CREDENTIAL_SIGNATURE_INVALID',
      'ERR_UNKNOWN_PROOF_TYPE',
      'ERR_ISSUER_NOT_ACCREDITED',
      'ERR_CREDENTIAL_REVOKED',
      'ERR_CREDENTIAL_SUSPENDED',
      'ERR_CREDENTIAL_EXPIRED',
      'ERR_CREDENTIAL_NOT_YET_VALID',
      'ERR_CHALLENGE_REPLAYED',
      'ERR_CHALLENGE_EXPIRED',
      'ERR_DOMAIN_MISMATCH',
      'ERR_CHALLENGE_MISMATCH',
      'ERR_HOLDER_NOT_SUBJECT',
      'ERR_SCHEMA_UNKNOWN',
      'ERR_MALFORMED_JWT',
      'ERR_EMPTY_PRESENTATION',
      'ERR_REQUESTED_TYPE_MISSING',
      'ERR_UNKNOWN_REQUEST',
    ]
    expect(listed.filter((code) => !cases.some((c) => c.code === code))).toEqual([])
  })
})

describe('a JSON form must state what its JWT signs', () => {
  it('refuses a credential whose outer claims were changed (ERR_JSON_FORM_MISMATCH): a reader of the JSON is never shown what was not signed', async () => {
    const { credential } = issued.BusinessLicenseCredential
    const changed = { ...credential, credentialSubject: { ...credential.credentialSubject, enterpriseName: '南京另一家有限公司' } }
    const { status, body } = await service.api('/credentials/verify', { body: { verifiableCredential: changed } })
    expect(status).toBe(422)
    expect(body.error.code).toBe('ERR_JSON_FORM_MISMATCH')
    expect((await service.api('/credentials/verify', { body: { verifiableCredential: credential } })).status).toBe(200)
  })
})

describe('schema anchored on chain with a hash that differs from the verifier’s copy', () => {
  it('is refused ERR_SCHEMA_HASH_MISMATCH by a verifier holding the other content, and ERR_SCHEMA_UNKNOWN by one holding none', async () => {
    const { schemaId, schema: current } = loadSchema('BusinessLicenseCredential')
    const version = '2.0.0'
    const anchored = {
      ...current,
      $id: `https://schemas.govcred.example/business-license-credential/${version}`,
      'x-govcred': { credentialType: schemaId, version },
    }
    const local = { ...anchored, description: 'a copy edited after publication' }
    expect(schemaContentHash(local)).not.toBe(schemaContentHash(anchored))
    await service.ctx.governance.proposeAndApprove(
      {
        contract: 'SchemaRegistry',
        target: service.ctx.deployments.contracts.schemas,
        method: 'publishSchema',
        args: [schemaId, version, schemaContentHash(anchored), anchored.$id],
        salt: saltOf(`publishSchema:${schemaId}:${version}`),
        label: `publish schema ${schemaId} ${version}`,
      },
      service.ctx.members,
    )
    const jwt = await signAsDepartment(service, issued.BusinessLicenseCredential, {
      id: `urn:uuid:${randomUUID()}`,
      credentialSchema: { ...issued.BusinessLicenseCredential.credential.credentialSchema, id: anchored.$id, version },
    })

    const edited = await serveVerifier({
      provider: service.ctx.provider,
      deployments: service.ctx.deployments,
      db: service.ctx.db,
      domain: 'edited-schemas.bank.example',
      schemas: new SchemaSource([{ schemaId, version, schema: local }]),
    })
    const faithful = await serveVerifier({
      provider: service.ctx.provider,
      deployments: service.ctx.deployments,
      db: service.ctx.db,
      domain: 'faithful.bank.example',
      schemas: new SchemaSource([{ schemaId, version, schema: anchored }]),
    })
    try {
      const mismatch = await edited.api('/credentials/verify', { verifiableCredential: jwt })
      expect(mismatch.status).toBe(422)
      expect(mismatch.body.error.code).toBe('ERR_SCHEMA_HASH_MISMATCH')
      expect(failures(mismatch.body)).toEqual(['schema:ERR_SCHEMA_HASH_MISMATCH'])

      const unknown = await service.api('/credentials/verify', { body: { verifiableCredential: jwt } })
      expect(unknown.status).toBe(422)
      expect(unknown.body.error.code).toBe('ERR_SCHEMA_UNKNOWN')

      const same = await faithful.api('/credentials/verify', { verifiableCredential: jwt })
      expect(failures(same.body)).toEqual([])
      expect(same.status).toBe(200)
    } finally {
      await edited.close()
      await faithful.close()
    }
  })
})

describe('accreditation ended after issuance', () => {
  // Default policy: a credential's own date is no evidence of when it was signed (a suspended or revoked key
  // could backdate it), so a credential issued before its issuer was suspended is refused while the suspension
  // lasts, and one issued before its issuer was revoked must be reissued. `requireCurrentAccreditation` agrees.
  it('a credential issued before its issuer was suspended or revoked is refused under the default policy', async () => {
    await changeAccreditation('SocialSecurityStatusCredential', 'suspendIssuer')
    await changeAccreditation('PropertyCertificateCredential', 'revokeIssuer')
    const request = await createRequest(service)
    const { status, body } = await verifyOverHttp(service, await wallet.present(request, { holder, credentialIds: goodIds() }), request.id)
    expect(status).toBe(422)
    expect(failures(body).sort()).toEqual(['issuerAccredited:ERR_ISSUER_NO_LONGER_ACCREDITED', 'issuerAccredited:ERR_ISSUER_SUSPENDED'])
    expect(body.credentials.filter((c: { verified: boolean }) => c.verified).map((c: { id: string }) => c.id)).toEqual([
      issued.BusinessLicenseCredential.id,
    ])
  })

  it('is refused ERR_ISSUER_SUSPENDED / ERR_ISSUER_NO_LONGER_ACCREDITED by a verifier whose policy requires current accreditation', async () => {
    await changeAccreditation('SocialSecurityStatusCredential', 'suspendIssuer')
    await changeAccreditation('PropertyCertificateCredential', 'revokeIssuer')
    const strict = await serveVerifier({
      provider: service.ctx.provider,
      deployments: service.ctx.deployments,
      db: service.ctx.db,
      domain: 'strict.bank.example',
      policy: { requireCurrentAccreditation: true },
    })
    try {
      const request = (await strict.api('/v1/presentation-requests', { credentialTypes: THREE_TYPES, purpose: '严格审核 strict check' }))
        .body
      const vp = await wallet.present(request, { holder, credentialIds: goodIds() })
      const { status, body } = await strict.api('/v1/presentations/verify', { presentation: vp, requestId: request.id })
      expect(status).toBe(422)
      expect(failures(body).sort()).toEqual(['issuerAccredited:ERR_ISSUER_NO_LONGER_ACCREDITED', 'issuerAccredited:ERR_ISSUER_SUSPENDED'])
      expect(body.credentials.filter((c: { verified: boolean }) => c.verified).map((c: { id: string }) => c.id)).toEqual([
        issued.BusinessLicenseCredential.id,
      ])
    } finally {
      await strict.close()
    }
  })
})

describe('a challenge is accepted once, even under concurrent replays', () => {
  // The business licence only: the accreditation cases above left the other two issuers suspended and revoked.
  it('verifies exactly one of five simultaneous submissions of the same presentation, per route', async () => {
    const request = await createRequest(service, ['BusinessLicenseCredential'])
    const vp = await wallet.present(request, { holder, credentialIds: [goodHashes.BusinessLicenseCredential] })
    const viaRequest = await Promise.all(Array.from({ length: 5 }, () => verifyOverHttp(service, vp, request.id)))
    expect(viaRequest.map((a) => a.status).sort()).toEqual([200, 422, 422, 422, 422])
    expect(viaRequest.filter((a) => a.status === 422).every((a) => a.body.error.code === 'ERR_CHALLENGE_REPLAYED')).toBe(true)

    const options = { challenge: `concurrent-${randomUUID()}`, domain: 'bank.example.cn' }
    const callerVp = await wallet.present(options, { holder, credentialIds: [goodHashes.BusinessLicenseCredential] })
    const viaVcApi = await Promise.all(
      Array.from({ length: 5 }, () => service.api('/presentations/verify', { body: { verifiablePresentation: callerVp, options } })),
    )
    expect(viaVcApi.map((a) => a.status).sort()).toEqual([200, 422, 422, 422, 422])
    expect(viaVcApi.filter((a) => a.status === 422).every((a) => a.body.error.code === 'ERR_CHALLENGE_REPLAYED')).toBe(true)
  })
})
