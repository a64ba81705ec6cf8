import { isPlainDid } from '../shared/identity/did.js'
import type { Deployments } from '../config/deployments-file.js'
import { parseStatusEntries } from '../catalog/status-entries.js'
import { ethrDidNetwork, ethrDidToAddress } from '../shared/identity/ethr-did.js'
import { credentialTypeHash } from '../chain/registries/credential-type-hash.js'
import { ISSUER_STATUS } from '../chain/registries/trusted-issuer-registry.js'
import { ChainRegistryCache, type IssuerRecord } from './chain-registry-cache.js'
import { isCheck, openJwtEnvelope, type DecodedJwt } from './jwt-envelope.js'
import type { SchemaSource } from './schema-source.js'
import { fail, pass, unopenedSummary, type Check, type VerifiedCredentialSummary } from './verification-result.js'
import { verifyJwtSignature } from './verify-signature.js'
import { counts, type CheckSelection } from './check-selection.js'

export interface VerifierContext {
  cache: ChainRegistryCache
  schemas: SchemaSource
  deployments: Deployments
  policy: VerifierPolicy
}

export interface VerifierPolicy {
  /** Seconds of clock skew tolerated on nbf/exp. */
  skewSeconds: number
  /**
   * Require the issuer to be accredited now for every credential, whatever evidence of its issuance time
   * there may be. The default policy already refuses every credential of an issuer that is not accredited
   * now (see accreditationCheck), because a credential's own nbf is the only evidence of when it was
   * signed; the two differ once issuance time can be proven on chain, which the strict policy will ignore.
   */
  requireCurrentAccreditation: boolean
}

export const DEFAULT_POLICY: VerifierPolicy = { skewSeconds: 60, requireCurrentAccreditation: false }

const BASE_TYPE = 'VerifiableCredential'
/** IssuerRecord.status values (indexes into ISSUER_STATUS). */
const ISSUER_ACTIVE = ISSUER_STATUS.indexOf('active')
const ISSUER_SUSPENDED = ISSUER_STATUS.indexOf('suspended')
const ISSUER_REVOKED = ISSUER_STATUS.indexOf('revoked')
/** A DID without path, query or fragment: `did:ethr:x?versionId=1` would resolve a superseded document. */

/**
 * Every check of one credential, from the signed JWT payload only: signature by a key of the issuer's
 * DID document on chain, accreditation for its type at issuance, anchored schema, status bits,
 * validity window. `holder` is compared with the subject when given. With a selection, only the selected
 * optional checks run (accreditation always does; see CheckSelection).
 */
