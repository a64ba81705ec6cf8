import { randomUUID } from 'node:crypto'
import QRCode from 'qrcode'
import { isCredentialTypeName, type CredentialTypeName } from '../../catalog/credential-types.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors/app-error.js'
import { writeTransaction } from '../../store/write-transaction.js'
import type { AuditLog } from '../audit/audit-log.js'
import { actorOf, assertRecordScope, assertScope, type DepartmentPrincipal } from '../departments/department-principal.js'
import { assertIssuable, type IssuerDeps } from '../issuance/issue-credential.js'
import { parseIssueRequest } from '../issuance/issuance-request.js'
import { sha256Hex } from './offer-secrets.js'
import type { OfferFormat, OfferRecord, OfferStore } from './offer-store.js'
import type { Oid4vciIssuerService } from './oid4vci-issuer.js'

export interface CredentialOfferDeps {
  offers: OfferStore
  protocol: Oid4vciIssuerService
  audit: AuditLog
  issuer: Pick<IssuerDeps, 'agent' | 'db'>
  ttlSeconds: number
}

export type OfferStatus = 'offered' | 'redeemed' | 'expired' | 'voided'

export interface CreatedOffer {
  id: string
  type: string
  format: OfferFormat
  status: 'offered'
  /** The deep link a wallet opens: openid-credential-offer://?credential_offer_uri=… */
  offerUri: string
  /** Where the offer JSON is served (public, unguessable). */
  credentialOfferUri: string
  /** The deep link as a QR code (SVG). */
  qrSvg: string
  /** The six-digit transaction code for the applicant: shown here once, stored only as a keyed hash. */
  txCode: string
  expiresAt: string
}

const FIELDS = ['type', 'claims', 'holderHint', 'format', 'validUntil']
/** Stands in for the wallet's key while the claims are checked (the holder is known only at redemption). */
const PLACEHOLDER_HOLDER = 'did:example:wallet-key-at-redemption'

const invalid = (message: string, field: string, code = 'ERR_FIELD_INVALID'): never => {
  throw new ValidationError('ERR_INVALID_REQUEST', message, { details: [{ field, code, message }] })
}

/**
 * POST /v1/credential-offers: checks the body as POST /v1/credentials would (type, scope, accreditation on
 * chain, claims against the schema) and stores an offer with a one-time pre-authorized code and a six-digit
 * transaction code; answers the deep link, its QR code and the transaction code (shown once).
 */
