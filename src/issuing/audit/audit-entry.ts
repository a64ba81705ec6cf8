export type AuditAction =
  | 'issue'
  | 'suspend'
  | 'reinstate'
  | 'revoke'
  | 'transfer'
  | 'supersede'
  | 'api-key-create'
  | 'api-key-revoke'
  | 'status-batch'
  | 'offer-create'
  | 'offer-redeem'
  | 'offer-void'
  | 'onestop-decision'
  | 'onestop-review'

export const AUDIT_ACTIONS: readonly AuditAction[] = Object.freeze([
  'issue',
  'suspend',
  'reinstate',
  'revoke',
  'transfer',
  'supersede',
  'api-key-create',
  'api-key-revoke',
  'status-batch',
  'offer-create',
  'offer-redeem',
  'offer-void',
  'onestop-decision',
  'onestop-review',
])

/** One entry of a department's hash-chained audit log. */
export interface AuditEntry {
  /** Global, increasing across departments; never reused. */
  seq: number
  departmentId: string
  /** ISO 8601 time of the action. */
  at: string
  /** API key id, or "cli:<user>". */
  actor: string
  action: AuditAction
  credentialId: string | null
  txHash: string | null
  /** No secrets, minimal personal data. */
  details: Record<string, unknown>
  /** The department's previous entry's hash, or GENESIS_HASH. */
  prevHash: string
  hash: string
}
