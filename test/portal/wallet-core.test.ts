// The browser wallet's protocol core (portal/src/wallet-core) in Node, against a real service (embedded Anvil,
// SQLite, HTTP on loopback): IndexedDB from fake-indexeddb, WebCrypto, fetch and DecompressionStream from Node.
// It receives by OpenID4VCI with the transaction code, shows cards with live status, and answers the demo bank's
// OpenID4VP request disclosing only what was asked.
import 'fake-indexeddb/auto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/chain/anvil-node.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, claimsOf, readDemo, type Demo } from '../verification/verification-helpers.js'
import {
  openIndexedDbStorage,
  openWallet,
  walletErrorMessage,
  WalletCoreError,
  type Wallet,
  type WalletStorage,
} from '../../portal/src/wallet-core/index.js'
import { decodedPayload, foreignRootRequest, otherHostCertificateRequest, codeOf, type BankRequest } from './wallet-core-helpers.js'

let service: TestService
let demo: Demo
let bank: { id: string; apiKey: string }
let storage: WalletStorage
let wallet: Wallet
const dbName = `govcred-wallet-test-${crypto.randomUUID()}`
const held: Record<string, { offerId: string; cardId: string; claims: Record<string, unknown> }> = {}

const LOAN_REQUEST = {
  protocol: 'openid4vp',
  credentials: [
    { id: 'licence', type: 'BusinessLicenseCredential', claims: ['enterpriseName', 'unifiedSocialCreditCode'] },
    { id: 'insured', type: 'SocialSecurityStatusCredential', claims: ['insuredName', 'insurances'] },
  ],
  purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
}

type OfferType = 'BusinessLicenseCredential' | 'SocialSecurityStatusCredential'

/** POST /v1/credential-offers with the department's key (dc+sd-jwt). */
async function makeOffer(type: OfferType): Promise<{ id: string; offerUri: string; txCode: string; claims: Record<string, unknown> }> {
  const claims = claimsOf(type)
  const { status, body } = await service.api('/v1/credential-offers', {
    headers: bearer(demo[type].apiKey),
    body: { type, claims, format: 'dc+sd-jwt' },
  })
  expect(status, JSON.stringify(body)).toBe(201)
  return { ...body, claims }
}

async function bankRequest(body: unknown = LOAN_REQUEST): Promise<BankRequest> {
  const { status, body: created } = await service.api('/v1/presentation-requests', { headers: bearer(bank.apiKey), body })
  expect(status, JSON.stringify(created)).toBe(201)
  return created
}

const bankReads = async (id: string) => (await service.api(`/v1/presentation-requests/${id}`, { headers: bearer(bank.apiKey) })).body

beforeAll(async () => {
  // A real port: the issuer certificates name the public URL, which must be known before the service listens.
  service = await startTestService({ env: { PORT: String(await freePort()) } })
  demo = readDemo(service)
  bank = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).relyingParties[0]
  storage = await openIndexedDbStorage({ name: dbName })
  wallet = await openWallet({ storage, homeUrl: service.url })
  for (const type of ['BusinessLicenseCredential', 'SocialSecurityStatusCredential'] as const) {
    const offer = await makeOffer(type)
    const preview = await wallet.openOffer(offer.offerUri)
    const card = await wallet.acceptOffer(preview, { txCode: offer.txCode })
    held[type] = { offerId: offer.id, cardId: card.id, claims: offer.claims }
  }
}, 120_000)

afterAll(async () => {
  wallet?.close()
  await service?.dispose()
})

