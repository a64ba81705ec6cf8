/**
 * 人力资源和社会保障局 / Social security: a monthly status, refreshed.
 *
 * The bureau issues a person's social-security status (a short-lived snapshot, valid at most 31 days).
 * A month later it issues a refreshed one for the same person: the new one supersedes the old, whose
 * status on the chain turns to revoked, so only the latest can be shown to a bank. Then the new one is
 * suspended and reinstated.
 *
 * Run: `npm start` in one terminal, then `npx tsx examples/social-security.ts`.
 */
import { pathToFileURL } from 'node:url'
import { GovcredClient, type CredentialState, type DepartmentClient, type IssuedCredential } from './lib/client.js'
import { Narrator, shortDid, shortHash } from './lib/narrator.js'
import { openExampleWallet, runFromCommandLine, waitFor, type ExampleOptions } from './lib/run-example.js'
import { INSURANCE_WORDS, newMaskedIdNumber, socialSecurityStatusClaims, type Person } from './lib/sample-claims.js'

export interface SocialSecurityOutcome {
  firstCredentialId: string
  refreshedCredentialId: string
  /** What the refreshed issuance reported it superseded. */
  superseded: string[]
  /** The first credential's on-chain status before and after the refresh. */
  firstStatusBefore: CredentialState
  firstStatusAfter: CredentialState
  /** The refreshed credential's on-chain status after issuing, suspending and reinstating. */
  refreshedStatuses: CredentialState[]
}

const FIRST = { zh: '上月证明', en: "last month's status" }
const REFRESHED = { zh: '本月证明', en: "this month's status" }
const DAY_MS = 86_400_000

export async function main(options: ExampleOptions = {}): Promise<SocialSecurityOutcome> {
  const say = new Narrator(options.log)
  const govcred = new GovcredClient(options)
  const bureau = govcred.department('human-resources-social-security')
  await govcred.ensureReady()
  const person: Person = { name: '李明', idNumberMasked: newMaskedIdNumber() }

  say.title('人社局：每月更新的社保参保证明', 'Social security: a monthly status credential, refreshed')
  say.note(
    '参保证明是某一天的快照，最长有效 31 天。开具新证明时，旧证明自动作废，银行只能看到最新的一份。',
    'A status credential is a snapshot of one day, valid at most 31 days. Issuing a new one retires the old one, so a bank only ever sees the latest.',
  )
  say.fact('签发部门', 'Issuer', `${bureau.department.name} (${bureau.department.nameEn})`)

  say.step(
    `参保人${person.name}在钱包里创建数字身份（DID）`,
    `${person.name} (the insured person) creates a digital identity (DID) in a wallet`,
  )
  const wallet = await openExampleWallet(govcred.dataDir, 'social-security-person')
  try {
    const holder = await wallet.createDid('key')
    say.fact('数字身份', 'DID', shortDid(holder))
    say.fact('身份证号（脱敏）', 'ID number (masked)', person.idNumberMasked)

    say.step('人社局开具上月的参保证明', "The bureau issues last month's status")
    const first = await issue(bureau, holder, person, 86, new Date(Date.now() - 30 * DAY_MS))
    await wallet.importCredential(first.jwt)
    describe(say, first)
    const firstBefore = await bureau.status(first.id)
    say.status(FIRST, firstBefore)

    say.step('一个月后，人社局开具新的参保证明', 'A month later, the bureau issues a refreshed status')
    const refreshed = await issue(bureau, holder, person, 87, new Date())
    await wallet.importCredential(refreshed.jwt)
    describe(say, refreshed)
    const superseded = refreshed.superseded ?? []
    say.fact('取代了', 'Superseded', superseded.length > 0 ? superseded.join(', ') : '—')

    say.step('旧证明在链上变为已撤销', 'The old status turns revoked on the chain')
    say.note(
      '撤销随下一批状态更新写入区块链，通常一两秒内完成。',
      'The revocation goes out with the next batch of status updates, usually within a second or two.',
    )
    const firstAfter = await waitFor(
      () => bureau.status(first.id),
      (s) => s.status === 'revoked',
      "the old status's revocation",
    )
    say.status(FIRST, firstAfter)
    const refreshedStatuses: CredentialState[] = []
    const refreshedNow = await bureau.status(refreshed.id)
    say.status(REFRESHED, refreshedNow)
    refreshedStatuses.push(refreshedNow.status)

    say.step('暂停本月证明（例如：参保信息正在核查）', "Suspend this month's status (e.g. the enrolment is being checked)")
    const suspended = await bureau.suspend(refreshed.id)
    say.fact('链上交易', 'Transaction on the chain', shortHash(suspended.txHash))
    const afterSuspend = await bureau.status(refreshed.id)
    say.status(REFRESHED, afterSuspend)
    refreshedStatuses.push(afterSuspend.status)

    say.step('核查完毕，恢复本月证明', "The check is done: reinstate this month's status")
    const reinstated = await bureau.reinstate(refreshed.id)
    say.fact('链上交易', 'Transaction on the chain', shortHash(reinstated.txHash))
    const afterReinstate = await bureau.status(refreshed.id)
    say.status(REFRESHED, afterReinstate)
    refreshedStatuses.push(afterReinstate.status)

    return {
      firstCredentialId: first.id,
      refreshedCredentialId: refreshed.id,
      superseded,
      firstStatusBefore: firstBefore.status,
      firstStatusAfter: firstAfter.status,
      refreshedStatuses,
    }
  } finally {
    await wallet.close()
  }
}

function issue(bureau: DepartmentClient, holder: string, person: Person, months: number, asOf: Date): Promise<IssuedCredential> {
  return bureau.issue({ type: 'SocialSecurityStatusCredential', holder, claims: socialSecurityStatusClaims({ person, months, asOf }) })
}

function describe(say: Narrator, issued: IssuedCredential): void {
  const subject = issued.credential.credentialSubject ?? {}
  say.fact('凭证编号', 'Credential id', issued.id)
  say.fact('截至日期', 'As of', String(subject.asOf))
  const pension = (subject.insurances ?? []).find((i: { type: string }) => i.type === 'pension')
  if (pension) say.fact(INSURANCE_WORDS.pension!, 'contributions', `${pension.contributionMonths} 个月 months`)
  const until = issued.credential.expirationDate ?? issued.credential.validUntil
  if (until) say.fact('有效期至', 'Valid until', String(until).slice(0, 10))
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runFromCommandLine(main)
