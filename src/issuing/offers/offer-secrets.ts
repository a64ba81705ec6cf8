import {
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  randomBytes,
  randomInt,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto'

/** The order n of the P-256 group: a private key is in [1, n-1]. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n

/** SHA-256 hex of a secret that is random (pre-authorized codes, offer references, nonces). */
export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex')

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

/**
 * The OpenID4VCI issuer's own secrets, derived (HKDF-SHA256) from the node's key-encryption secret, so that
 * they survive restarts without being stored: an HMAC key (pre-authorized codes from offer references,
 * transaction-code hashes, nonces) and the P-256 key that signs access tokens.
 *
 * @example
 * const secrets = new OfferSecrets(kmsSecretHex)
 * const ref = secrets.newReference(); const code = secrets.preAuthorizedCode(ref)
 */
export class OfferSecrets {
  private readonly hmacKey: Buffer
  /** The access-token signing key: private JWK (with d) and its public half. */
  readonly accessTokenJwk: JsonWebKey & { kid: string }
  private readonly accessTokenKey: KeyObject
  private readonly accessTokenPublicKey: KeyObject

  constructor(secret: string) {
    const ikm = Buffer.from(secret, 'utf8')
    this.hmacKey = Buffer.from(hkdfSync('sha256', ikm, 'govcred', 'oid4vci hmac', 32))
    let d: Buffer | undefined
    for (let counter = 0; !d; counter++) {
      const candidate = Buffer.from(hkdfSync('sha256', ikm, 'govcred', `oid4vci access token key ${counter}`, 32))
      const scalar = BigInt(`0x${candidate.toString('hex')}`)
      if (scalar > 0n && scalar < P256_ORDER) d = candidate
    }
    const ecdh = createECDH('prime256v1')
    ecdh.setPrivateKey(d)
    const point = ecdh.getPublicKey()
    const publicJwk = { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33, 65)) }
    const kid = b64url(createHash('sha256').update(JSON.stringify(publicJwk)).digest())
    this.accessTokenKey = createPrivateKey({ key: { ...publicJwk, d: b64url(d) }, format: 'jwk' })
    this.accessTokenPublicKey = createPublicKey(this.accessTokenKey)
    this.accessTokenJwk = { ...publicJwk, kid, alg: 'ES256', use: 'sig' }
  }

  private mac(purpose: string, ...parts: string[]): Buffer {
    return createHmac('sha256', this.hmacKey)
      .update([purpose, ...parts].join('|'))
      .digest()
  }

  /** The secret reference in an offer's credential_offer_uri (256-bit). */
  newReference(): string {
    return b64url(randomBytes(32))
  }

  /** The pre-authorized code of an offer, derived from its reference (neither is stored, only their hashes). */
  preAuthorizedCode(reference: string): string {
    return b64url(this.mac('pre-authorized_code', reference))
  }

  /** A six-digit transaction code. */
  newTxCode(): string {
    return String(randomInt(0, 1_000_000)).padStart(6, '0')
  }

  /** The stored form of a transaction code: keyed, so that the database alone cannot be searched for the six digits. */
  txCodeHash(offerId: string, txCode: string): string {
    return this.mac('tx_code', offerId, txCode).toString('hex')
  }

  sameTxCode(offerId: string, presented: string, storedHash: string): boolean {
    const presentedHash = Buffer.from(this.txCodeHash(offerId, presented), 'hex')
    const stored = Buffer.from(storedHash, 'hex')
    return stored.length === presentedHash.length && timingSafeEqual(stored, presentedHash)
  }

  /** A c_nonce that needs no storage until used: random, its expiry, and a MAC over both. */
  newNonce(expiresAt: Date): string {
    const body = `${b64url(randomBytes(16))}.${Math.floor(expiresAt.getTime() / 1000)}`
    return `${body}.${b64url(this.mac('c_nonce', body).subarray(0, 16))}`
  }

  /** The expiry of a nonce this issuer made, or undefined when it did not make it. */
  nonceExpiry(nonce: unknown): Date | undefined {
    if (typeof nonce !== 'string' || nonce.length > 100) return undefined
    const match = /^([A-Za-z0-9_-]{22}\.(\d{1,12}))\.([A-Za-z0-9_-]{22})$/.exec(nonce)
    if (!match) return undefined
    const expected = this.mac('c_nonce', match[1]!).subarray(0, 16)
    const presented = Buffer.from(match[3]!, 'base64url')
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return undefined
    return new Date(Number(match[2]) * 1000)
  }

  /** ES256 (raw r||s) with the access-token key. */
  signAccessToken(data: Uint8Array): Uint8Array {
    return sign('sha256', data, { key: this.accessTokenKey, dsaEncoding: 'ieee-p1363' })
  }

  /** Whether `signature` (raw r||s) over `data` is one of the access-token key's (checked on libuv's thread pool). */
  verifiesAccessToken(data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (signature.length !== 64) return Promise.resolve(false)
    return new Promise((resolve) =>
      verify('sha256', data, { key: this.accessTokenPublicKey, dsaEncoding: 'ieee-p1363' }, signature, (error, ok) =>
        resolve(!error && ok),
      ),
    )
  }
}
