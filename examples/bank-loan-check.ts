/**
 * 银行贷款审核 / A bank checks a loan applicant — without calling any department.
 *
 * 李明 runs a small software studio and applies for a business loan, pledging his flat. The bank asks
 * for three credentials: the studio's business licence, the flat's property certificate and his
 * social-security status. His wallet presents them; the bank verifies them from the presentation and
 * the chain alone, check by check. Then the registration centre revokes the property certificate (the
 * flat was sold), and a new presentation is refused with ERR_CREDENTIAL_REVOKED.
 *
 * Run: `npm start` in one terminal, then `npx tsx examples/bank-loan-check.ts`.
 */
import { pathToFileURL } from 'node:url'
import type { HolderWallet } from '../src/wallet/holder-wallet.js'
import {
  GovcredClient,
  type CredentialType,
  type VerificationCheck,
  type VerificationResult,
  type VerifiedCredential,
} from './lib/client.js'
import { Narrator, shortDid, shortHash } from './lib/narrator.js'
import { openExampleWallet, runFromCommandLine, waitFor, type ExampleOptions } from './lib/run-example.js'
import {
  CREDENTIAL_TITLES,
  INSURANCE_WORDS,
  businessLicenceClaims,
  newMaskedIdNumber,
  newPropertyUnitNumber,
  newUscc,
  propertyCertificateClaims,
  socialSecurityStatusClaims,
  type Person,
} from './lib/sample-claims.js'

export interface BankLoanCheckOutcome {
  holder: string
  first: { verified: boolean; checks: VerificationCheck[] }
  second: { verified: boolean; checks: VerificationCheck[]; failedCodes: string[] }
}

const REQUESTED: CredentialType[] = ['BusinessLicenseCredential', 'PropertyCertificateCredential', 'SocialSecurityStatusCredential']
const PURPOSE = '个人经营贷款审核 / Business loan application check'

const CHECK_WORDS: Record<string, string> = {
  proof: '证明格式 proof format',
  holderSignature: '持有人签名 holder signature',
  presentationValidity: '出示有效期 presentation validity',
  challenge: '一次性挑战码 one-time challenge',
  domain: '接收方 domain',
  credentialProof: '凭证格式 credential format',
  credentialSignature: '部门签名 issuer signature',
  issuerResolved: '部门身份 issuer identity',
  issuerAccredited: '部门授权 issuer accredited',
  schema: '数据格式 schema',
  status: '未撤销/未暂停 not revoked/suspended',
  validity: '有效期 validity period',
  holderIsSubject: '本人出示 holder is subject',
  requestedTypes: '所需凭证齐全 requested types',
}

export async function main(options: ExampleOptions = {}): Promise<BankLoanCheckOutcome> {
  const say = new Narrator(options.log)
  const govcred = new GovcredClient(options)
  const market = govcred.department('market-supervision')
  const registry = govcred.department('real-estate-registration')
  const bureau = govcred.department('human-resources-social-security')
  await govcred.ensureReady()
  const applicant: Person = { name: '李明', idNumberMasked: newMaskedIdNumber() }

  say.title('银行贷款审核：不用打电话给任何部门', 'A bank loan check, without calling any department')
  say.note(
    '银行只拿到申请人出示的凭证，再到区块链上核对签发部门的身份、授权和凭证状态；签发部门即使离线也不影响。',
    "The bank receives only what the applicant presents, and checks the issuers' identity, accreditation and each credential's status on the chain; the issuing departments may even be offline.",
  )

  say.step(
    `申请人${applicant.name}在钱包里创建数字身份（DID）`,
    `The applicant ${applicant.name} creates a digital identity (DID) in a wallet`,
  )
  const wallet = await openExampleWallet(govcred.dataDir, 'bank-loan-applicant')
  try {
    const holder = await wallet.createDid('key')
    say.fact('数字身份', 'DID', shortDid(holder))

    say.step('三个部门分别向申请人签发凭证，存入钱包', 'Three departments issue credentials to the applicant; the wallet keeps them')
    const licence = await market.issue({
      type: 'BusinessLicenseCredential',
      holder,
      claims: businessLicenceClaims({ uscc: newUscc(), legalRepresentative: applicant.name }),
    })
    const property = await registry.issue({
      type: 'PropertyCertificateCredential',
      holder,
      claims: propertyCertificateClaims({ unitNumber: newPropertyUnitNumber(), owner: applicant }),
    })
    const social = await bureau.issue({
      type: 'SocialSecurityStatusCredential',
      holder,
      claims: socialSecurityStatusClaims({ person: applicant, months: 86 }),
    })
    for (const [issued, department] of [
      [licence, market],
      [property, registry],
      [social, bureau],
    ] as const) {
      await wallet.importCredential(issued.jwt)
      const title = CREDENTIAL_TITLES[issued.type]!
      say.fact(title.zh, title.en, `${department.department.name} → ${issued.id}`)
    }

    say.step(
      '银行发起核验请求：需要营业执照、不动产权证书和社保参保证明',
      'The bank asks for a business licence, a property certificate and a social-security status',
    )
    const first = await presentAndVerify(say, govcred, wallet, holder)
    showResult(say, first)
    if (first.verified) showClaims(say, first.credentials)

    say.step(
      '房子已出售：不动产登记中心撤销这本不动产权证书',
      'The flat has been sold: the registration centre revokes the property certificate',
    )
    const revoked = await registry.revoke(property.id)
    say.fact('链上交易', 'Transaction on the chain', shortHash(revoked.txHash))
    say.note(
      '银行的核验服务逐个区块跟踪区块链；稍等它读到包含这次撤销的区块（通常不到一秒）。',
      "The bank's verifier follows the chain block by block; wait until it has read the block with this revocation (usually under a second).",
    )
    await waitFor(
      () => govcred.verifyCredential(property.jwt),
      (result) => !result.verified,
      'the verifier seeing the revocation',
    )

    say.step(
      '银行再次核验（新的请求），申请人出示同样的凭证',
      'The bank checks again (a new request); the applicant presents the same credentials',
    )
    const second = await presentAndVerify(say, govcred, wallet, holder)
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
      holder,
      first: { verified: first.verified, checks: first.checks },
      second: { verified: second.verified, checks: second.checks, failedCodes: failed.map((c) => c.code) },
    }
  } finally {
    await wallet.close()
  }
}

