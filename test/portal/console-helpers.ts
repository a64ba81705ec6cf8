/**
 * Helpers of the department console's browser test: sign in through the page, fill the generated issue forms as
 * a clerk would (by their Chinese labels), and open a credential's details.
 *
 * @example
 * await signInAs(page, service, 'market-supervision-clerk')
 * await fillBusinessLicence(page.locator('form'), businessLicenseClaims())
 */
import jsqr from 'jsqr'
import type { Locator, Page } from 'playwright-core'
import type { TestService } from '../helpers/service.js'
import { demoAccount } from '../security/portal-session-helpers.js'

/** Types into the input labelled `label` (exact) within `scope`. */
export async function fillField(scope: Locator | Page, label: string, value: string): Promise<void> {
  await scope.getByLabel(label, { exact: true }).fill(value)
}

/** Signs in on /console/sign-in with a demo account's password; waits for the console's bar to name the account. */
export async function signInAs(page: Page, service: TestService, username: string): Promise<void> {
  const account = demoAccount(service, username)
  await page.goto(`${service.url}/console/sign-in`)
  await page.getByRole('heading', { name: '部门工作台登录' }).waitFor()
  await fillField(page, '用户名', account.username)
  await fillField(page, '密码', account.password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.locator('.console-bar').waitFor()
}

/** Signs out through the console's bar and waits for the sign-in page to say so. */
export async function signOut(page: Page): Promise<void> {
  await page.locator('.console-bar').getByRole('button', { name: '退出登录' }).click()
  await page.getByText('您已安全退出登录。').waitFor()
}

/** The business licence form, field by field (dates through the native date inputs, the term as 长期 when null). */
export async function fillBusinessLicence(form: Locator, claims: Record<string, any>): Promise<void> {
  await fillField(form, '统一社会信用代码', claims.unifiedSocialCreditCode)
  await fillField(form, '名称', claims.enterpriseName)
  await fillField(form, '类型', claims.enterpriseType)
  await fillField(form, '法定代表人', claims.legalRepresentative)
  const capital = form.getByRole('group', { name: '注册资本' })
  await fillField(capital, '金额', String(claims.registeredCapital.amount))
  await fillField(capital, '币种', claims.registeredCapital.currency)
  await fillField(form, '成立日期', claims.dateOfEstablishment)
  const term = form.getByRole('group', { name: '营业期限' })
  await fillField(term, '营业期限自', claims.businessTerm.from)
  if (claims.businessTerm.until === null) await term.getByText('长期', { exact: true }).click()
  else await fillField(term, '营业期限至', claims.businessTerm.until)
  await fillField(form, '经营范围', claims.businessScope)
  await fillField(form, '住所', claims.domicile)
  await fillField(form, '登记机关', claims.registrationAuthority)
}

/** The property certificate form: each owner in its own repeatable group (添加权利人 for more than one). */
export async function fillPropertyCertificate(form: Locator, claims: Record<string, any>): Promise<void> {
  await fillField(form, '不动产权证书号', claims.certificateNumber)
  await fillField(form, '不动产单元号', claims.propertyUnitNumber)
  const owners = claims.owners as { name: string; idNumberMasked: string; share: number }[]
  for (const [i, owner] of owners.entries()) {
    if (i > 0) await form.getByRole('button', { name: '添加权利人' }).click()
    const group = form.getByRole('group', { name: `权利人 ${i + 1}` })
    await fillField(group, '权利人名称', owner.name)
    await fillField(group, '证件号', owner.idNumberMasked)
    await fillField(group, '份额', String(owner.share))
  }
  await fillField(form, '坐落', claims.location)
  const area = form.getByRole('group', { name: '面积' })
  await fillField(area, '建筑面积', String(claims.area.buildingArea))
  if (claims.area.exclusiveArea !== undefined) await fillField(area, '套内建筑面积', String(claims.area.exclusiveArea))
  await fillField(form, '用途', claims.usage)
  await fillField(form, '权利类型', claims.rightType)
  await fillField(form, '权利性质', claims.rightNature)
  const encumbrances = form.getByRole('group', { name: '权利限制' })
  await encumbrances
    .getByRole('radiogroup', { name: '抵押' })
    .getByText(claims.encumbrances.mortgage ? '是' : '否')
    .click()
  await encumbrances
    .getByRole('radiogroup', { name: '查封' })
    .getByText(claims.encumbrances.seizure ? '是' : '否')
    .click()
  if (claims.encumbrances.summary) await fillField(encumbrances, '附记', claims.encumbrances.summary)
}

/** Opens the details drawer of the credentials list's row `index` (newest first) and waits for its claims. */
export async function openCredential(page: Page, index = 0): Promise<Locator> {
  await page
    .getByRole('button', { name: /^查看凭证 .* 的详情$/ })
    .nth(index)
    .click()
  const drawer = page.getByRole('dialog', { name: '凭证详情' })
  await drawer.getByRole('heading', { name: '登记事项' }).waitFor()
  return drawer
}

/** What a QR code image on the page says: drawn onto a canvas in the page, its pixels decoded here with jsQR. */
export async function readQrCode(image: Locator): Promise<string | undefined> {
  const side = 512
  const rgba = await image.evaluate(async (img: HTMLImageElement, size: number) => {
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = size
    canvas.height = size
    const context = canvas.getContext('2d')!
    context.fillStyle = '#fff'
    context.fillRect(0, 0, size, size)
    context.drawImage(img, 0, 0, size, size)
    // As base64: a plain array of the pixels takes long to cross the protocol.
    const bytes = context.getImageData(0, 0, size, size).data
    let binary = ''
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
    return btoa(binary)
  }, side)
  return jsqr.default(new Uint8ClampedArray(Buffer.from(rgba, 'base64')), side, side)?.data
}
