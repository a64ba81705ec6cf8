import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import {
  fetchPresentationRequest,
  HolderWallet,
  WalletError,
  type PresentationHistoryEntry,
  type PresentationPlan,
  type PresentationRequestLike,
  type PresentationSelection,
  type ReceivedCredential,
  type TxCodeDescription,
} from '../wallet/holder-wallet.js'
import { CliError } from './governance-commands.js'

export interface WalletFlags {
  wallet?: string
  method?: string
  alias?: string
  holder?: string
  credentials?: string
  request?: string
  challenge?: string
  domain?: string
  types?: string
  /** Present without asking (scripts). */
  yes?: boolean
  /** `wallet receive`: the offer's transaction code (else asked on the terminal). */
  'tx-code'?: string
  /** `wallet receive`: dc+sd-jwt (default) or jwt_vc_json, when the offer allows both. */
  format?: string
  /** `wallet receive` / `wallet present`: a PEM file of the root certificate the issuer's (verifier's) certificate must chain to. */
  'trust-root'?: string
}

/** How `wallet present` and `wallet receive` talk to the person: summaries, and questions when there is a terminal. */
export interface WalletIo {
  write(text: string): void
  /** Asks on a terminal; absent when there is none (then only --yes presents). */
  ask?: (question: string) => Promise<string>
}

/** stderr for the summary (stdout carries only the VP-JWT); asks on stdin when both are terminals. */
export function terminalIo(): WalletIo {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY)
  return {
    write: (text) => void process.stderr.write(text),
    ...(interactive && {
      ask: async (question: string) => {
        const prompt = createInterface({ input: process.stdin, output: process.stderr })
        try {
          return await prompt.question(question)
        } finally {
          prompt.close()
        }
      },
    }),
  }
}

/**
 * `govcred wallet …`: the holder's side on the command line. The wallet lives in --wallet or
 * GOVCRED_WALLET_DIR (default ./wallet); its keys are encrypted with GOVCRED_WALLET_SECRET or a
 * secret generated into the wallet directory (mode 0600).
 *
 * `wallet present` addresses the presentation to the host it fetched the request from (refusing a request
 * that names another domain), shows who asks, why, and what would be disclosed, and signs only after the
 * holder agrees (y/N on a terminal, or --yes).
 *
 * `wallet receive` takes an OpenID4VCI offer (`openid-credential-offer://…` or the offer's https URL), asks for
 * its transaction code on the terminal unless --tx-code gives it, and stores the credential bound to a new key;
 * `wallet list` shows each credential's type, issuer, status (read where the issuer publishes it), validity and claims.
 *
 * `wallet present <openid4vp-uri>` answers an OpenID4VP request: it verifies the verifier's signed request
 * (and with --trust-root its certificate's root), shows who asks, why and each claim asked for, and after
 * consent discloses only those claims; `wallet history` lists who asked for what, when, and whether it was sent.
 */
export async function walletCommand(
  sub: string | undefined,
  arg: string | undefined,
  flags: WalletFlags,
  io: WalletIo = terminalIo(),
): Promise<unknown> {
  const dir = resolve(flags.wallet ?? process.env.GOVCRED_WALLET_DIR ?? './wallet')
  const wallet = await HolderWallet.open({ dir, secret: process.env.GOVCRED_WALLET_SECRET || undefined })
  try {
    switch (sub) {
      case 'create-did': {
        const method = flags.method ?? 'key'
        if (method !== 'key' && method !== 'ethr') throw new CliError('--method is key or ethr')
        return { did: await wallet.createDid(method, flags.alias) }
      }
      case 'dids':
        // awaited here: the finally below closes the wallet's database
        return await wallet.listDids()
      case 'import': {
        if (!arg) throw new CliError('wallet import needs a VC-JWT or a file holding one')
        const jwt = existsSync(arg) ? readFileSync(arg, 'utf8').trim() : arg
        const { jwt: _jwt, ...stored } = await wallet.importCredential(jwt)
        return stored
      }
      case 'list':
        return await wallet.describeCredentials()
      case 'receive': {
        if (!arg) throw new CliError('wallet receive needs an offer: openid-credential-offer://… or the https URL of an offer')
        const format = flags.format ?? 'dc+sd-jwt'
        if (format !== 'dc+sd-jwt' && format !== 'jwt_vc_json') throw new CliError('--format is dc+sd-jwt or jwt_vc_json')
        const trustedRoots = flags['trust-root'] ? [readFileSync(flags['trust-root'], 'utf8')] : undefined
        const received = await wallet.receive(arg, {
          format,
          txCode: flags['tx-code'] ?? ((asked) => askTxCode(asked, io)),
          ...(trustedRoots ? { trustedRoots } : {}),
        })
        io.write(receivedSummary(received))
        return received
      }
      case 'present': {
        if (arg) {
          const trustedRoots = flags['trust-root'] ? [readFileSync(flags['trust-root'], 'utf8')] : undefined
          const plan = await wallet.openPresentationRequest(arg, trustedRoots ? { trustedRoots } : {})
          io.write(openid4vpSummary(plan))
          try {
            await consent(flags, io)
          } catch (error) {
            await wallet.declinePresentation(plan)
            throw error
          }
          const sent = await wallet.sendPresentation(plan)
          io.write('已出示 Presented: the verifier accepted the response\n')
          return sent
        }
        const request = await presentationRequest(flags)
        const credentialIds = flags.credentials
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        const selection = await wallet.select(request, { holder: flags.holder, credentialIds })
        io.write(consentSummary(request, selection))
        await consent(flags, io)
        return await wallet.present(request, { holder: selection.holder, credentialIds: selection.credentials.map((c) => c.hash) })
      }
      case 'history': {
        const entries = await wallet.presentationHistory()
        io.write(historySummary(entries))
        return entries
      }
      default:
        throw new CliError(`unknown wallet command "${sub ?? ''}" (create-did, dids, import, receive, list, present, history)`)
    }
  } finally {
    await wallet.close()
  }
}

