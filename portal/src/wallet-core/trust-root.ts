import type { WalletContext } from './context.js'
import { isRecord } from './encoding.js'
import { WalletCoreError } from './errors.js'
import { readJson, walletFetch } from './http.js'

const SETTING = 'trustRoot'

interface SavedRoot {
  pem: string
  fetchedAt: string
}

/**
 * The consortium root certificate (PEM) the wallet trusts for issuers and verifiers alike: what its home node
 * publishes at `GET /v1/network` (`issuerTrust.x509RootCertificatePem`). Read once per session and kept on the
 * device, so that cards and status checks still work offline with the last one read; TRUST_ROOT_UNAVAILABLE
 * when the home node cannot be reached and none was ever read.
 */
export function consortiumRoot(ctx: WalletContext): Promise<string> {
  ctx.trustRoot ??= readRoot(ctx).catch((error: unknown) => {
    ctx.trustRoot = undefined
    throw error
  })
  return ctx.trustRoot
}

async function readRoot(ctx: WalletContext): Promise<string> {
  try {
    const response = await walletFetch(ctx, `${ctx.homeUrl.replace(/\/+$/, '')}/v1/network`, { headers: { accept: 'application/json' } })
    const body = response.ok ? await readJson(ctx, response) : undefined
    const pem = isRecord(body) && isRecord(body.issuerTrust) ? body.issuerTrust.x509RootCertificatePem : undefined
    if (typeof pem !== 'string' || !pem.includes('BEGIN CERTIFICATE')) {
      throw new WalletCoreError('TRUST_ROOT_UNAVAILABLE', {
        status: response.status,
        detail: 'the home node publishes no issuerTrust.x509RootCertificatePem at /v1/network',
      })
    }
    await ctx.storage.putSetting(SETTING, { pem, fetchedAt: new Date(ctx.now()).toISOString() } satisfies SavedRoot)
    return pem
  } catch (error) {
    if (!(error instanceof WalletCoreError)) throw error
    // Offline, or the home node answers without it just now: the root last read from it.
    const saved = await ctx.storage.getSetting<SavedRoot>(SETTING)
    if (saved?.pem) return saved.pem
    if (error.code === 'TRUST_ROOT_UNAVAILABLE') throw error
    throw new WalletCoreError(
      'TRUST_ROOT_UNAVAILABLE',
      { detail: 'the home node cannot be reached and no root was read before' },
      { cause: error },
    )
  }
}
