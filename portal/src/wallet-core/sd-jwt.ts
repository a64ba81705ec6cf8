import { isRecord, jsonOfBase64url, sha256Base64url } from './encoding.js'

/**
 * SD-JWT (RFC 9901) as a holder needs it, on WebCrypto alone: split the compact form, decode and digest the
 * disclosures, rebuild the claims by matching `_sd` digests (and array elements `{"...": digest}`) at every
 * depth, choose the disclosures a set of claim paths needs, and append a key-binding JWT. Written here rather
 * than taken from @sd-jwt/* so that the bundle carries no Node built-ins and the wallet decides exactly which
 * disclosures leave the device.
 */

/** A claim path as DCQL writes it: names, array indexes, `null` for every element. */
export type ClaimPath = readonly (string | number | null)[]

/** One disclosure of a credential and where its value sits in the rebuilt claims. */
export interface Disclosure {
  /** As it appears in the compact form (base64url JSON). */
  encoded: string
  digest: string
  /** The claim name (object property); absent for an array element. */
  name?: string
  value: unknown
  /** Its place in the rebuilt claims: names and array indexes. */
  path: (string | number)[]
}

/** An SD-JWT opened by its holder: the issuer-signed JWT, every disclosure, and the claims with all of them. */
export interface OpenedSdJwt {
  issuerJwt: string
  header: Record<string, unknown>
  payload: Record<string, unknown>
  disclosures: Disclosure[]
  /** The payload with every disclosure put back and no `_sd`, `_sd_alg` or `...` left. */
  claims: Record<string, unknown>
}

/** An SD-JWT that cannot be opened (the wallet refuses it as CREDENTIAL_INVALID). */
export class SdJwtFormatError extends Error {}

/**
 * Opens an SD-JWT (`<issuer JWT>~<disclosure>~…~`, a key-binding JWT after the last `~` is ignored): checks
 * that `_sd_alg` is sha-256, each disclosure is well formed, each digest is referenced once and no disclosure is
 * left over. Does not verify the signature (see x5c-jwt.ts).
 */
export async function openSdJwt(compact: string): Promise<OpenedSdJwt> {
  const parts = compact.split('~')
  if (parts.length < 2) throw new SdJwtFormatError('an SD-JWT has at least one "~"')
  const issuerJwt = parts[0]!
  const encoded = parts.slice(1, -1)
  const segments = issuerJwt.split('.')
  if (segments.length !== 3) throw new SdJwtFormatError('the issuer-signed JWT is not a compact JWS')
  let header: unknown
  let payload: unknown
  try {
    header = jsonOfBase64url(segments[0]!)
    payload = jsonOfBase64url(segments[1]!)
  } catch {
    throw new SdJwtFormatError('the issuer-signed JWT is not base64url JSON')
  }
  if (!isRecord(header) || !isRecord(payload)) throw new SdJwtFormatError('the issuer-signed JWT is not a JSON object')
  if ((payload._sd_alg ?? 'sha-256') !== 'sha-256') throw new SdJwtFormatError(`_sd_alg ${String(payload._sd_alg)} is not sha-256`)

  const byDigest = new Map<string, Disclosure>()
  for (const text of encoded) {
    const disclosure = await decodeDisclosure(text)
    if (byDigest.has(disclosure.digest)) throw new SdJwtFormatError('a disclosure is repeated')
    byDigest.set(disclosure.digest, disclosure)
  }
  const used = new Set<string>()
  const take = (digest: unknown): Disclosure | undefined => {
    if (typeof digest !== 'string') throw new SdJwtFormatError('a digest is not a string')
    if (used.has(digest)) throw new SdJwtFormatError('a digest is referenced twice')
    const found = byDigest.get(digest)
    if (found) used.add(digest)
    return found
  }
  const unfold = (value: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = []
      for (const element of value) {
        if (isRecord(element) && '...' in element) {
          if (Object.keys(element).length !== 1) throw new SdJwtFormatError('an array digest object has other members')
          const disclosure = take(element['...'])
          if (!disclosure) continue // not disclosed, or a decoy
          if (disclosure.name !== undefined) throw new SdJwtFormatError('an object-property disclosure stands in an array')
          disclosure.path = [...path, out.length]
          out.push(unfold(disclosure.value, disclosure.path))
        } else out.push(unfold(element, [...path, out.length]))
      }
      return out
    }
    if (!isRecord(value)) return value
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(value)) {
      if (key === '_sd' || (key === '_sd_alg' && path.length === 0)) continue
      out[key] = unfold(child, [...path, key])
    }
    const digests = value._sd ?? []
    if (!Array.isArray(digests)) throw new SdJwtFormatError('_sd is not an array')
    for (const digest of digests) {
      const disclosure = take(digest)
      if (!disclosure) continue
      if (disclosure.name === undefined) throw new SdJwtFormatError('an array-element disclosure stands in an object')
      if (disclosure.name in out) throw new SdJwtFormatError(`claim ${disclosure.name} is both plain and disclosed`)
      disclosure.path = [...path, disclosure.name]
      out[disclosure.name] = unfold(disclosure.value, disclosure.path)
    }
    return out
  }
  const claims = unfold(payload, []) as Record<string, unknown>
  if (used.size !== byDigest.size) throw new SdJwtFormatError('a disclosure matches no digest')
  return { issuerJwt, header, payload, disclosures: [...byDigest.values()], claims }
}

