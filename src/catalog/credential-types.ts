import { keccak256, toUtf8Bytes } from 'ethers'

/** Issuing department; matches the department an issuer DID is accredited for on chain. */
export type Department = 'market-supervision' | 'real-estate-registration' | 'human-resources-social-security'

/** One entry of the credential catalogue. */
export interface CredentialTypeDefinition {
  /** VC `type` value, also the key of {@link CREDENTIAL_TYPES}. */
  readonly type: string
  /** Schema identifier; equal to `type`. */
  readonly schemaId: string
  readonly schemaVersion: string
  /** File name inside the project's `schemas/` directory. */
  readonly schemaFile: string
  readonly department: Department
  /** Upper bound on `validUntil - validFrom` an issuer may request, in days. */
  readonly maxValidityDays: number
  /** Claim that identifies the record the credential is about (one active credential per subject key). */
  readonly subjectKey: string
  readonly titleZh: string
  readonly titleEn: string
}

/**
 * The credential types government departments may issue.
 *
 * Validity ceilings: a business licence is re-checked yearly but rarely reissued, so ten years;
 * a property certificate is valid until the register changes (revocation handles that), so
 * 36500 days stands for "no practical limit"; a social-security status is a monthly snapshot; an employer's
 * social insurance registration lasts while the enterprise does (ten years, like the licence).
 *
 * @example
 * CREDENTIAL_TYPES.BusinessLicenseCredential.department // => 'market-supervision'
 */
export const CREDENTIAL_TYPES = Object.freeze({
  BusinessLicenseCredential: Object.freeze({
    type: 'BusinessLicenseCredential',
    schemaId: 'BusinessLicenseCredential',
    schemaVersion: '1.0.0',
    schemaFile: 'business-license-credential.v1.0.0.json',
    department: 'market-supervision',
    maxValidityDays: 3650,
    subjectKey: 'unifiedSocialCreditCode',
    titleZh: '营业执照',
    titleEn: 'Business licence',
  }),
  PropertyCertificateCredential: Object.freeze({
    type: 'PropertyCertificateCredential',
    schemaId: 'PropertyCertificateCredential',
    schemaVersion: '1.0.0',
    schemaFile: 'property-certificate-credential.v1.0.0.json',
    department: 'real-estate-registration',
    maxValidityDays: 36500,
    subjectKey: 'propertyUnitNumber',
    titleZh: '不动产权证书',
    titleEn: 'Real estate title certificate',
  }),
  SocialSecurityStatusCredential: Object.freeze({
    type: 'SocialSecurityStatusCredential',
    schemaId: 'SocialSecurityStatusCredential',
    schemaVersion: '1.0.0',
    schemaFile: 'social-security-status-credential.v1.0.0.json',
    department: 'human-resources-social-security',
    maxValidityDays: 31,
    subjectKey: 'idNumberMasked',
    titleZh: '社会保险参保状态',
    titleEn: 'Social security status',
  }),
  SocialInsuranceRegistrationCredential: Object.freeze({
    type: 'SocialInsuranceRegistrationCredential',
    schemaId: 'SocialInsuranceRegistrationCredential',
    schemaVersion: '1.0.0',
    schemaFile: 'social-insurance-registration-credential.v1.0.0.json',
    department: 'human-resources-social-security',
    maxValidityDays: 3650,
    subjectKey: 'unifiedSocialCreditCode',
    titleZh: '单位社会保险登记',
    titleEn: 'Employer social insurance registration',
  }),
} as const satisfies Record<string, CredentialTypeDefinition>)

export type CredentialTypeName = keyof typeof CREDENTIAL_TYPES

/** Catalogue keys in a stable order, for iteration. */
export const CREDENTIAL_TYPE_NAMES: readonly CredentialTypeName[] = Object.freeze(Object.keys(CREDENTIAL_TYPES) as CredentialTypeName[])

/**
 * Narrows an untrusted value (request body, VC `type` entry) to a catalogue key.
 *
 * @example
 * isCredentialTypeName('BusinessLicenseCredential') // => true
 * isCredentialTypeName('toString') // => false
 */
export function isCredentialTypeName(x: unknown): x is CredentialTypeName {
  return typeof x === 'string' && Object.hasOwn(CREDENTIAL_TYPES, x)
}

/**
 * `bytes32` identifier of a credential type as used by the on-chain registries:
 * `keccak256(utf8(name))`.
 *
 * @example
 * credentialTypeHash('BusinessLicenseCredential') // => '0x…' (32 bytes)
 */
export function credentialTypeHash(name: CredentialTypeName): string {
  return keccak256(toUtf8Bytes(name))
}

/** ISO 8601 calendar date, `YYYY-MM-DD`. */
export type IsoDate = string

/** Claims of a {@link CREDENTIAL_TYPES.BusinessLicenseCredential}. */
export interface BusinessLicenseClaims {
  id?: string
  unifiedSocialCreditCode: string
  enterpriseName: string
  enterpriseType: string
  legalRepresentative: string
  /** `amount` is in whole currency units (10000000 for 1000万元). */
  registeredCapital: { amount: number; currency: string }
  dateOfEstablishment: IsoDate
  /** `until: null` means 长期 (no fixed term). */
  businessTerm: { from: IsoDate; until: IsoDate | null }
  businessScope: string
  domicile: string
  registrationAuthority: string
}

export interface PropertyOwner {
  name: string
  /** Masked resident ID number for a person, or the USCC for an organisation. */
  idNumberMasked: string
  /** Fraction of the property held, 0 < share ≤ 1; shares of all owners sum to 1. */
  share: number
}

/** Claims of a {@link CREDENTIAL_TYPES.PropertyCertificateCredential}. */
export interface PropertyCertificateClaims {
  id?: string
  certificateNumber: string
  propertyUnitNumber: string
  owners: PropertyOwner[]
  location: string
  area: { buildingArea: number; exclusiveArea?: number }
  usage: string
  rightType: string
  rightNature: string
  encumbrances: { mortgage: boolean; seizure: boolean; summary?: string }
}

export type InsuranceType = 'pension' | 'medical' | 'unemployment' | 'workInjury' | 'maternity'
export type InsuranceStatus = 'active' | 'suspended' | 'terminated'

export interface InsuranceRecord {
  type: InsuranceType
  status: InsuranceStatus
  contributionMonths: number
  /** `YYYY-MM`. */
  lastContributionMonth: string
}

/** Claims of a {@link CREDENTIAL_TYPES.SocialSecurityStatusCredential}. */
export interface SocialSecurityStatusClaims {
  id?: string
  insuredName: string
  idNumberMasked: string
  city: string
  insurances: InsuranceRecord[]
  asOf: IsoDate
}

/** Claims of a {@link CREDENTIAL_TYPES.SocialInsuranceRegistrationCredential}. */
export interface SocialInsuranceRegistrationClaims {
  id?: string
  unifiedSocialCreditCode: string
  employerName: string
  legalRepresentative: string
  domicile: string
  insuranceTypes: InsuranceType[]
  plannedEmployees: number
  registrationDate: IsoDate
  registrationAuthority: string
}

/** Claims type for each catalogue key. */
export interface ClaimsByType {
  BusinessLicenseCredential: BusinessLicenseClaims
  PropertyCertificateCredential: PropertyCertificateClaims
  SocialSecurityStatusCredential: SocialSecurityStatusClaims
  SocialInsuranceRegistrationCredential: SocialInsuranceRegistrationClaims
}
