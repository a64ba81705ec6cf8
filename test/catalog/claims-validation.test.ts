import { describe, expect, it } from 'vitest'
import { isValidPropertyUnitNumber } from '../../src/catalog/schemas/property-unit.js'
import { FIELD_ERROR_CODES, validateClaims, type FieldErrorCode } from '../../src/catalog/schemas/validate-claims.js'
import { CREDENTIAL_TYPE_NAMES, type CredentialTypeName } from '../../src/catalog/credential-types.js'
import {
  businessLicenseClaims,
  claimsFor,
  MASKED_ID,
  NANJING_PROPERTY_UNIT,
  NANJING_USCC,
  propertyCertificateClaims,
  socialSecurityStatusClaims,
} from '../fixtures/claims.js'

function omit<T extends object>(value: T, key: keyof T): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  delete copy[key as string]
  return copy
}

const owner = (idNumberMasked: string, share: number) => ({ name: '权利人', idNumberMasked, share })
const pension = { type: 'pension', status: 'active', contributionMonths: 12, lastContributionMonth: '2024-05' } as const

interface PassVector {
  name: string
  type: CredentialTypeName
  claims: unknown
}

interface FailVector extends PassVector {
  /** The complete list of errors expected, in any order. */
  errors: { field: string; code: FieldErrorCode }[]
}

