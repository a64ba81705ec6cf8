import { X509Certificate, type KeyObject } from 'node:crypto'
import { digest } from '@sd-jwt/crypto-nodejs'
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc'
import { compactVerify, decodeProtectedHeader } from 'jose'
import { WalletError } from './wallet-errors.js'

/** An SD-JWT VC opened by the wallet: its header, every claim (with all disclosures), and which are disclosable. */
export interface OpenedSdJwtVc {
  header: Record<string, unknown>
  /** The signed payload, without `_sd` digests, with every disclosure put back in. */
  claims: Record<string, unknown>
  /** Names of the claims that the holder may leave out when presenting (selectively disclosable). */
  disclosable: string[]
}

/** The claims of an SD-JWT VC that describe the credential rather than its subject. */
export const SD_JWT_VC_REGISTERED_CLAIMS = ['iss', 'sub', 'iat', 'nbf', 'exp', 'vct', 'vct#integrity', 'cnf', 'status', '_sd_alg'] as const

const sdJwt = new SDJwtVcInstance({ hasher: digest })

/** Decodes an SD-JWT VC (checking each disclosure's digest against the signed payload); does not verify the signature. */
export async function openSdJwtVc(compact: string): Promise<OpenedSdJwtVc> {
  try {
    const decoded = await sdJwt.decode(compact)
    const claims = (await sdJwt.getClaims(compact)) as Record<string, unknown>
    const disclosable = [...new Set((decoded.disclosures ?? []).map((d) => d.key).filter((k): k is string => typeof k === 'string'))]
    return { header: (decoded.jwt?.header ?? {}) as Record<string, unknown>, claims, disclosable }
  } catch (error) {
    throw new WalletError('ERR_MALFORMED_CREDENTIAL', `不是有效的 SD-JWT VC / not a valid SD-JWT VC: ${(error as Error).message}`)
  }
}

/**
 * Verifies a JWT signed with ES256 by the leaf certificate of its `x5c` header (each certificate issued by the
 * next one) and returns that chain. Which root to trust is the caller's decision (see {@link chainEndsAt}).
 */
export async function verifyX5cSignedJwt(
  jwt: string,
  expectedTyp: string,
): Promise<{ chain: X509Certificate[]; payload: Record<string, unknown> }> {
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>
  } catch {
    throw new WalletError('ERR_MALFORMED_CREDENTIAL', `签名头无法解析 / the JWT header cannot be read`)
  }
  if (header.typ !== expectedTyp)
    throw new WalletError('ERR_MALFORMED_CREDENTIAL', `typ 应为 ${expectedTyp} / typ must be ${expectedTyp}, not ${String(header.typ)}`)
  if (header.alg !== 'ES256')
    throw new WalletError('ERR_ISSUER_SIGNATURE', `签名算法应为 ES256 / the signature must be ES256, not ${String(header.alg)}`)
  const x5c = header.x5c
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string')) {
    throw new WalletError('ERR_ISSUER_SIGNATURE', '缺少签发方证书链 (x5c) / the issuer certificate chain (x5c) is missing')
  }
  let chain: X509Certificate[]
  try {
    chain = (x5c as string[]).map((c) => new X509Certificate(Buffer.from(c, 'base64')))
  } catch {
    throw new WalletError('ERR_ISSUER_SIGNATURE', '签发方证书无法解析 / an issuer certificate cannot be read')
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) {
      throw new WalletError('ERR_ISSUER_SIGNATURE', '签发方证书链不连贯 / the issuer certificate chain does not link up')
    }
  }
  const now = Date.now()
  for (const cert of chain) {
    if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) {
      throw new WalletError(
        'ERR_ISSUER_SIGNATURE',
        `签发方证书不在有效期内 / an issuer certificate is outside its validity (${cert.subject.replace(/\n/g, ', ')})`,
      )
    }
  }
  try {
    const { payload } = await compactVerify(jwt, chain[0]!.publicKey as KeyObject, { algorithms: ['ES256'] })
    return { chain, payload: JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown> }
  } catch {
    throw new WalletError('ERR_ISSUER_SIGNATURE', '签发方签名无效 / the issuer signature does not verify')
  }
}

/** The URIs a certificate names in its subjectAltName. */
export function sanUris(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length))
}

/** Whether a chain ends at (or is issued by) one of the given root certificates (PEM). */
export function chainEndsAt(chain: X509Certificate[], rootsPem: string[]): boolean {
  const last = chain[chain.length - 1]
  if (!last) return false
  return rootsPem.some((pem) => {
    const root = new X509Certificate(pem)
    return last.fingerprint256 === root.fingerprint256 || (last.checkIssued(root) && last.verify(root.publicKey))
  })
}

/**
 * Verifies an SD-JWT VC's issuer signature (ES256, x5c chain) and that the leaf certificate names the
 * credential's issuer (`iss`) among its subjectAltName URIs; with `trustedRoots`, that the chain ends at one.
 */
export async function verifySdJwtVcIssuer(compact: string, options: { trustedRoots?: string[] } = {}): Promise<X509Certificate[]> {
  const issuerJwt = compact.split('~')[0] ?? ''
  const { chain, payload } = await verifyX5cSignedJwt(issuerJwt, 'dc+sd-jwt')
  const iss = payload.iss
  const named = sanUris(chain[0]!)
  if (typeof iss !== 'string' || !named.includes(iss)) {
    throw new WalletError(
      'ERR_ISSUER_SIGNATURE',
      `签发方证书不属于 ${String(iss)} / the issuer certificate names ${named.join(', ') || 'no URI'}, not the credential's issuer ${String(iss)}`,
    )
  }
  if (options.trustedRoots?.length && !chainEndsAt(chain, options.trustedRoots)) {
    throw new WalletError(
      'ERR_ISSUER_UNTRUSTED',
      '签发方证书不是受信任的根证书签发的 / the issuer certificate is not issued by a trusted root',
    )
  }
  return chain
}
