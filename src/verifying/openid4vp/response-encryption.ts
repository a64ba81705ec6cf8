import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { compactDecrypt, decodeProtectedHeader } from 'jose'
import { Openid4vpRefusal } from './openid4vp-errors.js'

/** The key agreement a direct_post.jwt response is encrypted with (OpenID4VP 1.0 §8.3, HAIP): ECDH-ES on P-256, no key wrapping. */
export const RESPONSE_ENCRYPTION_ALG = 'ECDH-ES'
/** The content encryptions taken, as `client_metadata.encrypted_response_enc_values_supported` lists them. */
export const RESPONSE_ENCRYPTION_ENC_VALUES = ['A128GCM', 'A256GCM'] as const
/** Longest `response` taken: a JWE of a vp_token the response endpoint's body limit lets through. */
export const MAX_RESPONSE_JWE_CHARS = 128_000
/** Most keys held at once; beyond it the oldest request's key goes (that request then reads as expired). */
export const MAX_RESPONSE_KEYS = 10_000

/** The public half of a request's response-encryption key, as `client_metadata.jwks` carries it. */
export interface ResponseEncryptionJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
  kid: string
  use: 'enc'
  alg: typeof RESPONSE_ENCRYPTION_ALG
}

interface HeldKey {
  privateKey: KeyObject
  publicJwk: ResponseEncryptionJwk
  expiresAtMs: number
}

type EncryptionRefusalCode =
  | 'ERR_RESPONSE_JWE_MALFORMED'
  | 'ERR_RESPONSE_JWE_UNSUPPORTED'
  | 'ERR_RESPONSE_KEY_MISMATCH'
  | 'ERR_RESPONSE_DECRYPTION_FAILED'
  | 'ERR_REQUEST_EXPIRED'

const refuse = (code: EncryptionRefusalCode, message: string) => new Openid4vpRefusal(400, 'invalid_request', message, code)

/**
 * The response-encryption keys of direct_post.jwt requests: one ephemeral P-256 ECDH-ES key per request, made
 * with the request and kept in this process's memory only, until the request is answered or expires. No key is
 * ever written anywhere, so no database file or backup can decrypt a captured response; the price is that a
 * restart loses the keys of pending encrypted requests, which then read as expired (the relying party makes a
 * new request, as after any expiry). A node runs one process per data directory, so no other process needs them.
 *
 * @example
 * const jwk = keys.create(request.id, Date.parse(request.expiresAt)) // into client_metadata.jwks
 * const { vp_token, state } = await keys.decrypt(request.id, form.response)
 * keys.forget(request.id) // once answered
 */
export class ResponseEncryptionKeys {
  private readonly keys = new Map<string, HeldKey>()

  constructor(private readonly maxKeys = MAX_RESPONSE_KEYS) {}

  /** A new key for `requestId`, kept until `expiresAtMs`; returns its public JWK (with a random kid). */
  create(requestId: string, expiresAtMs: number, now = Date.now()): ResponseEncryptionJwk {
    this.sweep(now)
    while (this.keys.size >= this.maxKeys) this.keys.delete(this.keys.keys().next().value as string)
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const { x, y } = publicKey.export({ format: 'jwk' }) as { x: string; y: string }
    const publicJwk: ResponseEncryptionJwk = {
      kty: 'EC',
      crv: 'P-256',
      x,
      y,
      kid: randomBytes(16).toString('base64url'),
      use: 'enc',
      alg: RESPONSE_ENCRYPTION_ALG,
    }
    this.keys.set(requestId, { privateKey, publicJwk, expiresAtMs })
    return publicJwk
  }

  /** The public JWK of a request's key while it is held (unexpired, unanswered, made by this process). */
  publicJwk(requestId: string, now = Date.now()): ResponseEncryptionJwk | undefined {
    const held = this.keys.get(requestId)
    if (!held) return undefined
    if (held.expiresAtMs <= now) {
      this.keys.delete(requestId)
      return undefined
    }
    return held.publicJwk
  }

