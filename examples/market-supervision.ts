/**
 * 市场监督管理局 / Market supervision: the life of a digital business licence.
 *
 * The bureau issues a business licence to an enterprise's digital identity, suspends it (e.g. pending
 * an inspection), reinstates it, and finally revokes it (e.g. the enterprise is deregistered). After
 * each step it reads the licence's status from the chain; then it shows its own audit trail. Last, the
 * counter offers a second licence to a standard wallet app (OpenID4VCI): a QR code in the terminal and a
 * transaction code; the example's wallet receives it as an SD-JWT VC and reads its status.
 *
 * Run: `npm start` in one terminal, then `npx tsx examples/market-supervision.ts`.
 */
import { pathToFileURL } from 'node:url'
import QRCode from 'qrcode'
import { ApiError, GovcredClient, type AuditEntry, type CredentialState, type DepartmentClient } from './lib/client.js'
import { Narrator, shortDid, shortHash } from './lib/narrator.js'
import { openExampleWallet, runFromCommandLine, type ExampleOptions } from './lib/run-example.js'
import type { HolderWallet } from '../src/wallet/holder-wallet.js'
import { businessLicenceClaims, newUscc } from './lib/sample-claims.js'

export interface MarketSupervisionOutcome {
  credentialId: string
  holder: string
  /** The on-chain status read after issuing, suspending, reinstating and revoking. */
  statuses: CredentialState[]
  /** The code the service answered when asked to reinstate the revoked licence. */
  reinstateAfterRevoke: string | null
  /** This licence's audit actions, oldest first. */
  auditActions: string[]
  /** Whether the department's audit hash chain verified. */
  auditIntact: boolean
  /** A second licence offered to a standard wallet (OpenID4VCI) and received by the example's wallet. */
  offer: {
    offerUri: string
    /** The offer's QR code as drawn in the terminal. */
    qr: string
    /** The offer's state at the bureau after the wallet received it. */
    state: string
    credentialId: string | null
    /** What the wallet reads for it: its format and status (from the status list the bureau publishes). */
    walletFormat: string
    walletStatus: string
  }
}

const LICENCE = { zh: '营业执照', en: 'the licence' }

const AUDIT_WORDS: Record<string, string> = {
  issue: '签发 issued',
  suspend: '暂停 suspended',
  reinstate: '恢复 reinstated',
  revoke: '撤销 revoked',
  supersede: '被替代 superseded',
  transfer: '转移 transferred',
}

export async function main(options: ExampleOptions = {}): Promise<MarketSupervisionOutcome> {
  const say = new Narrator(options.log)
  const govcred = new GovcredClient(options)
  const market = govcred.department('market-supervision')
  await govcred.ensureReady()
  const statuses: CredentialState[] = []

  say.title('市场监督管理局：一张电子营业执照的一生', 'Market supervision: the life of a digital business licence')
  say.note(
    '执照由监管局用自己的密钥签名后交给企业；各部门共享的账本（区块链）上只记录它是否仍然有效，不记录企业信息。',
    'The bureau signs the licence with its own key and hands it to the enterprise; the ledger the departments share (the chain) records only whether it is still valid, never the enterprise details.',
  )
  say.fact('签发部门', 'Issuer', `${market.department.name} (${market.department.nameEn})`)

  say.step('企业在自己的数字钱包里创建数字身份（DID）', 'The enterprise creates its digital identity (a DID) in its own wallet')
  const wallet = await openExampleWallet(govcred.dataDir, 'market-supervision-enterprise')
  try {
    const holder = await wallet.createDid('key')
    say.fact('企业的数字身份', "Enterprise's DID", shortDid(holder))
    say.fact('钱包位置', 'Wallet folder', wallet.dir)

    say.step('监管局签发营业执照', 'The bureau issues the business licence')
    const claims = businessLicenceClaims({ uscc: newUscc(), legalRepresentative: '李明' })
    const issued = await market.issue({ type: 'BusinessLicenseCredential', holder, claims })
    say.fact('企业名称', 'Enterprise', claims.enterpriseName)
    say.fact('统一社会信用代码', 'Unified social credit code', claims.unifiedSocialCreditCode)
    say.fact('凭证编号', 'Credential id', issued.id)
    await wallet.importCredential(issued.jwt)
    say.ok('执照已存入企业钱包', 'the licence is now in the enterprise wallet')
    statuses.push(await showStatus(say, market, issued.id))

    say.step('暂停执照（例如：等待现场核查）', 'Suspend the licence (e.g. pending an on-site inspection)')
    const suspended = await market.suspend(issued.id)
    say.fact('链上交易', 'Transaction on the chain', shortHash(suspended.txHash))
    statuses.push(await showStatus(say, market, issued.id))

    say.step('核查通过，恢复执照', 'The inspection passed: reinstate the licence')
    const reinstated = await market.reinstate(issued.id)
    say.fact('链上交易', 'Transaction on the chain', shortHash(reinstated.txHash))
    statuses.push(await showStatus(say, market, issued.id))

    say.step('企业注销，撤销执照', 'The enterprise is deregistered: revoke the licence')
    const revoked = await market.revoke(issued.id)
    say.fact('链上交易', 'Transaction on the chain', shortHash(revoked.txHash))
    statuses.push(await showStatus(say, market, issued.id))

    say.step('撤销是永久的：再次恢复会被拒绝', 'Revocation is final: reinstating again is refused')
    let reinstateAfterRevoke: string | null = null
    try {
      await market.reinstate(issued.id)
      say.bad('服务竟然接受了恢复', 'the service accepted the reinstatement')
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      reinstateAfterRevoke = error.code
      say.ok(`被拒绝：${error.code}`, `refused: ${error.message}`)
    }

    say.step('查看监管局对这张执照的审计记录', "Read the bureau's audit trail for this licence")
    say.note(
      '每一次操作都留痕，记录前后相连（哈希链），并定期锚定到区块链上，任何改动或删除都能被发现。',
      'Every action leaves an entry; the entries are linked by hashes and their head is anchored on the chain, so a changed or deleted entry is detectable.',
    )
    const { entries } = await market.audit({ credentialId: issued.id })
    const oldestFirst = [...entries].sort((a, b) => a.seq - b.seq)
    say.table(['时间 time (UTC)', '操作 action', '操作者 by', '链上交易 transaction'], oldestFirst.map(auditRow))
    say.note(
      '签发不发送交易（链上不记录执照内容）；状态变化才上链。',
      'Issuing sends no transaction (the licence itself is not on the chain); status changes do.',
    )
    const integrity = await market.verifyAudit()
    if (integrity.ok) say.ok(`审计链完整（共 ${integrity.entries} 条）`, `the audit chain is intact (${integrity.entries} entries)`)
    else
      say.bad(
        `审计链有问题：${integrity.problems.map((p) => p.code).join(', ')}`,
        `the audit chain has problems: ${integrity.problems.map((p) => p.message).join('; ')}`,
      )

    const offer = await offerToStandardWallet(say, market, wallet)

    return {
      credentialId: issued.id,
      holder,
      statuses,
      reinstateAfterRevoke,
      auditActions: oldestFirst.map((e) => e.action),
      auditIntact: integrity.ok,
      offer,
    }
  } finally {
    await wallet.close()
  }
}