export async function createOffer(deps: CredentialOfferDeps, principal: DepartmentPrincipal, body: unknown): Promise<CreatedOffer> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('ERR_INVALID_REQUEST', 'the body must be a JSON object')
  const input = body as Record<string, unknown>
  const unknown = Object.keys(input).filter((k) => !FIELDS.includes(k))
  if (unknown.length > 0) {
    throw new ValidationError('ERR_INVALID_REQUEST', `unknown fields: ${unknown.join(', ')}`, {
      details: unknown.map((f) => ({ field: `/${f}`, code: 'ERR_FIELD_UNKNOWN', message: 'not allowed' })),
    })
  }
  const formats = deps.protocol.formats()
  const format = (input.format ?? formats[0]) as OfferFormat
  if (typeof format !== 'string' || !formats.includes(format))
    invalid(`format must be one of ${formats.join(', ')}`, '/format', 'ERR_FIELD_ENUM')
  if (input.holderHint !== undefined && (typeof input.holderHint !== 'string' || input.holderHint.length > 200)) {
    invalid('holderHint must be a string of at most 200 characters', '/holderHint')
  }
  if (input.claims && typeof input.claims === 'object' && 'id' in input.claims) {
    throw new ValidationError('ERR_CLAIMS_INVALID', "claims.id is not given in an offer: the holder is the wallet's key", {
      details: [{ field: '/claims/id', code: 'ERR_FIELD_UNKNOWN', message: 'not allowed in an offer' }],
    })
  }
  if (input.validUntil !== undefined && typeof input.validUntil !== 'string')
    invalid('validUntil must be an ISO 8601 date-time', '/validUntil')
  // The same checks as POST /v1/credentials (unknown type 422, claims 422 with field details, validity).
  const parsed = parseIssueRequest({ type: input.type, holder: PLACEHOLDER_HOLDER, claims: input.claims, validUntil: input.validUntil })
  const type = parsed.type as CredentialTypeName
  const { department } = principal
  assertScope(principal, type)
  if (!department.credentialTypes.includes(type))
    throw new ForbiddenError('ERR_NOT_ACCREDITED', `${department.id} is not set up to issue ${type}`)
  await assertIssuable(deps.issuer, department.account, type)

  const id = randomUUID()
  const reference = deps.protocol.newReference()
  const txCode = deps.protocol.newTxCode()
  const now = new Date()
  const expiresAt = new Date(now.getTime() + deps.ttlSeconds * 1000).toISOString()
  const { offerUri, credentialOfferUri } = await deps.protocol.offerFor(department, reference, type, format)
  await writeTransaction(deps.issuer.db, async (m) => {
    await deps.offers.insert(
      {
        id,
        departmentId: department.id,
        apiKeyId: principal.account ? null : (principal.apiKeyId ?? null),
        accountId: principal.account?.id ?? null,
        onestopRule: principal.onestopRule ?? null,
        type,
        format,
        claims: parsed.claims,
        validUntil: typeof input.validUntil === 'string' ? input.validUntil : null,
        holderHint: typeof input.holderHint === 'string' ? input.holderHint : null,
        refHash: sha256Hex(reference),
        codeHash: sha256Hex(deps.protocol.preAuthorizedCodeOf(reference)),
        txCodeHash: deps.protocol.txCodeHash(id, txCode),
        txCodeAttempts: 0,
        createdAt: now.toISOString(),
        expiresAt,
      },
      m,
    )
    await deps.audit.append(
      {
        departmentId: department.id,
        actor: actorOf(principal),
        action: 'offer-create',
        details: { offerId: id, type, format, expiresAt },
      },
      m,
    )
  })
  const qrSvg = await QRCode.toString(offerUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return { id, type, format, status: 'offered', offerUri, credentialOfferUri, qrSvg, txCode, expiresAt }
}

/** An offer's state as its department sees it. */
export function offerStatus(offer: OfferRecord, now = Date.now()): OfferStatus {
  if (offer.redeemedAt) return 'redeemed'
  if (offer.voidedAt) return 'voided'
  const tokenLive = offer.tokenExpiresAt !== null && Date.parse(offer.tokenExpiresAt) >= now
  if (Date.parse(offer.expiresAt) < now && !tokenLive) return 'expired'
  return 'offered'
}

/** GET /v1/credential-offers/{id}: the department's own offer (404 for another's), within the key's scope. */
export async function describeOffer(deps: Pick<CredentialOfferDeps, 'offers'>, principal: DepartmentPrincipal, id: string) {
  const offer = id.length <= 100 ? await deps.offers.get(id) : undefined
  if (!offer || offer.departmentId !== principal.department.id || !isCredentialTypeName(offer.type)) {
    throw new NotFoundError('ERR_OFFER_NOT_FOUND', `no credential offer ${id} made by ${principal.department.id}`)
  }
  assertRecordScope(principal, offer.type)
  return {
    id: offer.id,
    type: offer.type,
    format: offer.format,
    status: offerStatus(offer),
    createdAt: offer.createdAt,
    expiresAt: offer.expiresAt,
    holderHint: offer.holderHint,
    txCodeAttempts: offer.txCodeAttempts,
    tokenIssuedAt: offer.tokenIssuedAt,
    redeemedAt: offer.redeemedAt,
    credentialId: offer.credentialId,
    voidedAt: offer.voidedAt,
    voidReason: offer.voidReason,
  }
}
