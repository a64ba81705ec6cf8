import { ElMessageBox } from 'element-plus'

/**
 * Asks a person to confirm something that cannot be undone (Element Plus's message box: a dialog with its
 * title, focus inside and Escape to cancel). Resolves true only when they confirm.
 *
 * @example
 * if (await confirmDanger({ title: t('…Title'), message: t('…Confirm'), confirm: t('…Ok'), cancel: t('…cancel') })) wipe()
 */
export async function confirmDanger(texts: { title: string; message: string; confirm: string; cancel: string }): Promise<boolean> {
  try {
    await ElMessageBox.confirm(texts.message, texts.title, {
      type: 'warning',
      confirmButtonText: texts.confirm,
      cancelButtonText: texts.cancel,
      confirmButtonClass: 'el-button--danger',
      autofocus: false,
      closeOnClickModal: false,
    })
    return true
  } catch {
    return false
  }
}
