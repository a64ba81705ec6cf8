import { describe, expect, it } from 'vitest'
import { keccak256, toUtf8Bytes, ZeroHash } from 'ethers'
import { auditEntryHash, GENESIS_HASH } from '../../src/issuing/audit/audit-hash.js'

const entry = {
  seq: 7,
  departmentId: 'market-supervision',
  at: '2026-11-25T08:00:00.000Z',
  actor: 'cli:alice',
  action: 'revoke' as const,
  credentialId: 'urn:uuid:0b4f3c1e-0000-4000-8000-000000000001',
  txHash: null,
  details: { reason: 'fraud', statusIndex: 42, nested: { b: 2, a: 1 } },
  prevHash: ZeroHash,
}

describe('auditEntryHash', () => {
  it('is keccak256 of the RFC 8785 canonical JSON of the entry without its hash', () => {
    const canonical =
      '{"action":"revoke","actor":"cli:alice","at":"2026-11-25T08:00:00.000Z",' +
      '"credentialId":"urn:uuid:0b4f3c1e-0000-4000-8000-000000000001","departmentId":"market-supervision",' +
      '"details":{"nested":{"a":1,"b":2},"reason":"fraud","statusIndex":42},' +
      `"prevHash":"${ZeroHash}","seq":7,"txHash":null}`
    expect(auditEntryHash(entry)).toBe(keccak256(toUtf8Bytes(canonical)))
  })

  it('ignores key order and any hash field passed along', () => {
    const reordered = {
      prevHash: entry.prevHash,
      details: { statusIndex: 42, nested: { a: 1, b: 2 }, reason: 'fraud' },
      txHash: null,
      credentialId: entry.credentialId,
      action: entry.action,
      actor: entry.actor,
      at: entry.at,
      departmentId: entry.departmentId,
      seq: 7,
    }
    expect(auditEntryHash(reordered)).toBe(auditEntryHash(entry))
    expect(auditEntryHash({ ...entry, hash: '0xabc' } as typeof entry)).toBe(auditEntryHash(entry))
  })

  it('changes with every hashed field', () => {
    const base = auditEntryHash(entry)
    const variants = [
      { seq: 8 },
      { departmentId: 'real-estate' },
      { at: '2026-11-25T08:00:00.001Z' },
      { actor: 'cli:bob' },
      { action: 'suspend' as const },
      { credentialId: null },
      { txHash: `0x${'1'.repeat(64)}` },
      { details: { ...entry.details, reason: 'error' } },
      { prevHash: `0x${'2'.repeat(64)}` },
    ]
    for (const change of variants) expect(auditEntryHash({ ...entry, ...change })).not.toBe(base)
  })

  it('starts every chain at the zero hash', () => {
    expect(GENESIS_HASH).toBe(ZeroHash)
  })
})