  /** Drops a request's key: it was answered. */
  forget(requestId: string): void {
    this.keys.delete(requestId)
  }

  /**
   * The response parameters a wallet encrypted for `requestId`: the JWE must be compact, ECDH-ES with A128GCM or
   * A256GCM, name this request's key (kid), decrypt with it (which authenticates the header and the ciphertext),
   * and hold a JSON object. Anything else is refused with its own code, never guessed at.
   */
  async decrypt(requestId: string, jwe: string, now = Date.now()): Promise<Record<string, unknown>> {
    if (jwe.length === 0 || jwe.length > MAX_RESPONSE_JWE_CHARS || jwe.split('.').length !== 5)
      throw refuse(
        'ERR_RESPONSE_JWE_MALFORMED',
        `response must be a compact JWE (five parts, at most ${MAX_RESPONSE_JWE_CHARS} characters)`,
      )
    let header: Record<string, unknown>
    try {
      header = decodeProtectedHeader(jwe) as Record<string, unknown>
    } catch {
      throw refuse('ERR_RESPONSE_JWE_MALFORMED', 'the JWE protected header cannot be read')
    }
    if (header.alg !== RESPONSE_ENCRYPTION_ALG)
      throw refuse(
        'ERR_RESPONSE_JWE_UNSUPPORTED',
        `the JWE alg is ${JSON.stringify(String(header.alg)).slice(0, 40)}; this verifier takes ${RESPONSE_ENCRYPTION_ALG} only`,
      )
    if (!(RESPONSE_ENCRYPTION_ENC_VALUES as readonly unknown[]).includes(header.enc))
      throw refuse(
        'ERR_RESPONSE_JWE_UNSUPPORTED',
        `the JWE enc is ${JSON.stringify(String(header.enc)).slice(0, 40)}; this verifier takes ${RESPONSE_ENCRYPTION_ENC_VALUES.join(' or ')}`,
      )
    if (header.zip !== undefined) throw refuse('ERR_RESPONSE_JWE_UNSUPPORTED', 'a compressed JWE (zip) is not taken')
    const held = this.keys.get(requestId)
    if (!held || held.expiresAtMs <= now)
      throw refuse('ERR_REQUEST_EXPIRED', "the request's response-encryption key is gone (the request expired, or the verifier restarted)")
    if (header.kid !== held.publicJwk.kid)
      throw refuse(
        'ERR_RESPONSE_KEY_MISMATCH',
        header.kid === undefined
          ? "the JWE names no kid: it must name this request's response-encryption key"
          : "the JWE's kid is not this request's response-encryption key",
      )
    let plaintext: Uint8Array
    try {
      ;({ plaintext } = await compactDecrypt(jwe, held.privateKey, {
        keyManagementAlgorithms: [RESPONSE_ENCRYPTION_ALG],
        contentEncryptionAlgorithms: [...RESPONSE_ENCRYPTION_ENC_VALUES],
      }))
    } catch {
      throw refuse(
        'ERR_RESPONSE_DECRYPTION_FAILED',
        "the JWE does not decrypt with this request's key (tampered, or encrypted for another request)",
      )
    }
    let parameters: unknown
    try {
      parameters = JSON.parse(Buffer.from(plaintext).toString('utf8'))
    } catch {
      throw refuse('ERR_RESPONSE_JWE_MALFORMED', 'the decrypted response is not JSON')
    }
    if (!parameters || typeof parameters !== 'object' || Array.isArray(parameters))
      throw refuse('ERR_RESPONSE_JWE_MALFORMED', 'the decrypted response is not a JSON object of response parameters (vp_token, state)')
    return parameters as Record<string, unknown>
  }

  private sweep(now: number): void {
    for (const [id, held] of this.keys) if (held.expiresAtMs <= now) this.keys.delete(id)
  }
}