export async function verifyCredentialEnvelope(
  ctx: VerifierContext,
  input: unknown,
  index: number,
  holder?: string | null,
  nowSeconds = Math.floor(Date.now() / 1000),
  selection: CheckSelection = null,
): Promise<{ checks: Check[]; summary: VerifiedCredentialSummary }> {
  const opened = openJwtEnvelope(input, 'credentialProof', index)
  const summary: VerifiedCredentialSummary = unopenedSummary(index)
  if (isCheck(opened)) return { checks: [opened], summary }
  const checks: Check[] = []
  const view = credentialView(opened)
  if (isCheck(view)) return { checks: [view.check === 'credentialProof' ? { ...view, credential: index } : view], summary }
  Object.assign(summary, {
    id: view.id,
    types: view.types,
    issuer: view.issuer,
    subject: view.subject,
    claims: view.claims,
    validFrom: iso(view.nbf),
    validUntil: iso(view.exp),
  })
  checks.push(pass('credentialProof', 'JWT-secured credential', index))

  const signature = await verifyJwtSignature(ctx.cache, opened.jwt, view.issuer, 'assertionMethod', opened.header.alg)
  if (!signature.ok && signature.code === 'ERR_DID_NOT_RESOLVED') {
    checks.push(fail('issuerResolved', 'ERR_ISSUER_NOT_RESOLVED', signature.message, index))
  } else {
    checks.push(pass('issuerResolved', `${view.issuer} resolved from the chain`, index))
    checks.push(
      signature.ok
        ? pass('credentialSignature', 'signed by a key of the issuer', index)
        : fail(
            'credentialSignature',
            signature.code === 'ERR_DID_DEACTIVATED' ? 'ERR_ISSUER_DEACTIVATED' : 'ERR_CREDENTIAL_SIGNATURE_INVALID',
            signature.message,
            index,
          ),
    )
  }
  if (!signature.ok) return { checks, summary }

  const account = issuerAccount(ctx, view.issuer)
  const accreditation = await accreditationCheck(ctx, account, view, index, nowSeconds, summary)
  checks.push(accreditation)
  summary.issuerAccredited = accreditation.ok
  // An issuer's registry name is shown only with its accreditation: it is not a trust statement otherwise.
  if (!accreditation.ok) summary.issuerName = null
  if (counts(selection, 'schema')) checks.push(await schemaCheck(ctx, view, index))
  if (counts(selection, 'status')) checks.push(await statusCheck(ctx, account, view.credentialStatus, index))
  if (counts(selection, 'validity')) checks.push(validityCheck(ctx, view, index, nowSeconds))
  if (holder !== undefined) {
    checks.push(
      holder && view.subject === holder
        ? pass('holderIsSubject', 'the holder is the subject', index)
        : fail(
            'holderIsSubject',
            'ERR_HOLDER_NOT_SUBJECT',
            `the credential is about ${view.subject ?? 'nobody'}, not the presenter ${holder ?? ''}`,
            index,
          ),
    )
  }
  summary.verified = checks.every((c) => c.ok || !counts(selection, c.check))
  return { checks, summary }
}

export interface CredentialView {
  id: string | null
  issuer: string
  subject: string | null
  types: string[]
  claims: Record<string, unknown>
  nbf: number | null
  exp: number | null
  credentialSchema: unknown
  credentialStatus: unknown
}

/** The credential as the signed payload states it; inconsistent duplicates are refused. */
function credentialView(decoded: DecodedJwt): CredentialView | Check {
  const { payload } = decoded
  const vc = payload.vc
  const malformed = (message: string) => fail('credentialProof', 'ERR_CREDENTIAL_MALFORMED', message)
  if (!vc || typeof vc !== 'object') return malformed('the JWT carries no vc claim')
  const issuer = typeof payload.iss === 'string' ? payload.iss : undefined
  if (!issuer) return malformed('the JWT has no iss')
  if (!isPlainDid(issuer)) return malformed('iss must be a plain DID (no path, query or fragment)')
  const innerIssuer = typeof vc.issuer === 'string' ? vc.issuer : vc.issuer?.id
  if (innerIssuer !== undefined && innerIssuer !== issuer) return malformed('vc.issuer differs from iss')
  const subjectObject = Array.isArray(vc.credentialSubject) ? vc.credentialSubject[0] : vc.credentialSubject
  if (!subjectObject || typeof subjectObject !== 'object') return malformed('no credentialSubject')
  const subject = typeof payload.sub === 'string' ? payload.sub : typeof subjectObject.id === 'string' ? subjectObject.id : null
  if (typeof subjectObject.id === 'string' && payload.sub !== undefined && subjectObject.id !== payload.sub)
    return malformed('credentialSubject.id differs from sub')
  const types = Array.isArray(vc.type) ? vc.type.map(String) : typeof vc.type === 'string' ? [vc.type] : []
  if (!types.includes(BASE_TYPE)) return malformed('type lacks VerifiableCredential')
  const id = typeof payload.jti === 'string' ? payload.jti : typeof vc.id === 'string' ? vc.id : null
  if (typeof payload.jti === 'string' && typeof vc.id === 'string' && payload.jti !== vc.id) return malformed('vc.id differs from jti')
  const nbf = numeric(payload.nbf) ?? dateSeconds(vc.issuanceDate ?? vc.validFrom)
  const exp = numeric(payload.exp) ?? dateSeconds(vc.expirationDate ?? vc.validUntil)
  const { id: _id, ...claims } = subjectObject
  return { id, issuer, subject, types, claims, nbf, exp, credentialSchema: vc.credentialSchema, credentialStatus: vc.credentialStatus }
}