const vectors: { pass: PassVector[]; fail: FailVector[] } = {
  pass: [
    ...CREDENTIAL_TYPE_NAMES.map((type) => ({ name: `${type} fixture`, type, claims: claimsFor(type) })),
    { name: 'licence without holder DID', type: 'BusinessLicenseCredential', claims: omit(businessLicenseClaims(), 'id') },
    {
      name: 'licence with a fixed business term',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ businessTerm: { from: '2018-06-15', until: '2038-06-14' } }),
    },
    {
      name: 'licence with zero registered capital in USD',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ registeredCapital: { amount: 0, currency: 'USD' } }),
    },
    {
      name: 'licence established on a leap day',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ dateOfEstablishment: '2020-02-29' }),
    },
    {
      name: 'property with a sole owner',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [owner(MASKED_ID.four, 1)] }),
    },
    {
      name: 'property owned by an enterprise (USCC)',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [owner(NANJING_USCC.jiangning, 1)] }),
    },
    {
      name: 'property in thirds written as decimals',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({
        owners: [owner(MASKED_ID.six, 0.3333333), owner(MASKED_ID.five, 0.3333333), owner(MASKED_ID.four, 0.3333334)],
      }),
    },
    {
      name: 'land-only unit without exclusive area or encumbrance note',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({
        propertyUnitNumber: NANJING_PROPERTY_UNIT.landOnly,
        area: { buildingArea: 120 },
        encumbrances: { mortgage: false, seizure: false },
      }),
    },
    {
      name: 'social security with one insurance and a 4-digit masked ID',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ idNumberMasked: MASKED_ID.four, insurances: [pension] }),
    },
    {
      name: 'social security with a masked ID ending in X',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ idNumberMasked: MASKED_ID.five }),
    },
  ],
  fail: [
    // Business licence
    {
      name: 'missing enterprise name',
      type: 'BusinessLicenseCredential',
      claims: omit(businessLicenseClaims(), 'enterpriseName'),
      errors: [{ field: '/enterpriseName', code: 'ERR_FIELD_REQUIRED' }],
    },
    {
      name: 'missing nested currency',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ registeredCapital: { amount: 100 } as never }),
      errors: [{ field: '/registeredCapital/currency', code: 'ERR_FIELD_REQUIRED' }],
    },
    {
      name: 'unknown top-level claim',
      type: 'BusinessLicenseCredential',
      claims: { ...businessLicenseClaims(), paidInCapital: 1 },
      errors: [{ field: '/paidInCapital', code: 'ERR_FIELD_UNKNOWN' }],
    },
    {
      name: 'unknown nested claim',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ registeredCapital: { amount: 1, currency: 'CNY', unit: '万元' } as never }),
      errors: [{ field: '/registeredCapital/unit', code: 'ERR_FIELD_UNKNOWN' }],
    },
    {
      name: 'USCC with a wrong check character',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ unifiedSocialCreditCode: '91320106MA1X7K2P9F' }),
      errors: [{ field: '/unifiedSocialCreditCode', code: 'ERR_USCC_CHECK_CHARACTER' }],
    },
    {
      name: 'USCC with an excluded letter',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ unifiedSocialCreditCode: '91320106MA1X7K2POE' }),
      errors: [{ field: '/unifiedSocialCreditCode', code: 'ERR_FIELD_PATTERN' }],
    },
    {
      name: 'USCC too short',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ unifiedSocialCreditCode: '91320106MA1X7K2P9' }),
      errors: [
        { field: '/unifiedSocialCreditCode', code: 'ERR_FIELD_LENGTH' },
        { field: '/unifiedSocialCreditCode', code: 'ERR_FIELD_PATTERN' },
      ],
    },
    {
      name: 'negative registered capital',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ registeredCapital: { amount: -1, currency: 'CNY' } }),
      errors: [{ field: '/registeredCapital/amount', code: 'ERR_FIELD_RANGE' }],
    },
    {
      name: 'registered capital as a string',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ registeredCapital: { amount: '1000万元', currency: 'CNY' } as never }),
      errors: [{ field: '/registeredCapital/amount', code: 'ERR_FIELD_TYPE' }],
    },
    {
      name: 'lower-case currency',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ registeredCapital: { amount: 1, currency: 'cny' } }),
      errors: [{ field: '/registeredCapital/currency', code: 'ERR_FIELD_PATTERN' }],
    },
    {
      name: 'impossible establishment date',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ dateOfEstablishment: '2019-02-29' }),
      errors: [{ field: '/dateOfEstablishment', code: 'ERR_FIELD_FORMAT' }],
    },
    {
      name: 'business term end as 长期 text instead of null',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ businessTerm: { from: '2018-06-15', until: '长期' } }),
      errors: [{ field: '/businessTerm/until', code: 'ERR_FIELD_FORMAT' }],
    },
    {
      name: 'empty enterprise name',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ enterpriseName: '' }),
      errors: [{ field: '/enterpriseName', code: 'ERR_FIELD_LENGTH' }],
    },
    {
      name: 'business scope over 4000 characters',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ businessScope: '技'.repeat(4001) }),
      errors: [{ field: '/businessScope', code: 'ERR_FIELD_LENGTH' }],
    },
    {
      name: 'holder id that is not a DID',
      type: 'BusinessLicenseCredential',
      claims: businessLicenseClaims({ id: 'https://example.com/org/1' }),
      errors: [{ field: '/id', code: 'ERR_FIELD_PATTERN' }],
    },
    {
      name: 'claims that are not an object',
      type: 'BusinessLicenseCredential',
      claims: [businessLicenseClaims()],
      errors: [{ field: '', code: 'ERR_FIELD_TYPE' }],
    },
    // Property certificate
    {
      name: 'shares summing to 0.9',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [owner(MASKED_ID.six, 0.5), owner(MASKED_ID.five, 0.4)] }),
      errors: [{ field: '/owners', code: 'ERR_OWNER_SHARES' }],
    },
    {
      name: 'shares summing to 1.5',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [owner(MASKED_ID.six, 1), owner(MASKED_ID.five, 0.5)] }),
      errors: [{ field: '/owners', code: 'ERR_OWNER_SHARES' }],
    },
    {
      name: 'zero share',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [owner(MASKED_ID.six, 1), owner(MASKED_ID.five, 0)] }),
      errors: [{ field: '/owners/1/share', code: 'ERR_FIELD_RANGE' }],
    },
    {
      name: 'share written as a fraction string',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [owner(MASKED_ID.six, 0.5), { ...owner(MASKED_ID.five, 0), share: '1/2' as never }] }),
      errors: [{ field: '/owners/1/share', code: 'ERR_FIELD_TYPE' }],
    },
    {
      name: 'no owners',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [] }),
      errors: [{ field: '/owners', code: 'ERR_FIELD_LENGTH' }],
    },
    {
      name: 'unmasked resident ID of an owner',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [owner('320106199001011238', 1)] }),
      errors: [{ field: '/owners/0/idNumberMasked', code: 'ERR_FIELD_PATTERN' }],
    },
    {
      name: 'enterprise owner USCC with a wrong check character',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [owner('91320115MA20LDRK44', 1)] }),
      errors: [{ field: '/owners/0/idNumberMasked', code: 'ERR_USCC_CHECK_CHARACTER' }],
    },
    {
      name: 'owner missing name',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ owners: [{ idNumberMasked: MASKED_ID.six, share: 1 } as never] }),
      errors: [{ field: '/owners/0/name', code: 'ERR_FIELD_REQUIRED' }],
    },
    {
      name: 'unit number with an unknown fixture letter',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ propertyUnitNumber: '320106003005GB00123X00010203' }),
      errors: [{ field: '/propertyUnitNumber', code: 'ERR_FIELD_PATTERN' }],
    },
    {
      name: 'unit number with no fixture but a fixture number',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ propertyUnitNumber: '320106003005GB00123W00010203' }),
      errors: [{ field: '/propertyUnitNumber', code: 'ERR_FIELD_FORMAT' }],
    },
    {
      name: 'unit number 27 characters long',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ propertyUnitNumber: '320106003005GB00123F0001020' }),
      errors: [
        { field: '/propertyUnitNumber', code: 'ERR_FIELD_LENGTH' },
        { field: '/propertyUnitNumber', code: 'ERR_FIELD_PATTERN' },
      ],
    },
    {
      name: 'zero building area',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ area: { buildingArea: 0 } }),
      errors: [{ field: '/area/buildingArea', code: 'ERR_FIELD_RANGE' }],
    },
    {
      name: 'mortgage flag as text',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ encumbrances: { mortgage: '是' as never, seizure: false } }),
      errors: [{ field: '/encumbrances/mortgage', code: 'ERR_FIELD_TYPE' }],
    },
    {
      name: 'missing seizure flag',
      type: 'PropertyCertificateCredential',
      claims: propertyCertificateClaims({ encumbrances: { mortgage: false } as never }),
      errors: [{ field: '/encumbrances/seizure', code: 'ERR_FIELD_REQUIRED' }],
    },
    // Social security status
    {
      name: 'unmasked resident ID',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ idNumberMasked: '320106198503150022' }),
      errors: [{ field: '/idNumberMasked', code: 'ERR_FIELD_PATTERN' }],
    },
    {
      name: 'masked ID 17 characters long',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ idNumberMasked: '320106*******1234' }),
      errors: [
        { field: '/idNumberMasked', code: 'ERR_FIELD_LENGTH' },
        { field: '/idNumberMasked', code: 'ERR_FIELD_PATTERN' },
      ],
    },
    {
      name: 'masked ID keeping only 3 leading digits',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ idNumberMasked: '320***********1234' }),
      errors: [{ field: '/idNumberMasked', code: 'ERR_FIELD_PATTERN' }],
    },
    {
      name: 'unknown insurance type',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ insurances: [{ ...pension, type: 'housingFund' as never }] }),
      errors: [{ field: '/insurances/0/type', code: 'ERR_FIELD_ENUM' }],
    },
    {
      name: 'unknown insurance status',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ insurances: [{ ...pension, status: 'paused' as never }] }),
      errors: [{ field: '/insurances/0/status', code: 'ERR_FIELD_ENUM' }],
    },
    {
      name: 'same insurance type twice',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ insurances: [pension, { ...pension, status: 'terminated' }] }),
      errors: [{ field: '/insurances/1/type', code: 'ERR_FIELD_DUPLICATE' }],
    },
    {
      name: 'no insurances',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ insurances: [] }),
      errors: [{ field: '/insurances', code: 'ERR_FIELD_LENGTH' }],
    },
    {
      name: 'fractional contribution months',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ insurances: [{ ...pension, contributionMonths: 12.5 }] }),
      errors: [{ field: '/insurances/0/contributionMonths', code: 'ERR_FIELD_TYPE' }],
    },
    {
      name: 'negative contribution months',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ insurances: [{ ...pension, contributionMonths: -1 }] }),
      errors: [{ field: '/insurances/0/contributionMonths', code: 'ERR_FIELD_RANGE' }],
    },
    {
      name: 'month 13',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ insurances: [{ ...pension, lastContributionMonth: '2024-13' }] }),
      errors: [{ field: '/insurances/0/lastContributionMonth', code: 'ERR_FIELD_PATTERN' }],
    },
    {
      name: 'as-of date with a time',
      type: 'SocialSecurityStatusCredential',
      claims: socialSecurityStatusClaims({ asOf: '2024-06-01T00:00:00Z' }),
      errors: [
        { field: '/asOf', code: 'ERR_FIELD_LENGTH' },
        { field: '/asOf', code: 'ERR_FIELD_FORMAT' },
      ],
    },
  ],
}

