import type { WalletContext } from './context.js'
import { pathText, type LocalizedText } from './display.js'
import { isRecord } from './encoding.js'
import { WalletCoreError } from './errors.js'
import { matchDcql, type MatchCandidate } from './dcql-match.js'
import { readJson, refusalOf, walletFetch } from './http.js'
import { fetchTypeMetadata } from './issued-credential.js'
import { holderKey, signEs256Jwt } from './keys.js'
import { encryptResponse } from './response-encryption.js'
import { openRequestObject, parseRequestLink, type ResponseMode, type VerifiedRequest } from './request-object.js'
import { presentSdJwt, type ClaimPath } from './sd-jwt.js'
import type { CredentialStatusValue, HistoryEntry, IssuerDisplay } from './storage.js'

/** Who asks: the names its certificate (certified by the consortium root) and its signed metadata give. */
export interface VerifierView {
  /** The name to show: the certificate's CN (Chinese) and O (English), else the client metadata's client_name. */
  name: LocalizedText
  certificate: { commonName?: string; organization?: string }
  clientName: LocalizedText
  host: string
  clientId: string
}

/** One claim the verifier asks for, with its label and the holder's own value (shown on the consent screen only). */
export interface PlannedClaim {
  path: ClaimPath
  name: string
  label: LocalizedText
  value: unknown
}

/** One credential the verifier asks for and the held credential that would answer it. */
export interface PlannedCredential {
  queryId: string
  credentialId: string
  /** Other held credentials that answer the same query (the holder may choose one instead). */
  alternatives: string[]
  vct: string
  typeName: LocalizedText
  issuer: IssuerDisplay
  status: CredentialStatusValue
  claims: PlannedClaim[]
}

/** A verified presentation request and what answering it would disclose; nothing is sent until sendPresentation. */
export interface PresentationPlan {
  verifier: VerifierView
  purpose: LocalizedText
  expiresAt: string | null
  responseMode: ResponseMode
  credentials: PlannedCredential[]
  /** The protocol state send/decline continue from; not for display. */
  readonly session: { request: VerifiedRequest; candidates: Record<string, MatchCandidate[]> }
}

/** What the verifier answered to a sent presentation. */
export interface PresentationSent {
  /** Where the verifier asks to send the person next, when it does. */
  redirectUri?: string
}

/**
 * Opens an OpenID4VP 1.0 request (see parseRequestLink and openRequestObject for what is checked) and matches its
 * DCQL query against the held credentials: the plan names the verifier, the purpose, each requested credential and
 * claim with its display names, and which held credential answers it. NO_MATCHING_CREDENTIAL (with the verifier's
 * name and the missing types) when the wallet cannot answer.
 *
 * @example
 * const plan = await openPresentationRequest(ctx, 'openid4vp://?client_id=x509_san_dns%3Abank.example&request_uri=…')
 * await sendPresentation(ctx, plan)
 */
export async function openPresentationRequest(ctx: WalletContext, link: string): Promise<PresentationPlan> {
  const request = await openRequestObject(ctx, parseRequestLink(link))
  const verifier: VerifierView = {
    name: verifierName(request),
    certificate: {
      ...(request.certificate.commonName ? { commonName: request.certificate.commonName } : {}),
      ...(request.certificate.organization ? { organization: request.certificate.organization } : {}),
    },
    clientName: request.clientName,
    host: request.host,
    clientId: request.clientId,
  }
  const { answer, missing } = await matchDcql(ctx, request.dcqlQuery)
  if (missing.length > 0) {
    throw new WalletCoreError('NO_MATCHING_CREDENTIAL', {
      verifierName: verifier.name,
      missing: await Promise.all(
        missing.map(async (m) => ({ queryId: m.queryId, typeName: await typeNameOfVcts(ctx, m.vcts), vcts: m.vcts })),
      ),
      detail: `nothing held answers ${missing.map((m) => m.queryId).join(', ')}`,
    })
  }
  const candidates = Object.fromEntries(answer.map((a) => [a.queryId, a.candidates]))
  return {
    verifier,
    purpose: request.purpose,
    expiresAt: request.expiresAt,
    responseMode: request.responseMode,
    credentials: answer.map((a) => planned(a.queryId, a.candidates[0]!, a.candidates.slice(1))),
    session: { request, candidates },
  }
}

/**
 * Answers a plan: for each credential query an SD-JWT VC presentation disclosing only the requested claims, with
 * a key-binding JWT (nonce, aud = client_id, iat, sd_hash) signed by the credential's non-extractable key; posts
 * `vp_token` (a JSON object by credential query id) and `state` as form fields (direct_post), or encrypted as
 * `response` (direct_post.jwt). `choose` picks another of a query's `alternatives`. The history records who
 * asked, when, for which types and claim names, and the outcome; never a value.
 */
export async function sendPresentation(
  ctx: WalletContext,
  plan: PresentationPlan,
  options: { choose?: Record<string, string> } = {},
): Promise<PresentationSent> {
  const { request } = plan.session
  const chosen = plan.credentials.map((c) => {
    const wanted = options.choose?.[c.queryId] ?? c.credentialId
    const candidate = plan.session.candidates[c.queryId]!.find((k) => k.credential.id === wanted)
    if (!candidate) throw new WalletCoreError('CREDENTIAL_NOT_FOUND', { detail: `${wanted} does not answer ${c.queryId}` })
    return { queryId: c.queryId, candidate }
  })
  const vpToken: Record<string, string[]> = {}
  const iat = Math.floor(ctx.now() / 1000)
  for (const { queryId, candidate } of chosen) {
    const key = await holderKey(ctx.storage, candidate.credential.keyId)
    vpToken[queryId] = [
      await presentSdJwt(candidate.opened, candidate.paths, {
        aud: request.clientId,
        nonce: request.nonce,
        iat,
        sign: (header, payload) => signEs256Jwt(key.privateKey, header, payload),
      }),
    ]
  }
  const entry = historyEntry(ctx, plan, chosen)
  try {
    const answer = await postResponse(ctx, request, { vp_token: vpToken })
    await ctx.storage.addHistory({ ...entry, outcome: 'sent' })
    return typeof answer.redirect_uri === 'string' ? { redirectUri: answer.redirect_uri } : {}
  } catch (error) {
    await ctx.storage.addHistory({ ...entry, outcome: 'failed', reason: error instanceof WalletCoreError ? error.code : 'UNEXPECTED' })
    throw error
  }
}

