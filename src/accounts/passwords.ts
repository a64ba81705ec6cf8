import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/** Shortest password taken (NIST SP 800-63B asks for at least 8; a government console asks for more). */
export const PASSWORD_MIN_LENGTH = 12
/** Longest password taken: hashing cost does not grow with it, but a password is no place for a document. */
export const PASSWORD_MAX_LENGTH = 256

/**
 * scrypt with N = 2^15, r = 8, p = 1 (RFC 7914; the cost OWASP's password storage cheat sheet gives): 32 MiB of
 * memory and some tens of milliseconds per hash, a 16-byte random salt per password, a 32-byte key.
 */
export const SCRYPT_PARAMS = Object.freeze({ ln: 15, r: 8, p: 1, keyLength: 32, saltLength: 16 })

const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

function derive(password: string, salt: Buffer, ln: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  const N = 2 ** ln
  // Node refuses more than 32 MiB unless told; allow what these parameters need, with headroom.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 }
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
  )
}

/**
 * The stored form of a password: a PHC string `$scrypt$ln=15,r=8,p=1$<salt>$<key>` (base64, no padding).
 *
 * @example
 * const stored = await hashPassword('correct horse battery staple')
 * await verifyPassword('correct horse battery staple', stored) // true
 */
export async function hashPassword(password: string): Promise<string> {
  const { ln, r, p, keyLength, saltLength } = SCRYPT_PARAMS
  const salt = randomBytes(saltLength)
  const key = await derive(password, salt, ln, r, p, keyLength)
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(key)}`
}

/** Whether `password` is the one `stored` was made from; compared in constant time. A malformed `stored` never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PHC.exec(stored)
  if (!match) return false
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])]
  if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false
  const expected = Buffer.from(match[5]!, 'base64')
  const key = await derive(password, Buffer.from(match[4]!, 'base64'), ln, r, p, expected.length)
  return key.length === expected.length && timingSafeEqual(key, expected)
}

/** Whether a stored hash was made with other parameters than today's (then it is re-hashed at the next sign-in). */
export function needsRehash(stored: string): boolean {
  const match = PHC.exec(stored)
  const { ln, r, p } = SCRYPT_PARAMS
  return !match || Number(match[1]) !== ln || Number(match[2]) !== r || Number(match[3]) !== p
}

let dummy: Promise<string> | undefined
/**
 * Spends the time of one password check on nothing: for an unknown username, so that the answer takes as long
 * as for a known one with a wrong password, and timing does not tell which usernames exist. Always false.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'))
  await verifyPassword(password, await dummy)
  return false
}

/**
 * Why a new password is refused, in words for a person (zh-CN and en), or undefined when it is acceptable:
 * length within PASSWORD_MIN_LENGTH..PASSWORD_MAX_LENGTH, not the username, not one repeated character.
 */
export function passwordProblem(password: unknown, username: string): string | undefined {
  if (typeof password !== 'string') return '密码必须是字符串 / the password must be a string'
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH)
    return `密码至少 ${PASSWORD_MIN_LENGTH} 个字符 / the password needs at least ${PASSWORD_MIN_LENGTH} characters`
  if (length > PASSWORD_MAX_LENGTH)
    return `密码最多 ${PASSWORD_MAX_LENGTH} 个字符 / the password may have at most ${PASSWORD_MAX_LENGTH} characters`
  if (password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名 / the password must not contain the username'
  if (new Set(password).size < 4) return '密码过于简单 / the password is too simple (too few different characters)'
  return undefined
}

/** Letters and digits that cannot be mistaken for one another (no 0/O, 1/l/I), for passwords read off a screen. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'

/**
 * A random password of `length` characters (default 24: about 140 bits) for an account created or reset by an
 * administrator, who hands it over once.
 */
export function generatePassword(length = 24): string {
  let password = ''
  while (password.length < length) password += ALPHABET[randomInt(ALPHABET.length)]
  return password
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '')
