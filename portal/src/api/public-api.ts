import { api } from './http'

/** An accredited department as GET /v1/issuers reads it from the trusted-issuer registry. */
export interface Issuer {
  did: string
  account: string
  name: string
  unifiedSocialCreditCode: string
  /** Credential type names (or a type hash the catalogue does not know). */
  credentialTypes: string[]
  status: 'active' | 'suspended' | 'revoked' | string
  accreditedNow: boolean
  validFrom: string
  validUntil: string | null
  registeredAt: string
  statusChangedAt: string
}

/** GET /v1/network: the chain and its registries. */
export interface Network {
  name: string
  chainId: number
  rpcUrl: string
  contracts: Record<string, string>
}

export type AnchorState = 'anchored' | 'not-anchored' | 'deprecated' | 'hash-mismatch'

/** A JSON Schema node, as far as the portal reads it. */
export interface JsonSchema {
  title?: string
  description?: string
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  items?: JsonSchema
  required?: string[]
  enum?: unknown[]
  format?: string
  [keyword: string]: unknown
}

/** GET /v1/schemas: one credential type with its schema and its anchor on chain. */
export interface PublishedSchema {
  type: string
  version: string
  uri: string
  department: string
  title: { 'zh-CN': string; en: string }
  description: { 'zh-CN': string; en: string }
  contentHash: string
  anchor: { state: AnchorState; contentHash: string | null; uri: string | null; publishedAt: string | null }
  schema: JsonSchema
}

export interface FeedbackInput {
  page: string
  message: string
  rating?: number
  contact?: string
  locale?: 'zh-CN' | 'en'
}

export const listIssuers = () => api<{ issuers: Issuer[] }>('/v1/issuers').then((answer) => answer.issuers)
export const getNetwork = () => api<Network>('/v1/network')
export const listSchemas = () => api<{ schemas: PublishedSchema[] }>('/v1/schemas').then((answer) => answer.schemas)
export const sendFeedback = (input: FeedbackInput) => api<{ id: string }>('/v1/feedback', { method: 'POST', body: input })

/**
 * A schema title such as "营业执照 / Business licence" in one language (the part before or after " / ").
 *
 * @example
 * localTitle('名称 / Enterprise name', 'en') // => 'Enterprise name'
 */
export function localTitle(text: string | undefined, locale: 'zh-CN' | 'en'): string {
  if (!text) return ''
  const at = text.indexOf(' / ')
  if (at < 0) return text
  return locale === 'zh-CN' ? text.slice(0, at) : text.slice(at + 3)
}