async function presentAndVerify(say: Narrator, govcred: GovcredClient, wallet: HolderWallet, holder: string): Promise<VerificationResult> {
  const request = await govcred.createPresentationRequest({ credentialTypes: REQUESTED, purpose: PURPOSE })
  say.fact('请求编号', 'Request id', request.id)
  say.fact('一次性挑战码', 'One-time challenge', `${request.challenge.slice(0, 16)}… (${request.domain})`)
  const presentation = await wallet.present(request, { holder })
  say.ok('申请人的钱包签名出示了三份凭证', "the applicant's wallet signed a presentation of the three credentials")
  return govcred.verifyPresentation(presentation, request.id)
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

/** What the bank learns: the verified claims, summarised. */
function showClaims(say: Narrator, credentials: VerifiedCredential[]): void {
  say.line('')
  say.note('银行获得的已核验信息：', 'What the bank now knows, verified:')
  for (const credential of credentials) {
    const type = credential.types.find((t) => t !== 'VerifiableCredential') ?? ''
    const title = CREDENTIAL_TITLES[type] ?? { zh: type, en: type }
    const c = credential.claims
    say.line(`     【${title.zh} / ${title.en}】 ${credential.issuerName ?? credential.issuer ?? ''}`)
    const lines: [string, string][] =
      type === 'BusinessLicenseCredential'
        ? [
            ['名称 name', c.enterpriseName],
            ['统一社会信用代码 USCC', c.unifiedSocialCreditCode],
            ['类型 type', c.enterpriseType],
            ['法定代表人 legal representative', c.legalRepresentative],
            ['注册资本 capital', `${Number(c.registeredCapital?.amount).toLocaleString('en')} ${c.registeredCapital?.currency}`],
            ['成立日期 established', c.dateOfEstablishment],
          ]
        : type === 'PropertyCertificateCredential'
          ? [
              ['证书号 certificate', c.certificateNumber],
              ['坐落 location', c.location],
              ['建筑面积 area', `${c.area?.buildingArea} m²`],
              [
                '权利人 owners',
                (c.owners ?? []).map((o: { name: string; share: number }) => `${o.name} ${Math.round(o.share * 100)}%`).join(', '),
              ],
              [
                '抵押/查封 mortgage/seizure',
                `${c.encumbrances?.mortgage ? '有抵押 mortgaged' : '无抵押 no mortgage'}, ${c.encumbrances?.seizure ? '已查封 seized' : '未查封 not seized'}`,
              ],
            ]
          : type === 'SocialSecurityStatusCredential'
            ? [
                ['参保人 insured', `${c.insuredName} (${c.idNumberMasked}), ${c.city}`],
                ...(c.insurances ?? []).map((i: { type: string; status: string; contributionMonths: number }): [string, string] => [
                  INSURANCE_WORDS[i.type] ?? i.type,
                  `${i.status}, ${i.contributionMonths} 个月 months`,
                ]),
                ['截至 as of', c.asOf],
              ]
            : Object.entries(c).map(([k, v]): [string, string] => [k, JSON.stringify(v)])
    for (const [label, value] of lines) say.line(`        ${label}: ${value}`)
    if (credential.validUntil) say.line(`        有效期至 valid until: ${credential.validUntil.slice(0, 10)}`)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runFromCommandLine(main)
