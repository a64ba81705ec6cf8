import { addErrorMessages } from '../../api/error-messages'

/**
 * Plain sentences for the codes a clerk may meet in the console, beside the portal's shared ones
 * (api/error-messages.ts); added when the console's code loads.
 */
addErrorMessages({
  ERR_SESSION_EXPIRED: { 'zh-CN': '登录已超时，请重新登录。', en: 'Your session has ended. Please sign in again.' },
  ERR_ROLE_FORBIDDEN: {
    'zh-CN': '此项业务需由科长（审核员）办理，您的账号没有此权限。',
    en: 'A section chief (supervisor) must do this; your account may not.',
  },
  ERR_SCOPE: { 'zh-CN': '您的账号无权办理这类凭证。', en: 'Your account may not act on this kind of credential.' },
  ERR_CREDENTIAL_NOT_FOUND: {
    'zh-CN': '没有找到这份凭证，或它不是本部门签发的。',
    en: 'This credential was not found, or your department did not issue it.',
  },
  ERR_OFFER_NOT_FOUND: { 'zh-CN': '没有找到这个领取链接。', en: 'This offer was not found.' },
  ERR_UNKNOWN_TYPE: { 'zh-CN': '平台不签发这种凭证类型。', en: 'The platform does not issue this credential type.' },
  ERR_INVALID_HOLDER: {
    'zh-CN': '持有人标识不正确，应为以 did: 开头的标识。',
    en: 'The holder identifier is not valid: it must start with did:.',
  },
  ERR_VALIDITY: { 'zh-CN': '凭证的有效期不符合要求。', en: "The credential's validity period is not allowed." },
  ERR_SCHEMA_NOT_ANCHORED: {
    'zh-CN': '这种凭证的模式尚未在联盟链上锚定，暂时不能签发，请联系平台运营方。',
    en: "This credential type's schema is not anchored on the chain yet, so it cannot be issued. Contact the platform operator.",
  },
  ERR_SCHEMA_HASH_MISMATCH: {
    'zh-CN': '这种凭证的模式与联盟链上锚定的不一致，暂时不能签发，请联系平台运营方。',
    en: "This credential type's schema differs from the one anchored on the chain, so it cannot be issued. Contact the platform operator.",
  },
  ERR_STATUS_LIST_FULL: {
    'zh-CN': '本部门的凭证状态列表已满，暂时不能签发，请联系平台运营方。',
    en: "Your department's status list is full, so nothing can be issued now. Contact the platform operator.",
  },
  ERR_STATUS_INDEX_EXHAUSTED: { 'zh-CN': '暂时无法签发，请稍后再试。', en: 'Nothing can be issued right now. Please try again shortly.' },
  ERR_STATUS_WRITE_REFUSED: {
    'zh-CN': '联盟链拒绝了这次状态变更，凭证已恢复为原来的状态。',
    en: 'The chain refused the status change; the credential is back to its earlier status.',
  },
  ERR_UNIT_MISMATCH: {
    'zh-CN': '不动产单元号与卖方证书不一致。',
    en: "The real estate unit number differs from the seller's certificate.",
  },
  ERR_UNIT_HAS_CURRENT_CERTIFICATE: {
    'zh-CN': '该不动产单元已有现行的不动产权证书，请通过“办理过户”变更权利人。',
    en: 'This real estate unit already has a current certificate: use “Transfer the property” to change its owners.',
  },
  ERR_INVALID_QUERY: { 'zh-CN': '查询条件有误，请检查后重试。', en: 'The search is not valid. Check it and try again.' },
})
