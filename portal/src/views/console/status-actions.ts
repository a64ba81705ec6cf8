import { ElMessageBox } from 'element-plus'
import type { StatusAction } from './console-api'

/** Longest reason a clerk may give for a status change (the audit trail keeps it short). */
export const REASON_MAX = 200

/**
 * The confirmation of a status change: a dialog naming the credential, with the reason required (1 to
 * REASON_MAX characters). Resolves the reason, or undefined when the supervisor cancels.
 *
 * @example
 * const reason = await askReason('revoke', t, '营业执照“南京鼓楼智链科技有限公司”')
 */
export async function askReason(
  action: StatusAction,
  t: (key: string, named?: Record<string, unknown>) => string,
  name: string,
): Promise<string | undefined> {
  try {
    const answer = await ElMessageBox.prompt(t(`console.action.messages.${action}`, { name }), t(`console.action.titles.${action}`), {
      type: 'warning',
      confirmButtonText: t(`console.action.confirm.${action}`),
      cancelButtonText: t('console.common.cancel'),
      confirmButtonClass: action === 'revoke' ? 'el-button--danger' : '',
      inputPlaceholder: t('console.action.reasonPlaceholder'),
      inputValidator: (value) => {
        const length = [...(value ?? '').trim()].length
        return (length > 0 && length <= REASON_MAX) || t('console.action.reasonRequired')
      },
      closeOnClickModal: false,
      customClass: 'status-dialog',
    })
    return answer.value.trim()
  } catch {
    return undefined
  }
}

/** A plain confirmation (the property transfer): true when confirmed. */
export async function confirmAction(title: string, message: string, confirm: string, cancel: string): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText: confirm,
      cancelButtonText: cancel,
      closeOnClickModal: false,
    })
    return true
  } catch {
    return false
  }
}
