import { base64url, base64urlJson, utf8 } from './encoding.js'
import { WalletCoreError } from './errors.js'
import type { HolderKeyRecord, PublicJwk, WalletStorage } from './storage.js'

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const

/**
 * Makes a new holder key and stores it: a WebCrypto ECDSA P-256 key pair whose private key is
 * `extractable: false` (exportKey rejects; it can only sign, on this device). One key per credential, so two
 * credentials never share a `cnf` key a verifier could link them by, and deleting a credential deletes its key.
 */
export async function createHolderKey(storage: WalletStorage, now: number): Promise<HolderKeyRecord> {
  let pair: CryptoKeyPair
  try {
    pair = (await crypto.subtle.generateKey(EC_P256, false, ['sign', 'verify'])) as CryptoKeyPair
  } catch (error) {
    throw new WalletCoreError('UNSUPPORTED_BROWSER', { reason: 'webcrypto', detail: 'cannot make a P-256 key' }, { cause: error })
  }
  // A public key is always exportable: only its JWK leaves the device, in proofs.
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
  const record: HolderKeyRecord = {
    id: crypto.randomUUID(),
    privateKey: pair.privateKey,
    publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! },
    createdAt: new Date(now).toISOString(),
  }
  await storage.putKey(record)
  return record
}

/** The stored key of a credential; CREDENTIAL_NOT_FOUND when it is gone (a wallet restored without its keys). */
export async function holderKey(storage: WalletStorage, keyId: string): Promise<HolderKeyRecord> {
  const key = await storage.getKey(keyId)
  if (!key) throw new WalletCoreError('CREDENTIAL_NOT_FOUND', { reason: 'key', detail: `holder key ${keyId} is not on this device` })
  return key
}

/**
 * A compact JWS signed ES256 by a (non-extractable) private key: WebCrypto's ECDSA signature is already the
 * raw r‖s form JWS uses.
 *
 * @example
 * const proof = await signEs256Jwt(key.privateKey, { typ: 'openid4vci-proof+jwt', jwk: key.publicJwk }, { aud, nonce, iat })
 */
export async function signEs256Jwt(
  privateKey: CryptoKey,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const signingInput = `${base64urlJson({ ...header, alg: 'ES256' })}.${base64urlJson(payload)}`
  const signature = new Uint8Array(await crypto.subtle.sign(ECDSA_SHA256, privateKey, utf8(signingInput)))
  return `${signingInput}.${base64url(signature)}`
}

/** Whether a JWK is the same P-256 public key. */
export function samePublicKey(a: PublicJwk, b: unknown): boolean {
  const other = b as Partial<PublicJwk> | undefined
  return !!other && other.kty === 'EC' && other.crv === 'P-256' && other.x === a.x && other.y === a.y
}
