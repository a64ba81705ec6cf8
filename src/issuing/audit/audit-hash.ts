import canonicalize from 'canonicalize'
import { keccak256, toUtf8Bytes, ZeroHash } from 'ethers'
import type { AuditEntry } from './audit-entry.js'

/** The `prevHash` of a department's first audit entry. */
export const GENESIS_HASH: string = ZeroHash

/**
 * The hash that links an audit entry into its department's chain: keccak256 over the UTF-8 bytes of the
 * RFC 8785 (JCS) canonical JSON of every field but `hash`, so key order and whitespace never matter.
 *
 * @example
 * const hash = auditEntryHash({ seq: 1, departmentId: 'market-supervision', at: '2026-11-25T08:00:00.000Z',
 *   actor: 'cli:alice', action: 'issue', credentialId: 'urn:uuid:…', txHash: null, details: {}, prevHash: GENESIS_HASH })
 */
export function auditEntryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const hashed = {
    seq: entry.seq,
    departmentId: entry.departmentId,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    credentialId: entry.credentialId,
    txHash: entry.txHash,
    details: entry.details,
    prevHash: entry.prevHash,
  }
  const canonical = canonicalize(hashed)
  if (canonical === undefined) throw new TypeError('audit entry cannot be canonicalized')
  return keccak256(toUtf8Bytes(canonical))
}
