import type { WalletContext } from './context.js'
import { isRecord } from './encoding.js'
import { WalletCoreError } from './errors.js'

/** Largest answer the wallet reads (metadata, a credential, a status list token, a request object). */
export const MAX_RESPONSE_BYTES = 2_000_000

/** Whether a host is the device itself (a development service on http://localhost). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** A URL the wallet may talk to: https, or plain http on loopback or on the wallet's own home origin. */
export function checkedUrl(ctx: Pick<WalletContext, 'homeUrl'>, url: string): URL {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new WalletCoreError('INSECURE_URL', { reason: 'not-a-url', detail: `not a URL: ${url.slice(0, 100)}` })
  }
  const home = new URL(ctx.homeUrl)
  if (parsed.protocol === 'https:') return parsed
  if (parsed.protocol === 'http:' && (isLoopback(parsed.hostname) || parsed.origin === home.origin)) return parsed
  throw new WalletCoreError('INSECURE_URL', { host: parsed.host, detail: `${parsed.protocol}//${parsed.host} is not https` })
}

/**
 * fetch as the wallet uses it: only {@link checkedUrl}s, no redirects, no cookies (a portal session must never
 * reach an issuer or a verifier), a timeout; a failure to connect is NETWORK.
 */
export async function walletFetch(ctx: WalletContext, url: string, init: RequestInit = {}): Promise<Response> {
  const target = checkedUrl(ctx, url)
  try {
    return await ctx.fetch(target.href, {
      ...init,
      redirect: 'error',
      credentials: 'omit',
      signal: AbortSignal.timeout(ctx.timeoutMs),
    })
  } catch (error) {
    throw new WalletCoreError(
      'NETWORK',
      { host: target.host, detail: `cannot reach ${target.host}: ${(error as Error).message}` },
      { cause: error },
    )
  }
}

/** An answer's text, refusing one larger than {@link MAX_RESPONSE_BYTES}. */
export async function readText(ctx: WalletContext, response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > MAX_RESPONSE_BYTES) throw tooLarge(response)
  let text: string
  try {
    text = await response.text()
  } catch (error) {
    throw new WalletCoreError(
      'NETWORK',
      { detail: `the answer from ${new URL(response.url || ctx.homeUrl).host} broke off` },
      { cause: error },
    )
  }
  if (text.length > MAX_RESPONSE_BYTES) throw tooLarge(response)
  return text
}

/** An answer's JSON, or undefined when it is not JSON. */
export async function readJson(ctx: WalletContext, response: Response): Promise<unknown> {
  const text = await readText(ctx, response)
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** An OAuth-shaped refusal (`{error, error_description, govcred_code}`) as the issuer or verifier sent it. */
export interface OauthRefusal {
  error: string
  description?: string
  govcredCode?: string
}

/** The OAuth refusal in a body, or govcred's own `{"error":{"code","message"}}` read as one. */
export function refusalOf(body: unknown): OauthRefusal | undefined {
  if (!isRecord(body)) return undefined
  if (typeof body.error === 'string') {
    return {
      error: body.error,
      ...(typeof body.error_description === 'string' ? { description: body.error_description } : {}),
      ...(typeof body.govcred_code === 'string' ? { govcredCode: body.govcred_code } : {}),
    }
  }
  if (isRecord(body.error) && typeof body.error.code === 'string') {
    return {
      error: body.error.code,
      govcredCode: body.error.code,
      ...(typeof body.error.message === 'string' ? { description: body.error.message } : {}),
    }
  }
  return undefined
}

function tooLarge(response: Response): WalletCoreError {
  return new WalletCoreError('NETWORK', { reason: 'too-large', detail: `the answer from ${response.url} is larger than the wallet reads` })
}