async function decodeDisclosure(encoded: string): Promise<Disclosure> {
  let array: unknown
  try {
    array = jsonOfBase64url(encoded)
  } catch {
    throw new SdJwtFormatError('a disclosure is not base64url JSON')
  }
  if (!Array.isArray(array) || (array.length !== 2 && array.length !== 3) || typeof array[0] !== 'string') {
    throw new SdJwtFormatError('a disclosure is not [salt, name, value] or [salt, value]')
  }
  const digest = await sha256Base64url(encoded)
  if (array.length === 2) return { encoded, digest, value: array[1], path: [] }
  const name = array[1]
  if (typeof name !== 'string' || name === '_sd' || name === '...') throw new SdJwtFormatError('a disclosure has an invalid claim name')
  return { encoded, digest, name, value: array[2], path: [] }
}

/**
 * The disclosures that reveal the claims at `paths` and nothing else: those on the way to each path (a
 * disclosed parent object or array element) and those inside the value at the path (the whole value is what
 * was asked for). `null` in a path matches every array element.
 */
export function disclosuresFor(opened: OpenedSdJwt, paths: readonly ClaimPath[]): Disclosure[] {
  const compatible = (at: (string | number)[], wanted: ClaimPath) =>
    at.slice(0, wanted.length).every((step, i) => (wanted[i] === null ? typeof step === 'number' : wanted[i] === step))
  return opened.disclosures.filter((d) => paths.some((p) => compatible(d.path, p)))
}

/**
 * A presentation of an opened SD-JWT disclosing only `paths`, with a key-binding JWT (`typ kb+jwt`: iat, aud,
 * nonce, and `sd_hash` = base64url SHA-256 of the presentation before it) signed by `signKbJwt` (the holder key).
 */
export async function presentSdJwt(
  opened: OpenedSdJwt,
  paths: readonly ClaimPath[],
  keyBinding: {
    aud: string
    nonce: string
    iat: number
    sign: (header: Record<string, unknown>, payload: Record<string, unknown>) => Promise<string>
  },
): Promise<string> {
  const chosen = new Set(disclosuresFor(opened, paths))
  // The order of the issued form, as disclosures are listed.
  const kept = opened.disclosures.filter((d) => chosen.has(d)).map((d) => d.encoded)
  const withoutKb = `${[opened.issuerJwt, ...kept].join('~')}~`
  const kbJwt = await keyBinding.sign(
    { typ: 'kb+jwt' },
    { iat: keyBinding.iat, aud: keyBinding.aud, nonce: keyBinding.nonce, sd_hash: await sha256Base64url(withoutKb) },
  )
  return `${withoutKb}${kbJwt}`
}