/**
 * The counter clerk's flow for a standard wallet app: an offer (QR code and deep link) and a transaction code
 * for the applicant. The example's own wallet stands in for the applicant's phone (`govcred wallet receive`).
 */
async function offerToStandardWallet(
  say: Narrator,
  market: DepartmentClient,
  wallet: HolderWallet,
): Promise<MarketSupervisionOutcome['offer']> {
  say.step(
    '窗口为申请人生成领取二维码（标准钱包，OpenID4VCI）',
    'The counter makes an offer for a standard wallet app (OpenID4VCI): a QR code',
  )
  say.note(
    '申请人用手机上的标准数字钱包扫码，输入窗口告知的交易码，即可领取一张只与其钱包密钥绑定的 SD-JWT 电子执照。',
    'The applicant scans it with a standard wallet app and types the transaction code the clerk gives them; the wallet receives an SD-JWT VC bound to a key only it holds.',
  )
  const claims = businessLicenceClaims({ uscc: newUscc(), legalRepresentative: '王芳' })
  const created = await market.offer({ type: 'BusinessLicenseCredential', claims })
  const qr = await QRCode.toString(created.offerUri, { type: 'terminal', small: true })
  say.block(qr)
  say.fact('领取链接', 'Offer link', created.offerUri)
  say.fact('交易码（告知申请人）', 'Transaction code (tell the applicant)', created.txCode)
  say.fact('有效期至', 'Valid until', created.expiresAt)

  say.step(
    '申请人的钱包领取执照（此处由示例钱包代替手机）',
    "The applicant's wallet receives it (the example's wallet stands in for the phone)",
  )
  say.note('命令行钱包也能领取：', 'The command-line wallet does the same:')
  say.block(`  npm run cli -- wallet receive '${created.offerUri}' --tx-code ${created.txCode}`)
  const received = await wallet.receive(created.offerUri, { txCode: created.txCode })
  const state = await market.offerState(created.id)
  say.fact('凭证格式', 'Format', received.format)
  say.fact('办理状态', 'Offer state', state.status)
  const held = (await wallet.describeCredentials()).find((c) => c.id === received.id)
  const walletStatus = held?.status ?? 'unknown'
  say.fact('钱包读到的状态（来自监管局发布的状态列表）', "Status the wallet reads (from the bureau's status list)", walletStatus)
  const disclosable = held?.claims.filter((c) => c.disclosable).map((c) => c.name) ?? []
  if (disclosable.length > 0) say.fact('可选择性出示的信息', 'Claims the holder may disclose one by one', disclosable.join(', '))
  if (walletStatus === 'valid') say.ok('执照已在标准钱包中，状态有效', 'the licence is in the wallet, and valid')
  else say.bad(`钱包读到的状态：${walletStatus}`, `the wallet reads its status as ${walletStatus}: ${held?.statusDetail ?? ''}`)
  return {
    offerUri: created.offerUri,
    qr,
    state: state.status,
    credentialId: state.credentialId ?? null,
    walletFormat: received.format,
    walletStatus,
  }
}

async function showStatus(say: Narrator, market: DepartmentClient, id: string): Promise<CredentialState> {
  const status = await market.status(id)
  say.status(LICENCE, status)
  return status.status
}

function auditRow(entry: AuditEntry): string[] {
  const actor = entry.actor.startsWith('api-key:') ? `API key ${entry.actor.slice('api-key:'.length, 'api-key:'.length + 8)}` : entry.actor
  return [entry.at.slice(0, 19).replace('T', ' '), AUDIT_WORDS[entry.action] ?? entry.action, actor, shortHash(entry.txHash)]
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runFromCommandLine(main)
