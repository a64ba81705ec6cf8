import { createPrivateKey, sign, type KeyObject } from 'node:crypto'
import type { IDIDManager, TAgent } from '@veramo/core-types'
import { PrivateKeyStore } from '@veramo/data-store'
import { SecretBox } from '@veramo/kms-local'
import { createVerifiableCredentialJwt, type JwtCredentialPayload } from 'did-jwt-vc'
import { SigningKey } from 'ethers'
import type { DataSource } from 'typeorm'

const ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const HALF_ORDER = ORDER >> 1n

type DidManagerAgent = TAgent<Pick<IDIDManager, 'didManagerGet'>>

/**
 * Signs VC-JWTs as Veramo's `createVerifiableCredential({ proofFormat: 'jwt' })` does — the same did-jwt-vc
 * encoding, ES256K with the issuer DID's first secp256k1 key — but with the private key decrypted once and
 * held as a node:crypto KeyObject: OpenSSL signs on libuv's thread pool, off the event loop, with no key-store
 * read and no decryption per credential. Signatures are low-S, as verifiers require.
 *
 * @example
 * const signer = new KeyObjectVcJwtSigner(agent, db, kmsSecret)
 * const jwt = await signer.sign(department.did, credential, { removeOriginalFields: true })
 */
export class KeyObjectVcJwtSigner {
  private readonly keys = new Map<string, Promise<KeyObject>>()
  private readonly privateKeys: PrivateKeyStore

  constructor(
    private readonly agent: DidManagerAgent,
    db: DataSource,
    kmsSecret: string,
  ) {
    this.privateKeys = new PrivateKeyStore(db, new SecretBox(kmsSecret))
  }

  async sign(issuerDid: string, credential: Record<string, unknown>, options: { removeOriginalFields: boolean }): Promise<string> {
    const key = await this.keyOf(issuerDid)
    return createVerifiableCredentialJwt(
      credential as unknown as JwtCredentialPayload,
      { did: issuerDid, alg: 'ES256K', signer: (data) => signLowS(key, data) },
      { removeOriginalFields: options.removeOriginalFields },
    )
  }

  private keyOf(did: string): Promise<KeyObject> {
    let key = this.keys.get(did)
    if (!key) {
      key = this.loadKey(did)
      this.keys.set(did, key)
      key.catch(() => this.keys.delete(did))
    }
    return key
  }

  private async loadKey(did: string): Promise<KeyObject> {
    const identifier = await this.agent.didManagerGet({ did })
    // The key Veramo's pickSigningKey would take for this identifier.
    const managed = identifier.keys.find((k) => k.type === 'Secp256k1' || k.type === 'Ed25519' || k.type === 'Secp256r1')
    if (managed?.type !== 'Secp256k1') throw new Error(`${did} has no secp256k1 signing key in this node's KMS`)
    const { privateKeyHex } = await this.privateKeys.getKey({ alias: managed.kid })
    return secp256k1PrivateKey(privateKeyHex)
  }
}

function secp256k1PrivateKey(privateKeyHex: string): KeyObject {
  const d = Buffer.from(privateKeyHex.replace(/^0x/, ''), 'hex')
  const point = Buffer.from(new SigningKey(d).publicKey.slice(2), 'hex') // 04 ‖ x ‖ y
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'secp256k1',
      d: d.toString('base64url'),
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  })
}

/** ES256K r ‖ s (base64url) with S in its low half; OpenSSL does not normalise S, verifiers refuse high S. */
function signLowS(key: KeyObject, data: string | Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    sign('sha256', typeof data === 'string' ? Buffer.from(data) : data, { key, dsaEncoding: 'ieee-p1363' }, (error, signature) => {
      if (error) return reject(error)
      const s = BigInt(`0x${signature.subarray(32).toString('hex')}`)
      if (s > HALF_ORDER) signature.set(Buffer.from((ORDER - s).toString(16).padStart(64, '0'), 'hex'), 32)
      resolve(signature.toString('base64url'))
    })
  })
}
