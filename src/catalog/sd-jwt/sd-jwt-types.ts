import { CREDENTIAL_TYPES, type CredentialTypeName } from '../credential-types.js'
import { loadSchema } from '../schemas/load-schemas.js'

/**
 * SD-JWT VC (draft-ietf-oauth-sd-jwt-vc) per credential type: its `vct`, its display names, and which claims
 * a holder may disclose one by one. A claim path is as in the type metadata: names, and `null` for every
 * element of an array.
 *
 * - `always`: the claim is a selectively disclosable digest (the holder decides to show it or not);
 * - `never`: the claim is plain in the issuer-signed JWT (always shown).
 */
export type SelectiveDisclosure = 'always' | 'allowed' | 'never'

export interface SdJwtClaimRule {
  path: (string | null)[]
  sd: SelectiveDisclosure
}

export interface SdJwtTypeProfile {
  type: CredentialTypeName
  descriptionZh: string
  descriptionEn: string
  /** The rules; a claim without one is `never` (plain), the holder's `id` is never a claim. */
  claims: readonly SdJwtClaimRule[]
}

const always = (...path: (string | null)[]): SdJwtClaimRule => ({ path, sd: 'always' })

/**
 * Every top-level claim is disclosed on its own: a business licence shows its name and USCC without its legal
 * representative; a social-security status shows `insuredName` or the list of insurances without the masked ID
 * number; a property certificate shows the unit and one owner without the others.
 */
export const SD_JWT_TYPES: Readonly<Record<CredentialTypeName, SdJwtTypeProfile>> = Object.freeze({
  BusinessLicenseCredential: {
    type: 'BusinessLicenseCredential',
    descriptionZh: '市场监督管理部门核发的营业执照',
    descriptionEn: 'Business licence issued by the market supervision administration',
    claims: [
      always('unifiedSocialCreditCode'),
      always('enterpriseName'),
      always('enterpriseType'),
      always('legalRepresentative'),
      always('registeredCapital'),
      always('dateOfEstablishment'),
      always('businessTerm'),
      always('businessScope'),
      always('domicile'),
      always('registrationAuthority'),
    ],
  },
  PropertyCertificateCredential: {
    type: 'PropertyCertificateCredential',
    descriptionZh: '不动产登记机构核发的不动产权证书',
    descriptionEn: 'Real estate title certificate issued by the real estate registration authority',
    claims: [
      always('certificateNumber'),
      always('propertyUnitNumber'),
      always('owners'),
      always('owners', null),
      always('location'),
      always('area'),
      always('usage'),
      always('rightType'),
      always('rightNature'),
      always('encumbrances'),
    ],
  },
  SocialSecurityStatusCredential: {
    type: 'SocialSecurityStatusCredential',
    descriptionZh: '人力资源和社会保障部门出具的社会保险参保状态',
    descriptionEn: 'Social security status issued by the human resources and social security administration',
    claims: [
      always('insuredName'),
      always('idNumberMasked'),
      always('city'),
      // One disclosure for the whole list: a bank that asks whether and how long the holder is insured reads it
      // at once, and stock wallets (credo-ts 0.6) cannot disclose array elements one by one.
      always('insurances'),
      always('asOf'),
    ],
  },
  SocialInsuranceRegistrationCredential: {
    type: 'SocialInsuranceRegistrationCredential',
    descriptionZh: '人力资源和社会保障部门办理的单位社会保险登记',
    descriptionEn: "An employer's social insurance registration by the human resources and social security administration",
    claims: [
      always('unifiedSocialCreditCode'),
      always('employerName'),
      always('legalRepresentative'),
      always('domicile'),
      always('insuranceTypes'),
      always('plannedEmployees'),
      always('registrationDate'),
      always('registrationAuthority'),
    ],
  },
})

/** The `vct` of a type: its type metadata URL on this node (`BASE/vct/{Type}`). */
export function vctUrl(publicUrl: string, type: CredentialTypeName): string {
  return `${publicUrl.replace(/\/+$/, '')}/vct/${type}`
}

/**
 * The govcred type a `vct` names (`…/vct/{Type}` under any node's URL: a verifier elsewhere reads the same type
 * names), or undefined for any other `vct`.
 */
