import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { HolderWallet, type PresentationRequestLike } from '../wallet/holder-wallet.js'
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
}

/**
 * `govcred wallet …`: the holder's side on the command line. The wallet lives in --wallet or
 * GOVCRED_WALLET_DIR (default ./wallet); its keys are encrypted with GOVCRED_WALLET_SECRET or a
 * secret generated into the wallet directory (mode 0600).
 */
export async function walletCommand(sub: string | undefined, arg: string | undefined, flags: WalletFlags): Promise<unknown> {
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
        return (await wallet.listCredentials()).map(({ jwt: _jwt, ...rest }) => rest)
      case 'present': {
        const request = await presentationRequest(flags)
        const credentialIds = flags.credentials
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        return await wallet.present(request, { holder: flags.holder, credentialIds })
      }
      default:
        throw new CliError(`unknown wallet command "${sub ?? ''}" (create-did, dids, import, list, present)`)
    }
  } finally {
    await wallet.close()
  }
}

async function presentationRequest(flags: WalletFlags): Promise<PresentationRequestLike> {
  if (flags.request) {
    const response = await fetch(flags.request).catch((error: Error) => {
      throw new CliError(`cannot fetch the presentation request ${flags.request}: ${error.message}`)
    })
    if (!response.ok) throw new CliError(`the presentation request ${flags.request} answered HTTP ${response.status}`)
    return (await response.json()) as PresentationRequestLike
  }
  if (!flags.challenge || !flags.domain) throw new CliError('give --request URL, or --challenge and --domain (and --types)')
  return { challenge: flags.challenge, domain: flags.domain, credentialTypes: flags.types?.split(',').map((t) => t.trim()) }
}
