/**
 * 不动产登记中心 / Real-estate registration: a flat changes hands.
 *
 * The centre issues a property certificate to the seller; anyone holding it can ask the chain "is this
 * the current certificate of this flat?". The centre then transfers the flat: the seller's certificate
 * is revoked and the buyer's issued in one step. Asked again, the chain says the seller's certificate
 * is no longer current and the buyer's is.
 *
 * Run: `npm start` in one terminal, then `npx tsx examples/real-estate.ts`.
 */
import { pathToFileURL } from 'node:url'
import { GovcredClient, type CredentialState, type CurrentCertificateCheck, type DepartmentClient } from './lib/client.js'
import { Narrator, STATE_WORDS, shortDid, shortHash } from './lib/narrator.js'
import { openExampleWallet, runFromCommandLine, waitFor, type ExampleOptions } from './lib/run-example.js'
import { newMaskedIdNumber, newPropertyUnitNumber, propertyCertificateClaims, type Person } from './lib/sample-claims.js'

export interface RealEstateOutcome {
  unitNumber: string
  sellerCredentialId: string
  buyerCredentialId: string
  sellerCurrentBefore: boolean
  sellerCurrentAfter: boolean
  buyerCurrentAfter: boolean
  sellerStatus: CredentialState
  buyerStatus: CredentialState
}

const SELLER_CERTIFICATE = { zh: '卖方证书', en: "the seller's certificate" }
const BUYER_CERTIFICATE = { zh: '买方证书', en: "the buyer's certificate" }

