import { createHash } from 'node:crypto'
import { fail, type Check } from '../verification-result.js'

/** An SD-JWT as sent, split and decoded; nothing in it is trusted yet. */
export interface OpenedSdJwt {
  /** The issuer-signed JWT. */
  jwt: string
  header: Record<string, unknown>
  payload: Record<string, unknown>
  /** The disclosures as sent (base64url). */
  disclosures: string[]
  /** The key-binding JWT, when the presentation ends with one. */
  keyBindingJwt: string | null
  /** `<jwt>~<disclosure>~…~`: what a key-binding JWT's sd_hash covers. */
  presented: string
}

/** A disclosure, decoded: `[salt, name, value]` for an object property, `[salt, value]` for an array element. */
export interface Disclosure {
  encoded: string
  digest: string
  name: string | null
  value: unknown
}

const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const BASE64URL = /^[A-Za-z0-9_-]+$/
/** Largest SD-JWT taken: ten times the biggest govcred credential, with room for long property owner lists. */
export const MAX_SD_JWT_LENGTH = 128_000
/** Most disclosures in one SD-JWT (a property certificate with many owners has a few dozen). */
export const MAX_DISCLOSURES = 200

/** Whether a credential as sent is meant as an SD-JWT (a compact string with `~` separators). */
export const looksLikeSdJwt = (input: unknown): input is string => typeof input === 'string' && input.includes('~')

/**
 * Splits and decodes `<issuer JWT>~<disclosure>~…~[<KB-JWT>]` (RFC 9901 §4). Refuses what is not one with
 * credentialProof ERR_MALFORMED_JWT (the issuer JWT) or ERR_CREDENTIAL_MALFORMED (size, shape).
 */
export function openSdJwt(input: string, index: number): OpenedSdJwt | Check {
  if (input.length > MAX_SD_JWT_LENGTH)
    return fail('credentialProof', 'ERR_CREDENTIAL_MALFORMED', `an SD-JWT VC is at most ${MAX_SD_JWT_LENGTH} characters`, index)
  const parts = input.split('~')
  if (parts.length - 2 > MAX_DISCLOSURES)
    return fail('credentialProof', 'ERR_CREDENTIAL_MALFORMED', `an SD-JWT VC carries at most ${MAX_DISCLOSURES} disclosures`, index)
  const jwt = parts[0]!
  const keyBindingJwt = parts[parts.length - 1]!
  const disclosures = parts.slice(1, -1)
  if (!COMPACT_JWT.test(jwt)) return fail('credentialProof', 'ERR_MALFORMED_JWT', 'the issuer-signed part is not a compact JWT', index)
  let header: unknown
  let payload: unknown
  try {
    ;[header, payload] = jwt.split('.', 2).map(decodeJson)
  } catch {
    return fail('credentialProof', 'ERR_MALFORMED_JWT', 'the issuer-signed JWT cannot be decoded', index)
  }
  if (!isObject(header) || !isObject(payload))
    return fail('credentialProof', 'ERR_MALFORMED_JWT', 'the issuer-signed JWT is not made of JSON objects', index)
  if (keyBindingJwt !== '' && !COMPACT_JWT.test(keyBindingJwt))
    return fail('credentialProof', 'ERR_CREDENTIAL_MALFORMED', 'an SD-JWT ends with "~" or with a key-binding JWT', index)
  return {
    jwt,
    header,
    payload,
    disclosures,
    keyBindingJwt: keyBindingJwt === '' ? null : keyBindingJwt,
    presented: `${parts.slice(0, -1).join('~')}~`,
  }
}

/** base64url(SHA-256(ascii text)): a disclosure's digest, and a key-binding JWT's sd_hash. */
export const sha256Base64url = (text: string): string => createHash('sha256').update(text, 'ascii').digest('base64url')

/**
 * The claims an SD-JWT discloses, each disclosure matched against a digest of the signed payload (RFC 9901
 * §7.1): every disclosure well formed, none twice, each reached from the payload or from another disclosure
 * that is; a disclosed name may not be `_sd`/`...` nor collide with a plain claim. `_sd` and `_sd_alg` are
 * removed, undisclosed digests vanish.
 */
