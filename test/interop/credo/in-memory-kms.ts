/**
 * A small credo-ts 0.6 key management service on node:crypto, keys in memory: EC P-256 (ES256), secp256k1
 * (ES256K) and Ed25519 (EdDSA) signing keys — create, import, sign, verify, public JWK. With `ecdhEs` (off by
 * default) it also encrypts by ECDH-ES key agreement on P-256 with A128GCM or A256GCM, which is what credo's
 * OpenID4VP holder needs to answer a direct_post.jwt request (RFC 7518 §4.6: Concat KDF, the enc as AlgorithmID).
 * What it does not do (decrypt, key wrapping, symmetric keys) it says so through `isOperationSupported`, and
 * credo then refuses. Modelled on `@credo-ts/node`'s NodeKeyManagementService (packages/node/src/kms), which is
 * not on the registry.
 */
import {
  createCipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  verify,
} from 'node:crypto'
import type { AgentContext } from '@credo-ts/core'
import { Kms } from '@credo-ts/core'

const SIGNING_ALGS = ['ES256', 'ES256K', 'EdDSA', 'Ed25519'] as const
/** Content encryptions of an ECDH-ES JWE and their key lengths in bytes. */
const GCM_KEY_BYTES: Record<string, number> = { A128GCM: 16, A256GCM: 32 }
type SigningJwk = Kms.KmsJwkPrivateEc | Kms.KmsJwkPrivateOkp

const CURVES: Record<string, { type: 'ec'; namedCurve: string } | { type: 'ed25519' }> = {
  'P-256': { type: 'ec', namedCurve: 'P-256' },
  secp256k1: { type: 'ec', namedCurve: 'secp256k1' },
  Ed25519: { type: 'ed25519' },
}

function supportedCurve(type: { kty: string; crv?: string }): boolean {
  return (type.kty === 'EC' || type.kty === 'OKP') && type.crv !== undefined && type.crv in CURVES
}

export class InMemoryKeyManagementService implements Kms.KeyManagementService {
  readonly backend = 'in-memory-node-crypto'
  readonly #keys = new Map<string, SigningJwk>()
  readonly #ecdhEs: boolean

  constructor(options: { ecdhEs?: boolean } = {}) {
    this.#ecdhEs = options.ecdhEs ?? false
  }

  isOperationSupported(_agentContext: AgentContext, operation: Kms.KmsOperation): boolean {
    switch (operation.operation) {
      case 'createKey':
        return supportedCurve(operation.type)
      case 'importKey':
        return supportedCurve(operation.privateJwk)
      case 'sign':
      case 'verify':
        return (SIGNING_ALGS as readonly string[]).includes(operation.algorithm)
      case 'deleteKey':
      case 'randomBytes':
        return true
      case 'encrypt':
        return (
          this.#ecdhEs && operation.keyAgreement?.algorithm === 'ECDH-ES' && Object.hasOwn(GCM_KEY_BYTES, operation.encryption.algorithm)
        )
      default:
        return false
    }
  }

  randomBytes(_agentContext: AgentContext, options: Kms.KmsRandomBytesOptions): Kms.KmsRandomBytesReturn {
    return randomBytes(options.length)
  }

  async getPublicKey(_agentContext: AgentContext, keyId: string): Promise<Kms.KmsJwkPublic | null> {
    const key = this.#keys.get(keyId)
    return key ? { ...Kms.publicJwkFromPrivateJwk(key), kid: keyId } : null
  }

