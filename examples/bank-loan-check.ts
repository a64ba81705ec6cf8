/**
 * 银行贷款审核 / A bank checks a loan applicant — by OpenID4VP, seeing only what it asks for.
 *
 * 李明 runs a small software studio and applies for a business loan, pledging his flat. The three departments
 * gave his wallet a business licence, a property certificate and a social-security status as SD-JWT VCs
 * (OpenID4VCI). The bank (南京银行（演示）, a registered relying party) asks by OpenID4VP for a few claims of
 * each; his wallet checks the bank's signed request, shows who asks, why and for which claims, and discloses
 * only those (with key binding). The bank verifies them against the chain alone, check by check, and never sees
 * the claims it did not ask for. Then the registration centre revokes the property certificate (the flat was
 * sold), and a new presentation is refused with ERR_CREDENTIAL_REVOKED.
 *
 * Run: `npm start` in one terminal, then `npx tsx examples/bank-loan-check.ts`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { HolderWallet, PresentationPlan } from '../src/wallet/holder-wallet.js'
import {
  GovcredClient,
  type CredentialType,
  type DepartmentClient,
  type Openid4vpRequestInput,
  type RelyingPartyClient,
  type VerificationCheck,
  type VerificationResult,
  type VerifiedCredential,
} from './lib/client.js'
import { Narrator, shortDid, shortHash } from './lib/narrator.js'
import { receiveOffer } from './lib/receive-offer.js'
import { openExampleWallet, runFromCommandLine, waitFor, type ExampleOptions } from './lib/run-example.js'
import {
  CREDENTIAL_TITLES,
  businessLicenceClaims,
  newMaskedIdNumber,
  newPropertyUnitNumber,
  newUscc,
  propertyCertificateClaims,
  socialSecurityStatusClaims,
  type Person,
} from './lib/sample-claims.js'

export interface BankLoanCheckOutcome {
  first: { verified: boolean; checks: VerificationCheck[]; credentials: VerifiedCredential[] }
  second: { verified: boolean; checks: VerificationCheck[]; failedCodes: string[] }
  /** Per credential type: the claims the bank asked for and received. */
  disclosed: Record<string, string[]>
  /** Per credential type: the claims the wallet holds that the bank never saw. */
  hidden: Record<string, string[]>
}

/** What the bank asks for: only what a loan check needs. */
const LOAN_REQUEST: Openid4vpRequestInput = {
  credentials: [
    { id: 'licence', type: 'BusinessLicenseCredential', claims: ['enterpriseName', 'unifiedSocialCreditCode', 'enterpriseType'] },
    { id: 'property', type: 'PropertyCertificateCredential', claims: ['certificateNumber', 'location', 'encumbrances'] },
    { id: 'insured', type: 'SocialSecurityStatusCredential', claims: ['insuredName', 'city', 'asOf'] },
  ],
  purpose: { 'zh-CN': '个人经营贷款审核', en: 'Business loan application check' },
}

const CHECK_WORDS: Record<string, string> = {
  credentialProof: '凭证格式 credential format',
  credentialSignature: '部门签名 issuer signature',
  issuerResolved: '部门身份 issuer identity',
  issuerAccredited: '部门授权 issuer accredited',
  disclosures: '披露项与摘要一致 disclosures match',
  schema: '数据格式 schema',
  status: '未撤销/未暂停 not revoked/suspended',
  validity: '有效期 validity period',
  keyBinding: '本人持有（密钥绑定）key binding',
  requestedClaims: '所需信息齐全 requested claims',
  requestedTypes: '所需凭证齐全 requested types',
}

const CLAIM_WORDS: Record<string, string> = {
  enterpriseName: '名称 name',
  unifiedSocialCreditCode: '统一社会信用代码 USCC',
  enterpriseType: '类型 type',
  certificateNumber: '证书号 certificate',
  location: '坐落 location',
  encumbrances: '抵押/查封 mortgage/seizure',
  insuredName: '参保人 insured',
  city: '参保地 city',
  asOf: '截至 as of',
}

