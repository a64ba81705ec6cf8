import type { WalletContext } from './context.js'
import { localizedFromDisplay, pathText, type LocalizedText } from './display.js'
import { isRecord } from './encoding.js'
import { WalletCoreError } from './errors.js'
import { checkedUrl, readJson, walletFetch } from './http.js'
import { samePublicKey } from './keys.js'
import { openSdJwt, SdJwtFormatError, type OpenedSdJwt } from './sd-jwt.js'
import type { PublicJwk } from './storage.js'
import { consortiumRoot } from './trust-root.js'
import { certificateNames } from './x509-trust.js'
import { verifyX5cJwt, X5cJwtFailure } from './x5c-jwt.js'

/** The SD-JWT VC `typ` (draft-ietf-oauth-sd-jwt-vc; OpenID4VC 1.0's `dc+sd-jwt`). */
export const SD_JWT_VC_TYP = 'dc+sd-jwt'

/**
 * Checks an SD-JWT VC as received from `credentialIssuer`: well formed with every disclosure matching a digest
 * (CREDENTIAL_INVALID otherwise), signed ES256 by the leaf of its x5c chain, the chain ending at the consortium
 * root of the wallet's home node and the leaf naming the credential's `iss` as a SAN URI, `iss` being the issuer
 * the offer named (ISSUER_UNTRUSTED otherwise), bound to the wallet's new key by `cnf.jwk`, of the offered
 * `vct`, and not expired (CREDENTIAL_INVALID).
 */
export async function checkIssuedSdJwtVc(
  ctx: WalletContext,
  compact: string,
  expected: { credentialIssuer: string; holderJwk: PublicJwk; vct?: string },
): Promise<OpenedSdJwt> {
  const opened = await openCredential(compact)
  const rootPem = await consortiumRoot(ctx)
  let leafNames
  try {
    const verified = await verifyX5cJwt(opened.issuerJwt, { typ: SD_JWT_VC_TYP, rootPem, now: ctx.now() })
    leafNames = certificateNames(verified.chain[0]!)
  } catch (error) {
    if (!(error instanceof X5cJwtFailure)) throw error
    const code = error.reason === 'malformed' || error.reason === 'typ' ? 'CREDENTIAL_INVALID' : 'ISSUER_UNTRUSTED'
    throw new WalletCoreError(code, { reason: error.reason, detail: error.message })
  }
  const iss = opened.payload.iss
  if (typeof iss !== 'string' || !leafNames.sanUris.includes(iss)) {
    throw new WalletCoreError('ISSUER_UNTRUSTED', {
      reason: 'issuer-name',
      detail: `the certificate does not name the credential's issuer ${String(iss)}`,
    })
  }
  if (iss !== expected.credentialIssuer) {
    throw new WalletCoreError('ISSUER_UNTRUSTED', {
      reason: 'issuer-name',
      detail: `the credential is issued by ${iss}, not ${expected.credentialIssuer}`,
    })
  }
  const cnf = isRecord(opened.payload.cnf) ? opened.payload.cnf.jwk : undefined
  if (!samePublicKey(expected.holderJwk, cnf)) {
    throw new WalletCoreError('CREDENTIAL_INVALID', {
      reason: 'cnf',
      detail: 'the credential is not bound to the key this wallet made for it',
    })
  }
  const vct = opened.payload.vct
  if (typeof vct !== 'string' || (expected.vct !== undefined && vct !== expected.vct)) {
    throw new WalletCoreError('CREDENTIAL_INVALID', {
      reason: 'vct',
      detail: `the credential's vct is ${String(vct)}, not ${String(expected.vct)}`,
    })
  }
  if (typeof opened.payload.exp === 'number' && opened.payload.exp * 1000 <= ctx.now()) {
    throw new WalletCoreError('CREDENTIAL_INVALID', { reason: 'expired', detail: 'the credential has expired already' })
  }
  return opened
}

/** Opens a held SD-JWT VC (CREDENTIAL_INVALID when it is not one). */
export async function openCredential(compact: string): Promise<OpenedSdJwt> {
  try {
    return await openSdJwt(compact)
  } catch (error) {
    if (error instanceof SdJwtFormatError) throw new WalletCoreError('CREDENTIAL_INVALID', { reason: 'format', detail: error.message })
    throw error
  }
}

/** What a `vct`'s type metadata (draft-ietf-oauth-sd-jwt-vc §6) says: the type's names and its claims' labels. */
export interface TypeMetadata {
  name: LocalizedText
  description: LocalizedText
  claimLabels: Record<string, LocalizedText>
}

/**
 * The type metadata a `vct` URL resolves to, best effort: undefined when it is not an https (or home) URL,
 * cannot be fetched, or names another vct. Claim labels are keyed by path text (`insurances.*.type`).
 */
export async function fetchTypeMetadata(ctx: WalletContext, vct: string): Promise<TypeMetadata | undefined> {
  let body: unknown
  try {
    checkedUrl(ctx, vct)
    const response = await walletFetch(ctx, vct, { headers: { accept: 'application/json' } })
    if (!response.ok) return undefined
    body = await readJson(ctx, response)
  } catch (error) {
    if (error instanceof WalletCoreError) return undefined
    throw error
  }
  if (!isRecord(body) || (body.vct !== undefined && body.vct !== vct)) return undefined
  const claimLabels: Record<string, LocalizedText> = {}
  for (const claim of Array.isArray(body.claims) ? body.claims : []) {
    if (!isRecord(claim) || !Array.isArray(claim.path)) continue
    const path = claim.path.filter((p): p is string | number | null => p === null || typeof p === 'string' || typeof p === 'number')
    const label = localizedFromDisplay(claim.display, 'label')
    if (path.length === claim.path.length && (label['zh-CN'] || label.en)) claimLabels[pathText(path)] = label
  }
  return { name: localizedFromDisplay(body.display, 'name'), description: localizedFromDisplay(body.display, 'description'), claimLabels }
}
