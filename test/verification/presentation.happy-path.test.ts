import { randomUUID } from 'node:crypto'
import { normalizeCredential } from 'did-jwt-vc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  ALL_PRESENTATION_CHECKS,
  THREE_TYPES,
  createRequest,
  failures,
  isoSeconds,
  issueThree,
  openWallet,
  payloadOf,
  readDemo,
  signAsDepartment,
  verifyOverHttp,
  type Demo,
  type GovcredType,
  type Issued,
} from './verification-helpers.js'

let service: TestService
let demo: Demo
const wallets: HolderWallet[] = []

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  for (const wallet of wallets) await wallet.close()
  await service?.dispose()
})

describe.each(['key', 'ethr'] as const)('a holder with did:%s', (method) => {
  let wallet: HolderWallet
  let holder: string
  let issued: Record<GovcredType, Issued>

  beforeAll(async () => {
    wallet = await openWallet()
    wallets.push(wallet)
    holder = await wallet.createDid(method)
    issued = await issueThree(service, demo, holder)
    for (const type of THREE_TYPES) await wallet.importCredential(issued[type].jwt)
  })

  it('keeps the three credentials in its wallet', async () => {
    expect(holder.startsWith(method === 'key' ? 'did:key:z' : 'did:ethr:govcred:0x')).toBe(true)
    const held = await wallet.listCredentials()
    expect(held.map((c) => c.id).sort()).toEqual(THREE_TYPES.map((t) => issued[t].id).sort())
    expect(held.every((c) => c.subject === holder)).toBe(true)
  })

  it('is verified by the bank, every check listed and passed, claims returned', async () => {
    const request = await createRequest(service, THREE_TYPES, '个人经营贷款审核 business loan check')
    expect(request).toMatchObject({
      id: expect.any(String),
      challenge: expect.any(String),
      domain: expect.any(String),
      expiresAt: expect.any(String),
    })
    expect(Date.parse(request.expiresAt)).toBeGreaterThan(Date.now())

    const vp = await wallet.present(request, { holder })
    const signed = payloadOf(vp)
    expect(signed).toMatchObject({ iss: holder, nonce: request.challenge, aud: expect.arrayContaining([request.domain]) })
    expect(signed.vp.verifiableCredential).toHaveLength(3)

    const { status, body } = await verifyOverHttp(service, vp, request.id)
    expect(failures(body)).toEqual([])
    expect(status).toBe(200)
    expect(body.verified).toBe(true)
    expect(body.holder).toBe(holder)
    expect([...new Set(body.checks.map((c: { check: string }) => c.check))].sort()).toEqual(ALL_PRESENTATION_CHECKS)
    expect(body.checks.every((c: { ok: boolean; code: string }) => c.ok && c.code === 'OK')).toBe(true)
    for (const index of [0, 1, 2]) {
      const perCredential = body.checks
        .filter((c: { credential?: number }) => c.credential === index)
        .map((c: { check: string }) => c.check)
        .sort()
      expect(perCredential).toEqual([
        'credentialProof',
        'credentialSignature',
        'holderIsSubject',
        'issuerAccredited',
        'issuerResolved',
        'schema',
        'status',
        'validity',
      ])
    }

    expect(body.credentials).toHaveLength(3)
    const byType = Object.fromEntries(
      body.credentials.map((c: { types: string[] }) => [c.types.find((t) => t !== 'VerifiableCredential'), c]),
    )
    expect(byType.BusinessLicenseCredential).toMatchObject({
      id: issued.BusinessLicenseCredential.id,
      issuer: demo.BusinessLicenseCredential.did,
      issuerName: '南京市市场监督管理局',
      subject: holder,
      verified: true,
      claims: { enterpriseName: '南京鼓楼智链科技有限公司', unifiedSocialCreditCode: '91320106MA1X7K2P9E' },
    })
    expect(byType.PropertyCertificateCredential.claims.certificateNumber).toBe('苏(2024)南京市不动产权第0012345号')
    expect(byType.SocialSecurityStatusCredential.claims.insuredName).toBe('李明')
    expect(byType.SocialSecurityStatusCredential.claims.id).toBeUndefined()
  })

  it('is verified when sent as a JSON presentation whose JwtProof2020 carries the VP-JWT', async () => {
    const request = await createRequest(service)
    const vp = await wallet.present(request, { holder })
    const asObject = { ...payloadOf(vp).vp, holder, proof: { type: 'JwtProof2020', jwt: vp } }
    const { status, body } = await verifyOverHttp(service, asObject, request.id)
    expect(failures(body)).toEqual([])
    expect(status).toBe(200)
  })

  it('chooses, by default, the newest credential of each type that is within its validity period', async () => {
    const later = Math.floor(Date.now() / 1000) + 86_400
    const notYetValid = await signAsDepartment(service, issued.BusinessLicenseCredential, {
      id: `urn:uuid:${randomUUID()}`,
      issuanceDate: isoSeconds(later),
    })
    await wallet.importCredential(notYetValid)
    const request = await createRequest(service, ['BusinessLicenseCredential'])
    const vp = await wallet.present(request, { holder })
    expect(payloadOf(vp).vp.verifiableCredential).toEqual([issued.BusinessLicenseCredential.jwt])
    expect((await verifyOverHttp(service, vp, request.id)).status).toBe(200)
  })

  it('discloses only the chosen credentials', async () => {
    const request = await createRequest(service, ['PropertyCertificateCredential'], '抵押评估 mortgage valuation')
    const vp = await wallet.present(request, { holder })
    expect(payloadOf(vp).vp.verifiableCredential).toEqual([issued.PropertyCertificateCredential.jwt])
    const { status, body } = await verifyOverHttp(service, vp, request.id)
    expect(status).toBe(200)
    expect(body.credentials.map((c: { id: string }) => c.id)).toEqual([issued.PropertyCertificateCredential.id])
  })

  it('is verified through the W3C VC-API: POST /presentations/verify with a caller challenge', async () => {
    const options = { challenge: `vc-api-${method}-${Date.now()}-challenge`, domain: 'bank.example.cn' }
    const vp = await wallet.present({ ...options, credentialTypes: [...THREE_TYPES] }, { holder })
    const { status, body } = await service.api('/presentations/verify', { body: { verifiablePresentation: vp, options } })
    expect(failures(body)).toEqual([])
    expect(status).toBe(200)
    expect(body.verified).toBe(true)
    expect(body.credentials).toHaveLength(3)
    // The caller's challenge, too, is accepted once.
    const again = await service.api('/presentations/verify', { body: { verifiablePresentation: vp, options } })
    expect(again.status).toBe(422)
    expect(again.body.error.code).toBe('ERR_CHALLENGE_REPLAYED')
  })

  it('has each credential verified alone through POST /credentials/verify, as a JWT and as a JSON object with a JwtProof2020', async () => {
    for (const type of THREE_TYPES) {
      const asJwt = await service.api('/credentials/verify', { body: { verifiableCredential: issued[type].jwt } })
      expect(failures(asJwt.body), type).toEqual([])
      expect(asJwt.status).toBe(200)
      expect(asJwt.body.credentials[0]).toMatchObject({ id: issued[type].id, subject: holder, verified: true })
      expect(asJwt.body.checks.map((c: { check: string }) => c.check).sort()).toEqual([
        'credentialProof',
        'credentialSignature',
        'issuerAccredited',
        'issuerResolved',
        'schema',
        'status',
        'validity',
      ])

      // The JSON form stock did-jwt-vc gives the JWT (as Veramo wallets hold it), and the one issuance answered.
      for (const asObject of [normalizeCredential(issued[type].jwt), issued[type].credential]) {
        const objectForm = await service.api('/credentials/verify', { body: { verifiableCredential: asObject } })
        expect(objectForm.status, JSON.stringify(objectForm.body)).toBe(200)
        expect(objectForm.body.verified).toBe(true)
      }
    }
  })
})