export async function main(options: ExampleOptions = {}): Promise<BankLoanCheckOutcome> {
  const say = new Narrator(options.log)
  const govcred = new GovcredClient(options)
  const market = govcred.department('market-supervision')
  const registry = govcred.department('real-estate-registration')
  const bureau = govcred.department('human-resources-social-security')
  const bank = govcred.relyingParty()
  await govcred.ensureReady()
  const applicant: Person = { name: '李明', idNumberMasked: newMaskedIdNumber() }

  say.title('银行贷款审核：只看需要的信息', 'A bank loan check that sees only what it needs')
  say.note(
    '银行通过 OpenID4VP 请求几项信息；申请人的钱包只披露这几项，银行再到区块链上核对签发部门的身份、授权和凭证状态。',
    "The bank asks by OpenID4VP for a few claims; the applicant's wallet discloses only those, and the bank checks the issuers' identity, accreditation and each credential's status on the chain.",
  )

  say.step(
    '三个部门通过 OpenID4VCI 向申请人的钱包签发凭证（SD-JWT VC）',
    "Three departments issue SD-JWT VCs to the applicant's wallet (OpenID4VCI)",
  )
  const wallet = await openExampleWallet(govcred.dataDir, 'bank-loan-applicant')
  try {
    await receiveOffer(
      say,
      wallet,
      market,
      'BusinessLicenseCredential',
      businessLicenceClaims({ uscc: newUscc(), legalRepresentative: applicant.name }),
    )
    const propertyId = await receiveOffer(
      say,
      wallet,
      registry,
      'PropertyCertificateCredential',
      propertyCertificateClaims({ unitNumber: newPropertyUnitNumber(), owner: applicant }),
    )
    await receiveOffer(say, wallet, bureau, 'SocialSecurityStatusCredential', socialSecurityStatusClaims({ person: applicant, months: 86 }))

    say.step(
      `${bank.party.name}发起 OpenID4VP 请求：营业执照、不动产权证书和社保参保证明中的几项`,
      `${bank.party.nameEn} asks by OpenID4VP for a few claims of a business licence, a property certificate and a social-security status`,
    )
    const rootPem = join(govcred.dataDir, 'issuer-ca', 'root-ca.pem')
    const trustedRoots = existsSync(rootPem) ? [readFileSync(rootPem, 'utf8')] : undefined
    const { plan, result: first } = await presentAndRead(say, bank, wallet, trustedRoots)
    showResult(say, first)

    const held = await wallet.describeCredentials()
    const disclosed: Record<string, string[]> = {}
    const hidden: Record<string, string[]> = {}
    for (const planned of plan.credentials) {
      const type = planned.vct.split('/').pop()!
      const received = first.credentials.find((c) => c.types.includes(type))
      const seen = Object.keys(received?.claims ?? {}).sort()
      disclosed[type] = seen
      hidden[type] = (held.find((c) => c.id === planned.credential.id)?.claims ?? [])
        .map((c) => c.name)
        .filter((name) => !seen.includes(name))
        .sort()
    }
    if (first.verified) showClaims(say, first.credentials, hidden)

    say.step(
      '房子已出售：不动产登记中心撤销这本不动产权证书',
      'The flat has been sold: the registration centre revokes the property certificate',
    )
    const revoked = await registry.revoke(propertyId)
    say.fact('链上交易', 'Transaction on the chain', shortHash(revoked.txHash))
    say.note(
      '银行的核验服务逐个区块跟踪区块链；稍等它读到包含这次撤销的区块（通常不到一秒）。',
      "The bank's verifier follows the chain block by block; wait until it has read the block with this revocation (usually under a second).",
    )
    const propertyCompact = plan.credentials.find((c) => c.queryId === 'property')!.credential.credential
    await waitFor(
      () => govcred.verifyCredential(propertyCompact),
      (result) => !result.verified,
      'the verifier seeing the revocation',
    )

    say.step(
      '银行再次核验（新的请求），申请人出示同样的凭证',
      'The bank checks again (a new request); the applicant presents the same credentials',
    )
    const { result: second } = await presentAndRead(say, bank, wallet, trustedRoots)
    showResult(say, second)
    const failed = second.checks.filter((c) => !c.ok)
    say.line('')
    for (const check of failed) {
      say.bad(
        `未通过：${CHECK_WORDS[check.check] ?? check.check}（${credentialLabel(second, check)}）`,
        `failed: ${check.code} — ${shortenDids(check.message)}`,
      )
    }

    return {
      first: { verified: first.verified, checks: first.checks, credentials: first.credentials },
      second: { verified: second.verified, checks: second.checks, failedCodes: failed.map((c) => c.code) },
      disclosed,
      hidden,
    }
  } finally {
    await wallet.close()
  }
}