export function issuerAccount(ctx: VerifierContext, issuer: string): string | undefined {
  if (ethrDidNetwork(issuer) !== ctx.deployments.name) return undefined
  return ethrDidToAddress(issuer)
}

/**
 * The issuer's accreditation for the credential's type, by its standing on chain now:
 * - active now (status active, within validFrom..validUntil): accredited at the credential's nbf, per the
 *   issuer's on-chain history;
 * - suspended: every credential is refused while the suspension lasts. Its nbf is the issuer's own claim,
 *   and a suspended key could date a new credential before the suspension;
 * - revoked, or its accreditation window over: refused for the same reason. There is no on-chain evidence
 *   of when a credential was issued (no issuance anchors), so it must be reissued by an accredited issuer.
 */
export async function accreditationCheck(
  ctx: VerifierContext,
  account: string | undefined,
  view: Pick<CredentialView, 'types' | 'issuer' | 'nbf'>,
  index: number,
  now: number,
  summary: VerifiedCredentialSummary,
): Promise<Check> {
  const specific = view.types.filter((t) => t !== BASE_TYPE)
  if (!account)
    return fail(
      'issuerAccredited',
      'ERR_ISSUER_NOT_ACCREDITED',
      `${view.issuer} is not a did:ethr of the ${ctx.deployments.name} network`,
      index,
    )
  if (specific.length !== 1)
    return fail(
      'issuerAccredited',
      'ERR_ISSUER_NOT_ACCREDITED',
      'a credential must name exactly one credential type to be checked against accreditation',
      index,
    )
  const type = specific[0]
  const record = await ctx.cache.issuer(account)
  summary.issuerName = record?.name ?? null
  const notAccredited = () =>
    fail(
      'issuerAccredited',
      'ERR_ISSUER_NOT_ACCREDITED',
      `${record?.name ?? view.issuer} was not accredited for ${type} when it issued this credential`,
      index,
    )
  if (!record || !record.credentialTypeHashes.has(credentialTypeHash(type))) return notAccredited()

  switch (standingNow(record, now)) {
    case 'ended':
      return fail(
        'issuerAccredited',
        'ERR_ISSUER_NO_LONGER_ACCREDITED',
        ctx.policy.requireCurrentAccreditation
          ? `${record.name} is no longer accredited for ${type}, and this verifier requires accreditation now`
          : `${record.name} is no longer accredited for ${type} and nothing on chain shows when this credential was issued: it must be reissued by an accredited department`,
        index,
      )
    case 'suspended':
      return fail(
        'issuerAccredited',
        'ERR_ISSUER_SUSPENDED',
        `the consortium suspended ${record.name}: its credentials verify again once it is reinstated`,
        index,
      )
    case 'not-yet':
      return fail('issuerAccredited', 'ERR_ISSUER_NOT_ACCREDITED', `${record.name} is not accredited for ${type} yet`, index)
    case 'active':
      if (!ChainRegistryCache.accreditedAt(record, type, view.nbf ?? now)) return notAccredited()
      return pass('issuerAccredited', `${record.name} is accredited for ${type}, now and when it issued this credential`, index)
  }
}

/**
 * The issuer's standing in the chain's current state. The status is read as it stands rather than from the
 * history at the verifier's clock: block timestamps may run ahead of it, which would let a just-suspended
 * issuer pass until the wall clock caught up. An ended window outranks a suspension: reinstating the issuer
 * would not make its credentials verify again.
 */
