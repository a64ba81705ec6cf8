/**
 * Each check of a verification result in plain words for a bank officer, in Chinese and English: what a passed
 * check established, and why a failed one failed, one sentence per code. The names and codes are the verifier's
 * closed sets (src/verifying/check-codes.ts; README "What a verification checks"); the portal does not import
 * the server's code, so test/portal/verify-check-messages.test.ts keeps these lists equal to those.
 *
 * A sentence may name the credential (`{credential}`: "该营业执照" / "this business licence"). A revocation is
 * told with its reason when the result carries one (`check.reason`); the chain holds status bits only, so
 * today's results carry none and the sentence is said without it.
 */

export type CheckLocale = 'zh-CN' | 'en'
type Text = Record<CheckLocale, string>

/** The checks, in the order the verifier reports them. */
export const CHECK_NAMES = [
  'proof',
  'holderSignature',
  'presentationValidity',
  'challenge',
  'domain',
  'credentialProof',
  'credentialSignature',
  'disclosures',
  'issuerResolved',
  'issuerAccredited',
  'schema',
  'status',
  'validity',
  'keyBinding',
  'holderIsSubject',
  'requestedTypes',
  'requestedClaims',
] as const

export type CheckName = (typeof CHECK_NAMES)[number]

/** What a passed check established. */
export const PASSED: Record<CheckName, Text> = {
  proof: {
    'zh-CN': '出示内容格式正确，只读取了签名所覆盖的内容',
    en: 'The presentation is well formed; only what its signature covers was read',
  },
  holderSignature: { 'zh-CN': '出示内容由持有人签名', en: 'The presentation is signed by its holder' },
  presentationValidity: { 'zh-CN': '出示内容在有效时间内', en: 'The presentation is within its validity time' },
  challenge: { 'zh-CN': '是对本次核验请求的回应，且只使用了一次', en: 'It answers this verification request, and only once' },
  domain: { 'zh-CN': '出示对象为本机构', en: 'It is addressed to this bank' },
  credentialProof: { 'zh-CN': '{credential}格式正确', en: 'The {credential} is well formed' },
  credentialSignature: {
    'zh-CN': '{credential}由发证部门签发，签名密钥已在联盟链上登记',
    en: 'The {credential} is signed by the issuing department with a key registered on the consortium chain',
  },
  disclosures: { 'zh-CN': '出示的每一项信息都与发证部门签发的内容一致', en: 'Every item shown matches what the department signed' },
  issuerResolved: { 'zh-CN': '在联盟链上查到了发证部门的身份', en: "The issuing department's identity was found on the consortium chain" },
  issuerAccredited: {
    'zh-CN': '发证部门经联盟链授权签发此类凭证',
    en: 'The issuing department is accredited on the consortium chain for this kind of credential',
  },
  schema: { 'zh-CN': '内容符合联盟链上登记的凭证模式', en: 'The content matches the schema anchored on the consortium chain' },
  status: {
    'zh-CN': '{credential}未被撤销或暂停（已查询联盟链）',
    en: 'The {credential} is neither revoked nor suspended (read from the chain)',
  },
  validity: { 'zh-CN': '{credential}在有效期内', en: 'The {credential} is within its validity period' },
  keyBinding: {
    'zh-CN': '由持有人本人当场出示（持有人设备密钥签名）',
    en: "Presented just now by its holder (signed with the holder's device key)",
  },
  holderIsSubject: { 'zh-CN': '出示人就是凭证的持有人', en: 'The presenter is the holder the credential names' },
  requestedTypes: { 'zh-CN': '出示了本次要求的{credential}', en: 'The {credential} asked for was presented' },
  requestedClaims: { 'zh-CN': '出示了本次要求的全部信息', en: 'Every item asked for was shown' },
}

