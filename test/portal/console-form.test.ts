// The console's generated forms (portal/src/views/console/schema-form.ts) held against the service's own claim
// validation (src/catalog/schemas/validate-claims.ts) on the real schemas: what the clerk's form accepts, the
// service accepts, and what the service refuses for a schema rule, the form flags on the same field. The USCC
// check ported to the portal agrees with the catalogue's on every code tried.
import { describe, expect, it } from 'vitest'
import { CREDENTIAL_TYPE_NAMES, type CredentialTypeName } from '../../src/catalog/credential-types.js'
import { loadSchema } from '../../src/catalog/schemas/load-schemas.js'
import { isValidUscc as catalogueIsValidUscc, usccCheckCharacter as catalogueCheck } from '../../src/catalog/schemas/uscc.js'
import { validateClaims } from '../../src/catalog/schemas/validate-claims.js'
import {
  claimsOf,
  emptyValue,
  fieldKind,
  nearestShown,
  serverProblem,
  validateForm,
  valueFrom,
  type FormObject,
  type SchemaNode,
} from '../../portal/src/views/console/schema-form.js'
import { isValidUscc, usccCheckCharacter, USCC_CHARSET } from '../../portal/src/views/console/uscc.js'
import {
  businessLicenseClaims,
  claimsFor,
  NANJING_USCC,
  propertyCertificateClaims,
  socialSecurityStatusClaims,
} from '../fixtures/claims.js'

const schemaOf = (type: CredentialTypeName) => loadSchema(type).schema as SchemaNode
const withoutId = (claims: object) => {
  const { id: _id, ...rest } = claims as Record<string, unknown>
  return rest
}
/** The form a clerk would have filled for these claims. */
const formFor = (type: CredentialTypeName, claims: object) => valueFrom(schemaOf(type), withoutId(claims)) as FormObject

describe('the USCC check ported to the portal', () => {
  it('agrees with the catalogue on the check character of 2,000 generated codes and on every wrong one', () => {
    let seed = 20151224
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let n = 0; n < 2000; n++) {
      const body = `${USCC_CHARSET[next() % 31]}${USCC_CHARSET[next() % 31]}${String(next() % 1_000_000).padStart(6, '0')}${Array.from(
        { length: 9 },
        () => USCC_CHARSET[next() % 31],
      ).join('')}`
      expect(usccCheckCharacter(body)).toBe(catalogueCheck(body))
      const wrong = USCC_CHARSET[(USCC_CHARSET.indexOf(catalogueCheck(body)) + 1 + (next() % 30)) % 31]
      expect(isValidUscc(body + wrong)).toBe(false)
      expect(catalogueIsValidUscc(body + wrong)).toBe(false)
    }
    for (const code of Object.values(NANJING_USCC)) expect(isValidUscc(code)).toBe(true)
    expect(isValidUscc('91350100M000100Y43')).toBe(true)
    expect(isValidUscc('91350100m000100y43')).toBe(false)
    expect(usccCheckCharacter('91350100M000100YI')).toBeUndefined()
  })
})