describe('validateClaims', () => {
  it.each(vectors.pass)('accepts $name', ({ type, claims }) => {
    expect(validateClaims(type, claims)).toEqual({ ok: true })
  })

  it.each(vectors.fail)('rejects $name', ({ type, claims, errors }) => {
    const result = validateClaims(type, claims)
    expect(result.ok).toBe(false)
    if (result.ok) return
    const got = result.errors.map(({ field, code }) => ({ field, code }))
    expect(got).toHaveLength(errors.length)
    expect(got).toEqual(expect.arrayContaining(errors))
    for (const error of result.errors) {
      expect(FIELD_ERROR_CODES).toContain(error.code)
      expect(error.message).toMatch(/\S/)
    }
  })

  it('reports every problem at once', () => {
    const claims = { ...omit(businessLicenseClaims(), 'domicile'), enterpriseName: '', extra: true }
    const result = validateClaims('BusinessLicenseCredential', claims)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.map((e) => e.code).sort()).toEqual(['ERR_FIELD_LENGTH', 'ERR_FIELD_REQUIRED', 'ERR_FIELD_UNKNOWN'])
  })

  it('escapes unknown property names in the JSON pointer', () => {
    const result = validateClaims('BusinessLicenseCredential', { ...businessLicenseClaims(), 'a/b~c': 1 })
    expect(result).toMatchObject({ ok: false, errors: [{ field: '/a~1b~0c', code: 'ERR_FIELD_UNKNOWN' }] })
  })

  it('throws TypeError for a type outside the catalogue', () => {
    expect(() => validateClaims('DriverLicenceCredential' as CredentialTypeName, {})).toThrow(TypeError)
  })
})

