import { decodeJWT } from 'did-jwt'
import { readStatusList, readVerifierStatus, type HeldStatus } from './credential-status.js'
import { openSdJwtVc, SD_JWT_VC_REGISTERED_CLAIMS, verifySdJwtVcIssuer } from './sd-jwt-vc.js'
import type { DisplayNames, ReceivedCredentialRow } from './wallet-credential-store.js'

/** One claim of a held credential, as `wallet list` shows it. */
export interface HeldClaim {
  name: string
  /** The claim's name in Chinese and English, from the issuer's type metadata when it gives one. */
  label?: DisplayNames
  value: unknown
  /** Whether the holder may leave it out when presenting (an SD-JWT VC's selectively disclosable claim). */
  disclosable: boolean
}

/** What the wallet holds, as `wallet list` shows it: type, issuer, status, validity, claims. */
export interface HeldCredential {
  /** The wallet's id (received by OpenID4VCI) or the credential's own id (imported VC-JWT). */
  id: string
  format: 'dc+sd-jwt' | 'jwt_vc_json'
  /** How it came into the wallet. */
  source: 'openid4vci' | 'import'
  /** The `vct` of an SD-JWT VC, or the VC-JWT's most specific type. */
  type: string
  typeName: DisplayNames
  issuer: string
  issuerName: DisplayNames
  status: HeldStatus
  /** Where the status was read, or why it is unknown. */
  statusDetail: string
  validFrom: string | null
  validUntil: string | null
  validity: 'current' | 'expired' | 'not-yet-valid'
  claims: HeldClaim[]
  receivedAt?: string
  /** The VC-JWT's subject (its holder DID), for an imported one. */
  subject?: string | null
}

const iso = (seconds: unknown): string | null => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null)

function validity(validFrom: string | null, validUntil: string | null, now = new Date().toISOString()): HeldCredential['validity'] {
  if (validFrom && validFrom > now) return 'not-yet-valid'
  if (validUntil && validUntil <= now) return 'expired'
  return 'current'
}

/** An OpenID4VCI-received credential, opened, with its status read where it is published. */
export async function describeReceived(row: ReceivedCredentialRow, fetchImpl: typeof fetch): Promise<HeldCredential> {
  const base = {
    id: row.id,
    source: 'openid4vci' as const,
    issuerName: row.issuerDisplay,
    typeName: row.credentialDisplay,
    receivedAt: row.receivedAt,
  }
  if (row.format === 'dc+sd-jwt') {
    const { claims, disclosable } = await openSdJwtVc(row.credential)
    const reading = await verifySdJwtVcIssuer(row.credential)
      .then((chain) => readStatusList(claims, chain, fetchImpl))
      .catch((error: Error) => ({ status: 'unknown' as const, detail: error.message }))
    const validFrom = iso(claims.nbf ?? claims.iat)
    const validUntil = iso(claims.exp)
    const registered = new Set<string>(SD_JWT_VC_REGISTERED_CLAIMS)
    return {
      ...base,
      format: 'dc+sd-jwt',
      type: String(claims.vct ?? ''),
      issuer: String(claims.iss ?? row.credentialIssuer),
      status: reading.status,
      statusDetail: reading.detail,
      validFrom,
      validUntil,
      validity: validity(validFrom, validUntil),
      claims: Object.entries(claims)
        .filter(([name]) => !registered.has(name))
        .map(([name, value]) => ({
          name,
          ...(row.claimLabels[name] ? { label: row.claimLabels[name] } : {}),
          value,
          disclosable: disclosable.includes(name),
        })),
    }
  }
  const payload = decodeJWT(row.credential).payload as Record<string, any>
  // govcred's credential issuers live at {service}/oid4vci/{department}: its verifier reads the chain's status bits.
  const service = /^(.*)\/oid4vci\/[^/]+$/.exec(row.credentialIssuer)?.[1]
  const reading = service
    ? await readVerifierStatus(row.credential, service, fetchImpl)
    : { status: 'unknown' as const, detail: '签发方未公布状态查询方式 / the issuer publishes no status service the wallet knows' }
  return { ...base, ...vcJwtFields(payload), status: reading.status, statusDetail: reading.detail }
}

/** A VC-JWT imported by hand: its content; its status is unknown to the wallet (it knows no service for it). */
export function describeImported(jwt: string, id: string): HeldCredential {
  const payload = decodeJWT(jwt).payload as Record<string, any>
  const issuerName = typeof payload.vc?.issuer?.name === 'string' ? { 'zh-CN': payload.vc.issuer.name as string } : {}
  return {
    id,
    source: 'import',
    ...vcJwtFields(payload),
    typeName: {},
    issuerName,
    status: 'unknown',
    statusDetail: '手动导入的凭证，请向核验方查询状态 / imported by hand: ask a verifier (POST /v1/presentations/verify) for its status',
    subject: payload.sub ?? payload.vc?.credentialSubject?.id ?? null,
  }
}

function vcJwtFields(
  payload: Record<string, any>,
): Pick<HeldCredential, 'format' | 'type' | 'issuer' | 'validFrom' | 'validUntil' | 'validity' | 'claims'> {
  const types: string[] = Array.isArray(payload.vc?.type) ? payload.vc.type : []
  const validFrom = iso(payload.nbf)
  const validUntil = iso(payload.exp)
  const { id: _id, ...subjectClaims } = (payload.vc?.credentialSubject ?? {}) as Record<string, unknown>
  return {
    format: 'jwt_vc_json',
    type: types.filter((t) => t !== 'VerifiableCredential').pop() ?? 'VerifiableCredential',
    issuer: String(payload.iss ?? ''),
    validFrom,
    validUntil,
    validity: validity(validFrom, validUntil),
    claims: Object.entries(subjectClaims).map(([name, value]) => ({ name, value, disclosable: false })),
  }
}
