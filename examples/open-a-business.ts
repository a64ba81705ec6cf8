/**
 * 一网通办：开办企业 / One-stop service: open a business.
 *
 * The applicant holds a property certificate (the premises) and a social-security status in a wallet. She opens
 * a one-stop case for the bundle "open-a-business" with one form; the platform asks her wallet, in one OpenID4VP
 * request, for the claims the bundle's rules read; the market-supervision bureau's published rule issues the
 * business licence with no clerk, and the social-security bureau's rule, chained on that licence, issues the
 * employer's social insurance registration. Her wallet redeems both offers (OpenID4VCI).
 *
 * Run: `npm start` in one terminal, then `npx tsx examples/open-a-business.ts`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { HolderWallet } from '../src/wallet/holder-wallet.js'
import { ApiError, GovcredClient, type CredentialType, type DepartmentClient, type DemoDepartmentId } from './lib/client.js'
import { Narrator, shortDid, shortHash } from './lib/narrator.js'
import { receiveOffer } from './lib/receive-offer.js'
import { openExampleWallet, runFromCommandLine, waitFor, type ExampleOptions } from './lib/run-example.js'
import {
  CREDENTIAL_TITLES,
  newMaskedIdNumber,
  newPropertyUnitNumber,
  newUscc,
  propertyCertificateClaims,
  socialSecurityStatusClaims,
  type Person,
} from './lib/sample-claims.js'

const BUNDLE = 'open-a-business'
const RULES_DIR = fileURLToPath(new URL('../rules', import.meta.url))

type Text = { 'zh-CN': string; en: string }

interface BundleStep {
  ruleId: string
  version: string
  ruleHash: string
  department: { id: string; name: string; nameEn: string }
  outputType: string
  title: Text
}

interface Bundle {
  id: string
  title: Text
  description: Text
  steps: BundleStep[]
  prerequisites: { id: string; type: string; claims: string[]; neededBy: string }[]
  form: { properties?: Record<string, unknown>; required?: string[] }
}

interface CaseOffer {
  id: string
  offerUri: string
  credentialOfferUri: string
  txCode: string | null
  expiresAt: string
  redeemed: boolean
  credentialId: string | null
}

interface CaseStep extends BundleStep {
  state: 'waiting' | 'issued' | 'in-review' | 'refused' | 'blocked' | 'failed'
  conditions: { id: string; result: 'passed' | 'failed'; description: Text }[]
  formErrors: { field: string; message: string }[]
  offer: CaseOffer | null
  review: { state: string; reason: string | null; decidedAt: string | null } | null
  error: { code: string; message: string } | null
}

type CaseState = 'awaiting-presentation' | 'in-progress' | 'completed' | 'refused' | 'failed' | 'expired'

interface CaseView {
  id: string
  bundle: string
  state: CaseState
  presentation: {
    requestId: string
    deepLink: string
    requestUri: string
    expiresAt: string
    state: 'pending' | 'answered' | 'expired'
    error: { code: string; message: string } | null
  }
  steps: CaseStep[]
}

export interface OpenABusinessOutcome {
  caseId: string
  /** Each case state the applicant saw, in order. */
  caseStates: CaseState[]
  /** Each step's final state, by rule id. */
  steps: Record<string, CaseStep['state']>
  /** The credentials the wallet received from the case's offers, by output type. */
  received: Record<string, { credentialId: string; format: string; walletStatus: string }>
}

const CASE_WORDS: Record<CaseState, [zh: string, en: string]> = {
  'awaiting-presentation': ['等待钱包出示', 'waiting for the wallet'],
  'in-progress': ['办理中', 'in progress'],
  completed: ['已办结', 'completed'],
  refused: ['未予办理', 'refused'],
  failed: ['办理失败', 'failed'],
  expired: ['已过期', 'expired'],
}

const STEP_WORDS: Record<CaseStep['state'], [zh: string, en: string]> = {
  waiting: ['等待中', 'waiting'],
  issued: ['已核发（待领取）', 'issued (to be collected)'],
  'in-review': ['人工审核中', 'in review'],
  refused: ['未予核发', 'refused'],
  blocked: ['因前一步未办结而中止', 'blocked by an earlier step'],
  failed: ['失败', 'failed'],
}

