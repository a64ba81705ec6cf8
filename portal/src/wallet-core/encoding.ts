/**
 * Byte and text encodings the wallet needs, on what every browser has (TextEncoder, atob/btoa, WebCrypto):
 * no Node `Buffer`, so the same code runs in the portal bundle and in Node tests.
 */

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 bytes of a text. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text)
}

/** The text of UTF-8 bytes; throws on bytes that are not UTF-8. */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes)
}

/** base64url without padding (RFC 4648 §5), as JOSE and SD-JWT use it. */
export function base64url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Standard base64 with padding (an x5c entry is base64 DER). */
export function base64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** Bytes of a base64url text (no padding); throws TypeError on any other character. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url')
  return fromBase64(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4))
}

/** Bytes of a standard base64 text; throws TypeError when it is not base64. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  let binary: string
  try {
    binary = atob(text)
  } catch {
    throw new TypeError('not base64')
  }
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** base64url of a value's JSON (a JWT header or payload). */
export function base64urlJson(value: unknown): string {
  return base64url(utf8(JSON.stringify(value)))
}

/** The JSON value a base64url part carries (a JWT header or payload, a disclosure); throws when it is none. */
export function jsonOfBase64url(part: string): unknown {
  return JSON.parse(fromUtf8(fromBase64url(part)))
}

/** SHA-256 of bytes. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
}

/** base64url of the SHA-256 of a text's ASCII/UTF-8 bytes: an SD-JWT disclosure digest, a KB-JWT sd_hash. */
export async function sha256Base64url(text: string): Promise<string> {
  return base64url(await sha256(utf8(text)))
}

/** Whether a value is a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
