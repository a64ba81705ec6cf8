import { deflateSync } from 'node:zlib'
import type { StatusListWords } from '../../chain/registries/status-registry.js'

/** Bits per entry of govcred's status lists: 0 valid, 1 invalid (revoked), 2 suspended. */
export const STATUS_LIST_BITS = 2
export const TOKEN_STATUS = { valid: 0, invalid: 1, suspended: 2 } as const

const BYTES_PER_WORD = 32
/** Entries per byte at two bits each. */
const ENTRIES_PER_BYTE = 8 / STATUS_LIST_BITS

/**
 * The byte array of draft-ietf-oauth-status-list (two bits per entry) from the on-chain words: entry `idx`
 * sits in byte idx / 4 at bits 2 * (idx % 4) (least significant first), and is 1 when the revocation bit is
 * set (revocation wins), 2 when only the suspension bit is, 0 otherwise. Only non-zero words are visited:
 * a list of 2^20 entries with a few hundred changes takes about a millisecond.
 */
export function statusListBytes(lists: Pick<StatusListWords, 'revocation' | 'suspension'>): Uint8Array {
  const words = Math.max(lists.revocation.length, lists.suspension.length)
  const bytes = new Uint8Array((words * 256) / ENTRIES_PER_BYTE)
  const revoked = new Uint8Array(BYTES_PER_WORD)
  const suspended = new Uint8Array(BYTES_PER_WORD)
  for (let w = 0; w < words; w++) {
    const r = lists.revocation[w] ?? 0n
    const s = lists.suspension[w] ?? 0n
    if (r === 0n && s === 0n) continue
    littleEndian(r, revoked)
    littleEndian(s, suspended)
    for (let b = 0; b < BYTES_PER_WORD; b++) {
      const rb = revoked[b]
      const sb = suspended[b]
      if ((rb | sb) === 0) continue
      // Eight entries (bits) of this byte of the word become two bytes of the list.
      for (let bit = 0; bit < 8; bit++) {
        const value = (rb >> bit) & 1 ? TOKEN_STATUS.invalid : (sb >> bit) & 1 ? TOKEN_STATUS.suspended : TOKEN_STATUS.valid
        if (value === TOKEN_STATUS.valid) continue
        const idx = w * 256 + b * 8 + bit
        bytes[idx >> 2] |= value << ((idx & 3) * STATUS_LIST_BITS)
      }
    }
  }
  return bytes
}

/** The `lst` of a status list token: the byte array, DEFLATE in the ZLIB format (RFC 1950), base64url. */
export function compressStatusList(bytes: Uint8Array): string {
  return deflateSync(bytes, { level: 9 }).toString('base64url')
}

/** The 32 bytes of a uint256, least significant byte first. */
function littleEndian(word: bigint, into: Uint8Array): void {
  if (word === 0n) {
    into.fill(0)
    return
  }
  const hex = word.toString(16).padStart(64, '0')
  for (let b = 0; b < BYTES_PER_WORD; b++) into[b] = parseInt(hex.slice(62 - 2 * b, 64 - 2 * b), 16)
}
