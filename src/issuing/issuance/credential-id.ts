import { randomBytes } from 'node:crypto'

/**
 * A new credential id: `urn:uuid:` and a UUID version 7 (RFC 9562), whose first 48 bits are the Unix time in
 * milliseconds and the other 74 random. Ids made one after another sort one after another, so each new record
 * lands at the end of the id index instead of on a random page of it: with a million records, a random-v4 id
 * index is about a hundred megabytes whose pages each issuance would read and rewrite. The time it reveals is
 * no secret: the credential states its issuance time (`nbf`, `iat`) anyway.
 *
 * @example
 * newCredentialId() // 'urn:uuid:019ae4c2-7b1e-7c3a-9f0e-2d5b8a6c4e11'
 */
export function newCredentialId(now = Date.now()): string {
  const bytes = randomBytes(16)
  bytes.writeUIntBE(now, 0, 6)
  bytes[6] = (bytes[6]! & 0x0f) | 0x70
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