const TITLES: Record<string, { zh: string; en: string }> = {
  ...CREDENTIAL_TITLES,
  SocialInsuranceRegistrationCredential: { zh: '单位社会保险登记', en: 'employer social insurance registration' },
}

export async function main(options: ExampleOptions = {}): Promise<OpenABusinessOutcome> {
  const say = new Narrator(options.log)
  const govcred = new GovcredClient(options)
  await govcred.ensureReady()
  const registry = govcred.department('real-estate-registration')
  const bureau = govcred.department('human-resources-social-security')
  const applicant: Person = { name: '李明', idNumberMasked: newMaskedIdNumber() }

  say.title('一网通办：开办企业，一次申请、一次出示', 'One-stop service: open a business with one application and one presentation')
  say.note(
    '各部门把核发规则作为数据发布（规则的哈希由部门自己的链上账户锚定）；平台按规则自动判断，条件满足即核发，无需窗口人员。',
    "Each department publishes its issuance rule as data (its hash anchored by the department's own chain account); the platform applies the rules and issues with no clerk when every condition passes.",
  )

  const bundle = await publishedBundle(say, govcred)
  say.step('办事指南：开办企业一件事', 'The bundle: what "open a business" does')
  say.fact('事项', 'Bundle', `${bundle.title['zh-CN']} / ${bundle.title.en}`)
  for (const step of bundle.steps) {
    const title = TITLES[step.outputType] ?? { zh: step.outputType, en: step.outputType }
    say.fact(
      `${step.department.name} 核发${title.zh}`,
      `${step.department.nameEn} issues the ${title.en}`,
      `${step.ruleId}@${step.version}, rule hash ${shortHash(step.ruleHash)}`,
    )
  }
  for (const p of bundle.prerequisites) {
    const title = TITLES[p.type] ?? { zh: p.type, en: p.type }
    say.fact(`需出示：${title.zh}`, `To present: ${title.en}`, p.claims.join(', '))
  }

  say.step(
    '申请人的钱包领取不动产权证书和社保参保证明（OpenID4VCI）',
    "The applicant's wallet receives a property certificate and a social-security status (OpenID4VCI)",
  )
  const wallet = await openExampleWallet(govcred.dataDir, 'open-a-business-applicant')
  try {
    const holder = await wallet.createDid('key')
    say.fact('数字身份', 'DID', shortDid(holder))
    await receiveOffer(
      say,
      wallet,
      registry,
      'PropertyCertificateCredential',
      propertyCertificateClaims({ unitNumber: newPropertyUnitNumber(), owner: applicant }),
    )
    await receiveOffer(say, wallet, bureau, 'SocialSecurityStatusCredential', socialSecurityStatusClaims({ person: applicant, months: 86 }))

    say.step('申请人填写一张表单，提交开办企业申请', 'The applicant fills in one form and opens the case')
    const form = formFor(bundle, applicant)
    say.fact('企业名称', 'Enterprise name', String(form.enterpriseName))
    say.fact('统一社会信用代码', 'Unified social credit code', String(form.unifiedSocialCreditCode))
    say.fact('法定代表人', 'Legal representative', String(form.legalRepresentative))
    const opened = await govcred.request<CaseView & { token: string }>('POST', '/v1/onestop/cases', { body: { bundle: bundle.id, form } })
    const caseStates: CaseState[] = [opened.state]
    say.fact('办件编号', 'Case', opened.id)
    say.fact('办件状态', 'Case state', words(CASE_WORDS, opened.state))
    say.note('办件查询凭据只显示这一次，用它查看办理进度。', 'The case access token is shown once; it reads the case.')

    say.step(
      '钱包核对平台的请求，申请人同意后一次出示所需信息（OpenID4VP）',
      "The wallet checks the platform's request and, with the applicant's consent, presents once (OpenID4VP)",
    )
    const rootPem = join(govcred.dataDir, 'issuer-ca', 'root-ca.pem')
    const trust = existsSync(rootPem) ? { trustedRoots: [readFileSync(rootPem, 'utf8')] } : {}
    const plan = await wallet.openPresentationRequest(opened.presentation.deepLink, trust)
    say.ok(
      `请求来自：${plan.verifierName['zh-CN'] ?? ''}（${plan.clientId}），签名和证书核对无误`,
      `the request comes from ${plan.verifierName.en ?? ''}; its signature and certificate check out`,
    )
    say.fact('用途', 'Purpose', `${plan.purpose['zh-CN'] ?? ''} / ${plan.purpose.en ?? ''}`)
    for (const c of plan.credentials) {
      const type = c.vct.split('/').pop()!
      say.fact(TITLES[type]?.zh ?? type, '只披露 disclose only', c.claimNames.map((n) => n.path).join(', '))
    }
    await wallet.sendPresentation(plan, trust)
    say.ok('钱包只出示了规则要读取的几项信息', 'the wallet presented only the claims the rules read')

    say.step('平台按已发布的规则逐步办理', 'The platform runs each step by its published rule')
    const view = await waitFor(
      async () => {
        const current = await readCase(govcred, opened.id, opened.token)
        if (caseStates[caseStates.length - 1] !== current.state) caseStates.push(current.state)
        return current
      },
      (c) => c.state !== 'awaiting-presentation' && !c.steps.some((s) => s.state === 'waiting'),
      'the case to be decided',
      60_000,
    )
    if (view.presentation.error) say.bad(`出示未通过：${view.presentation.error.code}`, view.presentation.error.message)
    for (const step of view.steps) {
      say.fact(`${step.department.name}：${step.title['zh-CN']}`, step.title.en, words(STEP_WORDS, step.state))
      for (const c of step.conditions) {
        const mark = c.result === 'passed' ? '✓' : '✗'
        say.line(`        ${mark} ${c.description['zh-CN']} / ${c.description.en}`)
      }
      for (const e of step.formErrors) say.line(`        ✗ ${e.field}: ${e.message}`)
      if (step.error) say.line(`        ✗ ${step.error.code}: ${step.error.message}`)
      if (step.review) say.line(`        审核 review: ${step.review.state}${step.review.reason ? ` — ${step.review.reason}` : ''}`)
    }
    say.fact('办件状态', 'Case state', words(CASE_WORDS, view.state))
    if (view.state !== 'completed')
      throw new ApiError('ERR_EXAMPLE_CASE_NOT_COMPLETED', `the case ended ${view.state}, not completed (see the steps above)`)

    const count = view.steps.length
    say.step(
      `钱包领取${count === 2 ? '两' : count}张新凭证（OpenID4VCI，交易码随办件给出）`,
      `The wallet collects the ${count} new credential${count === 1 ? '' : 's'} (OpenID4VCI; the transaction codes come with the case)`,
    )
    const received: OpenABusinessOutcome['received'] = {}
    for (const step of view.steps) {
      const offer = step.offer
      if (!offer) throw new ApiError('ERR_EXAMPLE_NO_OFFER', `step ${step.ruleId} was issued without an offer`)
      const got = await wallet.receive(offer.offerUri, offer.txCode ? { txCode: offer.txCode } : {})
      const held = (await wallet.describeCredentials()).find((c) => c.id === got.id)
      const title = TITLES[step.outputType] ?? { zh: step.outputType, en: step.outputType }
      say.fact(
        title.zh,
        title.en,
        `${step.department.name} → ${got.format}, ${held?.status === 'valid' ? '有效 valid' : (held?.status ?? 'unknown')}`,
      )
      received[step.outputType] = { credentialId: got.id, format: got.format, walletStatus: held?.status ?? 'unknown' }
    }
    const after = await readCase(govcred, opened.id, opened.token)
    for (const step of after.steps) {
      const title = TITLES[step.outputType] ?? { zh: step.outputType, en: step.outputType }
      say.fact(`${title.zh}领取状态`, `${title.en} collected`, step.offer?.redeemed ? `是 yes (${step.offer.credentialId ?? ''})` : '否 no')
    }
    if (after.steps.every((s) => s.offer?.redeemed)) say.ok('凭证均已领取，办件办结', 'every credential is collected; the case is done')
    else say.bad('仍有凭证未领取', 'a credential is still to be collected')
    say.fact('办件状态变化', 'Case states', caseStates.map((s) => words(CASE_WORDS, s)).join(' → '))
    say.note(
      '每一步的判定（规则版本、哈希、结果、所用凭证）都记入该部门的审计日志，并分批锚定到区块链。',
      "Each step's decision (rule version, hash, outcome, the credentials it used) is in that department's audit log, anchored on the chain in batches.",
    )
    return {
      caseId: opened.id,
      caseStates,
      steps: Object.fromEntries(after.steps.map((s) => [s.ruleId, s.state])),
      received,
    }
  } finally {
    await wallet.close()
  }
}