/** Why a check failed, per code of the check that failed. */
export const FAILED = {
  // proof
  ERR_PRESENTATION_MALFORMED: { 'zh-CN': '出示内容格式不正确，无法读取', en: 'The presentation is malformed and cannot be read' },
  ERR_MALFORMED_JWT: { 'zh-CN': '{credential}的数据格式不正确，无法读取', en: 'The {credential} data is malformed and cannot be read' },
  ERR_PROOF_MISSING: { 'zh-CN': '缺少签名，无法确认内容来源', en: 'There is no signature, so its origin cannot be confirmed' },
  ERR_UNKNOWN_PROOF_TYPE: { 'zh-CN': '签名方式无法识别', en: 'The kind of signature is not recognised' },
  ERR_EMPTY_PRESENTATION: { 'zh-CN': '出示内容中没有任何凭证', en: 'The presentation holds no credential' },
  ERR_PRESENTATION_TOO_LARGE: {
    'zh-CN': '出示的凭证数量超出了本次请求',
    en: 'The presentation holds more credentials than the request asked for',
  },
  // holderSignature
  ERR_HOLDER_SIGNATURE_INVALID: { 'zh-CN': '持有人签名无效', en: "The holder's signature is not valid" },
  // presentationValidity
  ERR_PRESENTATION_EXPIRED: { 'zh-CN': '出示内容已过期', en: 'The presentation has expired' },
  ERR_PRESENTATION_NOT_YET_VALID: { 'zh-CN': '出示内容尚未生效', en: 'The presentation is not valid yet' },
  // challenge
  ERR_CHALLENGE_MISMATCH: { 'zh-CN': '出示内容不是对本次核验请求的回应', en: 'The presentation does not answer this verification request' },
  ERR_CHALLENGE_REPLAYED: {
    'zh-CN': '这份出示内容已经使用过，可能是被重复提交',
    en: 'This presentation was used already; it may have been replayed',
  },
  ERR_CHALLENGE_EXPIRED: { 'zh-CN': '核验请求已过期', en: 'The verification request had expired' },
  ERR_UNKNOWN_REQUEST: { 'zh-CN': '没有找到对应的核验请求', en: 'The verification request it answers was not found' },
  // domain
  ERR_DOMAIN_MISMATCH: {
    'zh-CN': '出示内容是给其他机构的，不是给本机构的',
    en: 'The presentation is addressed to another party, not this bank',
  },
  // credentialProof
  ERR_CREDENTIAL_MALFORMED: { 'zh-CN': '{credential}格式不正确', en: 'The {credential} is malformed' },
  ERR_JSON_FORM_MISMATCH: {
    'zh-CN': '{credential}的内容与签名部分不一致',
    en: 'The {credential} content differs from what its signature covers',
  },
  // credentialSignature
  ERR_CREDENTIAL_SIGNATURE_INVALID: {
    'zh-CN': '{credential}的签名无效，内容可能被篡改或并非发证部门签发',
    en: 'The {credential} signature is not valid: it may have been altered or not issued by the department',
  },
  ERR_ISSUER_DEACTIVATED: {
    'zh-CN': '发证部门的身份已在联盟链上注销',
    en: "The issuing department's identity is deactivated on the chain",
  },
  ERR_ISSUING_KEY_NOT_REGISTERED: {
    'zh-CN': '签发{credential}的密钥未在联盟链上登记',
    en: 'The key that signed the {credential} is not registered on the chain',
  },
  // disclosures
  ERR_DISCLOSURE_MALFORMED: { 'zh-CN': '出示的信息项格式不正确', en: 'An item shown is malformed' },
  ERR_DISCLOSURE_UNMATCHED: {
    'zh-CN': '出示的信息与发证部门签发的内容不一致，可能被篡改',
    en: 'An item shown does not match what the department signed; it may have been altered',
  },
  ERR_DISCLOSURE_DUPLICATE: { 'zh-CN': '同一项信息被重复出示', en: 'The same item was shown twice' },
  ERR_DISCLOSURE_ALGORITHM: { 'zh-CN': '信息项的摘要算法不受支持', en: 'The items use a digest algorithm that is not supported' },
  // issuerResolved
  ERR_ISSUER_NOT_RESOLVED: {
    'zh-CN': '在联盟链上查不到发证部门的身份',
    en: "The issuing department's identity cannot be found on the chain",
  },
  // issuerAccredited
  ERR_ISSUER_NOT_ACCREDITED: {
    'zh-CN': '发证部门未获联盟链授权签发此类凭证',
    en: 'The issuing department is not accredited on the chain for this kind of credential',
  },
  ERR_ISSUER_SUSPENDED: {
    'zh-CN': '发证部门的签发授权已被联盟暂停，暂停期间其签发的凭证一律不予认可',
    en: "The consortium has suspended the issuing department's accreditation; its credentials are refused while it lasts",
  },
  ERR_ISSUER_NO_LONGER_ACCREDITED: {
    'zh-CN': '发证部门的签发授权已被撤销或到期，{credential}需重新办理',
    en: "The issuing department's accreditation was revoked or has ended; the {credential} must be reissued",
  },
  // schema
  ERR_SCHEMA_MISSING: { 'zh-CN': '{credential}没有注明凭证模式', en: 'The {credential} names no schema' },
  ERR_SCHEMA_TYPE_MISMATCH: {
    'zh-CN': '{credential}注明的凭证模式与其类型不符',
    en: 'The schema the {credential} names is for another type',
  },
  ERR_SCHEMA_UNKNOWN: {
    'zh-CN': '{credential}的凭证模式未在联盟链上登记',
    en: 'The schema of the {credential} is not anchored on the chain',
  },
  ERR_SCHEMA_HASH_MISMATCH: {
    'zh-CN': '{credential}的凭证模式与联盟链上登记的不一致',
    en: 'The schema of the {credential} differs from the one anchored on the chain',
  },
  ERR_SCHEMA_VALIDATION_FAILED: { 'zh-CN': '{credential}的内容不符合凭证模式', en: 'The {credential} content does not match its schema' },
  // status
  ERR_CREDENTIAL_REVOKED: { 'zh-CN': '该{credential}已被发证部门撤销', en: 'The issuing department has revoked this {credential}' },
  ERR_CREDENTIAL_SUSPENDED: { 'zh-CN': '该{credential}已被发证部门暂停使用', en: 'The issuing department has suspended this {credential}' },
  ERR_STATUS_MISSING: {
    'zh-CN': '{credential}没有状态登记信息，无法确认是否被撤销',
    en: 'The {credential} has no status entry, so revocation cannot be checked',
  },
  ERR_STATUS_REGISTRY_UNKNOWN: {
    'zh-CN': '{credential}的状态登记不在本联盟链上，无法确认是否被撤销',
    en: 'The status of the {credential} is not kept on this chain, so revocation cannot be checked',
  },
  // validity
  ERR_CREDENTIAL_EXPIRED: { 'zh-CN': '该{credential}已过有效期', en: 'This {credential} has expired' },
  ERR_CREDENTIAL_NOT_YET_VALID: { 'zh-CN': '该{credential}尚未生效', en: 'This {credential} is not valid yet' },
  // keyBinding
  ERR_KEY_BINDING_MISSING: {
    'zh-CN': '缺少持有人设备的确认签名，无法确认是持有人本人出示',
    en: "The holder's device confirmation is missing: it cannot be told that the holder presented it",
  },
  ERR_KEY_BINDING_MALFORMED: { 'zh-CN': '持有人设备的确认签名格式不正确', en: "The holder's device confirmation is malformed" },
  ERR_HOLDER_KEY_MISSING: { 'zh-CN': '{credential}没有绑定持有人设备密钥', en: "The {credential} is bound to no holder's device key" },
  ERR_KEY_BINDING_SIGNATURE_INVALID: {
    'zh-CN': '确认签名不是由凭证绑定的持有人设备作出的，可能不是持有人本人出示',
    en: "The confirmation was not signed by the holder's device the credential is bound to; someone else may have presented it",
  },
  ERR_KEY_BINDING_NONCE_MISMATCH: {
    'zh-CN': '持有人设备的确认签名是给另一次核验请求的',
    en: "The holder's device confirmation is for another verification request",
  },
  ERR_KEY_BINDING_AUDIENCE_MISMATCH: {
    'zh-CN': '持有人设备的确认签名是给其他机构的',
    en: "The holder's device confirmation is addressed to another party",
  },
  ERR_KEY_BINDING_SD_HASH_MISMATCH: {
    'zh-CN': '持有人设备的确认签名与出示内容不对应',
    en: "The holder's device confirmation does not cover what was shown",
  },
  ERR_KEY_BINDING_STALE: {
    'zh-CN': '持有人设备的确认签名不是刚刚作出的，可能是旧的出示内容被重复使用',
    en: "The holder's device confirmation was not made just now; an old presentation may have been reused",
  },
  // holderIsSubject
  ERR_HOLDER_NOT_SUBJECT: { 'zh-CN': '出示人不是{credential}的持有人', en: 'The presenter is not the holder the {credential} names' },
  // requestedTypes
  ERR_REQUESTED_TYPE_MISSING: { 'zh-CN': '没有出示本次要求的{credential}', en: 'The {credential} asked for was not presented' },
  // requestedClaims
  ERR_REQUESTED_CLAIM_MISSING: { 'zh-CN': '没有出示本次要求的全部信息', en: 'Not every item asked for was shown' },
} as const satisfies Record<`ERR_${string}`, Text>

