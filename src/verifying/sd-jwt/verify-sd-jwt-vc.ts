import type { DIDResolutionResult } from 'did-resolver'
import { CREDENTIAL_TYPES, type CredentialTypeName } from '../../catalog/credential-types.js'
import { typeOfVct } from '../../catalog/sd-jwt/sd-jwt-types.js'
import { STATUS_LIST_SIZE } from '../../catalog/status-entries.js'
import { ChainUnavailableError } from '../../chain/chain-errors.js'
import { ethrDidNetwork, ethrDidToAddress } from '../../shared/identity/ethr-did.js'
import { counts, type CheckSelection } from '../check-selection.js'
import { isRegisteredIssuingKey } from '../issuing-key-check.js'
import { fail, pass, unopenedSummary, type Check, type VerifiedCredentialSummary } from '../verification-result.js'
import { accreditationCheck, validityCheck, type VerifierContext } from '../verify-credential.js'
import { registryUnreadable } from '../verify-signature.js'
import { decodeJson, discloseClaims, isObject, openSdJwt, sha256Base64url, type OpenedSdJwt } from './sd-jwt-envelope.js'
import { holderKey, jwsVerifies, leafCertificate, type LeafCertificate } from './verification-keys.js'

/** What the caller expects of a presentation's key binding (an OpenID4VP request's nonce and client_id). */
export interface KeyBindingExpectation {
  nonce?: string
  audience?: string
  /** Refuse an SD-JWT without a key-binding JWT (implied by a nonce or an audience). */
  requireKeyBinding?: boolean
  /** Oldest key-binding JWT taken, in seconds (default 300). */
  maxAgeSeconds?: number
}

export const DEFAULT_KEY_BINDING_MAX_AGE = 300

/** Members of the issuer-signed JWT that are about the token, not claims of the credential's subject. */
const REGISTERED = new Set(['iss', 'sub', 'iat', 'nbf', 'exp', 'cnf', 'status', 'vct', 'vct#integrity', 'jti', 'aud', 'propertyAnchor'])

/**
 * Verifies an SD-JWT VC (RFC 9901, draft-ietf-oauth-sd-jwt-vc) against the chain only. The x5c leaf certificate
 * names the issuing department's did:ethr (a SAN URI); that DID's document on chain must list the leaf's
 * P-256 key (`did/pub/Secp256r1/veriKey`), and the issuer-signed JWT (typ dc+sd-jwt, ES256) must verify with
 * it. Then: every disclosure matches a digest; the DID's account is accredited for the `vct`'s type now and at
 * `iat` (the VC-JWT rule, accreditationCheck); the disclosed claims match the anchored schema as far as they
 * go; the status bits at `status.status_list.idx`; nbf/exp; and the key-binding JWT when present or expected.
 * The checks and the summary have the VC-JWT verifier's shape; `summary.claims` holds only the disclosed claims.
 */