/**
 * The bundle as the platform lists it (only once every step's rule is published). When it is not listed yet, the
 * example publishes the demo rules of `rules/` with the departments' API keys from demo.json, as their systems would.
 */
async function publishedBundle(say: Narrator, govcred: GovcredClient): Promise<Bundle> {
  const find = async () => (await govcred.request<{ bundles: Bundle[] }>('GET', '/v1/onestop/bundles')).bundles.find((b) => b.id === BUNDLE)
  const listed = await find()
  if (listed) return listed
  say.step('各部门发布本部门的开办企业规则', 'Each department publishes its rule for opening a business')
  for (const name of readdirSync(RULES_DIR).filter((f) => f.endsWith('.json'))) {
    const rule = JSON.parse(readFileSync(join(RULES_DIR, name), 'utf8')) as { id: string; version: string; department: DemoDepartmentId }
    const department: DepartmentClient = govcred.department(rule.department)
    const key = department.department.apiKey
    try {
      await govcred.request('POST', '/v1/onestop/rules', { body: rule, apiKey: key })
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'ERR_RULE_STATE')) throw error
    }
    const path = `/v1/onestop/rules/${encodeURIComponent(rule.id)}/${encodeURIComponent(rule.version)}`
    try {
      const published = await govcred.request<{ hash: string }>('POST', `${path}/publish`, { body: {}, apiKey: key })
      say.fact(department.department.name, department.department.nameEn, `${rule.id}@${rule.version} ${shortHash(published.hash)}`)
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'ERR_RULE_STATE')) throw error
    }
  }
  const bundle = await find()
  if (!bundle) throw new ApiError('ERR_BUNDLE_NOT_FOUND', `the service lists no bundle ${BUNDLE}: is rules/bundles/${BUNDLE}.json there?`)
  return bundle
}