export type CheckCode = keyof typeof FAILED

/** Where a code shared by two checks reads differently for one of them (the presentation, not a credential). */
const FAILED_IN_CHECK: Partial<Record<CheckName, Partial<Record<CheckCode, Text>>>> = {
  proof: {
    ERR_MALFORMED_JWT: { 'zh-CN': '出示内容的数据格式不正确，无法读取', en: 'The presentation data is malformed and cannot be read' },
  },
}

/** What each credential type is called inside a sentence ("该营业执照…", "this business licence…"). */
const CREDENTIAL_NOUNS: Record<string, Text> = {
  BusinessLicenseCredential: { 'zh-CN': '营业执照', en: 'business licence' },
  PropertyCertificateCredential: { 'zh-CN': '不动产权证书', en: 'property certificate' },
  SocialSecurityStatusCredential: { 'zh-CN': '社会保险参保证明', en: 'social security record' },
  SocialInsuranceRegistrationCredential: { 'zh-CN': '单位社会保险登记', en: 'employer social insurance registration' },
}
const ANY_CREDENTIAL: Text = { 'zh-CN': '凭证', en: 'credential' }

/** A check as the verifier reports it (a result of GET /v1/presentation-requests/{id}). */
export interface ReportedCheck {
  check: string
  ok: boolean
  code: string
  credential?: number
  /** The reason a department gave for a revocation or suspension, when a result carries it. */
  reason?: unknown
}

