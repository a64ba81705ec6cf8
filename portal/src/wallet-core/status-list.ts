import type { WalletContext } from './context.js'
import { fromBase64url, isRecord } from './encoding.js'
import { WalletCoreError } from './errors.js'
import { readText, walletFetch } from './http.js'
import type { CredentialStatusValue } from './storage.js'
import { certificateNames } from './x509-trust.js'
import { verifyX5cJwt, X5cJwtFailure } from './x5c-jwt.js'

/** Largest decompressed status list read (govcred's 2^20 two-bit entries are 256 KiB). */
export const MAX_STATUS_LIST_BYTES = 8 * 1024 * 1024

/** The values of an IETF Token Status List entry (draft-ietf-oauth-status-list §7.1) as govcred uses them. */
const STATUS_VALUES: Readonly<Record<number, CredentialStatusValue>> = { 0: 'valid', 1: 'revoked', 2: 'suspended' }

/** A live status reading: the value, or `unknown` with why. */
export interface StatusReading {
  value: CredentialStatusValue
  reason?: string
}

/**
 * Reads a credential's status from the IETF Token Status List token its `status.status_list` names: the
 * token must be an ES256 `statuslist+jwt` whose x5c chain ends at the consortium root and whose leaf names
 * the credential's issuer (SAN URI), whose `sub` is that URI, unexpired; then the entry at `idx` (of `bits`
 * bits, in the DEFLATE-compressed `lst`) is the status. `unknown` when the credential names no list or the
 * token does not verify; NETWORK when the list cannot be fetched (the caller keeps the last known status).
 */
export async function readStatusList(ctx: WalletContext, claims: Record<string, unknown>, rootPem: string): Promise<StatusReading> {
  const reference = isRecord(claims.status) && isRecord(claims.status.status_list) ? claims.status.status_list : undefined
  const idx = reference?.idx
  if (!reference || typeof reference.uri !== 'string' || typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0) {
    return { value: 'unknown', reason: 'the credential names no status list' }
  }
  const uri = reference.uri
  const response = await walletFetch(ctx, uri, { headers: { accept: 'application/statuslist+jwt' } })
  if (!response.ok) {
    if (response.status >= 500)
      throw new WalletCoreError('NETWORK', { status: response.status, detail: `status list answered ${response.status}` })
    return { value: 'unknown', reason: `the status list answered HTTP ${response.status}` }
  }
  const token = (await readText(ctx, response)).trim()
  let payload: Record<string, unknown>
  try {
    const verified = await verifyX5cJwt(token, { typ: 'statuslist+jwt', rootPem, now: ctx.now() })
    if (typeof claims.iss !== 'string' || !certificateNames(verified.chain[0]!).sanUris.includes(claims.iss)) {
      return { value: 'unknown', reason: "the status list is not signed by the credential's issuer" }
    }
    payload = verified.payload
  } catch (error) {
    if (error instanceof X5cJwtFailure) return { value: 'unknown', reason: `the status list does not verify (${error.reason})` }
    throw error
  }
  if (payload.sub !== uri) return { value: 'unknown', reason: 'the status list names another URI' }
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= ctx.now())
    return { value: 'unknown', reason: 'the status list token has expired' }
  const list = isRecord(payload.status_list) ? payload.status_list : undefined
  const bits = list?.bits
  if (!list || typeof list.lst !== 'string' || (bits !== 1 && bits !== 2 && bits !== 4 && bits !== 8)) {
    return { value: 'unknown', reason: 'the token carries no status_list' }
  }
  let bytes: Uint8Array
  try {
    bytes = await inflate(fromBase64url(list.lst))
  } catch {
    return { value: 'unknown', reason: 'the status list cannot be decompressed' }
  }
  const entry = statusAt(bytes, bits, idx)
  if (entry === undefined) return { value: 'unknown', reason: 'the index is beyond the status list' }
  return STATUS_VALUES[entry] ? { value: STATUS_VALUES[entry] } : { value: 'unknown', reason: `status value ${entry} has no meaning here` }
}

/** The entry `idx` of a status list of `bits`-bit entries (least significant bits first within a byte). */
export function statusAt(bytes: Uint8Array, bits: 1 | 2 | 4 | 8, idx: number): number | undefined {
  const bit = idx * bits
  const byte = bytes[bit >> 3]
  if (byte === undefined) return undefined
  return (byte >> (bit & 7)) & ((1 << bits) - 1)
}

/** ZLIB-format DEFLATE (RFC 1950) decompressed with the platform's DecompressionStream, bounded in size. */
async function inflate(compressed: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const reader = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate')).getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > MAX_STATUS_LIST_BYTES) {
      await reader.cancel()
      throw new Error('the status list is too large')
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}