export async function main(options: ExampleOptions = {}): Promise<RealEstateOutcome> {
  const say = new Narrator(options.log)
  const govcred = new GovcredClient(options)
  const registry = govcred.department('real-estate-registration')
  await govcred.ensureReady()
  const seller: Person = { name: '李明', idNumberMasked: newMaskedIdNumber() }
  const buyer: Person = { name: '王芳', idNumberMasked: newMaskedIdNumber() }
  const unitNumber = newPropertyUnitNumber()

  say.title('不动产登记中心：一套房子的过户', 'Real-estate registration: a flat changes hands')
  say.note(
    '每套房子同一时间只有一本“现行”证书。区块链上只存一个加盐的指纹，不存房主信息；持有证书的人可以随时核对它是不是现行的那本。',
    'A flat has one current certificate at a time. The chain keeps only a salted fingerprint of it, no owner details; whoever holds a certificate can check at any time whether it is the current one.',
  )
  say.fact('登记机构', 'Registrar', `${registry.department.name} (${registry.department.nameEn})`)
  say.fact('不动产单元号', 'Property unit number', unitNumber)

  say.step('卖方和买方各自在钱包里创建数字身份（DID）', 'The seller and the buyer each create a digital identity (DID) in their wallets')
  const sellerWallet = await openExampleWallet(govcred.dataDir, 'real-estate-seller')
  const buyerWallet = await openExampleWallet(govcred.dataDir, 'real-estate-buyer')
  try {
    const sellerDid = await sellerWallet.createDid('key')
    const buyerDid = await buyerWallet.createDid('key')
    say.fact(`卖方 ${seller.name}`, 'Seller', shortDid(sellerDid))
    say.fact(`买方 ${buyer.name}`, 'Buyer', shortDid(buyerDid))

    say.step('登记中心向卖方签发不动产权证书', 'The registrar issues the property certificate to the seller')
    const sellerClaims = propertyCertificateClaims({ unitNumber, owner: seller })
    const sellerCertificate = await registry.issue({ type: 'PropertyCertificateCredential', holder: sellerDid, claims: sellerClaims })
    await sellerWallet.importCredential(sellerCertificate.jwt)
    say.fact('证书号', 'Certificate number', sellerClaims.certificateNumber)
    say.fact('坐落', 'Location', sellerClaims.location)
    say.fact('凭证编号', 'Credential id', sellerCertificate.id)
    say.fact('链上指纹交易', 'Fingerprint transaction', shortHash(sellerCertificate.anchor?.txHash))

    say.step('核对：这本证书是这套房子的现行证书吗？', 'Check: is this the current certificate of this flat?')
    const sellerBefore = await waitFor(
      () => govcred.isCurrentCertificate(unitNumber, sellerCertificate.jwt),
      (c) => c.current,
      'the seller certificate anchor',
    )
    showCurrent(say, SELLER_CERTIFICATE, sellerBefore)

    say.step(
      '办理过户：撤销卖方证书，同时向买方签发新证书',
      "Transfer: revoke the seller's certificate and issue the buyer's, as one operation",
    )
    const buyerClaims = propertyCertificateClaims({ unitNumber, owner: buyer, mortgage: true })
    const transfer = await registry.transfer({ sellerCredentialId: sellerCertificate.id, buyer: buyerDid, claims: buyerClaims })
    await buyerWallet.importCredential(transfer.buyerCredential.jwt)
    say.fact('买方新证书号', "Buyer's certificate number", buyerClaims.certificateNumber)
    say.fact('买方凭证编号', "Buyer's credential id", transfer.buyerCredential.id)
    say.fact('撤销卖方证书的交易', "Transaction revoking the seller's", shortHash(transfer.seller.txHash))
    say.fact('更新现行证书指纹的交易', 'Transaction updating the fingerprint', shortHash(transfer.anchor.txHash))
    if (transfer.onChain === 'confirmed') say.ok('两笔交易都已上链', 'both transactions are on the chain')
    else say.note('链上确认稍有延迟，稍候再查', 'the chain has not confirmed yet; checking again shortly')

    say.step('再次核对两本证书', 'Check both certificates again')
    const sellerAfter = await waitFor(
      () => govcred.isCurrentCertificate(unitNumber, sellerCertificate.jwt),
      (c) => !c.current,
      'the new anchor',
    )
    const buyerAfter = await govcred.isCurrentCertificate(unitNumber, transfer.buyerCredential.jwt)
    showCurrent(say, SELLER_CERTIFICATE, sellerAfter)
    showCurrent(say, BUYER_CERTIFICATE, buyerAfter)

    say.step('登记中心查看两本证书的链上状态', "The registrar reads both certificates' status on the chain")
    const sellerStatus = await waitFor(
      () => registry.status(sellerCertificate.id),
      (s) => s.status === 'revoked',
      'the seller certificate revocation',
    )
    const buyerStatus = await registry.status(transfer.buyerCredential.id)
    say.status(SELLER_CERTIFICATE, sellerStatus)
    say.status(BUYER_CERTIFICATE, buyerStatus)
    await showRecords(say, registry, [sellerCertificate.id, transfer.buyerCredential.id])

    return {
      unitNumber,
      sellerCredentialId: sellerCertificate.id,
      buyerCredentialId: transfer.buyerCredential.id,
      sellerCurrentBefore: sellerBefore.current,
      sellerCurrentAfter: sellerAfter.current,
      buyerCurrentAfter: buyerAfter.current,
      sellerStatus: sellerStatus.status,
      buyerStatus: buyerStatus.status,
    }
  } finally {
    await sellerWallet.close()
    await buyerWallet.close()
  }
}

function showCurrent(say: Narrator, label: { zh: string; en: string }, check: CurrentCertificateCheck): void {
  if (check.current) say.ok(`${label.zh}是现行证书`, `${label.en} is the current certificate`)
  else if (!check.verified) {
    const failed = check.checks.filter((c) => !c.ok).map((c) => `${c.check} ${c.code}`)
    say.bad(`${label.zh}不是现行证书（核验未通过）`, `${label.en} is not the current certificate (refused: ${failed.join(', ')})`)
  } else say.bad(`${label.zh}不是现行证书（已被后来的证书取代）`, `${label.en} is not the current certificate (a later one replaced it)`)
}

/** The registrar's own records of the two certificates, as its back office lists them. */
async function showRecords(say: Narrator, registry: DepartmentClient, ids: string[]): Promise<void> {
  const { items } = await registry.list({ type: 'PropertyCertificateCredential', limit: 20 })
  say.note('登记中心自己的记录：', "The registrar's own records:")
  const rows = items
    .filter((item) => ids.includes(item.id))
    .map((item) => [
      item.id === ids[0] ? '卖方 seller' : '买方 buyer',
      STATE_WORDS[item.status].join(' / '),
      item.issuedAt.slice(0, 19).replace('T', ' '),
      item.supersededBy ? `→ ${item.supersededBy}` : '',
    ])
  say.table(['证书 certificate', '记录状态 recorded', '签发 issued (UTC)', '被取代 replaced by'], rows)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void runFromCommandLine(main)