describe('wallet core: receive (OpenID4VCI) and cards', () => {
  it('receives a business licence and a social-security status with the transaction code; the cards say what they are in Chinese, status valid', async () => {
    const cards = await wallet.cards()
    const licence = cards.find((c) => c.id === held.BusinessLicenseCredential!.cardId)!
    const social = cards.find((c) => c.id === held.SocialSecurityStatusCredential!.cardId)!
    expect(licence.type.name).toMatchObject({ 'zh-CN': '营业执照', en: 'Business licence' })
    expect(licence.issuer.name).toMatchObject({ 'zh-CN': '南京市市场监督管理局' })
    expect(licence.issuer.logo?.uri).toMatch(/^data:image\//)
    expect(social.type.name['zh-CN']).toBe('社会保险参保状态')
    for (const card of [licence, social]) {
      expect(card.status).toMatchObject({ value: 'valid' })
      expect(card.status.checkedAt).not.toBeNull()
      expect(card.withinValidity).toBe(true)
      expect(card.issuedAt).not.toBeNull()
    }
    // Every claim decoded from its disclosure, labelled from the vct type metadata.
    const name = licence.claims.find((c) => c.name === 'enterpriseName')!
    expect(name.value).toBe(held.BusinessLicenseCredential!.claims.enterpriseName)
    expect(name.label['zh-CN']).toBe('名称')
    expect(licence.claims.map((c) => c.name)).toEqual(expect.arrayContaining(Object.keys(held.BusinessLicenseCredential!.claims)))
    expect(licence.claims.map((c) => c.name)).not.toContain('cnf')

    // The department sees its offer redeemed into a credential record.
    const offer = await service.api(`/v1/credential-offers/${held.BusinessLicenseCredential!.offerId}`, {
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
    })
    expect(offer.body).toMatchObject({ status: 'redeemed', credentialId: expect.any(String) })
  })

  it('keeps each credential bound to its own non-extractable key, in IndexedDB across a reopen', async () => {
    const again = await openIndexedDbStorage({ name: dbName })
    try {
      const stored = await again.listCredentials()
      const licence = stored.find((c) => c.id === held.BusinessLicenseCredential!.cardId)!
      const social = stored.find((c) => c.id === held.SocialSecurityStatusCredential!.cardId)!
      expect(licence.keyId).not.toBe(social.keyId)
      const key = (await again.getKey(licence.keyId))!
      expect(key.privateKey).toBeInstanceOf(CryptoKey)
      expect(key.privateKey.extractable).toBe(false)
      await expect(crypto.subtle.exportKey('jwk', key.privateKey)).rejects.toThrow()
      await expect(crypto.subtle.exportKey('pkcs8', key.privateKey)).rejects.toThrow()
      // The key read back still signs, and the credential's cnf is its public key.
      const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, new TextEncoder().encode('x'))
      expect(signature.byteLength).toBe(64)
      expect(decodedPayload(licence.compact.split('~')[0]!).cnf.jwk).toMatchObject({ x: key.publicJwk.x, y: key.publicJwk.y })
    } finally {
      again.close()
    }
  })

  it('shows a revocation once the status batch is mined, and the last known status with its time when offline', async () => {
    const offer = await makeOffer('BusinessLicenseCredential')
    const card = await wallet.acceptOffer(await wallet.openOffer(offer.offerUri), { txCode: offer.txCode })
    expect(card.status.value).toBe('valid')
    const { body: seen } = await service.api(`/v1/credential-offers/${offer.id}`, {
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
    })
    const revoked = await service.api(`/v1/credentials/${encodeURIComponent(seen.credentialId)}/revoke`, {
      method: 'POST',
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
    })
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200)
    expect(revoked.body).toMatchObject({ changed: true, onChain: 'confirmed' })

    const [after] = await wallet.refreshStatuses(card.id)
    expect(after!.status).toMatchObject({ value: 'revoked', live: true })
    // The other cards are untouched.
    expect((await wallet.card(held.BusinessLicenseCredential!.cardId)).status.value).toBe('valid')

    // A device without a network: the card keeps 'revoked' and when it was read.
    const offline = await openWallet({
      storage,
      homeUrl: service.url,
      fetch: async () => {
        throw new TypeError('fetch failed')
      },
    })
    const [kept] = await offline.refreshStatuses(card.id)
    expect(kept!.status).toEqual({ value: 'revoked', checkedAt: after!.status.checkedAt, live: false })
  })

  it('refuses a wrong transaction code (attempts left), a voided, a reused and an expired offer, each with its code and a Chinese sentence', async () => {
    const offer = await makeOffer('BusinessLicenseCredential')
    const preview = await wallet.openOffer(offer.offerUri)
    expect(preview.txCode).toMatchObject({ inputMode: 'numeric', length: 6 })
    expect(preview.issuer.name['zh-CN']).toBe('南京市市场监督管理局')
    expect(preview.credential.name['zh-CN']).toBe('营业执照')
    const wrongCode = offer.txCode === '000000' ? '111111' : '000000'

    expect(await codeOf(wallet.acceptOffer(preview, {}))).toBe('TX_CODE_REQUIRED')
    const wrong = (await wallet.acceptOffer(preview, { txCode: wrongCode }).catch((e: unknown) => e)) as WalletCoreError
    expect(wrong).toBeInstanceOf(WalletCoreError)
    expect(wrong.code).toBe('TX_CODE_WRONG')
    expect(wrong.details.attemptsLeft).toBe(2)
    expect(walletErrorMessage(wrong, 'zh-CN')).toBe('交易码不正确，请核对后重新输入（还可尝试 2 次）。')
    expect(walletErrorMessage(wrong, 'en')).toContain('2 attempts left')
    // A code of the wrong form costs no attempt at the issuer.
    const typo = (await wallet.acceptOffer(preview, { txCode: '12a' }).catch((e: unknown) => e)) as WalletCoreError
    expect(typo.details).toMatchObject({ reason: 'format' })
    const again = (await wallet.acceptOffer(preview, { txCode: wrongCode }).catch((e: unknown) => e)) as WalletCoreError
    expect(again.details.attemptsLeft).toBe(1)
    // The right code still works on the same preview.
    const card = await wallet.acceptOffer(preview, { txCode: offer.txCode })
    expect(card.type.name['zh-CN']).toBe('营业执照')

    // Reused: the same preview again, and the same link again.
    expect(await codeOf(wallet.acceptOffer(preview, { txCode: offer.txCode }))).toBe('OFFER_USED')
    const reopened = await wallet.openOffer(offer.offerUri).catch((e: unknown) => e)
    expect((reopened as WalletCoreError).code).toBe('OFFER_USED')
    expect(walletErrorMessage(reopened, 'zh-CN')).toContain('已经领取过')

    // Voided: three wrong codes.
    const voided = await makeOffer('BusinessLicenseCredential')
    const voidedPreview = await wallet.openOffer(voided.offerUri)
    const otherCode = voided.txCode === '000000' ? '111111' : '000000'
    expect(await codeOf(wallet.acceptOffer(voidedPreview, { txCode: otherCode }))).toBe('TX_CODE_WRONG')
    expect(await codeOf(wallet.acceptOffer(voidedPreview, { txCode: otherCode }))).toBe('TX_CODE_WRONG')
    expect(await codeOf(wallet.acceptOffer(voidedPreview, { txCode: otherCode }))).toBe('OFFER_VOIDED')
    expect(await codeOf(wallet.acceptOffer(voidedPreview, { txCode: voided.txCode }))).toBe('OFFER_VOIDED')

    // Expired while the person was typing the code; then the link itself is gone.
    const expiring = await makeOffer('SocialSecurityStatusCredential')
    const expiringPreview = await wallet.openOffer(expiring.offerUri)
    await service.ctx.db.query(`UPDATE govcred_credential_offers SET expiresAt = ? WHERE id = ?`, [
      new Date(Date.now() - 1000).toISOString(),
      expiring.id,
    ])
    const expired = await wallet.acceptOffer(expiringPreview, { txCode: expiring.txCode }).catch((e: unknown) => e)
    expect((expired as WalletCoreError).code).toBe('OFFER_EXPIRED')
    expect(walletErrorMessage(expired, 'zh-CN')).toBe('领取链接已过期。请向办事人员重新申请。')
    expect(await codeOf(wallet.openOffer(expiring.offerUri))).toBe('OFFER_UNAVAILABLE')

    // Nothing half-received is left behind: no card and no key for the refused ones.
    const stored = await storage.listCredentials()
    expect(stored.filter((c) => c.credentialIssuer.endsWith('/human-resources-social-security')).length).toBe(1)
  })

  it('takes the portal link and the offer by value; refuses what is no offer', async () => {
    const offer = await makeOffer('SocialSecurityStatusCredential')
    const portalLink = `${service.url}/wallet/receive?offer=${encodeURIComponent(offer.offerUri)}`
    const preview = await wallet.openOffer(portalLink)
    expect(preview.credential.name['zh-CN']).toBe('社会保险参保状态')
    const byValueOffer = await (await fetch(new URL(offer.offerUri).searchParams.get('credential_offer_uri')!)).json()
    const byValue = await wallet.openOffer(
      `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(byValueOffer))}`,
    )
    const card = await wallet.acceptOffer(byValue, { txCode: offer.txCode })
    expect(card.status.value).toBe('valid')
    await wallet.deleteCredential(card.id)
    expect(await codeOf(wallet.card(card.id))).toBe('CREDENTIAL_NOT_FOUND')

    expect(await codeOf(wallet.openOffer('hello'))).toBe('OFFER_INVALID')
    expect(await codeOf(wallet.openOffer('openid-credential-offer://?credential_offer=%7Bnot'))).toBe('OFFER_INVALID')
    expect(await codeOf(wallet.openOffer('openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fissuer.example%2Fo'))).toBe(
      'INSECURE_URL',
    )
  })
})

