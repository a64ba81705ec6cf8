import { textIn, type WalletLocale } from './display.js'
import { WalletCoreError, type WalletCoreErrorCode, type WalletCoreErrorDetails } from './errors.js'

type Message = string | ((details: WalletCoreErrorDetails, locale: WalletLocale) => string)

/**
 * What the wallet says to a person for each refusal, in both languages: what happened and what to do next,
 * in plain words (no protocol names, no codes, no JSON).
 */
export const WALLET_CORE_MESSAGES: Readonly<Record<WalletCoreErrorCode, Readonly<Record<WalletLocale, Message>>>> = {
  OFFER_INVALID: {
    'zh-CN': '这不是有效的凭证领取链接或二维码。请确认扫描的是办事人员给您的领取二维码。',
    en: 'This is not a valid credential offer link or QR code. Check that you scanned the offer code the clerk gave you.',
  },
  OFFER_UNSUPPORTED: {
    'zh-CN': '本钱包暂不支持这种凭证的领取方式。请向签发部门咨询其他领取方式。',
    en: 'This wallet cannot receive this kind of credential offer yet. Ask the issuing department for another way.',
  },
  OFFER_UNAVAILABLE: {
    'zh-CN': '这个领取链接已失效（已过期、已被领取或已作废）。请向办事人员重新申请。',
    en: 'This offer is no longer available (it expired, was received already or was voided). Ask the clerk for a new one.',
  },
  OFFER_EXPIRED: {
    'zh-CN': '领取链接已过期。请向办事人员重新申请。',
    en: 'The offer has expired. Ask the clerk for a new one.',
  },
  OFFER_USED: {
    'zh-CN': '这个领取链接已经领取过了，每个链接只能领取一次。凭证如已在卡包中，可直接查看。',
    en: 'This offer has been received already; each offer can be received once. If the credential is in your wallet, open it there.',
  },
  OFFER_VOIDED: {
    'zh-CN': '交易码输错次数过多，领取链接已作废。请向办事人员重新申请。',
    en: 'The transaction code was entered wrongly too many times, so the offer is void. Ask the clerk for a new one.',
  },
  TX_CODE_REQUIRED: {
    'zh-CN': '请输入办事人员提供给您的交易码。',
    en: 'Enter the transaction code the clerk gave you.',
  },
  TX_CODE_WRONG: {
    'zh-CN': (d) =>
      d.reason === 'format'
        ? '交易码格式不对，请核对位数后重新输入。'
        : d.attemptsLeft !== undefined
          ? `交易码不正确，请核对后重新输入（还可尝试 ${d.attemptsLeft} 次）。`
          : '交易码不正确，请核对后重新输入。',
    en: (d) =>
      d.reason === 'format'
        ? 'The transaction code does not have the right form. Check its digits and enter it again.'
        : d.attemptsLeft !== undefined
          ? `Wrong transaction code. Check it and try again (${d.attemptsLeft} attempt${d.attemptsLeft === 1 ? '' : 's'} left).`
          : 'Wrong transaction code. Check it and try again.',
  },
  ISSUER_UNTRUSTED: {
    'zh-CN': '无法确认签发方是平台认可的政府部门，凭证未保存。',
    en: 'The issuer could not be confirmed as a department the platform trusts, so the credential was not saved.',
  },
  ISSUER_REFUSED: {
    'zh-CN': '签发部门暂时无法签发此凭证。请稍后重试，或联系办事人员。',
    en: 'The issuing department could not issue this credential just now. Try again later or contact the clerk.',
  },
  CREDENTIAL_INVALID: {
    'zh-CN': '收到的凭证内容有误，未保存。请联系签发部门。',
    en: 'The credential received is not valid, so it was not saved. Contact the issuing department.',
  },
  REQUEST_INVALID: {
    'zh-CN': '这不是有效的出示请求。请让对方重新生成二维码。',
    en: 'This is not a valid presentation request. Ask the requester for a new QR code.',
  },
  REQUEST_UNSUPPORTED: {
    'zh-CN': '本钱包暂不支持这种出示请求。',
    en: 'This wallet cannot answer this kind of presentation request.',
  },
  REQUEST_EXPIRED: {
    'zh-CN': '出示请求已过期。请让对方重新发起。',
    en: 'The presentation request has expired. Ask the requester to start again.',
  },
  REQUEST_ANSWERED: {
    'zh-CN': '这个出示请求已经回复过了。如需再次出示，请让对方重新发起。',
    en: 'This presentation request has been answered already. Ask the requester to start again if needed.',
  },
  VERIFIER_UNTRUSTED: {
    'zh-CN': '无法确认请求方的身份（不是平台登记的机构，或请求被改动过）。为保护您的信息，未出示任何内容。',
    en: "The requester's identity could not be confirmed (not an organisation registered with the platform, or the request was altered). Nothing was shared.",
  },
  NO_MATCHING_CREDENTIAL: {
    'zh-CN': (d) => {
      const names = (d.missing ?? []).map((m) => textIn(m.typeName, 'zh-CN')).filter(Boolean)
      return names.length
        ? `您的卡包中没有对方要求的凭证：${names.join('、')}。请先向签发部门领取。`
        : '您的卡包中没有对方要求的凭证。请先向签发部门领取。'
    },
    en: (d) => {
      const names = (d.missing ?? []).map((m) => textIn(m.typeName, 'en')).filter(Boolean)
      return names.length
        ? `Your wallet does not hold what was asked for: ${names.join(', ')}. Receive it from the issuing department first.`
        : 'Your wallet does not hold the credential asked for. Receive it from the issuing department first.'
    },
  },
  VERIFIER_REFUSED: {
    'zh-CN': '对方未能接收您的出示。请稍后重试，或让对方重新发起。',
    en: 'The requester could not accept your presentation. Try again later or ask them to start again.',
  },
  TRUST_ROOT_UNAVAILABLE: {
    'zh-CN': '暂时无法获取平台的信任配置，请联网后重试。',
    en: "The platform's trust settings cannot be loaded right now. Connect to the internet and try again.",
  },
  INSECURE_URL: {
    'zh-CN': '对方地址不安全（未使用 https），已停止。',
    en: 'The address is not secure (not https), so the wallet stopped.',
  },
  NETWORK: {
    'zh-CN': '网络连接失败，请检查网络后重试。',
    en: 'The network connection failed. Check your connection and try again.',
  },
  CREDENTIAL_NOT_FOUND: {
    'zh-CN': '卡包中没有这张凭证。',
    en: 'This credential is not in your wallet.',
  },
  STORAGE: {
    'zh-CN': '无法读写本机卡包存储。请确认浏览器未处于无痕模式，且有足够的存储空间。',
    en: "The wallet's storage on this device cannot be used. Make sure the browser is not in private mode and has space left.",
  },
  UNSUPPORTED_BROWSER: {
    'zh-CN': '当前浏览器不支持网页卡包。请使用最新版的浏览器，并通过 https 访问。',
    en: 'This browser cannot run the web wallet. Use an up-to-date browser and open the wallet over https.',
  },
}

const UNEXPECTED: Readonly<Record<WalletLocale, string>> = {
  'zh-CN': '出现了意外问题，请稍后重试。',
  en: 'Something unexpected happened. Please try again later.',
}

/**
 * The sentence the UI shows for something the wallet core threw: its message in the locale for a
 * {@link WalletCoreError}, a generic sentence for anything else (never a stack or raw JSON).
 *
 * @example
 * walletErrorMessage(new WalletCoreError('TX_CODE_WRONG', { attemptsLeft: 2 }), 'zh-CN')
 * // => '交易码不正确，请核对后重新输入（还可尝试 2 次）。'
 */
export function walletErrorMessage(error: unknown, locale: WalletLocale = 'zh-CN'): string {
  if (!(error instanceof WalletCoreError)) return UNEXPECTED[locale]
  const message = WALLET_CORE_MESSAGES[error.code]?.[locale]
  if (message === undefined) return UNEXPECTED[locale]
  return typeof message === 'function' ? message(error.details, locale) : message
}
