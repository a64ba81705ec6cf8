/**
 * A plain DID (DID Core §3.1: `did:` method-name `:` method-specific-id), without path, query or fragment.
 * The method-specific id may contain colons but not end with one.
 *
 * @example
 * isPlainDid('did:ethr:govcred:0x02b9…') // true
 * isPlainDid('did:key:z6Mk…#z6Mk…')      // false: a DID URL
 */
export const PLAIN_DID_PATTERN = '^did:[a-z0-9]+:(?:[A-Za-z0-9._%-]*:)*[A-Za-z0-9._%-]+$'

const PLAIN_DID = new RegExp(PLAIN_DID_PATTERN)

/** Longest DID govcred accepts anywhere (issuer, holder, path parameter). */
export const MAX_DID_LENGTH = 512

export function isPlainDid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DID_LENGTH && PLAIN_DID.test(value)
}