describe('wallet core: present (OpenID4VP)', () => {
  it("shows the bank's name, the purpose and the claims; sends only them; the bank reads verified; the history keeps no values", async () => {
    const request = await bankRequest()
    const plan = await wallet.openPresentationRequest(`${service.url}/wallet/present?request=${encodeURIComponent(request.deepLink)}`)
    expect(plan.verifier.name).toEqual({ 'zh-CN': '南京银行（演示）', en: 'Demo Bank of Nanjing' })
    expect(plan.verifier.clientName).toMatchObject({ 'zh-CN': '南京银行（演示）', en: 'Demo Bank of Nanjing' })
    expect(plan.verifier.host).toBe('127.0.0.1')
    expect(plan.purpose).toEqual({ 'zh-CN': '贷款审核', en: 'Loan check' })
    expect(plan.responseMode).toBe('direct_post')
    const licence = plan.credentials.find((c) => c.queryId === 'licence')!
    const insured = plan.credentials.find((c) => c.queryId === 'insured')!
    expect(licence.typeName['zh-CN']).toBe('营业执照')
    expect(licence.status).toBe('valid')
    // Of the licences held, a valid one answers (the newest); any known to be revoked come last.
    const options = [licence.credentialId, ...licence.alternatives]
    expect(options).toContain(held.BusinessLicenseCredential!.cardId)
    const statuses = await Promise.all(options.map(async (id) => (await wallet.card(id)).status.value))
    expect(statuses[0]).toBe('valid')
    const firstRevoked = statuses.indexOf('revoked')
    if (firstRevoked >= 0) expect(statuses.slice(firstRevoked).every((s) => s === 'revoked')).toBe(true)
    expect(licence.claims.map((c) => c.name)).toEqual(['enterpriseName', 'unifiedSocialCreditCode'])
    expect(licence.claims[0]!.label['zh-CN']).toBe('名称')
    expect(licence.claims[0]!.value).toBe(held.BusinessLicenseCredential!.claims.enterpriseName)
    expect(insured.claims.map((c) => c.name)).toEqual(['insuredName', 'insurances'])

    await wallet.sendPresentation(plan)

    const result = await bankReads(request.id)
    expect(result.state).toBe('answered')
    expect(result.result.verified, JSON.stringify(result.result.checks)).toBe(true)
    const licenceClaims = held.BusinessLicenseCredential!.claims
    const socialClaims = held.SocialSecurityStatusCredential!.claims
    const seenLicence = result.result.credentials.find((c: { claims: Record<string, unknown> }) => 'enterpriseName' in c.claims)
    const seenInsured = result.result.credentials.find((c: { claims: Record<string, unknown> }) => 'insuredName' in c.claims)
    expect(seenLicence.claims).toMatchObject({
      enterpriseName: licenceClaims.enterpriseName,
      unifiedSocialCreditCode: licenceClaims.unifiedSocialCreditCode,
    })
    expect(seenInsured.claims).toMatchObject({ insuredName: socialClaims.insuredName, insurances: socialClaims.insurances })
    // The bank never sees what it did not ask for.
    for (const hidden of ['legalRepresentative', 'registeredCapital', 'domicile', 'businessScope'])
      expect(seenLicence.claims).not.toHaveProperty(hidden)
    for (const hidden of ['idNumberMasked', 'city', 'asOf']) expect(seenInsured.claims).not.toHaveProperty(hidden)
    expect(JSON.stringify(result.result)).not.toContain(String(licenceClaims.legalRepresentative))
    expect(JSON.stringify(result.result)).not.toContain(String(socialClaims.idNumberMasked))

    const [entry] = await wallet.history()
    expect(entry).toMatchObject({
      outcome: 'sent',
      host: '127.0.0.1',
      verifierName: { 'zh-CN': '南京银行（演示）', en: 'Demo Bank of Nanjing' },
      purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
    })
    expect(entry!.credentials.map((c) => c.claims)).toEqual([
      ['enterpriseName', 'unifiedSocialCreditCode'],
      ['insuredName', 'insurances'],
    ])
    const history = JSON.stringify(await wallet.history())
    for (const value of [licenceClaims.enterpriseName, licenceClaims.unifiedSocialCreditCode, socialClaims.insuredName]) {
      expect(history).not.toContain(String(value))
    }

    // The request is answered: a second answer is refused by the bank's node before anything is verified.
    expect(await codeOf(wallet.openPresentationRequest(request.deepLink))).toBe('REQUEST_ANSWERED')
  })

  it('declining sends access_denied: the bank sees the request declined, nothing disclosed', async () => {
    const request = await bankRequest()
    const plan = await wallet.openPresentationRequest(request.deepLink)
    await wallet.declinePresentation(plan)
    const result = await bankReads(request.id)
    expect(result.state).toBe('answered')
    expect(result.result).toMatchObject({ verified: false, credentials: [], walletError: { error: 'access_denied' } })
    const [entry] = await wallet.history()
    expect(entry).toMatchObject({ outcome: 'declined', verifierName: { en: 'Demo Bank of Nanjing' } })
  })

  it('answers a direct_post.jwt request encrypted to the bank (ECDH-ES), and declines one the same way', async () => {
    const request = await bankRequest({ ...LOAN_REQUEST, responseMode: 'direct_post.jwt' })
    const plan = await wallet.openPresentationRequest(request.deepLink)
    expect(plan.responseMode).toBe('direct_post.jwt')
    expect(plan.session.request.clientMetadata.jwks).toMatchObject({ keys: [{ kty: 'EC', crv: 'P-256' }] })
    await wallet.sendPresentation(plan)
    const result = await bankReads(request.id)
    expect(result.state).toBe('answered')
    expect(result.result.verified, JSON.stringify(result.result.checks)).toBe(true)
    const seen = result.result.credentials.find((c: { claims: Record<string, unknown> }) => 'enterpriseName' in c.claims)
    expect(Object.keys(seen.claims).sort()).toEqual(['enterpriseName', 'unifiedSocialCreditCode'])

    const declined = await bankRequest({ ...LOAN_REQUEST, responseMode: 'direct_post.jwt' })
    await wallet.declinePresentation(await wallet.openPresentationRequest(declined.deepLink))
    expect((await bankReads(declined.id)).result).toMatchObject({ verified: false, walletError: { error: 'access_denied' } })
  })

  it('says which credential is missing when the wallet holds none that answers', async () => {
    const request = await bankRequest({
      ...LOAN_REQUEST,
      credentials: [{ id: 'flat', type: 'PropertyCertificateCredential', claims: ['location'] }],
    })
    const refused = (await wallet.openPresentationRequest(request.deepLink).catch((e: unknown) => e)) as WalletCoreError
    expect(refused.code).toBe('NO_MATCHING_CREDENTIAL')
    expect(refused.details.verifierName).toMatchObject({ 'zh-CN': '南京银行（演示）' })
    // The vct the query accepts, for the UI to name the department that issues it.
    expect(refused.details.missing).toEqual([
      {
        queryId: 'flat',
        typeName: expect.objectContaining({ 'zh-CN': '不动产权证书' }),
        vcts: [`${service.url}/vct/PropertyCertificateCredential`],
      },
    ])
    expect(walletErrorMessage(refused, 'zh-CN')).toBe('您的卡包中没有对方要求的凭证：不动产权证书。请先向签发部门领取。')
    expect((await bankReads(request.id)).state).toBe('pending')
  })

  it('refuses a request signed under another root, naming another host, tampered, unsigned or expired; nothing reaches the bank', async () => {
    const request = await bankRequest()
    const clientId = new URL(request.deepLink).searchParams.get('client_id')!
    const jwt = await (await fetch(request.requestUri)).text()
    const payload = decodedPayload(jwt)
    const byValue = (id: string, object: string) => `openid4vp://?client_id=${encodeURIComponent(id)}&request=${object}`
    const untrusted = async (link: string) => {
      const error = (await wallet.openPresentationRequest(link).catch((e: unknown) => e)) as WalletCoreError
      expect(error, String(error)).toBeInstanceOf(WalletCoreError)
      expect(error.code, error.message).toBe('VERIFIER_UNTRUSTED')
      return error.details.reason
    }

    // Signed by a certificate of a root that is not the consortium's (SAN DNS 127.0.0.1 and all).
    expect(await untrusted(byValue(clientId, await foreignRootRequest(payload)))).toBe('root')
    // Certified by the consortium root, but for another DNS name than the client identifier's.
    expect(await untrusted(byValue(clientId, await otherHostCertificateRequest(service.ctx.issuerRootCa, payload)))).toBe('host')
    // The bank's own identity, sending the answer to another host.
    const elsewhere = await service.relyingPartyIdentities.signRequestObject(bank.id, {
      ...payload,
      response_uri: 'https://elsewhere.example/oid4vp/responses/x',
    })
    expect(await untrusted(byValue(clientId, elsewhere))).toBe('response-uri')
    // The link names another verifier than the signed request.
    expect(await untrusted(byValue('x509_san_dns:bank.example', jwt))).toBe('client-id')
    // Tampered after signing.
    const [h, , s] = jwt.split('.')
    const changed = Buffer.from(JSON.stringify({ ...payload, nonce: 'mine' })).toString('base64url')
    expect(await untrusted(byValue(clientId, `${h}.${changed}.${s}`))).toBe('signature')
    // Unsigned, by value or as plain link parameters.
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'oauth-authz-req+jwt' })).toString('base64url')}.${jwt.split('.')[1]}.`
    expect(await untrusted(byValue(clientId, none))).toBe('unsigned')
    expect(await untrusted(`openid4vp://?client_id=${encodeURIComponent(clientId)}&response_type=vp_token&nonce=n`)).toBe('unsigned')
    // Expired.
    const stale = await service.relyingPartyIdentities.signRequestObject(bank.id, { ...payload, exp: Math.floor(Date.now() / 1000) - 5 })
    expect(await codeOf(wallet.openPresentationRequest(byValue(clientId, stale)))).toBe('REQUEST_EXPIRED')
    // Unknown at the bank's node.
    const unknown = `openid4vp://?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(`${request.requestUri}x`)}`
    expect(await codeOf(wallet.openPresentationRequest(unknown))).toBe('REQUEST_EXPIRED')

    expect(walletErrorMessage(new WalletCoreError('VERIFIER_UNTRUSTED'), 'zh-CN')).toContain('未出示任何内容')
    expect((await bankReads(request.id)).state).toBe('pending')
  })
})

describe('wallet core: forgetting (the last tests: they empty the wallet)', () => {
  it('clears the history alone, then deletes every credential, key, history entry and setting on the device', async () => {
    expect((await wallet.history()).length).toBeGreaterThan(0)
    await storage.putSetting('test', 1)
    const cardsBefore = (await wallet.cards()).length
    expect(cardsBefore).toBeGreaterThan(0)
    await wallet.clearHistory()
    expect(await wallet.history()).toEqual([])
    expect((await wallet.cards()).length).toBe(cardsBefore)

    const { keyId } = (await storage.listCredentials())[0]!
    await wallet.deleteAllData()
    expect(await wallet.cards()).toEqual([])
    expect(await storage.getKey(keyId)).toBeUndefined()
    expect(await storage.getSetting('test')).toBeUndefined()
    // Still usable afterwards: a new offer is received into the emptied wallet.
    const offer = await makeOffer('BusinessLicenseCredential')
    await wallet.acceptOffer(await wallet.openOffer(offer.offerUri), { txCode: offer.txCode })
    expect((await wallet.cards()).length).toBe(1)
  })
})
