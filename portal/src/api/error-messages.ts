import { isApiError } from './http'

/** The portal's languages. */
export type Locale = 'zh-CN' | 'en'

/** One plain sentence per language for a person, never the service's technical message. */
export type PlainText = Record<Locale, string>

/**
 * Plain sentences for the codes a person may meet in the portal (the service's closed set of ERR_ codes, plus
 * ERR_NETWORK when it cannot be reached). A feature adds its own with {@link addErrorMessages}.
 */
const MESSAGES: Record<string, PlainText> = {
  ERR_NETWORK: {
    'zh-CN': '无法连接到服务，请检查网络后重试。',
    en: 'The service cannot be reached. Check your connection and try again.',
  },
  ERR_RATE_LIMITED: {
    'zh-CN': '操作太频繁了，请稍等片刻再试。',
    en: 'Too many attempts in a short time. Please wait a moment and try again.',
  },
  ERR_BUSY: { 'zh-CN': '服务正忙，请稍后再试。', en: 'The service is busy. Please try again shortly.' },
  ERR_CHAIN_UNAVAILABLE: {
    'zh-CN': '暂时无法读取联盟链，结果未作出任何判断，请稍后再试。',
    en: 'The consortium chain cannot be read right now, so nothing was decided. Please try again later.',
  },
  ERR_STORAGE_UNAVAILABLE: {
    'zh-CN': '服务暂时无法保存数据，本次操作没有生效，请稍后再试。',
    en: 'The service cannot save data right now; nothing was changed. Please try again later.',
  },
  ERR_INTERNAL: {
    'zh-CN': '服务出现了意外问题，请稍后再试。如果问题持续，请通过“意见反馈”告诉我们。',
    en: 'Something unexpected went wrong. Please try again later, and tell us through Feedback if it keeps happening.',
  },
  ERR_NOT_FOUND: { 'zh-CN': '没有找到您要的内容。', en: 'What you asked for was not found.' },
  ERR_AUTH_REQUIRED: { 'zh-CN': '请先登录。', en: 'Please sign in first.' },
  ERR_AUTH_INVALID: { 'zh-CN': '用户名或密码不正确。', en: 'The user name or password is not correct.' },
  ERR_ACCOUNT_LOCKED: {
    'zh-CN': '密码错误次数过多，账号已暂时锁定，请稍后再试。',
    en: 'Too many wrong passwords: the account is locked for a while. Please try again later.',
  },
  ERR_CSRF: {
    'zh-CN': '页面已过期，请刷新页面后重试。',
    en: 'This page has expired. Please reload it and try again.',
  },
  ERR_SCOPE: { 'zh-CN': '您的账号无权进行此项操作。', en: 'Your account may not do this.' },
  ERR_INVALID_REQUEST: {
    'zh-CN': '填写的内容有误，请检查标出的项目。',
    en: 'Some of what you entered is not valid. Please check the marked fields.',
  },
  ERR_CLAIMS_INVALID: {
    'zh-CN': '凭证内容不符合要求，请检查标出的项目。',
    en: 'The credential details are not valid. Please check the marked fields.',
  },
  ERR_MALFORMED_JSON: {
    'zh-CN': '请求内容无法识别，请刷新页面后重试。',
    en: 'The request could not be read. Please reload and try again.',
  },
  ERR_BODY_TOO_LARGE: { 'zh-CN': '提交的内容太长了。', en: 'What you sent is too long.' },
  ERR_FEEDBACK_FULL: {
    'zh-CN': '意见箱暂时已满，您的意见没有保存，请以后再试。',
    en: 'The feedback box is full for now; your message was not saved. Please try again later.',
  },
  ERR_NOT_ACCREDITED: {
    'zh-CN': '该部门目前没有在联盟链上获得签发此类凭证的授权。',
    en: 'This department is not accredited on the consortium chain to issue this kind of credential.',
  },
  ERR_CREDENTIAL_REVOKED: { 'zh-CN': '该凭证已被撤销。', en: 'This credential has been revoked.' },
  ERR_CREDENTIAL_SUSPENDED: { 'zh-CN': '该凭证已被暂停使用。', en: 'This credential is suspended.' },
  ERR_OFFER_EXPIRED: {
    'zh-CN': '这个领取链接已过期，请联系发证部门重新生成。',
    en: 'This offer has expired. Ask the issuing department for a new one.',
  },
  ERR_PRE_AUTHORIZED_CODE_USED: {
    'zh-CN': '这个领取链接已经使用过了，每个链接只能领取一次。',
    en: 'This offer has been used already; each offer can be received once.',
  },
  ERR_OFFER_REDEEMED: {
    'zh-CN': '这个领取链接已经使用过了，每个链接只能领取一次。',
    en: 'This offer has been used already; each offer can be received once.',
  },
  ERR_TX_CODE_INVALID: { 'zh-CN': '领取码不正确，请核对后重新输入。', en: 'The code is not correct. Check it and enter it again.' },
  ERR_OFFER_VOIDED: {
    'zh-CN': '领取码错误次数过多，这个领取链接已作废，请联系发证部门重新生成。',
    en: 'Too many wrong codes: this offer is void. Ask the issuing department for a new one.',
  },
  ERR_UNKNOWN_REQUEST: {
    'zh-CN': '没有找到这个核验请求，它可能已过期。',
    en: 'This verification request was not found; it may have expired.',
  },
  ERR_REQUEST_EXPIRED: {
    'zh-CN': '这个核验请求已过期，请让核验方重新发起。',
    en: 'This verification request has expired. Ask for a new one.',
  },
  ERR_REQUEST_ANSWERED: { 'zh-CN': '这个核验请求已经回应过了。', en: 'This verification request has been answered already.' },
}

const GENERIC: PlainText = {
  'zh-CN': '操作没有成功，请稍后再试。',
  en: 'That did not work. Please try again later.',
}

/**
 * Adds or replaces plain sentences for codes a feature's pages meet.
 *
 * @example
 * addErrorMessages({ ERR_SESSION_EXPIRED: { 'zh-CN': '登录已过期，请重新登录。', en: 'Your session has expired. Please sign in again.' } })
 */
export function addErrorMessages(messages: Record<string, PlainText>): void {
  Object.assign(MESSAGES, messages)
}

/** The stable code of an error (ERR_INTERNAL for anything that is not an ApiError: a bug of the page). */
export function errorCodeOf(error: unknown): string {
  return isApiError(error) ? error.code : 'ERR_INTERNAL'
}

/**
 * What to tell a person about `error` (an ApiError, or anything thrown): a plain sentence in their language;
 * for a code without one, a generic sentence with the code, so that they can quote it. Never the raw answer.
 *
 * @example
 * plainMessage(new ApiError('ERR_RATE_LIMITED', 429, '…'), 'zh-CN') // => '操作太频繁了，请稍等片刻再试。'
 * plainMessage(new ApiError('ERR_SOMETHING', 400, '…'), 'en') // => 'That did not work. Please try again later. (code ERR_SOMETHING)'
 */
export function plainMessage(error: unknown, locale: Locale): string {
  const code = errorCodeOf(error)
  const known = Object.hasOwn(MESSAGES, code) ? MESSAGES[code] : undefined
  if (known) return known[locale]
  return locale === 'zh-CN' ? `${GENERIC[locale]}（错误代码 ${code}）` : `${GENERIC[locale]} (code ${code})`
}