/**
 * Declines a plan: sends the OAuth error response `access_denied` (the verifier records the request as
 * declined; nothing of the credentials is sent) and records it in the history. The decline is recorded on the
 * device even when the verifier cannot be reached.
 */
export async function declinePresentation(ctx: WalletContext, plan: PresentationPlan): Promise<void> {
  const chosen = plan.credentials.map((c) => ({
    queryId: c.queryId,
    candidate: plan.session.candidates[c.queryId]!.find((k) => k.credential.id === c.credentialId)!,
  }))
  await ctx.storage.addHistory({ ...historyEntry(ctx, plan, chosen), outcome: 'declined' })
  await postResponse(ctx, plan.session.request, { error: 'access_denied', error_description: 'the holder declined to present' })
}

/** Posts response parameters to the response URI, plain or encrypted as the request's response mode says. */
async function postResponse(
  ctx: WalletContext,
  request: VerifiedRequest,
  parameters: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const withState = { ...parameters, ...(request.state !== undefined ? { state: request.state } : {}) }
  const form = new URLSearchParams()
  if (request.responseMode === 'direct_post.jwt') form.set('response', await encryptResponse(request.clientMetadata, withState))
  else {
    for (const [name, value] of Object.entries(withState)) form.set(name, typeof value === 'string' ? value : JSON.stringify(value))
  }
  const response = await walletFetch(ctx, request.responseUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
  })
  const body = await readJson(ctx, response)
  if (response.ok) return isRecord(body) ? body : {}
  const refusal = refusalOf(body)
  const details = {
    status: response.status,
    ...(refusal ? { oauthError: refusal.error } : {}),
    ...(refusal?.govcredCode ? { govcredCode: refusal.govcredCode } : {}),
    ...(refusal?.description ? { detail: refusal.description } : {}),
  }
  if (refusal?.govcredCode === 'ERR_REQUEST_EXPIRED') throw new WalletCoreError('REQUEST_EXPIRED', details)
  if (refusal?.govcredCode === 'ERR_REQUEST_ANSWERED') throw new WalletCoreError('REQUEST_ANSWERED', details)
  throw new WalletCoreError(response.status >= 500 ? 'NETWORK' : 'VERIFIER_REFUSED', details)
}

function planned(queryId: string, best: MatchCandidate, others: MatchCandidate[]): PlannedCredential {
  const { credential, opened, paths } = best
  return {
    queryId,
    credentialId: credential.id,
    alternatives: others.map((o) => o.credential.id),
    vct: credential.vct,
    typeName: credential.type.name,
    issuer: credential.issuer,
    status: credential.status?.value ?? 'unknown',
    claims: paths.map((path) => ({
      path,
      name: pathText(path),
      label: credential.claimLabels[pathText(path)] ?? {},
      value: valueAt(opened.claims, path),
    })),
  }
}

function historyEntry(
  ctx: WalletContext,
  plan: PresentationPlan,
  chosen: { queryId: string; candidate: MatchCandidate }[],
): Omit<HistoryEntry, 'outcome'> {
  return {
    id: crypto.randomUUID(),
    at: new Date(ctx.now()).toISOString(),
    clientId: plan.verifier.clientId,
    host: plan.verifier.host,
    verifierName: plan.verifier.name,
    purpose: plan.purpose,
    credentials: chosen.map(({ queryId, candidate }) => ({
      queryId,
      credentialId: candidate.credential.id,
      typeName: candidate.credential.type.name,
      vct: candidate.credential.vct,
      claims: candidate.paths.map(pathText),
    })),
  }
}

function verifierName(request: VerifiedRequest): LocalizedText {
  const { commonName, organization } = request.certificate
  if (commonName || organization) return { ...(commonName ? { 'zh-CN': commonName } : {}), ...(organization ? { en: organization } : {}) }
  return request.clientName
}

/** The value at a claim path (`null` gathers every element). */
function valueAt(claims: unknown, path: ClaimPath): unknown {
  let values: unknown[] = [claims]
  for (const step of path) {
    values = values.flatMap((v) => {
      if (step === null) return Array.isArray(v) ? v : []
      if (typeof step === 'number') return Array.isArray(v) && step < v.length ? [v[step]] : []
      return isRecord(v) && step in v ? [v[step]] : []
    })
  }
  return path.includes(null) ? values : values[0]
}

/** A type's name for a vct the wallet does not hold: from its type metadata, else the vct's last path segment. */
async function typeNameOfVcts(ctx: WalletContext, vcts: string[]): Promise<LocalizedText> {
  const vct = vcts[0]
  if (!vct) return {}
  const metadata = await fetchTypeMetadata(ctx, vct)
  if (metadata && (metadata.name['zh-CN'] || metadata.name.en)) return metadata.name
  const name = vct.split('/').pop()
  return name ? { en: name } : {}
}
