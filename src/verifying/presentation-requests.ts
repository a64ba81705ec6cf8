import { randomBytes, randomUUID } from 'node:crypto'
import type { DataSource } from 'typeorm'
import { isCredentialTypeName } from '../catalog/credential-types.js'
import { DEFAULT_ANONYMOUS_REQUESTS_MAX } from '../config/verifier-access-settings.js'
import { AppError, ValidationError } from '../shared/errors/app-error.js'
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
  /** The relying party that created the request; null for an anonymous request. */
  relyingPartyId: string | null
  /** The outcome of the presentation that used the request up (null until then). */
  result: PresentationOutcome | null
  /** 'json': govcred's own request (VP-JWT answers); 'openid4vp': an OpenID4VP 1.0 request (DCQL, direct_post). */
  protocol: 'json' | 'openid4vp'
  /** OpenID4VP: the DCQL query of the request object. */
  dcqlQuery: Record<string, unknown> | null
  /** OpenID4VP: the purpose in both languages (`purpose` holds them joined). */
  purposeI18n: { 'zh-CN': string; en: string } | null
  /** OpenID4VP: when the wallet's response arrived (null until then). */
  answeredAt: string | null
  /**
   * OpenID4VP: what the relying party reads of the response (checks, and of each credential only the disclosed
   * claims); null until answered and again once purged (GOVCRED_PRESENTATION_RESULT_TTL_SECONDS).
   */
  verification: Record<string, unknown> | null
  /**
   * OpenID4VP: how the wallet answers, `direct_post` (form fields in the clear; also every JSON request) or
   * `direct_post.jwt` (one JWE encrypted to a key the verifier holds in memory for the request's lifetime).
   */
  responseMode: 'direct_post' | 'direct_post.jwt'
}

/** What an OpenID4VP request is made of (POST /v1/presentation-requests with protocol openid4vp). */
export interface Openid4vpRequestInput {
  relyingPartyId: string
  /** The client identifier (`x509_san_dns:<domain>`): the audience of the key-binding JWTs, kept as `domain`. */
  clientId: string
  credentialTypes: string[]
  purpose: { 'zh-CN': string; en: string }
  dcqlQuery: Record<string, unknown>
  /** Default `direct_post`. */
  responseMode?: 'direct_post' | 'direct_post.jwt'
}

/** What is kept of the presentation that used a request: no claims, no credentials. */
export interface PresentationOutcome {
  verified: boolean
  /** The first failing check's code, or 'OK'. */
  code: string
  holder: string | null
}

export interface PresentationRequestLimits {
  /** Most open (unused, unexpired) anonymous requests at once. */
  anonymousMax: number
  /**
   * How long a caller-supplied (VC-API) challenge stays on record once used. A presentation for a caller
   * challenge is accepted only while it is younger than this (see callerPresentationAge), so a purged
   * challenge can never be replayed with a presentation that would still be accepted.
   */
  usedChallengeTtlMs: number
}

export type ChallengeOutcome =
  | { ok: true; request?: PresentationRequest }
  | {
      ok: false
      code: 'ERR_UNKNOWN_REQUEST' | 'ERR_CHALLENGE_EXPIRED' | 'ERR_CHALLENGE_REPLAYED' | 'ERR_CHALLENGE_MISMATCH' | 'ERR_DOMAIN_MISMATCH'
      message: string
    }

export const DEFAULT_REQUEST_TTL_MS = 10 * 60_000
export { DEFAULT_ANONYMOUS_REQUESTS_MAX }
/** One hour: a VC-API presentation is checked the moment it is received, not an hour later. */
export const DEFAULT_USED_CHALLENGE_TTL_MS = 3_600_000