/** The bank asks, the wallet shows what is asked and answers (the applicant agrees), the bank reads the result. */
async function presentAndRead(
  say: Narrator,
  bank: RelyingPartyClient,
  wallet: HolderWallet,
  trustedRoots: string[] | undefined,
): Promise<{ plan: PresentationPlan; result: VerificationResult }> {
  const request = await bank.requestPresentation(LOAN_REQUEST)
  say.fact('请求链接（二维码内容）', 'Request link (in the QR code)', `${request.deepLink.slice(0, 72)}…`)
  const plan = await wallet.openPresentationRequest(request.deepLink, trustedRoots ? { trustedRoots } : {})
  say.ok(
    `钱包核对了请求的签名和证书：${plan.verifierName['zh-CN'] ?? ''}（${plan.clientId}）`,
    `the wallet checked the request's signature and certificate: ${plan.verifierName.en ?? ''}`,
  )
  say.fact('用途', 'Purpose', `${plan.purpose['zh-CN'] ?? ''} / ${plan.purpose.en ?? ''}`)
  for (const c of plan.credentials) {
    const type = c.vct.split('/').pop()!
    say.fact(CREDENTIAL_TITLES[type]?.zh ?? type, '只披露 disclose only', c.claimNames.map((n) => n.path).join(', '))
  }
  await wallet.sendPresentation(plan)
  say.ok('申请人同意，钱包只出示了所请求的信息', 'the applicant agreed; the wallet presented only the claims asked for')
  const state = await waitFor(
    () => bank.readRequest(request.id),
    (s) => s.state !== 'pending',
    'the bank receiving the answer',
  )
  if (!state.result) throw new Error(`the request ended ${state.state} without a result`)
  return { plan, result: state.result }
}

function showResult(say: Narrator, result: VerificationResult): void {
  say.line('')
  say.table(
    ['', '检查项 check', '凭证 credential', '代码 code', '说明 message'],
    result.checks.map((c) => [
      c.ok ? '✓' : '✗',
      CHECK_WORDS[c.check] ?? c.check,
      credentialLabel(result, c),
      c.code,
      shortenDids(c.message),
    ]),
  )
  say.line('')
  if (result.verified) say.ok('核验通过', 'VERIFIED')
  else say.bad(`核验未通过：${result.error?.code ?? ''}`, `REFUSED: ${result.error?.message ?? ''}`)
}

function shortenDids(text: string): string {
  return text.replace(/did:[a-z0-9]+:[^\s,;()]+/g, (did) => shortDid(did))
}

function credentialLabel(result: VerificationResult, check: VerificationCheck): string {
  if (check.credential === undefined) return '出示 presentation'
  const types = result.credentials.find((c) => c.index === check.credential)?.types ?? []
  const type = types.find((t) => t !== 'VerifiableCredential')
  return type && CREDENTIAL_TITLES[type] ? CREDENTIAL_TITLES[type].zh : `#${check.credential}`
}

/** What the bank learns (the disclosed claims only) and what it never saw. */
function showClaims(say: Narrator, credentials: VerifiedCredential[], hidden: Record<string, string[]>): void {
  say.line('')
  say.note('银行获得的已核验信息（仅所请求的几项）：', 'What the bank now knows, verified (only the claims it asked for):')
  for (const credential of credentials) {
    const type = credential.types.find((t) => t !== 'VerifiableCredential') ?? ''
    const title = CREDENTIAL_TITLES[type] ?? { zh: type, en: type }
    say.line(`     【${title.zh} / ${title.en}】 ${credential.issuerName ?? credential.issuer ?? ''}`)
    for (const [name, value] of Object.entries(credential.claims)) {
      say.line(`        ${CLAIM_WORDS[name] ?? name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    }
    if (hidden[type]?.length) say.line(`        银行没有看到 the bank did not see: ${hidden[type].join(', ')}`)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runFromCommandLine(main)