export async function verifySdJwtVc(
  ctx: VerifierContext,
  compact: string,
  index: number,
  expect: KeyBindingExpectation = {},
  nowSeconds = Math.floor(Date.now() / 1000),
  selection: CheckSelection = null,
): Promise<{ checks: Check[]; summary: VerifiedCredentialSummary }> {
  const summary: VerifiedCredentialSummary = unopenedSummary(index)
  const done = (checks: Check[]) => {
    summary.verified = checks.every((c) => c.ok || !counts(selection, c.check))
    return { checks, summary }
  }
  const opened = openSdJwt(compact, index)
  if ('check' in opened) return done([opened])
  const view = issuerView(ctx, opened, index)
  if ('check' in view) return done([view])
  const { payload } = opened
  const nbf = numeric(payload.nbf)
  const exp = numeric(payload.exp)
  Object.assign(summary, {
    id: typeof payload.jti === 'string' ? payload.jti : null,
    types: [view.type],
    issuer: view.did,
    subject: typeof payload.sub === 'string' ? payload.sub : null,
    validFrom: iso(nbf ?? view.iat),
    validUntil: iso(exp),
    ...statusReferenceOf(payload.status),
  })
  const checks: Check[] = [pass('credentialProof', 'SD-JWT VC (dc+sd-jwt, ES256, x5c)', index)]

  // The issuer: the DID the certificate names, its document read from the chain.
  const resolution = await ctx.cache.resolveDid(view.did)
  const metadata = resolution.didResolutionMetadata
  if (metadata?.error === 'notFound' && registryUnreadable(metadata.message)) {
    throw new ChainUnavailableError(`the DID registry cannot be read for ${view.did}: ${metadata.message ?? 'no answer'}`)
  }
  if (metadata?.error || !resolution.didDocument) {
    checks.push(
      fail('issuerResolved', 'ERR_ISSUER_NOT_RESOLVED', `${view.did} does not resolve: ${metadata?.error ?? 'no document'}`, index),
    )
    return done(checks)
  }
  checks.push(pass('issuerResolved', `${view.did} resolved from the chain`, index))
  const signature = await issuerSignature(opened, view, resolution, index)
  checks.push(signature)
  if (!signature.ok) return done(checks)

  const disclosed = discloseClaims(opened, index)
  if ('check' in disclosed) {
    checks.push(disclosed)
    return done(checks)
  }
  const claims = Object.fromEntries(Object.entries(disclosed.claims).filter(([name]) => !REGISTERED.has(name)))
  summary.claims = claims
  checks.push(pass('disclosures', `${opened.disclosures.length} disclosures, each matching a digest the issuer signed`, index))

  const account = ethrDidToAddress(view.did)
  // Issued at `iat`: the issuer must have been accredited for the type then, and be now.
  const accreditation = await accreditationCheck(
    ctx,
    account,
    { types: [view.type], issuer: view.did, nbf: view.iat },
    index,
    nowSeconds,
    summary,
  )
  checks.push(accreditation)
  summary.issuerAccredited = accreditation.ok
  if (!accreditation.ok) summary.issuerName = null
  if (counts(selection, 'schema')) checks.push(await schemaCheck(ctx, view.type, claims, index))
  if (counts(selection, 'status')) checks.push(await statusCheck(ctx, account, payload.status, index))
  if (counts(selection, 'validity')) checks.push(validityCheck(ctx, { nbf, exp }, index, nowSeconds))
  const binding = await keyBindingCheck(opened, expect, nowSeconds, ctx.policy.skewSeconds, index)
  if (binding) checks.push(binding)
  return done(checks)
}

interface IssuerView {
  type: CredentialTypeName
  did: string
  iat: number
  leaf: LeafCertificate
}

/**
 * Whether a leaf key is registered in a DID document, per resolution: the chain cache answers the same result
 * object until the document changes, so a new resolution asks again.
 */
const registeredInResolution = new WeakMap<DIDResolutionResult, Map<string, boolean>>()

/** The header and the token members the checks need, and the DID the leaf certificate names. */
function issuerView(ctx: VerifierContext, opened: OpenedSdJwt, index: number): IssuerView | Check {
  const malformed = (message: string) => fail('credentialProof', 'ERR_CREDENTIAL_MALFORMED', message, index)
  const { header, payload } = opened
  if (header.typ !== 'dc+sd-jwt') return malformed(`typ ${JSON.stringify(header.typ ?? null)} is not dc+sd-jwt`)
  if (header.alg !== 'ES256') return malformed(`alg ${JSON.stringify(header.alg ?? null)} is not ES256`)
  const x5c = header.x5c
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 5 || typeof x5c[0] !== 'string' || x5c[0].length > 8000)
    return malformed('no x5c certificate chain in the header')
  const leaf = leafCertificate(x5c[0])
  if (!leaf) return malformed('the x5c leaf is not a certificate')
  const type = typeOfVct(payload.vct)
  if (!type) return malformed(`vct ${JSON.stringify(payload.vct ?? null)} names no govcred credential type`)
  const iat = numeric(payload.iat)
  if (iat === null) return malformed('the SD-JWT VC has no iat')
  const did = leaf.uris.find((uri) => uri.startsWith('did:ethr:') && ethrDidNetwork(uri) === ctx.deployments.name && ethrDidToAddress(uri))
  if (!did)
    return fail(
      'issuerResolved',
      'ERR_ISSUER_NOT_RESOLVED',
      `the x5c leaf certificate names no did:ethr of the ${ctx.deployments.name} network`,
      index,
    )
  return { type, did, iat, leaf }
}

