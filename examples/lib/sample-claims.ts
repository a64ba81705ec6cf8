/**
 * Claims of fictitious Nanjing people, enterprises and flats that pass the schemas in `schemas/`.
 * Each run gets its own credit code, property unit and masked ID number, so an example can run again
 * against the same service (a property unit has one current certificate; a new social-security
 * status replaces the person's previous one).
 *
 * @example
 * const claims = businessLicenceClaims({ uscc: newUscc() })
 */
import { randomInt } from 'node:crypto'
import { usccCheckCharacter, USCC_CHARSET } from '../../src/catalog/schemas/uscc.js'

const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('')

/**
 * A new unified social credit code of an enterprise registered in 鼓楼区 (320106), with its GB 32100-2015
 * check character: `9` market supervision, `1` enterprise, `320106`, a 9-character body.
 */
export function newUscc(): string {
  const body = 'MA' + Array.from({ length: 7 }, () => USCC_CHARSET.charAt(randomInt(USCC_CHARSET.length))).join('')
  const first17 = `91320106${body}`
  return first17 + usccCheckCharacter(first17)
}

/** A new GB/T 37346 real-estate unit number: a flat (F) on parcel 00123 of 鼓楼区 cadastral zone 003-005. */
export function newPropertyUnitNumber(): string {
  return `320106003005GB00123F${digits(8)}`
}

/** A resident ID number of 鼓楼区 with the middle eight digits masked, as the schemas require. */
export function newMaskedIdNumber(): string {
  return `320106********${digits(3)}${randomInt(10)}`
}

/** `苏(2025)南京市不动产权第0012345号` for this year. */
export function newCertificateNumber(): string {
  return `苏(${new Date().getFullYear()})南京市不动产权第${digits(7)}号`
}

export interface Person {
  name: string
  idNumberMasked: string
}

/** 营业执照 of a sole-proprietorship software studio. */
export function businessLicenceClaims(input: { uscc: string; legalRepresentative: string }) {
  return {
    unifiedSocialCreditCode: input.uscc,
    enterpriseName: '南京鼓楼智链软件工作室',
    enterpriseType: '个人独资企业',
    legalRepresentative: input.legalRepresentative,
    registeredCapital: { amount: 500_000, currency: 'CNY' },
    dateOfEstablishment: '2019-03-18',
    businessTerm: { from: '2019-03-18', until: null },
    businessScope:
      '一般项目：软件开发；技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）',
    domicile: '南京市鼓楼区汉中门大街301号01幢12层1203室',
    registrationAuthority: '南京市鼓楼区市场监督管理局',
  }
}

/** 不动产权证书 of a flat in 鼓楼区 held by `owner` alone. */
export function propertyCertificateClaims(input: { unitNumber: string; owner: Person; mortgage?: boolean }) {
  const mortgage = input.mortgage ?? false
  return {
    certificateNumber: newCertificateNumber(),
    propertyUnitNumber: input.unitNumber,
    owners: [{ name: input.owner.name, idNumberMasked: input.owner.idNumberMasked, share: 1 }],
    location: '南京市鼓楼区广州路188号1幢203室',
    area: { buildingArea: 89.56, exclusiveArea: 74.12 },
    usage: '住宅',
    rightType: '国有建设用地使用权/房屋所有权',
    rightNature: '出让/商品房',
    encumbrances: mortgage
      ? { mortgage: true, seizure: false, summary: '已设立抵押权，抵押权人：中国工商银行股份有限公司南京鼓楼支行' }
      : { mortgage: false, seizure: false },
  }
}

/**
 * 社会保险参保状态 of `person` as of `asOf` (default today), with `months` months of pension contributions
 * up to the month before.
 */
export function socialSecurityStatusClaims(input: { person: Person; months: number; asOf?: Date }) {
  const asOf = input.asOf ?? new Date()
  const last = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - 1, 1))
  const lastMonth = last.toISOString().slice(0, 7)
  return {
    insuredName: input.person.name,
    idNumberMasked: input.person.idNumberMasked,
    city: '南京市',
    insurances: [
      { type: 'pension', status: 'active', contributionMonths: input.months, lastContributionMonth: lastMonth },
      { type: 'medical', status: 'active', contributionMonths: input.months, lastContributionMonth: lastMonth },
      { type: 'unemployment', status: 'active', contributionMonths: input.months, lastContributionMonth: lastMonth },
      { type: 'workInjury', status: 'active', contributionMonths: Math.min(input.months, 60), lastContributionMonth: lastMonth },
      { type: 'maternity', status: 'active', contributionMonths: Math.min(input.months, 60), lastContributionMonth: lastMonth },
    ],
    asOf: asOf.toISOString().slice(0, 10),
  }
}

export const INSURANCE_WORDS: Record<string, string> = {
  pension: '养老 pension',
  medical: '医疗 medical',
  unemployment: '失业 unemployment',
  workInjury: '工伤 work injury',
  maternity: '生育 maternity',
}

export const CREDENTIAL_TITLES: Record<string, { zh: string; en: string }> = {
  BusinessLicenseCredential: { zh: '营业执照', en: 'business licence' },
  PropertyCertificateCredential: { zh: '不动产权证书', en: 'property certificate' },
  SocialSecurityStatusCredential: { zh: '社保参保证明', en: 'social-security status' },
}