export function discloseClaims(opened: OpenedSdJwt, index: number): { claims: Record<string, unknown> } | Check {
  const alg = opened.payload._sd_alg
  if (alg !== undefined && alg !== 'sha-256')
    return fail('disclosures', 'ERR_DISCLOSURE_ALGORITHM', `_sd_alg ${JSON.stringify(alg)} is not accepted (sha-256 only)`, index)
  const byDigest = new Map<string, Disclosure>()
  for (const encoded of opened.disclosures) {
    const decoded = decodeDisclosure(encoded)
    if (!decoded)
      return fail('disclosures', 'ERR_DISCLOSURE_MALFORMED', 'a disclosure is not a base64url JSON array of 2 or 3 elements', index)
    if (byDigest.has(decoded.digest)) return fail('disclosures', 'ERR_DISCLOSURE_DUPLICATE', 'a disclosure is sent twice', index)
    byDigest.set(decoded.digest, decoded)
  }
  const used = new Set<string>()
  const problem: { check?: Check } = {}
  const refuse = (code: 'ERR_DISCLOSURE_MALFORMED' | 'ERR_DISCLOSURE_DUPLICATE', message: string) => {
    problem.check ??= fail('disclosures', code, message, index)
    return undefined
  }
  const take = (digest: unknown): Disclosure | undefined => {
    if (typeof digest !== 'string') return refuse('ERR_DISCLOSURE_MALFORMED', 'a digest is not a string')
    if (used.has(digest)) return refuse('ERR_DISCLOSURE_DUPLICATE', 'a digest appears twice')
    used.add(digest)
    return byDigest.get(digest)
  }
  const unpack = (value: unknown, depth: number): unknown => {
    if (depth > 32) return refuse('ERR_DISCLOSURE_MALFORMED', 'the claims nest too deep')
    if (Array.isArray(value)) {
      const out: unknown[] = []
      for (const element of value) {
        if (isObject(element) && Object.keys(element).length === 1 && '...' in element) {
          const disclosure = take(element['...'])
          if (!disclosure) continue
          if (disclosure.name !== null) return refuse('ERR_DISCLOSURE_MALFORMED', 'an array element is disclosed as an object property')
          out.push(unpack(disclosure.value, depth + 1))
        } else {
          out.push(unpack(element, depth + 1))
        }
      }
      return out
    }
    if (!isObject(value)) return value
    const out: Record<string, unknown> = {}
    for (const [name, child] of Object.entries(value)) {
      if (name === '_sd' || (depth === 0 && name === '_sd_alg')) continue
      out[name] = unpack(child, depth + 1)
    }
    const digests = value._sd
    if (digests !== undefined && !Array.isArray(digests)) return refuse('ERR_DISCLOSURE_MALFORMED', '_sd is not an array')
    for (const digest of (digests as unknown[] | undefined) ?? []) {
      const disclosure = take(digest)
      if (!disclosure) continue
      if (disclosure.name === null) return refuse('ERR_DISCLOSURE_MALFORMED', 'an object property is disclosed as an array element')
      if (disclosure.name === '_sd' || disclosure.name === '...' || Object.hasOwn(out, disclosure.name))
        return refuse(
          'ERR_DISCLOSURE_MALFORMED',
          `the disclosed name ${JSON.stringify(disclosure.name.slice(0, 40))} is reserved or already a claim`,
        )
      out[disclosure.name] = unpack(disclosure.value, depth + 1)
    }
    return out
  }
  const claims = unpack(opened.payload, 0) as Record<string, unknown>
  if (problem.check) return problem.check
  const unmatched = [...byDigest.keys()].filter((digest) => !used.has(digest)).length
  if (unmatched > 0)
    return fail(
      'disclosures',
      'ERR_DISCLOSURE_UNMATCHED',
      `${unmatched} disclosure${unmatched === 1 ? ' matches' : 's match'} no digest of the issuer-signed JWT (altered, or from another credential)`,
      index,
    )
  return { claims }
}

function decodeDisclosure(encoded: string): Disclosure | undefined {
  if (!BASE64URL.test(encoded)) return undefined
  let array: unknown
  try {
    array = decodeJson(encoded)
  } catch {
    return undefined
  }
  if (!Array.isArray(array) || typeof array[0] !== 'string') return undefined
  const digest = sha256Base64url(encoded)
  if (array.length === 3 && typeof array[1] === 'string') return { encoded, digest, name: array[1], value: array[2] }
  if (array.length === 2) return { encoded, digest, name: null, value: array[1] }
  return undefined
}

export const decodeJson = (segment: string): unknown => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
export const isObject = (value: unknown): value is Record<string, any> => !!value && typeof value === 'object' && !Array.isArray(value)