/** Asks for an offer's transaction code on the terminal; without one, the CLI needs --tx-code. */
async function askTxCode(asked: TxCodeDescription, io: WalletIo): Promise<string> {
  if (!io.ask) {
    throw new WalletError(
      'ERR_TX_CODE_REQUIRED',
      '此凭证需要交易码，但没有可输入的终端；请加 --tx-code / the offer needs its transaction code and there is no terminal to ask: pass --tx-code',
    )
  }
  const hint = [
    asked.description ? inert(asked.description) : undefined,
    asked.length ? `${asked.length} ${asked.inputMode === 'text' ? '位字符 characters' : '位数字 digits'}` : undefined,
  ]
    .filter(Boolean)
    .join('; ')
  return io.ask(`请输入签发部门给您的交易码 / Enter the transaction code the department gave you${hint ? ` (${hint})` : ''}: `)
}

/** What was received, for the person (stderr; stdout carries the JSON). */
function receivedSummary(received: ReceivedCredential): string {
  const type =
    [received.typeName['zh-CN'], received.typeName.en]
      .filter(Boolean)
      .map((n) => inert(n!))
      .join(' / ') || received.credentialConfigurationId
  const issuer =
    [received.issuerName['zh-CN'], received.issuerName.en]
      .filter(Boolean)
      .map((n) => inert(n!))
      .join(' / ') || received.credentialIssuer
  return [
    '已收到凭证 Credential received',
    `  凭证 type:        ${type} (${received.format})`,
    `  签发方 issuer:    ${issuer}`,
    `  钱包编号 id:      ${received.id}`,
    '',
  ].join('\n')
}

async function presentationRequest(flags: WalletFlags): Promise<PresentationRequestLike> {
  if (flags.request) {
    if (flags.challenge || flags.domain) throw new CliError('give --request URL, or --challenge and --domain, not both')
    // The audience is the host the request is fetched from, never the domain the fetched JSON claims.
    return fetchPresentationRequest(flags.request)
  }
  if (!flags.challenge || !flags.domain) throw new CliError('give --request URL, or --challenge and --domain (and --types)')
  return { challenge: flags.challenge, domain: flags.domain, credentialTypes: flags.types?.split(',').map((t) => t.trim()) }
}

/** What the holder is asked to agree to, in Chinese and English; text from the request is shown inert. */
export function consentSummary(request: PresentationRequestLike, selection: PresentationSelection): string {
  const names = [request.verifier?.name?.['zh-CN'], request.verifier?.name?.en].filter((n): n is string => Boolean(n)).map(inert)
  const at = inert(request.domain)
  const verifier = names.length > 0 ? `${names.join(' / ')} (${at})` : `未登记的验证方，位于 ${at} / unregistered verifier at ${at}`
  const purpose = request.purpose ? inert(request.purpose) : '未说明 / not stated'
  const requested = request.credentialTypes?.length ? request.credentialTypes.map(inert).join(', ') : '未指定 / none named'
  const disclosed = selection.credentials.map((c) => {
    const type = c.types.filter((t) => t !== 'VerifiableCredential').join(', ') || 'VerifiableCredential'
    const issuer = c.issuerName ? `${inert(c.issuerName)} (${c.issuer})` : c.issuer
    return `    - ${inert(type)}  ${inert(c.id)}\n      签发方 issuer: ${issuer}`
  })
  return [
    '出示请求 Presentation request',
    `  验证方 verifier:            ${verifier}`,
    `  用途 purpose:               ${purpose}`,
    `  请求的凭证 requested types: ${requested}`,
    `  出示对象 addressed to (aud): ${at}`,
    `  持有者 holder:              ${selection.holder}`,
    `  将出示的凭证 credentials to disclose (${selection.credentials.length}):`,
    ...disclosed,
    '',
  ].join('\n')
}