/** ES256 by the leaf's key, and that key registered in the DID's document on chain. */
async function issuerSignature(opened: OpenedSdJwt, view: IssuerView, resolution: DIDResolutionResult, index: number): Promise<Check> {
  if (resolution.didDocumentMetadata?.deactivated)
    return fail('credentialSignature', 'ERR_ISSUER_DEACTIVATED', `${view.did} is deactivated`, index)
  const { key, jwk, p256Point } = view.leaf
  if (key.type !== 'ec' || key.curve !== 'prime256v1' || !p256Point)
    return fail('credentialSignature', 'ERR_CREDENTIAL_SIGNATURE_INVALID', 'the x5c leaf key is not a P-256 key', index)
  if (!(await jwsVerifies(opened.jwt, key, 'ES256')))
    return fail('credentialSignature', 'ERR_CREDENTIAL_SIGNATURE_INVALID', 'the signature does not verify with the x5c leaf key', index)
  let known = registeredInResolution.get(resolution)
  if (!known) registeredInResolution.set(resolution, (known = new Map()))
  let registered = known.get(p256Point)
  if (registered === undefined) {
    registered = await isRegisteredIssuingKey({ resolve: async () => resolution }, view.did, jwk)
    known.set(p256Point, registered)
  }
  if (!registered)
    return fail(
      'credentialSignature',
      'ERR_ISSUING_KEY_NOT_REGISTERED',
      `the x5c leaf key is not an issuing key ${view.did} registered on chain (never, or no longer)`,
      index,
    )
  return pass('credentialSignature', `signed by an issuing key ${view.did} registered on chain`, index)
}

async function schemaCheck(ctx: VerifierContext, type: CredentialTypeName, claims: Record<string, unknown>, index: number): Promise<Check> {
  const { schemaId, schemaVersion } = CREDENTIAL_TYPES[type]
  const anchored = await ctx.cache.schema(schemaId, schemaVersion)
  if (!anchored) return fail('schema', 'ERR_SCHEMA_UNKNOWN', `schema ${schemaId} ${schemaVersion} is not anchored on chain`, index)
  const local = ctx.schemas.get(schemaId, schemaVersion)
  if (!local) return fail('schema', 'ERR_SCHEMA_UNKNOWN', `this verifier does not hold schema ${schemaId} ${schemaVersion}`, index)
  if (local.contentHash !== anchored.contentHash)
    return fail('schema', 'ERR_SCHEMA_HASH_MISMATCH', `schema ${schemaId} ${schemaVersion} differs from the one anchored on chain`, index)
  const result = local.validate(claims)
  // Only what is disclosed is checked: a claim the holder did not disclose is not missing.
  const errors = result.ok ? [] : result.errors.filter((e) => e.code !== 'ERR_FIELD_REQUIRED')
  if (errors.length > 0)
    return fail(
      'schema',
      'ERR_SCHEMA_VALIDATION_FAILED',
      `disclosed claims do not match ${schemaId} ${schemaVersion}: ${errors
        .slice(0, 3)
        .map((e) => `${e.field} ${e.code}`)
        .join('; ')}`,
      index,
    )
  return pass('schema', `the disclosed claims match ${schemaId} ${schemaVersion}, whose hash is anchored on chain`, index)
}

/** `{statusReference}` when the signed payload names a status list entry (its uri and idx), else nothing. */
function statusReferenceOf(status: unknown): { statusReference?: { uri: string; idx: number } } {
  const list = isObject(status) && isObject(status.status_list) ? status.status_list : undefined
  if (!list || typeof list.uri !== 'string' || list.uri.length > 2048 || !Number.isInteger(list.idx) || (list.idx as number) < 0) return {}
  return { statusReference: { uri: list.uri, idx: list.idx as number } }
}