/** 429: too many open anonymous requests; Retry-After says when the next one frees up. */
export class TooManyOpenRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('ERR_TOO_MANY_OPEN_REQUESTS', message, { status: 429 })
  }
}

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
    readonly limits: PresentationRequestLimits = {
      anonymousMax: DEFAULT_ANONYMOUS_REQUESTS_MAX,
      usedChallengeTtlMs: DEFAULT_USED_CHALLENGE_TTL_MS,
    },
  ) {}

  /**
   * Stores a new request of `relyingPartyId` (null: anonymous). Anonymous requests are capped: at most
   * limits.anonymousMax open (unused and unexpired) at once; the check and the insert are one statement.
   */
  async create(body: unknown, relyingPartyId: string | null = null): Promise<PresentationRequest> {
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
      relyingPartyId,
      result: null,
      protocol: 'json',
      dcqlQuery: null,
      purposeI18n: null,
      answeredAt: null,
      verification: null,
      responseMode: 'direct_post',
    }
    const values = [
      request.id,
      request.challenge,
      request.domain,
      JSON.stringify(credentialTypes),
      purpose,
      request.createdAt,
      request.expiresAt,
      relyingPartyId,
    ]
    const insert = `INSERT INTO govcred_presentation_requests (id, challenge, domain, credentialTypes, purpose, createdAt, expiresAt, relyingPartyId)`
    if (relyingPartyId !== null) await writeQuery(this.db, `${insert} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, values)
    else {
      const inserted = await writeExecute(
        this.db,
        `${insert} SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM govcred_presentation_requests
           WHERE relyingPartyId IS NULL AND usedAt IS NULL AND expiresAt > ?) < ?`,
        [...values, request.createdAt, this.limits.anonymousMax],
      )
      if (inserted === 0) {
        const rows = await this.db.query(
          `SELECT MIN(expiresAt) AS next FROM govcred_presentation_requests WHERE relyingPartyId IS NULL AND usedAt IS NULL AND expiresAt > ?`,
          [request.createdAt],
        )
        const next = rows[0]?.next ? Date.parse(rows[0].next) : now.getTime() + this.ttlMs
        throw new TooManyOpenRequestsError(
          `${this.limits.anonymousMax} anonymous presentation requests are open: try later, or register as a relying party`,
          Math.max(1, Math.ceil((next - now.getTime()) / 1000)),
        )
      }
    }
    this.remember(request)
    return request
  }

  /** Stores a new OpenID4VP request of a relying party: its nonce is the request's challenge, its audience the client id. */
  async createOpenid4vp(input: Openid4vpRequestInput): Promise<PresentationRequest> {
    const now = new Date()
    const purpose = `${input.purpose['zh-CN']} / ${input.purpose.en}`
    const request: PresentationRequest = {
      id: randomUUID(),
      challenge: randomBytes(32).toString('base64url'),
      domain: input.clientId,
      credentialTypes: input.credentialTypes,
      purpose,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.ttlMs).toISOString(),
      usedAt: null,
      relyingPartyId: input.relyingPartyId,
      result: null,
      protocol: 'openid4vp',
      dcqlQuery: input.dcqlQuery,
      purposeI18n: input.purpose,
      answeredAt: null,
      verification: null,
      responseMode: input.responseMode ?? 'direct_post',
    }
    await writeQuery(
      this.db,
      `INSERT INTO govcred_presentation_requests (id, challenge, domain, credentialTypes, purpose, createdAt, expiresAt, relyingPartyId,
         protocol, dcqlQuery, purposeI18n, responseMode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        request.id,
        request.challenge,
        request.domain,
        JSON.stringify(request.credentialTypes),
        purpose,
        request.createdAt,
        request.expiresAt,
        request.relyingPartyId,
        'openid4vp',
        JSON.stringify(input.dcqlQuery),
        JSON.stringify(input.purpose),
        request.responseMode === 'direct_post.jwt' ? 'direct_post.jwt' : null,
      ],
    )
    this.remember(request)
    return request
  }

  /**
   * Records the answer to an OpenID4VP request and uses it up, in one statement: false when it was answered
   * already (a replay, or a concurrent second response) or has expired meanwhile.
   */
  async answerOpenid4vp(
    id: string,
    verification: Record<string, unknown>,
    outcome: PresentationOutcome,
    now = Date.now(),
  ): Promise<boolean> {
    const at = new Date(now).toISOString()
    const changed = await writeExecute(
      this.db,
      `UPDATE govcred_presentation_requests SET usedAt = ?, answeredAt = ?, resultJson = ?, resultVerified = ?, resultCode = ?, resultHolder = ?
        WHERE id = ? AND protocol = 'openid4vp' AND usedAt IS NULL AND expiresAt > ?`,
      [at, at, JSON.stringify(verification), outcome.verified ? 1 : 0, outcome.code, outcome.holder, id, at],
    )
    const cached = this.recent.get(id)
    if (changed > 0 && cached) Object.assign(cached, { usedAt: at, answeredAt: at, verification, result: { ...outcome } })
    else if (cached) this.recent.delete(id)
    return changed > 0
  }

  /** Forgets the results (checks and disclosed claims) of OpenID4VP requests answered more than `ttlMs` ago. */
  async purgeResults(ttlMs: number, now = Date.now()): Promise<number> {
    const cutoff = new Date(now - ttlMs).toISOString()
    for (const request of this.recent.values()) if (request.answeredAt && request.answeredAt < cutoff) request.verification = null
    return writeExecute(
      this.db,
      `UPDATE govcred_presentation_requests SET resultJson = NULL WHERE resultJson IS NOT NULL AND answeredAt < ?`,
      [cutoff],
    )
  }

  private remember(request: PresentationRequest): void {
    if (this.recent.size >= 10_000) this.recent.delete(this.recent.keys().next().value as string)
    this.recent.set(request.id, request)
  }

  async get(id: string): Promise<PresentationRequest | undefined> {
    const rows = await this.db.query(`SELECT * FROM govcred_presentation_requests WHERE id = ?`, [id])
    return rows[0] && toRequest(rows[0])
  }

  /** The request, from this process's recent requests when it made it (no query), else from the database. */
  async lookup(id: string): Promise<PresentationRequest | undefined> {
    return this.recent.get(id) ?? (await this.get(id))
  }

  /** Keeps the outcome of the presentation that used the request up (once; claims are never kept). */
  async recordOutcome(id: string, outcome: PresentationOutcome): Promise<void> {
    await writeExecute(
      this.db,
      `UPDATE govcred_presentation_requests SET resultVerified = ?, resultCode = ?, resultHolder = ?
        WHERE id = ? AND usedAt IS NOT NULL AND resultVerified IS NULL`,
      [outcome.verified ? 1 : 0, outcome.code, outcome.holder, id],
    )
    const cached = this.recent.get(id)
    if (cached && cached.usedAt && !cached.result) cached.result = { ...outcome }
  }

  /** How many anonymous requests are open (unused and unexpired) right now. */
  async openAnonymousCount(now = Date.now()): Promise<number> {
    const rows = await this.db.query(
      `SELECT COUNT(*) AS n FROM govcred_presentation_requests WHERE relyingPartyId IS NULL AND usedAt IS NULL AND expiresAt > ?`,
      [new Date(now).toISOString()],
    )
    return Number(rows[0]?.n ?? 0)
  }

  /** Checks a presentation's nonce and audience against a stored request, without using it up. */
  async check(requestId: string, nonce: unknown, audience: unknown, now = Date.now()): Promise<ChallengeOutcome> {
    const request =
      typeof requestId === 'string' && requestId.length <= 100 ? (this.recent.get(requestId) ?? (await this.get(requestId))) : undefined
    if (!request) return { ok: false, code: 'ERR_UNKNOWN_REQUEST', message: 'no such presentation request' }
    if (request.protocol === 'openid4vp')
      return { ok: false, code: 'ERR_UNKNOWN_REQUEST', message: 'an OpenID4VP request is answered at its response_uri, not with a VP-JWT' }
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
   * unknown), so nothing a replay could use is lost. An OpenID4VP result still kept for its relying party
   * (purgeResults) keeps its request. Returns how many went.
   */
  async purgeExpired(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - 86_400_000).toISOString()
    for (const [id, request] of this.recent) if (request.expiresAt < cutoff && !request.verification) this.recent.delete(id)
    return writeExecute(this.db, `DELETE FROM govcred_presentation_requests WHERE expiresAt < ? AND resultJson IS NULL`, [cutoff])
  }

  /**
   * A challenge supplied by the caller (VC-API): accepted once, and remembered until limits.usedChallengeTtlMs
   * (plus the clock skew a presentation's times are given) after its use.
   */
  async consumeExternal(challenge: string, domain: string, now = Date.now()): Promise<boolean> {
    const expiresAt = new Date(now + this.limits.usedChallengeTtlMs + CALLER_SKEW_SECONDS * 1000).toISOString()
    return (
      (await writeExecute(
        this.db,
        `INSERT OR IGNORE INTO govcred_used_challenges (challenge, domain, usedAt, expiresAt) VALUES (?, ?, ?, ?)`,
        [challenge, domain, new Date(now).toISOString(), expiresAt],
      )) > 0
    )
  }

  /** Deletes used caller challenges past their expiry: no presentation they could stop is accepted any more. */
  async purgeUsedChallenges(now = Date.now()): Promise<number> {
    return writeExecute(this.db, `DELETE FROM govcred_used_challenges WHERE expiresAt < ?`, [new Date(now).toISOString()])
  }

  /**
   * A presentation for a caller-supplied challenge is accepted only while its used challenge is kept on
   * record: it must say when it was made (iat or nbf) no more than limits.usedChallengeTtlMs ago (and not in
   * the future), or expire (exp) within that time. Returns why not, or undefined when it may be checked.
   */
  callerPresentationAge(payload: Record<string, unknown>, nowSeconds = Math.floor(Date.now() / 1000)): string | undefined {
    const ttl = Math.floor(this.limits.usedChallengeTtlMs / 1000)
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
    const madeAt = num(payload.iat) ?? num(payload.nbf)
    const exp = num(payload.exp)
    if (madeAt !== undefined) {
      if (madeAt > nowSeconds + CALLER_SKEW_SECONDS) return 'the presentation says it was made in the future (iat)'
      if (madeAt < nowSeconds - ttl) return `a presentation for a caller's challenge must be at most ${ttl} s old (iat)`
      return undefined
    }
    if (exp !== undefined && exp <= nowSeconds + ttl) return undefined
    return `a presentation for a caller's challenge must carry iat (at most ${ttl} s ago) or an exp within ${ttl} s`
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

/** Clock skew allowed on a caller presentation's iat (the verifier's default policy skew). */
const CALLER_SKEW_SECONDS = 60

function toRequest(row: Record<string, any>): PresentationRequest {
  return {
    id: row.id,
    challenge: row.challenge,
    domain: row.domain,
    credentialTypes: JSON.parse(row.credentialTypes),
    purpose: row.purpose,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    usedAt: row.usedAt ?? null,
    relyingPartyId: row.relyingPartyId ?? null,
    result:
      row.resultVerified === null || row.resultVerified === undefined
        ? null
        : { verified: Number(row.resultVerified) === 1, code: row.resultCode, holder: row.resultHolder ?? null },
    protocol: row.protocol === 'openid4vp' ? 'openid4vp' : 'json',
    dcqlQuery: row.dcqlQuery ? JSON.parse(row.dcqlQuery) : null,
    purposeI18n: row.purposeI18n ? JSON.parse(row.purposeI18n) : null,
    answeredAt: row.answeredAt ?? null,
    verification: row.resultJson ? JSON.parse(row.resultJson) : null,
    responseMode: row.responseMode === 'direct_post.jwt' ? 'direct_post.jwt' : 'direct_post',
  }
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
