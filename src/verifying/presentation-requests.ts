import { randomBytes, randomUUID } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { isCredentialTypeName } from '../catalog/credential-types.js'
import { ValidationError } from '../shared/errors/app-error.js'
import { writeExecute, writeQuery } from '../store/write-transaction.js'

export interface PresentationRequest {
  id: string
  challenge: string
  domain: string
  credentialTypes: string[]
  purpose: string
  createdAt: string
  expiresAt: string
  usedAt: string | null
}

export type ChallengeOutcome =
  | { ok: true; request?: PresentationRequest }
  | {
      ok: false
      code: 'ERR_UNKNOWN_REQUEST' | 'ERR_CHALLENGE_EXPIRED' | 'ERR_CHALLENGE_REPLAYED' | 'ERR_CHALLENGE_MISMATCH' | 'ERR_DOMAIN_MISMATCH'
      message: string
    }

export const DEFAULT_REQUEST_TTL_MS = 10 * 60_000

/**
 * Presentation requests: a random challenge bound to a domain, expiring, accepted once.
 *
 * @example
 * const request = await requests.create({ credentialTypes: ['BusinessLicenseCredential'], purpose: '贷款审核 loan check' })
 */
export class PresentationRequestStore {
  /**
   * Requests created by this process, so answering one needs no read: only usedAt ever changes, and the
   * conditional UPDATE in consume() stays the one authority on "used once".
   */
  private readonly recent = new Map<string, PresentationRequest>()

  constructor(
    private readonly db: DataSource,
    readonly domain: string,
    private readonly ttlMs = DEFAULT_REQUEST_TTL_MS,
  ) {}

  async create(body: unknown): Promise<PresentationRequest> {
    const { credentialTypes, purpose } = parseRequestBody(body)
    const now = new Date()
    const request: PresentationRequest = {
      id: randomUUID(),
      challenge: randomBytes(32).toString('base64url'),
      domain: this.domain,
      credentialTypes,
      purpose,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.ttlMs).toISOString(),
      usedAt: null,
    }
    await writeQuery(
      this.db,
      `INSERT INTO govcred_presentation_requests (id, challenge, domain, credentialTypes, purpose, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [request.id, request.challenge, request.domain, JSON.stringify(credentialTypes), purpose, request.createdAt, request.expiresAt],
    )
    if (this.recent.size >= 10_000) this.recent.delete(this.recent.keys().next().value as string)
    this.recent.set(request.id, request)
    return request
  }

  async get(id: string): Promise<PresentationRequest | undefined> {
    const rows = await this.db.query(`SELECT * FROM govcred_presentation_requests WHERE id = ?`, [id])
    return rows[0] && { ...rows[0], credentialTypes: JSON.parse(rows[0].credentialTypes) }
  }

  /** Checks a presentation's nonce and audience against a stored request, without using it up. */
  async check(requestId: string, nonce: unknown, audience: unknown, now = Date.now()): Promise<ChallengeOutcome> {
    const request =
      typeof requestId === 'string' && requestId.length <= 100 ? (this.recent.get(requestId) ?? (await this.get(requestId))) : undefined
    if (!request) return { ok: false, code: 'ERR_UNKNOWN_REQUEST', message: 'no such presentation request' }
    if (request.usedAt) return { ok: false, code: 'ERR_CHALLENGE_REPLAYED', message: 'this presentation request was already answered' }
    if (Date.parse(request.expiresAt) <= now)
      return { ok: false, code: 'ERR_CHALLENGE_EXPIRED', message: 'the presentation request expired' }
    return matchChallenge(request.challenge, request.domain, nonce, audience, request)
  }

  /** Uses the request up; false when someone else used it first (a concurrent replay). */
  async consume(requestId: string): Promise<boolean> {
    const cached = this.recent.get(requestId)
    if (cached) cached.usedAt = new Date().toISOString()
    return (
      (await writeExecute(this.db, `UPDATE govcred_presentation_requests SET usedAt = ? WHERE id = ? AND usedAt IS NULL`, [
        new Date().toISOString(),
        requestId,
      ])) > 0
    )
  }

  /**
   * Deletes requests that expired more than a day ago: an answer to one is refused either way (expired or
   * unknown), so nothing a replay could use is lost. Returns how many went.
   */
  async purgeExpired(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - 86_400_000).toISOString()
    for (const [id, request] of this.recent) if (request.expiresAt < cutoff) this.recent.delete(id)
    return writeExecute(this.db, `DELETE FROM govcred_presentation_requests WHERE expiresAt < ?`, [cutoff])
  }

  /** A challenge supplied by the caller (VC-API): accepted once per domain. */
  async consumeExternal(challenge: string, domain: string): Promise<boolean> {
    return (
      (await writeExecute(this.db, `INSERT OR IGNORE INTO govcred_used_challenges (challenge, domain, usedAt) VALUES (?, ?, ?)`, [
        challenge,
        domain,
        new Date().toISOString(),
      ])) > 0
    )
  }

  /** A challenge this store issued for a request: accepted only with that request, never as a caller's own (VC-API). */
  async isRequestChallenge(challenge: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM govcred_presentation_requests WHERE challenge = ?`, [challenge])).length > 0
  }

  async isExternalUsed(challenge: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM govcred_used_challenges WHERE challenge = ?`, [challenge])).length > 0
  }
}

export function matchChallenge(
  challenge: string,
  domain: string | undefined,
  nonce: unknown,
  audience: unknown,
  request?: PresentationRequest,
): ChallengeOutcome {
  if (nonce !== challenge) return { ok: false, code: 'ERR_CHALLENGE_MISMATCH', message: 'the presentation was made for another challenge' }
  if (domain !== undefined) {
    const audiences = Array.isArray(audience) ? audience : audience === undefined ? [] : [audience]
    if (!audiences.includes(domain))
      return { ok: false, code: 'ERR_DOMAIN_MISMATCH', message: `the presentation is not addressed to ${domain}` }
  }
  return { ok: true, request }
}

function parseRequestBody(body: unknown): { credentialTypes: string[]; purpose: string } {
  const input = (body ?? {}) as Record<string, unknown>
  const types = input.credentialTypes
  if (!Array.isArray(types) || types.length === 0 || types.length > 10 || types.some((t) => !isCredentialTypeName(t))) {
    throw new ValidationError('ERR_INVALID_REQUEST', 'credentialTypes must list 1 to 10 govcred credential types', {
      details: [{ field: '/credentialTypes', code: 'ERR_FIELD_ENUM', message: 'unknown or missing credential types' }],
    })
  }
  if (new Set(types).size !== types.length) throw new ValidationError('ERR_INVALID_REQUEST', 'credentialTypes has duplicates')
  if (typeof input.purpose !== 'string' || input.purpose.trim().length === 0 || input.purpose.length > 500) {
    throw new ValidationError('ERR_INVALID_REQUEST', 'purpose must be a non-empty text of at most 500 characters', {
      details: [{ field: '/purpose', code: 'ERR_FIELD_REQUIRED', message: 'required' }],
    })
  }
  return { credentialTypes: types as string[], purpose: input.purpose.trim() }
}
