import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

const SECRET_PREFIX = 'whsec_'
const SEALED_VERSION = 'v1'

/**
 * The signing secrets of the relying parties' webhooks. A secret (`whsec_…`, 256 random bits) is shown once
 * when registered and kept sealed: AES-256-GCM under a key derived (HKDF-SHA256) from the node's KMS secret,
 * bound to its party's id, so the database alone yields no secret and a sealed secret cannot be moved to
 * another party.
 *
 * @example
 * const secrets = new WebhookSecrets(kmsSecretHex)
 * const { secret, sealed } = secrets.create('bank-of-nanjing')
 * const header = signatureHeader(secrets.open('bank-of-nanjing', sealed), body, now)
 */
export class WebhookSecrets {
  private derived: Buffer | undefined

  /** `kmsSecretHex`, or a function that reads it when a secret is first sealed or opened. */
  constructor(private readonly kmsSecretHex: string | (() => string)) {}

  private get key(): Buffer {
    if (!this.derived) {
      const hex = typeof this.kmsSecretHex === 'string' ? this.kmsSecretHex : this.kmsSecretHex()
      this.derived = Buffer.from(hkdfSync('sha256', Buffer.from(hex, 'hex'), 'govcred', 'relying-party webhook secret:v1', 32))
    }
    return this.derived
  }

  /** A new secret for `relyingPartyId`: the secret itself (to show once) and its sealed form (to store). */
  create(relyingPartyId: string): { secret: string; sealed: string } {
    const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`
    return { secret, sealed: this.seal(relyingPartyId, secret) }
  }

  seal(relyingPartyId: string, secret: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(Buffer.from(relyingPartyId, 'utf8'))
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
    return [SEALED_VERSION, iv, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.')
  }

  /** The secret sealed for `relyingPartyId`; throws when it was sealed under another KMS secret or for another party. */
  open(relyingPartyId: string, sealed: string): string {
    const [version, iv, ciphertext, tag] = sealed.split('.')
    if (version !== SEALED_VERSION || !iv || !ciphertext || !tag) throw new Error('not a sealed webhook secret')
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(relyingPartyId, 'utf8'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    try {
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
    } catch (cause) {
      throw new Error(`the webhook secret of ${relyingPartyId} cannot be opened with this node's KMS secret (GOVCRED_KMS_SECRET)`, {
        cause,
      })
    }
  }
}

/**
 * The `Govcred-Signature` header of a body sent at `unixSeconds` (Stripe-style): `t=<unix>,v1=<hex>` where
 * the hex is HMAC-SHA256, keyed with the secret's UTF-8 bytes (the whole `whsec_…` text), of `t + "." + body`.
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${unixSeconds}.${body}`).digest('hex')
  return `t=${unixSeconds},v1=${mac}`
}
