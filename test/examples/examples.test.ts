/**
 * The runnable examples in examples/ complete against a real service (embedded Anvil, SQLite, HTTP on
 * loopback) and show what they claim to show.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { freePort } from '../../src/chain/anvil-node.js'
import { main as bankLoanCheck } from '../../examples/bank-loan-check.js'
import { main as marketSupervision } from '../../examples/market-supervision.js'
import { main as realEstate } from '../../examples/real-estate.js'
import { main as socialSecurity } from '../../examples/social-security.js'
import { main as openABusiness } from '../../examples/open-a-business.js'

describe('examples', () => {
  let service: TestService
  let lines: string[]
  const options = () => ({ baseUrl: service.url, dataDir: service.dataDir, log: (line: string) => void lines.push(line) })

  beforeAll(async () => {
    // A real port, as in any deployment: the issuer's URLs and certificates (market-supervision's offer to a
    // standard wallet) are built from the public URL.
    service = await startTestService({ env: { PORT: String(await freePort()) } })
  }, 60_000)

  afterAll(async () => {
    await service?.dispose()
  })

  beforeEach(() => {
    lines = []
  })

  it('market-supervision: issue, suspend, reinstate, revoke, with the on-chain status after each and the audit trail', async () => {
    const outcome = await marketSupervision(options())
    expect(outcome.statuses).toEqual(['active', 'suspended', 'active', 'revoked'])
    expect(outcome.reinstateAfterRevoke).toBe('ERR_CREDENTIAL_REVOKED')
    expect(outcome.auditActions).toEqual(['issue', 'suspend', 'reinstate', 'revoke'])
    expect(outcome.auditIntact).toBe(true)
    expect(lines.join('\n')).toContain('已撤销')
    // The standard-wallet part: an offer with its QR code in the terminal, received by the example's wallet.
    expect(outcome.offer.offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/)
    expect(outcome.offer.qr).toMatch(/[▀▄█]/)
    expect(lines.join('\n')).toContain(outcome.offer.qr.split('\n')[0]!)
    expect(outcome.offer).toMatchObject({ state: 'redeemed', walletFormat: 'dc+sd-jwt', walletStatus: 'valid' })
    expect(outcome.offer.credentialId).toBeTruthy()
  })

  it('real-estate: the seller certificate is current, then after the transfer only the buyer certificate is', async () => {
    const outcome = await realEstate(options())
    expect(outcome).toMatchObject({
      sellerCurrentBefore: true,
      sellerCurrentAfter: false,
      buyerCurrentAfter: true,
      sellerStatus: 'revoked',
      buyerStatus: 'active',
    })
  })

  it('social-security: a refreshed status supersedes the first, which turns revoked on chain; suspend and reinstate', async () => {
    const outcome = await socialSecurity(options())
    expect(outcome.superseded).toEqual([outcome.firstCredentialId])
    expect(outcome.firstStatusBefore).toBe('active')
    expect(outcome.firstStatusAfter).toBe('revoked')
    expect(outcome.refreshedStatuses).toEqual(['active', 'suspended', 'active'])
  })

  it('bank-loan-check: by OpenID4VP, only the requested claims reach the bank, verified; refused with ERR_CREDENTIAL_REVOKED once the property certificate is revoked', async () => {
    const outcome = await bankLoanCheck(options())
    expect(outcome.first.verified).toBe(true)
    expect(outcome.first.checks.every((c) => c.ok)).toBe(true)
    expect(outcome.first.checks.map((c) => c.check)).toEqual(expect.arrayContaining(['keyBinding', 'disclosures', 'requestedClaims']))
    expect(outcome.disclosed).toEqual({
      BusinessLicenseCredential: ['enterpriseName', 'enterpriseType', 'unifiedSocialCreditCode'],
      PropertyCertificateCredential: ['certificateNumber', 'encumbrances', 'location'],
      SocialSecurityStatusCredential: ['asOf', 'city', 'insuredName'],
    })
    // The bank never saw the rest: e.g. the legal representative, the owners, the ID number.
    expect(outcome.hidden.BusinessLicenseCredential).toEqual(expect.arrayContaining(['legalRepresentative', 'registeredCapital']))
    expect(outcome.hidden.PropertyCertificateCredential).toEqual(expect.arrayContaining(['owners', 'area']))
    expect(outcome.hidden.SocialSecurityStatusCredential).toEqual(expect.arrayContaining(['idNumberMasked', 'insurances']))
    for (const credential of outcome.first.credentials) {
      const type = credential.types.find((t) => t !== 'VerifiableCredential')!
      for (const name of outcome.hidden[type]!) expect(credential.claims).not.toHaveProperty(name)
    }
    expect(outcome.second.verified).toBe(false)
    expect(outcome.second.failedCodes).toEqual(['ERR_CREDENTIAL_REVOKED'])
    const text = lines.join('\n')
    expect(text).toContain('南京银行（演示）')
    expect(text).toContain('银行没有看到 the bank did not see')
    expect(text).toContain('✓ 核验通过 / VERIFIED')
    expect(text).toContain('ERR_CREDENTIAL_REVOKED')
  })

  it('open-a-business: one form, one presentation, the licence and the social insurance registration issued with no clerk', async () => {
    const outcome = await openABusiness(options())
    expect(outcome.caseStates.at(-1)).toBe('completed')
    expect(outcome.steps).toEqual({ 'open-a-business': 'issued', 'register-employer': 'issued' })
    expect(outcome.received.BusinessLicenseCredential).toMatchObject({ format: 'dc+sd-jwt', walletStatus: 'valid' })
    expect(outcome.received.SocialInsuranceRegistrationCredential).toMatchObject({ format: 'dc+sd-jwt', walletStatus: 'valid' })
    expect(lines.join('\n')).toContain('已办结')
  })

  it('an example fails with the API error code when the service is not reachable', async () => {
    await expect(marketSupervision({ baseUrl: 'http://127.0.0.1:1', dataDir: service.dataDir, log: () => {} })).rejects.toMatchObject({
      code: 'ERR_CLIENT_SERVICE_UNREACHABLE',
    })
  })
})