/** The noun of a credential type for a sentence; "凭证" / "credential" for a type this page does not know. */
export function credentialNoun(type: string | undefined, locale: CheckLocale): string {
  return (type !== undefined && Object.hasOwn(CREDENTIAL_NOUNS, type) ? CREDENTIAL_NOUNS[type]! : ANY_CREDENTIAL)[locale]
}

/**
 * The sentence an officer reads for one check of a result, in `locale`; `type` is the credential type it is
 * about (when the check names a credential). A code this page does not know (a newer verifier) is told as a
 * failure with the code, never as a pass.
 *
 * @example
 * checkSentence({ check: 'status', ok: false, code: 'ERR_CREDENTIAL_REVOKED' }, 'BusinessLicenseCredential', 'zh-CN')
 * // => '该营业执照已被发证部门撤销'
 */
export function checkSentence(check: ReportedCheck, type: string | undefined, locale: CheckLocale): string {
  const noun = credentialNoun(type, locale)
  const known = check.ok
    ? (CHECK_NAMES as readonly string[]).includes(check.check)
      ? PASSED[check.check as CheckName]
      : undefined
    : Object.hasOwn(FAILED, check.code)
      ? (FAILED_IN_CHECK[check.check as CheckName]?.[check.code as CheckCode] ?? FAILED[check.code as CheckCode])
      : undefined
  if (!known) return unknownSentence(check, locale)
  const sentence = fill(known[locale], noun, locale)
  const reason = typeof check.reason === 'string' ? check.reason.trim().slice(0, 200) : ''
  if (!reason || (check.code !== 'ERR_CREDENTIAL_REVOKED' && check.code !== 'ERR_CREDENTIAL_SUSPENDED')) return sentence
  return locale === 'zh-CN' ? `${sentence}（原因：${reason}）` : `${sentence} (reason: ${reason})`
}

function fill(template: string, noun: string, locale: CheckLocale): string {
  // English starts a sentence with a capital; a noun inside one stays as it is.
  const text = template.replace('{credential}', noun)
  return locale === 'en' ? text.charAt(0).toUpperCase() + text.slice(1) : text
}

function unknownSentence(check: ReportedCheck, locale: CheckLocale): string {
  if (check.ok) return locale === 'zh-CN' ? `检查项 ${check.check} 已通过` : `Check ${check.check} passed`
  return locale === 'zh-CN' ? `检查项 ${check.check} 未通过（代码 ${check.code}）` : `Check ${check.check} failed (code ${check.code})`
}
