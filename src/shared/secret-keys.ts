import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Bearer secrets (API keys): 256-bit random, shown once, stored only as their SHA-256. SHA-256 suffices
 * because the keys are random: there is nothing to brute-force.
 *
 * @example
 * const key = newSecretKey('grp_')   // give it to the caller once
 * const stored = hashSecretKey(key)  // keep only this
 */
export function newSecretKey(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`
}

export const hashSecretKey = (key: string): string => createHash('sha256').update(key).digest('hex')

/** Constant-time comparison of two hex SHA-256 hashes. */
export function sameSecretHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex')
  const right = Buffer.from(b, 'hex')
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right)
}
