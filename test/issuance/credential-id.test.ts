import { describe, expect, it } from 'vitest'
import { newCredentialId } from '../../src/issuing/issuance/credential-id.js'

describe('credential ids (UUID version 7)', () => {
  it('are urn:uuid with version 7 and the RFC 9562 variant, carrying the millisecond time', () => {
    const at = Date.UTC(2026, 11, 3, 8, 0, 0, 123)
    const id = newCredentialId(at)
    expect(id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(parseInt(id.slice(9, 22).replace('-', ''), 16)).toBe(at)
  })

  it('sort in the order they were made across milliseconds, and never repeat', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => newCredentialId(1_764_000_000_000 + Math.floor(i / 10)))
    expect(new Set(ids).size).toBe(ids.length)
    const byTime = ids.filter((_, i) => i % 10 === 0)
    expect([...byTime].sort()).toEqual(byTime)
  })
})