/** The revocation and suspension bits at `status.status_list.idx` of the issuer's lists on chain. */
async function statusCheck(ctx: VerifierContext, account: string | undefined, status: unknown, index: number): Promise<Check> {
  const idx = isObject(status) && isObject(status.status_list) ? status.status_list.idx : undefined
  if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0 || idx >= STATUS_LIST_SIZE)
    return fail('status', 'ERR_STATUS_MISSING', 'the SD-JWT VC has no status.status_list.idx within the status list', index)
  if (!account) return fail('status', 'ERR_STATUS_REGISTRY_UNKNOWN', 'the issuer has no status list on this network', index)
  const bits = await ctx.cache.statusOf(account, idx)
  if (bits.revoked) return fail('status', 'ERR_CREDENTIAL_REVOKED', 'the issuer revoked this credential', index)
  if (bits.suspended) return fail('status', 'ERR_CREDENTIAL_SUSPENDED', 'the issuer suspended this credential', index)
  return pass('status', 'neither revoked nor suspended on chain', index)
}

/**
 * The key-binding JWT (RFC 9901 §4.3), when present or expected: typ kb+jwt, signed by the credential's
 * cnf.jwk, the expected nonce and aud, sd_hash over `<jwt>~<disclosures>~`, iat within maxAgeSeconds.
 * Undefined when there is none and none is expected.
 */
async function keyBindingCheck(
  opened: OpenedSdJwt,
  expect: KeyBindingExpectation,
  now: number,
  skew: number,
  index: number,
): Promise<Check | undefined> {
  const required = expect.requireKeyBinding || expect.nonce !== undefined || expect.audience !== undefined
  const kb = opened.keyBindingJwt
  if (!kb) return required ? fail('keyBinding', 'ERR_KEY_BINDING_MISSING', 'the presentation has no key-binding JWT', index) : undefined
  const malformed = (message: string) => fail('keyBinding', 'ERR_KEY_BINDING_MALFORMED', message, index)
  let header: unknown
  let payload: unknown
  try {
    ;[header, payload] = kb.split('.', 2).map(decodeJson)
  } catch {
    return malformed('the key-binding JWT cannot be decoded')
  }
  if (!isObject(header) || !isObject(payload)) return malformed('the key-binding JWT is not made of JSON objects')
  if (header.typ !== 'kb+jwt') return malformed(`typ ${JSON.stringify(header.typ ?? null)} is not kb+jwt`)
  const cnf = opened.payload.cnf
  const jwk = isObject(cnf) && isObject(cnf.jwk) ? cnf.jwk : undefined
  if (!jwk) return fail('keyBinding', 'ERR_HOLDER_KEY_MISSING', 'the credential names no holder key (cnf.jwk)', index)
  const key = holderKey(jwk)
  if (!key) return fail('keyBinding', 'ERR_HOLDER_KEY_MISSING', 'cnf.jwk is not a public key', index)
  if (!(await jwsVerifies(kb, key, header.alg)))
    return fail('keyBinding', 'ERR_KEY_BINDING_SIGNATURE_INVALID', 'the key-binding JWT is not signed by the holder key (cnf.jwk)', index)
  if (payload.sd_hash !== sha256Base64url(opened.presented))
    return fail('keyBinding', 'ERR_KEY_BINDING_SD_HASH_MISMATCH', 'sd_hash does not cover this presentation', index)
  if (expect.nonce !== undefined && payload.nonce !== expect.nonce)
    return fail('keyBinding', 'ERR_KEY_BINDING_NONCE_MISMATCH', 'the key-binding JWT is for another nonce', index)
  if (expect.audience !== undefined && payload.aud !== expect.audience)
    return fail('keyBinding', 'ERR_KEY_BINDING_AUDIENCE_MISMATCH', 'the key-binding JWT is addressed to another verifier', index)
  const iat = numeric(payload.iat)
  const maxAge = expect.maxAgeSeconds ?? DEFAULT_KEY_BINDING_MAX_AGE
  if (iat === null) return malformed('the key-binding JWT has no iat')
  if (iat > now + skew || iat < now - maxAge - skew)
    return fail('keyBinding', 'ERR_KEY_BINDING_STALE', `the key-binding JWT was made at ${iso(iat)}, not just now`, index)
  return pass('keyBinding', 'bound to the holder key, for this verifier and nonce, just now', index)
}

const numeric = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null)
const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString())