const both = (names: { 'zh-CN'?: string; en?: string }, fallback: string): string =>
  [names['zh-CN'], names.en]
    .filter((n): n is string => Boolean(n))
    .map(inert)
    .join(' / ') || fallback

/** What an OpenID4VP request asks for, in Chinese and English: the verifier, purpose, each credential and claim. */
export function openid4vpSummary(plan: PresentationPlan): string {
  const lines = [
    'OpenID4VP 出示请求 Presentation request',
    `  验证方 verifier:       ${both(plan.verifierName, '未具名 / unnamed')} (${inert(plan.clientId)})`,
    `  证书 certificate:      ${plan.trustedRoot ? '已核对受信任根证书 chains to the trusted root' : '签名有效，未核对根证书 signature valid; root not checked (--trust-root)'}`,
    `  用途 purpose:          ${both(plan.purpose, '未说明 / not stated')}`,
    `  有效期至 expires:      ${plan.expiresAt ?? '-'}`,
    ...(plan.responseMode === 'direct_post.jwt'
      ? ['  传输 transport:        加密发送给验证方 encrypted to the verifier (direct_post.jwt)']
      : []),
    `  将出示 to disclose (${plan.credentials.length + plan.vcJwts.length}):`,
  ]
  for (const c of plan.credentials) {
    lines.push(`    - ${both(c.typeName, inert(c.vct))}  [${inert(c.queryId)}]`)
    lines.push(`      签发方 issuer: ${both(c.credential.issuerDisplay, inert(c.credential.credentialIssuer))}`)
    if (c.claimNames.length === 0)
      lines.push('      仅凭证本身，不含可选披露的信息 / only the credential itself, no selectively disclosable claim')
    for (const claim of c.claimNames)
      lines.push(`      · ${both(claim.name, inert(claim.path))}${claim.name['zh-CN'] || claim.name.en ? ` (${inert(claim.path)})` : ''}`)
  }
  for (const c of plan.vcJwts) {
    lines.push(`    - ${inert(c.type)}  [${inert(c.queryId)}] (VC-JWT)`)
    lines.push(`      签发方 issuer: ${inert(c.issuerName ?? c.issuer)}`)
    lines.push(`      验证方要求 asked for: ${c.asked.map(inert).join(', ') || '-'}`)
    lines.push(
      '      VC-JWT 无法选择性披露：验证方将收到以下全部信息 / a VC-JWT cannot disclose selectively: the verifier receives every claim below',
    )
    for (const claim of c.claims) lines.push(`      · ${inert(claim)}`)
  }
  lines.push('  其余信息不会出示 / nothing else is disclosed', '')
  return lines.join('\n')
}

/** The presentation history for a person: when, who, what (claim names only) and whether it was sent. */
function historySummary(entries: PresentationHistoryEntry[]): string {
  if (entries.length === 0) return '尚无出示记录 / no presentation requests yet\n'
  const outcome = { sent: '已出示 sent', declined: '已拒绝 declined', failed: '未成功 failed' }
  return `${entries
    .map((e) =>
      [
        `${e.at}  ${outcome[e.outcome]}${e.reason && e.outcome !== 'declined' ? ` (${inert(e.reason)})` : ''}`,
        `  验证方 verifier: ${both(e.verifierName, '未具名 / unnamed')} (${inert(e.clientId)})`,
        `  用途 purpose:    ${both(e.purpose, '未说明 / not stated')}`,
        ...e.requested.map((r) => `  ${inert(r.type)}: ${r.claims.map(inert).join(', ') || '-'}`),
      ].join('\n'),
    )
    .join('\n')}\n`
}

async function consent(flags: WalletFlags, io: WalletIo): Promise<void> {
  if (flags.yes) return
  if (!io.ask) {
    throw new WalletError(
      'ERR_CONSENT_REQUIRED',
      '没有可询问同意的终端；脚本中请加 --yes / no terminal to ask for consent: pass --yes to present without asking (scripts)',
    )
  }
  const answer = (await io.ask('是否签名并出示以上凭证？/ Sign and present these credentials? [y/N] ')).trim().toLowerCase()
  if (!['y', 'yes', '是'].includes(answer)) throw new WalletError('ERR_CONSENT_DECLINED', '未出示任何凭证 / declined: nothing was signed')
}

/** Control and bidirectional-override characters would let a request's text rewrite the terminal. */
function inert(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD').slice(0, 300)
}
