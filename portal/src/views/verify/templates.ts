import type { Bilingual, RequestedCredential } from './verify-api'

/** A ready-made check: what it asks for and the purpose it prefills (sent to the wallet in both languages). */
export interface CheckTemplate {
  id: 'loan' | 'account' | 'property'
  title: Bilingual
  /** One line on what it is for, shown under the title. */
  summary: Bilingual
  purpose: Bilingual
  credentials: RequestedCredential[]
}

/**
 * The bank's everyday checks. Each asks for the fewest claims its business needs; the holder's wallet discloses
 * those and nothing else.
 */
export const CHECK_TEMPLATES: readonly CheckTemplate[] = [
  {
    id: 'loan',
    title: { 'zh-CN': '贷款审核', en: 'Loan check' },
    summary: { 'zh-CN': '核实企业主体和参保情况', en: 'The enterprise and its social insurance' },
    purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
    credentials: [
      { id: 'licence', type: 'BusinessLicenseCredential', claims: ['enterpriseName', 'unifiedSocialCreditCode'] },
      { id: 'insured', type: 'SocialSecurityStatusCredential', claims: ['insurances', 'city'] },
    ],
  },
  {
    id: 'account',
    title: { 'zh-CN': '开户核验', en: 'Account opening' },
    summary: { 'zh-CN': '核实企业名称、信用代码、法定代表人和住所', en: 'Name, credit code, legal representative and domicile' },
    purpose: { 'zh-CN': '企业银行账户开户核验', en: 'Business account opening' },
    credentials: [
      {
        id: 'licence',
        type: 'BusinessLicenseCredential',
        claims: ['enterpriseName', 'unifiedSocialCreditCode', 'legalRepresentative', 'domicile'],
      },
    ],
  },
  {
    id: 'property',
    title: { 'zh-CN': '房产核验', en: 'Property check' },
    summary: { 'zh-CN': '核实不动产单元、权利人和用途', en: 'The property unit, its owners and its use' },
    purpose: { 'zh-CN': '房产核验', en: 'Property check' },
    credentials: [{ id: 'property', type: 'PropertyCertificateCredential', claims: ['propertyUnitNumber', 'owners', 'usage'] }],
  },
]

/** Query ids of a check built by hand, one per type (DCQL ids: letters, digits, "_" and "-"). */
export const QUERY_IDS: Record<string, string> = {
  BusinessLicenseCredential: 'licence',
  PropertyCertificateCredential: 'property',
  SocialSecurityStatusCredential: 'insured',
}