function standingNow(record: IssuerRecord, now: number): 'active' | 'suspended' | 'ended' | 'not-yet' {
  if (record.status === ISSUER_REVOKED || BigInt(now) >= record.validUntil) return 'ended'
  if (record.status === ISSUER_SUSPENDED) return 'suspended'
  if (record.status !== ISSUER_ACTIVE || now < record.validFrom) return 'not-yet'
  return 'active'
}

async function schemaCheck(ctx: VerifierContext, view: CredentialView, index: number): Promise<Check> {
  const reference = (Array.isArray(view.credentialSchema) ? view.credentialSchema[0] : view.credentialSchema) as
    { name?: unknown; version?: unknown } | undefined
  if (!reference || typeof reference.name !== 'string' || typeof reference.version !== 'string') {
    return fail('schema', 'ERR_SCHEMA_MISSING', 'the credential names no anchored schema (credentialSchema name and version)', index)
  }
  const { name, version } = reference as { name: string; version: string }
  if (!view.types.includes(name))
    return fail('schema', 'ERR_SCHEMA_TYPE_MISMATCH', `schema ${name} is not for a credential of type ${view.types.join(', ')}`, index)
  const anchored = await ctx.cache.schema(name, version)
  if (!anchored) return fail('schema', 'ERR_SCHEMA_UNKNOWN', `schema ${name} ${version} is not anchored on chain`, index)
  const local = ctx.schemas.get(name, version)
  if (!local) return fail('schema', 'ERR_SCHEMA_UNKNOWN', `this verifier does not hold schema ${name} ${version}`, index)
  if (local.contentHash !== anchored.contentHash)
    return fail('schema', 'ERR_SCHEMA_HASH_MISMATCH', `schema ${name} ${version} differs from the one anchored on chain`, index)
  const result = local.validate(view.claims)
  if (!result.ok)
    return fail(
      'schema',
      'ERR_SCHEMA_VALIDATION_FAILED',
      `claims do not match ${name} ${version}: ${result.errors
        .slice(0, 3)
        .map((e) => `${e.field} ${e.code}`)
        .join('; ')}`,
      index,
    )
  return pass('schema', `claims match ${name} ${version}, whose hash is anchored on chain`, index)
}

async function statusCheck(ctx: VerifierContext, account: string | undefined, credentialStatus: unknown, index: number): Promise<Check> {
  const entries = parseStatusEntries(credentialStatus)
  if (!entries) return fail('status', 'ERR_STATUS_MISSING', 'the credential has no govcred status entries', index)
  if (!account) return fail('status', 'ERR_STATUS_REGISTRY_UNKNOWN', 'the issuer has no status list on this network', index)
  if (entries.chainId !== ctx.deployments.chainId || entries.registry.toLowerCase() !== ctx.deployments.contracts.status.toLowerCase()) {
    return fail('status', 'ERR_STATUS_REGISTRY_UNKNOWN', 'the credential points at a status registry this network does not use', index)
  }
  const bits = await ctx.cache.statusOf(account, entries.index)
  if (bits.revoked) return fail('status', 'ERR_CREDENTIAL_REVOKED', 'the issuer revoked this credential', index)
  if (bits.suspended) return fail('status', 'ERR_CREDENTIAL_SUSPENDED', 'the issuer suspended this credential', index)
  return pass('status', 'neither revoked nor suspended on chain', index)
}

export function validityCheck(ctx: VerifierContext, view: Pick<CredentialView, 'nbf' | 'exp'>, index: number, now: number): Check {
  const skew = ctx.policy.skewSeconds
  if (view.nbf !== null && view.nbf > now + skew)
    return fail('validity', 'ERR_CREDENTIAL_NOT_YET_VALID', `valid only from ${iso(view.nbf)}`, index)
  if (view.exp !== null && view.exp <= now - skew) return fail('validity', 'ERR_CREDENTIAL_EXPIRED', `expired at ${iso(view.exp)}`, index)
  return pass('validity', 'within its validity period', index)
}

const numeric = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null)
const dateSeconds = (value: unknown) =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? Math.floor(Date.parse(value) / 1000) : null
const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString())
