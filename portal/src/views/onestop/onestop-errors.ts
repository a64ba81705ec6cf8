import { addErrorMessages } from '../../api/error-messages'

/** Plain sentences for the codes the one-stop pages meet (the applicant's and the console's); added when they load. */
addErrorMessages({
  ERR_FORM_INVALID: {
    'zh-CN': '申请信息有误，请检查标出的项目。',
    en: 'Some of your application is not valid. Please check the marked fields.',
  },
  ERR_BUNDLE_NOT_FOUND: {
    'zh-CN': '这个一网通办事项暂时不能办理。',
    en: 'This one-stop service cannot be applied for at the moment.',
  },
  ERR_CASE_NOT_FOUND: {
    'zh-CN': '没有找到这个申请。它可能已过期，或已办结并按规定删除；已领取的凭证不受影响。',
    en: 'This application was not found. It may have expired, or been finished and deleted as the rules require; credentials you received are not affected.',
  },
  ERR_TOO_MANY_OPEN_CASES: {
    'zh-CN': '当前办理人数较多，请几分钟后再提交申请。',
    en: 'Many applications are waiting right now. Please submit yours again in a few minutes.',
  },
  ERR_REVIEW_NOT_FOUND: {
    'zh-CN': '没有找到这个审核任务，或它不属于本部门。',
    en: 'This review task was not found, or it is not your department’s.',
  },
  ERR_REVIEW_DECIDED: {
    'zh-CN': '这个审核任务已经处理过了。',
    en: 'This review task has been decided already.',
  },
  ERR_RULE_INVALID: {
    'zh-CN': '规则文档不符合要求，请按下面列出的问题修改。',
    en: 'The rule document is refused: change it as the problems listed below say.',
  },
  ERR_RULE_TAMPERED: {
    'zh-CN': '这条规则的内容与链上锚定的哈希不一致，不能使用，请联系平台运营方。',
    en: 'This rule differs from the hash anchored on the chain, so it is not used. Contact the platform operator.',
  },
  ERR_RULE_NOT_FOUND: { 'zh-CN': '没有找到这个规则版本。', en: 'This rule version was not found.' },
  ERR_RULE_STATE: {
    'zh-CN': '这个规则版本现在不能这样操作：已发布的规则不能修改，请使用新的版本号。',
    en: 'This rule version does not allow that now: a published rule never changes, so use a new version.',
  },
})