  async createKey<Type extends Kms.KmsCreateKeyType>(
    _agentContext: AgentContext,
    options: Kms.KmsCreateKeyOptions<Type>,
  ): Promise<Kms.KmsCreateKeyReturn<Type>> {
    const curve = 'crv' in options.type ? CURVES[options.type.crv] : undefined
    if (!curve) throw new Kms.KeyManagementAlgorithmNotSupportedError(`key type ${JSON.stringify(options.type)}`, this.backend)
    const { privateKey } =
      curve.type === 'ec' ? generateKeyPairSync('ec', { namedCurve: curve.namedCurve }) : generateKeyPairSync('ed25519')
    const privateJwk = { ...(privateKey.export({ format: 'jwk' }) as SigningJwk), kid: options.keyId ?? randomUUID() }
    return (await this.#store(privateJwk)) as Kms.KmsCreateKeyReturn<Type>
  }

  async importKey<Jwk extends Kms.KmsJwkPrivate>(
    _agentContext: AgentContext,
    options: Kms.KmsImportKeyOptions<Jwk>,
  ): Promise<Kms.KmsImportKeyReturn<Jwk>> {
    if (!supportedCurve(options.privateJwk)) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(`kty '${options.privateJwk.kty}'`, this.backend)
    }
    const privateJwk = { ...(options.privateJwk as SigningJwk), kid: options.privateJwk.kid ?? randomUUID() }
    createPrivateKey({ format: 'jwk', key: privateJwk }) // throws on a malformed key
    return (await this.#store(privateJwk)) as Kms.KmsImportKeyReturn<Jwk>
  }

  async deleteKey(_agentContext: AgentContext, options: Kms.KmsDeleteKeyOptions): Promise<boolean> {
    return this.#keys.delete(options.keyId)
  }

  async sign(_agentContext: AgentContext, options: Kms.KmsSignOptions): Promise<Kms.KmsSignReturn> {
    const key = this.#keys.get(options.keyId)
    if (!key) throw new Kms.KeyManagementKeyNotFoundError(options.keyId, [this.backend])
    Kms.assertAllowedSigningAlgForKey(key, options.algorithm)
    Kms.assertKeyAllowsSign(key)
    const nodeKey = createPrivateKey({ format: 'jwk', key })
    if (key.kty === 'OKP') return { signature: new Uint8Array(sign(null, options.data, nodeKey)) }
    return { signature: Kms.derEcSignatureToRaw(sign('sha256', options.data, nodeKey), key.crv) }
  }

  async verify(_agentContext: AgentContext, options: Kms.KmsVerifyOptions): Promise<Kms.KmsVerifyReturn> {
    const key = options.key.keyId ? this.#keys.get(options.key.keyId) : options.key.publicJwk
    if (!key || (key.kty !== 'EC' && key.kty !== 'OKP') || !supportedCurve(key)) {
      throw new Kms.KeyManagementAlgorithmNotSupportedError(`verification key ${JSON.stringify(options.key)}`, this.backend)
    }
    Kms.assertAllowedSigningAlgForKey(key, options.algorithm)
    Kms.assertKeyAllowsVerify(key)
    const publicJwk = Kms.publicJwkFromPrivateJwk(key as SigningJwk)
    const nodeKey = createPublicKey({ format: 'jwk', key: publicJwk })
    const verified =
      key.kty === 'OKP'
        ? verify(null, options.data, nodeKey, options.signature)
        : verify('sha256', options.data, nodeKey, Kms.rawEcSignatureToDer(options.signature, key.crv))
    return verified ? { verified: true, publicJwk } : { verified: false }
  }

  async encrypt(_agentContext: AgentContext, options: Kms.KmsEncryptOptions): Promise<Kms.KmsEncryptReturn> {
    const agreement = 'keyAgreement' in options.key ? options.key.keyAgreement : undefined
    const keyBytes = GCM_KEY_BYTES[options.encryption.algorithm]
    if (!this.#ecdhEs || agreement?.algorithm !== 'ECDH-ES' || !keyBytes)
      throw new Kms.KeyManagementAlgorithmNotSupportedError('encryption other than ECDH-ES with A128GCM or A256GCM', this.backend)
    const own = this.#keys.get(agreement.keyId)
    if (!own) throw new Kms.KeyManagementKeyNotFoundError(agreement.keyId, [this.backend])
    const { kty, crv, x, y } = agreement.externalPublicJwk as { kty: string; crv: string; x: string; y?: string }
    if (kty !== 'EC' || crv !== 'P-256' || own.kty !== 'EC' || own.crv !== 'P-256')
      throw new Kms.KeyManagementAlgorithmNotSupportedError(`ECDH-ES on ${crv}`, this.backend)
    const shared = diffieHellman({
      privateKey: createPrivateKey({ format: 'jwk', key: own }),
      publicKey: createPublicKey({ format: 'jwk', key: { kty, crv, x, y } }),
    })
    const key = concatKdf(shared, options.encryption.algorithm, keyBytes, agreement.apu, agreement.apv)
    const iv = randomBytes(12)
    const cipher = createCipheriv(`aes-${keyBytes * 8}-gcm` as 'aes-128-gcm', key, iv)
    const aad = (options.encryption as { aad?: Uint8Array }).aad
    if (aad) cipher.setAAD(aad)
    const encrypted = Buffer.concat([cipher.update(options.data), cipher.final()])
    return { encrypted: new Uint8Array(encrypted), iv: new Uint8Array(iv), tag: new Uint8Array(cipher.getAuthTag()) }
  }

  async decrypt(): Promise<Kms.KmsDecryptReturn> {
    throw new Kms.KeyManagementAlgorithmNotSupportedError('decryption', this.backend)
  }

  async #store(privateJwk: SigningJwk & { kid: string }) {
    if (this.#keys.has(privateJwk.kid)) throw new Kms.KeyManagementKeyExistsError(privateJwk.kid, this.backend)
    this.#keys.set(privateJwk.kid, privateJwk)
    return { keyId: privateJwk.kid, publicJwk: { ...Kms.publicJwkFromPrivateJwk(privateJwk), kid: privateJwk.kid } }
  }
}

/**
 * The content-encryption key of an ECDH-ES JWE (RFC 7518 §4.6.2, NIST SP 800-56A Concat KDF with SHA-256): one
 * round suffices for 128 and 256 bits. AlgorithmID is the `enc`, PartyUInfo and PartyVInfo the apu and apv bytes.
 */
function concatKdf(shared: Buffer, enc: string, keyBytes: number, apu?: Uint8Array, apv?: Uint8Array): Buffer {
  const lengthPrefixed = (bytes: Uint8Array) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(bytes.length)
    return Buffer.concat([length, bytes])
  }
  const suppPubInfo = Buffer.alloc(4)
  suppPubInfo.writeUInt32BE(keyBytes * 8)
  const otherInfo = Buffer.concat([
    lengthPrefixed(Buffer.from(enc, 'ascii')),
    lengthPrefixed(apu ?? new Uint8Array()),
    lengthPrefixed(apv ?? new Uint8Array()),
    suppPubInfo,
  ])
  return createHash('sha256')
    .update(Buffer.from([0, 0, 0, 1]))
    .update(shared)
    .update(otherInfo)
    .digest()
    .subarray(0, keyBytes)
}