describe('isValidPropertyUnitNumber', () => {
  it.each([
    { name: 'flat in 鼓楼区', value: NANJING_PROPERTY_UNIT.flat },
    { name: 'land parcel without fixture', value: NANJING_PROPERTY_UNIT.landOnly },
    { name: 'collective land, homestead, building', value: '320115104002JC00045F00010001' },
    { name: 'forest fixture', value: '320117201003JE00012L00000001' },
    { name: 'structure fixture', value: '320106003005GB00123Q00000002' },
  ])('accepts $name', ({ value }) => {
    expect(isValidPropertyUnitNumber(value)).toBe(true)
  })

  it.each([
    { name: 'W with a non-zero unit', value: '320106003005GB00123W00000001' },
    { name: 'unknown ownership letter', value: '320106003005XB00123F00010203' },
    { name: 'division code starting with 0', value: '020106003005GB00123F00010203' },
    { name: 'lower-case letters', value: '320106003005gb00123F00010203' },
    { name: 'unknown fixture letter', value: '320106003005GB00123X00010203' },
    { name: '29 characters', value: '320106003005GB00123F000102030' },
    { name: 'empty', value: '' },
  ])('rejects $name', ({ value }) => {
    expect(isValidPropertyUnitNumber(value)).toBe(false)
  })
})