describe('the generated form against the service validator', () => {
  it('accepts the realistic claims of every type and sends them back unchanged', () => {
    for (const type of CREDENTIAL_TYPE_NAMES) {
      const claims = withoutId(claimsFor(type))
      const form = formFor(type, claims)
      expect([...validateForm(schemaOf(type), form)], type).toEqual([])
      expect(claimsOf(schemaOf(type), form), type).toEqual(claims)
      expect(validateClaims(type, claimsOf(schemaOf(type), form)), type).toEqual({ ok: true })
    }
  })

  it('starts empty: every required field flagged, optional ones not, arrays with their minimum of entries', () => {
    const schema = schemaOf('PropertyCertificateCredential')
    const empty = emptyValue(schema) as FormObject
    expect(empty.owners).toHaveLength(1)
    expect((empty.encumbrances as FormObject).mortgage).toBeNull()
    const problems = validateForm(schema, empty)
    expect(problems.get('/certificateNumber')).toEqual({ code: 'required' })
    expect(problems.get('/owners/0/share')).toEqual({ code: 'required' })
    expect(problems.get('/encumbrances/mortgage')).toEqual({ code: 'required' })
    expect(problems.has('/area/exclusiveArea')).toBe(false)
    expect(problems.has('/encumbrances/summary')).toBe(false)
    expect(validateClaims('PropertyCertificateCredential', claimsOf(schema, empty)).ok).toBe(false)
  })

  // Each case: a change to valid claims, the field the service's validator points at, and the form's problem there.
  const CASES: { type: CredentialTypeName; change: (c: any) => void; field: string; problem: string }[] = [
    {
      type: 'BusinessLicenseCredential',
      change: (c) => (c.unifiedSocialCreditCode = NANJING_USCC.gulou.slice(0, 17) + 'F'),
      field: '/unifiedSocialCreditCode',
      problem: 'uscc',
    },
    {
      type: 'BusinessLicenseCredential',
      change: (c) => (c.unifiedSocialCreditCode = '91320106MA1X7K2P9I'),
      field: '/unifiedSocialCreditCode',
      problem: 'usccShape',
    },
    {
      type: 'BusinessLicenseCredential',
      change: (c) => (c.unifiedSocialCreditCode = '9132010'),
      field: '/unifiedSocialCreditCode',
      problem: 'length',
    },
    { type: 'BusinessLicenseCredential', change: (c) => (c.enterpriseName = ''), field: '/enterpriseName', problem: 'required' },
    {
      type: 'BusinessLicenseCredential',
      change: (c) => (c.enterpriseName = '名'.repeat(201)),
      field: '/enterpriseName',
      problem: 'maxLength',
    },
    {
      type: 'BusinessLicenseCredential',
      change: (c) => (c.registeredCapital.currency = 'cny'),
      field: '/registeredCapital/currency',
      problem: 'pattern',
    },
    {
      type: 'BusinessLicenseCredential',
      change: (c) => (c.registeredCapital.amount = -1),
      field: '/registeredCapital/amount',
      problem: 'min',
    },
    {
      type: 'BusinessLicenseCredential',
      change: (c) => (c.dateOfEstablishment = '2018-02-30'),
      field: '/dateOfEstablishment',
      problem: 'date',
    },
    {
      type: 'PropertyCertificateCredential',
      change: (c) => (c.propertyUnitNumber = '320106003005GB00123X00010203'),
      field: '/propertyUnitNumber',
      problem: 'pattern',
    },
    { type: 'PropertyCertificateCredential', change: (c) => (c.owners[0].share = 0), field: '/owners/0/share', problem: 'exclusiveMin' },
    { type: 'PropertyCertificateCredential', change: (c) => (c.owners[1].share = 1.5), field: '/owners/1/share', problem: 'max' },
    {
      type: 'PropertyCertificateCredential',
      change: (c) => (c.owners[0].idNumberMasked = '11010519491231002X'),
      field: '/owners/0/idNumberMasked',
      problem: 'unmaskedId',
    },
    {
      type: 'PropertyCertificateCredential',
      change: (c) => (c.owners[0].idNumberMasked = NANJING_USCC.xuanwu.slice(0, 17) + 'A'),
      field: '/owners/0/idNumberMasked',
      problem: 'uscc',
    },
    {
      type: 'PropertyCertificateCredential',
      change: (c) => (c.owners[0].idNumberMasked = '320106**1234'),
      field: '/owners/0/idNumberMasked',
      problem: 'length',
    },
    { type: 'PropertyCertificateCredential', change: (c) => (c.owners = []), field: '/owners', problem: 'minItems' },
    {
      type: 'PropertyCertificateCredential',
      change: (c) => (c.area.buildingArea = 0),
      field: '/area/buildingArea',
      problem: 'exclusiveMin',
    },
    {
      type: 'SocialSecurityStatusCredential',
      change: (c) => (c.insurances[0].contributionMonths = 12.5),
      field: '/insurances/0/contributionMonths',
      problem: 'integer',
    },
    {
      type: 'SocialSecurityStatusCredential',
      change: (c) => (c.insurances[0].contributionMonths = 1201),
      field: '/insurances/0/contributionMonths',
      problem: 'max',
    },
    {
      type: 'SocialSecurityStatusCredential',
      change: (c) => (c.insurances[0].lastContributionMonth = '2024-13'),
      field: '/insurances/0/lastContributionMonth',
      problem: 'pattern',
    },
    {
      type: 'SocialSecurityStatusCredential',
      change: (c) => (c.insurances[1].type = 'pension'),
      field: '/insurances/1/type',
      problem: 'duplicate',
    },
    {
      type: 'SocialSecurityStatusCredential',
      change: (c) => (c.insurances[0].status = 'paused'),
      field: '/insurances/0/status',
      problem: 'enum',
    },
    {
      type: 'SocialSecurityStatusCredential',
      change: (c) => (c.idNumberMasked = '3201061990****1234'),
      field: '/idNumberMasked',
      problem: 'pattern',
    },
  ]

  it.each(CASES)('flags $field ($problem) where the service refuses it', ({ type, change, field, problem }) => {
    const claims = structuredClone(withoutId(claimsFor(type))) as Record<string, any>
    change(claims)
    const verdict = validateClaims(type, claims)
    expect(verdict.ok, 'the service refuses it').toBe(false)
    if (!verdict.ok) expect(verdict.errors.map((e) => e.field)).toContain(field)
    const problems = validateForm(schemaOf(type), formFor(type, claims))
    expect(problems.get(field)).toMatchObject({ code: problem })
  })

  it('leaves the owners’ shares sum to the service, and places its error on the owners group', () => {
    const claims = propertyCertificateClaims()
    claims.owners[1]!.share = 0.3
    const form = formFor('PropertyCertificateCredential', claims)
    expect([...validateForm(schemaOf('PropertyCertificateCredential'), form)]).toEqual([])
    const verdict = validateClaims('PropertyCertificateCredential', withoutId(claims))
    expect(verdict.ok).toBe(false)
    const [detail] = verdict.ok ? [] : verdict.errors.map((e) => ({ ...e, field: `/claims${e.field}` }))
    expect(serverProblem(detail)).toEqual({ pointer: '/owners', problem: { code: 'ownerShares' } })
    expect(nearestShown('/owners/1/share', new Set(['/owners', '/owners/1']))).toBe('/owners/1')
    expect(nearestShown('/validUntil', new Set(['/owners']))).toBe('')
    expect(serverProblem({ field: '/holder', code: 'ERR_FIELD_FORMAT' })).toBeUndefined()
  })

  it('picks inputs from the schema: selects for enums, dates, numbers, yes-no, groups and repeatable groups', () => {
    const security = schemaOf('SocialSecurityStatusCredential')
    const licence = schemaOf('BusinessLicenseCredential')
    const property = schemaOf('PropertyCertificateCredential')
    expect(fieldKind(security.properties!.insurances!)).toBe('array')
    expect(fieldKind(security.properties!.insurances!.items!.properties!.type!)).toBe('enum')
    expect(fieldKind(security.properties!.insurances!.items!.properties!.contributionMonths!)).toBe('integer')
    expect(fieldKind(licence.properties!.dateOfEstablishment!)).toBe('date')
    expect(fieldKind(licence.properties!.businessTerm!)).toBe('object')
    expect(fieldKind(licence.properties!.businessScope!)).toBe('textarea')
    expect(fieldKind(licence.properties!.registeredCapital!.properties!.amount!)).toBe('number')
    expect(fieldKind(property.properties!.encumbrances!.properties!.mortgage!)).toBe('boolean')
    // The holder's DID is never a form field: the wallet's key or the page's holder field gives it.
    expect(Object.keys(emptyValue(licence) as FormObject)).not.toContain('id')
    // 长期: a null business term end is sent as null, not left out.
    const open = formFor('BusinessLicenseCredential', businessLicenseClaims())
    expect((claimsOf(licence, open).businessTerm as Record<string, unknown>).until).toBeNull()
    // Text is trimmed; numbers go as numbers.
    ;(open.registeredCapital as FormObject).amount = ' 5000000 '
    open.enterpriseName = '  南京鼓楼智链科技有限公司 '
    expect(claimsOf(licence, open)).toMatchObject({ enterpriseName: '南京鼓楼智链科技有限公司', registeredCapital: { amount: 5_000_000 } })
    expect(socialSecurityStatusClaims().insurances.length).toBeGreaterThan(1)
  })
})