/** One form for the whole bundle: the fields of every step's rule, filled in for a new enterprise of the applicant. */
function formFor(bundle: Bundle, applicant: Person): Record<string, unknown> {
  const today = new Date().toISOString().slice(0, 10)
  const values: Record<string, unknown> = {
    unifiedSocialCreditCode: newUscc(),
    enterpriseName: '南京鼓楼一网通办软件有限公司',
    enterpriseType: '有限责任公司(自然人独资)',
    legalRepresentative: applicant.name,
    registeredCapital: { amount: 1_000_000, currency: 'CNY' },
    dateOfEstablishment: today,
    businessTerm: { from: today, until: null },
    businessScope: '一般项目：软件开发；信息技术咨询服务（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）',
    plannedEmployees: 8,
    insuranceTypes: ['pension', 'medical', 'unemployment', 'workInjury', 'maternity'],
  }
  const fields = Object.keys(bundle.form.properties ?? {})
  const unknown = (bundle.form.required ?? []).filter((f) => !(f in values))
  if (unknown.length > 0)
    throw new ApiError('ERR_EXAMPLE_FORM', `the bundle's form asks for fields this example does not know: ${unknown.join(', ')}`)
  return Object.fromEntries(fields.filter((f) => f in values).map((f) => [f, values[f]]))
}

function readCase(govcred: GovcredClient, id: string, token: string): Promise<CaseView> {
  return govcred.request<CaseView>('GET', `/v1/onestop/cases/${encodeURIComponent(id)}`, { apiKey: token })
}

function words<T extends string>(table: Record<T, [string, string]>, state: T): string {
  const [zh, en] = table[state] ?? [state, state]
  return `${zh} / ${en}`
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runFromCommandLine(main)
