import { api, isApiError, type ApiOptions } from '../../api/http'
import { listSchemas, type PublishedSchema } from '../../api/public-api'
import { sessionLost } from './session'

/**
 * The department API as the console calls it with the clerk's session (cookie + X-CSRF-Token): credentials,
 * offers, status changes, property transfers, the dashboard's counts and the audit trail. A 401 means the
 * session ended on the service: the console forgets it and the layout sends the clerk to sign in again.
 */
async function call<T>(path: string, options: ApiOptions = {}): Promise<T> {
  try {
    return await api<T>(path, options)
  } catch (error) {
    if (isApiError(error) && error.status === 401) sessionLost()
    throw error
  }
}

export type CredentialState = 'active' | 'suspended' | 'revoked'
export type StatusAction = 'suspend' | 'reinstate' | 'revoke'
export type OfferState = 'offered' | 'redeemed' | 'expired' | 'voided'

export interface CredentialSummary {
  id: string
  type: string
  format: 'jwt_vc_json' | 'dc+sd-jwt'
  holder: string
  status: CredentialState
  issuedAt: string
  validFrom: string
  validUntil: string | null
  supersededBy: string | null
}

export interface CredentialDetail extends CredentialSummary {
  /** The credential as issued: a VC-JWT, or an SD-JWT with all its disclosures. */
  jwt: string
}

/** GET /v1/credentials's filters (read credential-routes.ts: all optional, `subject` is the type's subject key). */
export interface CredentialQuery {
  type?: string
  status?: CredentialState
  holder?: string
  subject?: string
  issuedFrom?: string
  issuedUntil?: string
  cursor?: string
  limit?: number
}

export interface CreatedOffer {
  id: string
  type: string
  format: 'dc+sd-jwt' | 'jwt_vc_json'
  status: 'offered'
  offerUri: string
  txCode: string
  expiresAt: string
}

export interface OfferDescription {
  id: string
  status: OfferState
  expiresAt: string
  redeemedAt: string | null
  credentialId: string | null
  txCodeAttempts: number
}

export interface StatusChangeResult {
  credentialId: string
  status: CredentialState
  changed: boolean
  onChain: 'confirmed' | 'pending' | 'unchanged'
}

export interface DailyCount {
  date: string
  type: string
  issued: number
  revoked: number
  suspended: number
}

export interface AuditEntry {
  seq: number
  at: string
  actor: string
  action: string
  credentialId: string | null
  txHash: string | null
  details: Record<string, unknown>
}

export interface AuditVerification {
  ok: boolean
  entries: number
  problems: { seq: number | null; code: string; message: string }[]
}

export interface TransferResult {
  buyerCredential: { id: string }
  seller: { credentialId: string; status: 'revoked' }
  onChain: 'confirmed' | 'pending'
}

const enc = encodeURIComponent
const queryOf = (params: Record<string, string | number | undefined>) => {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(name, String(value))
  const text = query.toString()
  return text ? `?${text}` : ''
}

export const listCredentials = (q: CredentialQuery) =>
  call<{ items: CredentialSummary[]; nextCursor: string | null }>(`/v1/credentials${queryOf({ ...q })}`)
export const getCredential = (id: string) => call<CredentialDetail>(`/v1/credentials/${enc(id)}`)
export const getChainStatus = (id: string) =>
  call<{ status: CredentialState; recorded: CredentialState; inSync: boolean }>(`/v1/credentials/${enc(id)}/status`)
/** The reason travels with the change (the service keeps what it records of it in the audit trail). */
export const changeStatus = (id: string, action: StatusAction, reason: string) =>
  call<StatusChangeResult>(`/v1/credentials/${enc(id)}/${action}`, { method: 'POST', body: { reason } })

export const issueToHolder = (body: { type: string; holder: string; claims: Record<string, unknown> }) =>
  call<{ id: string; status: CredentialState }>('/v1/credentials', { method: 'POST', body })
export const createOffer = (body: { type: string; claims: Record<string, unknown> }) =>
  call<CreatedOffer>('/v1/credential-offers', { method: 'POST', body })
export const getOffer = (id: string) => call<OfferDescription>(`/v1/credential-offers/${enc(id)}`)

export const transferProperty = (body: { sellerCredentialId: string; buyer: string; claims: Record<string, unknown> }) =>
  call<TransferResult>('/v1/property/transfers', { method: 'POST', body })

/** Days are the clerk's local dates (the browser's UTC offset). */
export const getDailyCounts = (days: number) =>
  call<{ days: DailyCount[] }>(`/v1/credentials/stats${queryOf({ days, utcOffset: -new Date().getTimezoneOffset() })}`)

export const listAudit = (q: { before?: number; action?: string; credentialId?: string; limit?: number }) =>
  call<{ entries: AuditEntry[]; nextBefore: number | null }>(`/v1/audit${queryOf(q)}`)
export const verifyAudit = () => call<AuditVerification>('/v1/audit/verify')

let schemas: Promise<PublishedSchema[]> | undefined
/** The catalogue's types with their schemas and bilingual titles (GET /v1/schemas, once per page load). */
export function loadCatalogue(): Promise<PublishedSchema[]> {
  schemas ??= listSchemas().catch((error: unknown) => {
    schemas = undefined
    throw error
  })
  return schemas
}

/**
 * The types the clerk's department issues, with their schemas: the dashboard's counts list every type the
 * department is set up for (within the account's scopes), zeros included, so one day of them names the types.
 */
export async function departmentTypes(): Promise<PublishedSchema[]> {
  const [catalogue, counts] = await Promise.all([loadCatalogue(), getDailyCounts(1)])
  const types = new Set(counts.days.map((d) => d.type))
  return catalogue.filter((entry) => types.has(entry.type))
}
