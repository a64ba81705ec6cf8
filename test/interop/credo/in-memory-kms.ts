/**
 * A small credo-ts 0.6 key management service on node:crypto, keys in memory: EC P-256 (ES256), secp256k1
 * (ES256K) and Ed25519 (EdDSA) signing keys — create, import, sign, verify, public JWK. What it does not do
 * (encrypt, decrypt, symmetric keys) it says so through `isOperationSupported`, and credo then refuses.
 * Modelled on `@credo-ts/node`'s NodeKeyManagementService (packages/node/src/kms), which is not on the registry.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify } from 'node:crypto'
import type { AgentContext } from '@credo-ts/core'
import { Kms } from '@credo-ts/core'

const SIGNING_ALGS = ['ES256', 'ES256K', 'EdDSA', 'Ed25519'] as const
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

  async encrypt(): Promise<Kms.KmsEncryptReturn> {
    throw new Kms.KeyManagementAlgorithmNotSupportedError('encryption', this.backend)
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
