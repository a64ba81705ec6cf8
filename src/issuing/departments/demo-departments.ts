import { usccCheckCharacter } from '../../catalog/schemas/uscc.js'
import type { CredentialTypeName } from '../../catalog/credential-types.js'

export interface DepartmentProfile {
  id: string
  name: string
  nameEn: string
  unifiedSocialCreditCode: string
  credentialTypes: CredentialTypeName[]
}

/** Government bodies' codes start with 11 (机关) and the city's division code 320100; the check character is computed. */
const uscc = (first17: string) => first17 + usccCheckCharacter(first17)

/** The three departments the embedded demo bootstraps. */
export const DEMO_DEPARTMENTS: readonly DepartmentProfile[] = Object.freeze([
  {
    id: 'market-supervision',
    name: '南京市市场监督管理局',
    nameEn: 'Nanjing Market Supervision Bureau',
    unifiedSocialCreditCode: uscc('11320100MB1A00001'),
    credentialTypes: ['BusinessLicenseCredential'],
  },
  {
    id: 'real-estate-registration',
    name: '南京市不动产登记中心',
    nameEn: 'Nanjing Real Estate Registration Centre',
    unifiedSocialCreditCode: uscc('12320100MB1A00002'),
    credentialTypes: ['PropertyCertificateCredential'],
  },
  {
    id: 'human-resources-social-security',
    name: '南京市人力资源和社会保障局',
    nameEn: 'Nanjing Human Resources and Social Security Bureau',
    unifiedSocialCreditCode: uscc('11320100MB1A00003'),
    credentialTypes: ['SocialSecurityStatusCredential', 'SocialInsuranceRegistrationCredential'],
  },
])