export function typeOfVct(vct: unknown): CredentialTypeName | undefined {
  if (typeof vct !== 'string' || vct.length > 2000) return undefined
  const match = /^https?:\/\/[^?#]*\/vct\/([A-Za-z]+)$/.exec(vct)
  const name = match?.[1]
  return name && Object.hasOwn(SD_JWT_TYPES, name) ? (name as CredentialTypeName) : undefined
}

type Frame = { _sd?: (string | number)[]; [key: string]: unknown }

/**
 * The @sd-jwt disclosure frame of a credential's claims (the frame of an array names each index present).
 *
 * @example
 * disclosureFrame('BusinessLicenseCredential', claims) // => { _sd: ['unifiedSocialCreditCode', …] }
 */
export function disclosureFrame(type: CredentialTypeName, claims: Record<string, unknown>): Frame {
  const rules = SD_JWT_TYPES[type].claims.filter((rule) => rule.sd === 'always')
  const build = (value: unknown, prefix: (string | null)[]): Frame | undefined => {
    const here = rules.filter((r) => r.path.length === prefix.length + 1 && prefix.every((p, i) => r.path[i] === p))
    const frame: Frame = {}
    if (Array.isArray(value)) {
      if (here.some((r) => r.path[prefix.length] === null)) frame._sd = value.map((_, i) => i)
      value.forEach((element, i) => {
        const child = build(element, [...prefix, null])
        if (child) frame[String(i)] = child
      })
    } else if (value && typeof value === 'object') {
      const names = Object.keys(value)
      const sd = names.filter((name) => here.some((r) => r.path[prefix.length] === name))
      if (sd.length > 0) frame._sd = sd
      for (const name of names) {
        const child = build((value as Record<string, unknown>)[name], [...prefix, name])
        if (child) frame[name] = child
      }
    }
    return Object.keys(frame).length > 0 ? frame : undefined
  }
  return build(claims, []) ?? {}
}

const split = (text: unknown): { zh: string; en: string } => {
  const [zh, en] = String(text ?? '').split(' / ')
  return { zh: zh ?? '', en: en ?? zh ?? '' }
}

type SchemaNode = { title?: string; description?: string; type?: string; properties?: Record<string, SchemaNode>; items?: SchemaNode }

/**
 * SD-JWT VC type metadata (draft-ietf-oauth-sd-jwt-vc §6) of a type: names and claim labels in zh-CN and en
 * (from the schema's bilingual titles) and each claim's selective disclosure. No `schema`: the claims' JSON Schema
 * requires every claim, and a presentation that leaves out a selectively disclosable one would fail it; the schema
 * stays at its `schema_uri`-like `$id` in the VC-JWT's credentialSchema and in the on-chain SchemaRegistry.
 */
export function typeMetadata(publicUrl: string, type: CredentialTypeName): Record<string, unknown> {
  const definition = CREDENTIAL_TYPES[type]
  const profile = SD_JWT_TYPES[type]
  const loaded = loadSchema(type)
  const schema = loaded.schema as SchemaNode
  const claims: Record<string, unknown>[] = []
  const walk = (node: SchemaNode, prefix: (string | null)[]) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      if (prefix.length === 0 && name === 'id') continue
      const path = [...prefix, name]
      const rule = profile.claims.find((r) => r.path.length === path.length && r.path.every((p, i) => p === path[i]))
      const label = split(child.title)
      claims.push({
        path,
        display: [
          { lang: 'zh-CN', label: label.zh, description: split(child.description).zh },
          { lang: 'en', label: label.en, description: split(child.description).en },
        ],
        sd: rule?.sd ?? 'never',
      })
      if (child.type === 'object') walk(child, path)
      if (child.type === 'array' && child.items) {
        const elementPath = [...path, null]
        const elementRule = profile.claims.find((r) => r.path.length === elementPath.length && r.path.every((p, i) => p === elementPath[i]))
        claims.push({ path: elementPath, sd: elementRule?.sd ?? 'never' })
        walk(child.items, elementPath)
      }
    }
  }
  walk(schema, [])
  return {
    vct: vctUrl(publicUrl, type),
    name: definition.titleEn,
    description: profile.descriptionEn,
    display: [
      { lang: 'zh-CN', name: definition.titleZh, description: profile.descriptionZh },
      { lang: 'en', name: definition.titleEn, description: profile.descriptionEn },
    ],
    claims,
  }
}
