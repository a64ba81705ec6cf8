import { createCipheriv, createDecipheriv, createPrivateKey, hkdfSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { ValidationError } from '../../shared/errors/app-error.js'
import { jwkThumbprint, p256PointOfJwk } from '../../shared/identity/p256-keys.js'
import { writeExecute } from '../../store/write-transaction.js'
import type { VerifierKeyManager } from './verifier-identity.js'

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SEALED_VERSION = 'v1'

/** One request-signing key a verifier-only node made for a relying party; its private key stays sealed. */
export interface LocalVerifierKey {
  /** The RFC 7638 thumbprint of its public JWK (also the kid of the identity it becomes). */
  kmsKeyId: string
  relyingPartyId: string
  /** The DNS name its CSR asked to have certified. */
  domain: string
  /** Uncompressed SEC1 point, hex. */
  publicKeyHex: string
  createdAt: string
}

/** A new key with its private half in memory, to sign the CSR that asks for its certificate. */
export interface GeneratedLocalKey extends LocalVerifierKey {
  keys: CryptoKeyPair
}

/**
 * The relying parties' request-signing keys of a verifier-only node (a full node uses its Veramo KMS instead):
 * P-256 keys made here and never exported, each kept in `verifier.sqlite` sealed with AES-256-GCM under a key
 * derived (HKDF-SHA256) from the node's DATA_DIR/kms-secret and bound to its party and key id, so the database
 * alone yields no key and a sealed key cannot be moved to another party. Opened keys stay in memory as
 * KeyObjects; ES256 signs with node:crypto.
 *
 * @example
 * const keys = new LocalVerifierKeys(db, () => resolveKmsSecret(undefined, dataDir).secret)
 * const made = await keys.generate('bank-of-nanjing', 'verify.bank.example')
 * const signature = await keys.signEs256(made.kmsKeyId, data)
 */
export class LocalVerifierKeys implements VerifierKeyManager {
  private derived: Buffer | undefined
  private readonly opened = new Map<string, KeyObject>()

  /** `kmsSecretHex`, or a function that reads it when a key is first sealed or opened. */
  constructor(
    private readonly db: DataSource,
    private readonly kmsSecretHex: string | (() => string),
  ) {}

  /** Makes and stores (sealed) a new P-256 key for the party's `domain`; answers it with its key pair for the CSR. */
  async generate(relyingPartyId: string, domain: string): Promise<GeneratedLocalKey> {
    // Extractable only for this moment, to seal it; afterwards the key lives sealed or as a KeyObject.
    const keys = (await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair
    const publicJwk = await crypto.subtle.exportKey('jwk', keys.publicKey)
    const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey))
    const record: LocalVerifierKey = {
      kmsKeyId: jwkThumbprint(publicJwk),
      relyingPartyId,
      domain,
      publicKeyHex: p256PointOfJwk(publicJwk)!,
      createdAt: new Date().toISOString(),
    }
    const sealed = this.seal(record, pkcs8)
    pkcs8.fill(0)
    await writeExecute(
      this.db,
      `INSERT INTO govcred_verifier_local_keys (kmsKeyId, relyingPartyId, domain, publicKeyHex, sealedPrivateKey, createdAt)
       VALUES (?, ?, ?, ?, ?, ?)`,
      [record.kmsKeyId, record.relyingPartyId, record.domain, record.publicKeyHex, sealed, record.createdAt],
    )
    return { ...record, keys }
  }

  /** {@link VerifierKeyManager}: `meta.relyingPartyId` and `meta.domain` say whose key it is. */
  async createP256Key(meta: Record<string, string>): Promise<{ kmsKeyId: string; publicKeyHex: string }> {
    if (!meta.relyingPartyId || !meta.domain) throw new Error('a local verifier key needs meta.relyingPartyId and meta.domain')
    const { kmsKeyId, publicKeyHex } = await this.generate(meta.relyingPartyId, meta.domain)
    return { kmsKeyId, publicKeyHex }
  }

  /** The party's key whose public key is `publicKeyHex` (uncompressed, hex), if this node made it. */
  async findByPublicKey(relyingPartyId: string, publicKeyHex: string): Promise<LocalVerifierKey | undefined> {
    const rows: LocalVerifierKey[] = await this.db.query(
      `SELECT kmsKeyId, relyingPartyId, domain, publicKeyHex, createdAt FROM govcred_verifier_local_keys
       WHERE relyingPartyId = ? AND publicKeyHex = ?`,
      [relyingPartyId, publicKeyHex.toLowerCase()],
    )
    return rows[0]
  }

  /** The party's keys, oldest first (none of their private halves). */
  async list(relyingPartyId: string): Promise<LocalVerifierKey[]> {
    return this.db.query(
      `SELECT kmsKeyId, relyingPartyId, domain, publicKeyHex, createdAt FROM govcred_verifier_local_keys
       WHERE relyingPartyId = ? ORDER BY createdAt, kmsKeyId`,
      [relyingPartyId],
    )
  }

  /**
   * ES256 over `data`: the raw r||s signature (64 bytes). A key this node cannot open (another kms-secret) is
   * refused 422 ERR_OPENID4VP_UNAVAILABLE: the party needs a new key and certificate.
   */
  async signEs256(kmsKeyId: string, data: Uint8Array): Promise<Uint8Array> {
    const key = this.opened.get(kmsKeyId) ?? (await this.open(kmsKeyId))
    return new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }))
  }

  private async open(kmsKeyId: string): Promise<KeyObject> {
    const rows: (LocalVerifierKey & { sealedPrivateKey: string })[] = await this.db.query(
      `SELECT kmsKeyId, relyingPartyId, domain, publicKeyHex, sealedPrivateKey, createdAt FROM govcred_verifier_local_keys WHERE kmsKeyId = ?`,
      [kmsKeyId],
    )
    const row = rows[0]
    if (!row) throw unavailable(`no local key ${kmsKeyId}`, `这个验证方密钥 ${kmsKeyId} 不在本节点`)
    const key = createPrivateKey({ key: this.unseal(row, row.sealedPrivateKey), format: 'der', type: 'pkcs8' })
    this.opened.set(kmsKeyId, key)
    return key
  }

  private get wrappingKey(): Buffer {
    if (!this.derived) {
      const hex = typeof this.kmsSecretHex === 'string' ? this.kmsSecretHex : this.kmsSecretHex()
      this.derived = Buffer.from(hkdfSync('sha256', Buffer.from(hex, 'hex'), 'govcred', 'verifier local key:v1', 32))
    }
    return this.derived
  }

  private seal(record: Pick<LocalVerifierKey, 'relyingPartyId' | 'kmsKeyId'>, plain: Buffer): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.wrappingKey, iv)
    cipher.setAAD(aadOf(record))
    const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()])
    return [SEALED_VERSION, ...[iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'))].join('.')
  }

  private unseal(record: Pick<LocalVerifierKey, 'relyingPartyId' | 'kmsKeyId'>, sealed: string): Buffer {
    const [version, iv, ciphertext, tag] = sealed.split('.')
    try {
      if (version !== SEALED_VERSION || !iv || !ciphertext || !tag) throw new Error('not a sealed key')
      const decipher = createDecipheriv('aes-256-gcm', this.wrappingKey, Buffer.from(iv, 'base64url'))
      decipher.setAAD(aadOf(record))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()])
    } catch (cause) {
      throw unavailable(
        `the request-signing key of ${record.relyingPartyId} cannot be opened with this node's kms-secret: make a new one (govcred relying-party csr) and have it certified`,
        `${record.relyingPartyId} 的请求签名密钥无法用本节点的 kms-secret 解开：请重新生成 (govcred relying-party csr) 并申请证书`,
        cause,
      )
    }
  }
}

const aadOf = (record: Pick<LocalVerifierKey, 'relyingPartyId' | 'kmsKeyId'>) =>
  Buffer.from(`${record.relyingPartyId}\n${record.kmsKeyId}`, 'utf8')

const unavailable = (en: string, zh: string, cause?: unknown) =>
  new ValidationError('ERR_OPENID4VP_UNAVAILABLE', `${zh} / ${en}`, { cause })
