// The web wallet's small pure helpers (portal/src/views/wallet): which page a scanned or pasted link belongs to,
// the contrast check that decides whether an issuer's card colours are used, and claims in their type's order.
import { describe, expect, it } from 'vitest'
import { walletLinkTarget } from '../../portal/src/views/wallet/wallet-links.js'
import { contrastRatio, inTypeOrder } from '../../portal/src/views/wallet/wallet-display.js'

const OFFER = 'openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fgov.example%2Foid4vci%2Fmsb%2Foffers%2Fabc'
const REQUEST = 'openid4vp://?client_id=x509_san_dns%3Abank.example&request_uri=https%3A%2F%2Fbank.example%2Foid4vp%2Frequests%2Fr1'

describe('walletLinkTarget', () => {
  it.each([
    ['a standard offer link', OFFER, { page: 'receive', offer: OFFER }],
    ['an offer by value, any scheme', 'haip://?credential_offer=%7B%7D', { page: 'receive', offer: 'haip://?credential_offer=%7B%7D' }],
    ['the portal receive link', `https://gov.example/wallet/receive?offer=${encodeURIComponent(OFFER)}`, { page: 'receive', offer: OFFER }],
    ['a standard request link', REQUEST, { page: 'present', request: REQUEST }],
    ['a request by value', 'openid4vp://?client_id=x&request=eyJ', { page: 'present', request: 'openid4vp://?client_id=x&request=eyJ' }],
    [
      'the portal present link',
      `https://gov.example/wallet/present?request=${encodeURIComponent(REQUEST)}`,
      { page: 'present', request: REQUEST },
    ],
    ['a link with spaces around it', `  ${REQUEST}\n`, { page: 'present', request: REQUEST }],
  ])('sorts %s', (_name, link, target) => {
    expect(walletLinkTarget(link)).toEqual(target)
  })

  it.each([
    ['text', 'hello'],
    ['an ordinary web page', 'https://gov.example/guide'],
    ['the portal receive page without an offer', 'https://gov.example/wallet/receive'],
    ['an empty string', ''],
  ])('leaves %s to the page it was given on', (_name, link) => {
    expect(walletLinkTarget(link)).toBeUndefined()
  })
})

describe('contrastRatio', () => {
  it('measures WCAG contrast of hex colours', () => {
    expect(contrastRatio('#000', '#fff')).toBeCloseTo(21, 5)
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5)
    expect(contrastRatio('#c8102e', '#ffffff')!).toBeGreaterThan(4.5)
    expect(contrastRatio('#409eff', '#ffffff')!).toBeLessThan(4.5)
  })

  it('declines colours it cannot read', () => {
    expect(contrastRatio('red', '#fff')).toBeUndefined()
    expect(contrastRatio('#12345', '#fff')).toBeUndefined()
    expect(contrastRatio('rgb(0,0,0)', '#fff')).toBeUndefined()
  })
})

describe('inTypeOrder', () => {
  it('orders claims as the type metadata lists them, unknown ones last, without changing the input', () => {
    const claims = [{ name: 'domicile' }, { name: 'extra' }, { name: 'enterpriseName' }, { name: 'unifiedSocialCreditCode' }]
    const labels = {
      unifiedSocialCreditCode: { 'zh-CN': '统一社会信用代码' },
      enterpriseName: { 'zh-CN': '名称' },
      domicile: { 'zh-CN': '住所' },
    }
    expect(inTypeOrder(claims, labels).map((c) => c.name)).toEqual(['unifiedSocialCreditCode', 'enterpriseName', 'domicile', 'extra'])
    expect(claims[0]!.name).toBe('domicile')
  })
})
