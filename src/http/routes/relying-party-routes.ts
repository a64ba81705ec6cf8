import { Router, type Request, type RequestHandler, type Response } from 'express'
import { BadRequestError, isAppError, NotFoundError, UnauthorizedError } from '../../shared/errors/app-error.js'
import type { Logger } from '../../shared/logger.js'
import {
  relyingPartyDomainProblem,
  relyingPartyIdProblem,
  relyingPartyNameProblem,
  RELYING_PARTY_NAME_MAX,
} from '../../verifying/relying-parties/relying-party-fields.js'
import type { RelyingParty, RelyingPartyKeyRecord, RelyingPartyStore } from '../../verifying/relying-parties/relying-party-store.js'
import { certificateFingerprint } from '../../verifying/relying-parties/verifier-certificate.js'
import type { VerifierIdentityStore } from '../../verifying/relying-parties/verifier-identity-store.js'
import { clientIdOf } from '../../verifying/relying-parties/verifier-identity.js'
import { checkWebhookUrl } from '../../verifying/relying-parties/webhook-url.js'
import type { WebhookSecrets } from '../../verifying/relying-parties/webhook-secrets.js'
import { operatorOf } from '../operator-auth.js'
import { parseQuery, type QuerySpec } from '../query-params.js'
import { relyingPartyOf } from '../relying-party-auth.js'

export interface RelyingPartyRouteDeps {
  parties: RelyingPartyStore
  /** The parties' verifier identities (certificate fingerprint and end), read only. */
  identities: Pick<VerifierIdentityStore, 'list'>
  /** Seals the webhook signing secrets under the node's KMS secret. */
  webhookSecrets: Pick<WebhookSecrets, 'create'>
  /** GOVCRED_WEBHOOK_ALLOW_LOOPBACK: whether a webhook may point at this machine. */
  allowLoopbackWebhooks: boolean
  /** requireOperator: sets the operator principal. */
  authenticateOperator: RequestHandler
  /** Where the changes are logged (who, what; never a secret). */
  logger: Logger
}

/** A problem with one field of a body, as listed in the 400's `details`. */
interface FieldProblem {
  field: string
  code: string
  message: string
}

const NO_QUERY = {} as const satisfies QuerySpec
const SIGNATURE_RECIPE = 'Govcred-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const CREATE_FIELDS = ['id', 'name', 'domain', 'webhookUrl']
const LANGUAGES = ['zh-CN', 'en'] as const

const noStore = (res: Response) => res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })

/**
 * Relying parties (banks and other verifiers) over HTTP. The platform operator (requireOperator) registers
 * them, lists them, makes and revokes their API keys and sets their webhooks, on a full node and on a bank's
 * verifier-only node alike; a relying party with its own key reads who it is registered as and sets its own
 * webhook (`/v1/relying-party`), and nothing of another party. API keys and webhook secrets are in the answer
 * that makes them only; every change is logged with its actor (`operator-key:<id>`, `relying-party:<id>`).
 *
 * @example
 * app.use(relyingPartyRoutes({ parties, identities, webhookSecrets, allowLoopbackWebhooks: false, authenticateOperator, logger }))
 */
export function relyingPartyRoutes(deps: RelyingPartyRouteDeps): Router {
  const { parties, logger } = deps
  const router = Router()
  router.use('/v1/relying-parties', deps.authenticateOperator)

  /** The party named in the path, or 404 (an id that is not a slug names no party). */
  const partyAt = async (req: Request): Promise<RelyingParty> => {
    parseQuery(req.query, NO_QUERY)
    const id = req.params.id
    const party = typeof id === 'string' && !relyingPartyIdProblem(id) ? await parties.get(id) : undefined
    if (!party) throw new NotFoundError('ERR_RELYING_PARTY_NOT_FOUND', `no relying party ${String(id).slice(0, 100)} on this node`)
    return party
  }
  const webhookUrlOf = async (id: string) => (await parties.webhookOf(id))?.url ?? null
  const newWebhook = async (id: string, url: string) => {
    const { secret, sealed } = deps.webhookSecrets.create(id)
    await parties.setWebhook(id, { url, sealedSecret: sealed })
    return { url, secret, signature: SIGNATURE_RECIPE }
  }
  const certificateOf = async (party: RelyingParty) => {
    const newest = party.domain ? (await deps.identities.list(party.id)).filter((r) => r.domain === party.domain).pop() : undefined
    if (!newest) return null
    return {
      sha256: await certificateFingerprint(newest.certificate),
      kid: newest.kid,
      notAfter: newest.notAfter,
      createdAt: newest.createdAt,
    }
  }
  const view = async (party: RelyingParty, keys: RelyingPartyKeyRecord[], webhookUrl: string | null) => ({
    id: party.id,
    name: { 'zh-CN': party.nameZh, en: party.nameEn },
    domain: party.domain,
    clientId: clientIdOf(party),
    createdAt: party.createdAt,
    webhookUrl,
    verifierCertificate: await certificateOf(party),
    keys: keys.map(({ id, label, createdAt, revokedAt }) => ({ id, label, createdAt, revokedAt })),
  })
  const audit = (req: Request, message: string, fields: Record<string, unknown>) =>
    logger.info(message, { actor: operatorOf(req).actor, ...fields })

  router.post('/v1/relying-parties', async (req, res) => {
    parseQuery(req.query, NO_QUERY)
    const input = parseCreateBody(req.body, deps.allowLoopbackWebhooks)
    const party = await parties.create(input)
    const key = await parties.createKey(party.id, `created over the API by ${operatorOf(req).actor}`)
    const webhook = input.webhookUrl === undefined ? undefined : await newWebhook(party.id, input.webhookUrl)
    audit(req, 'relying party registered', {
      relyingPartyId: party.id,
      domain: party.domain,
      apiKeyId: key.id,
      webhookUrl: webhook?.url ?? null,
    })
    noStore(res)
      .status(201)
      .location(`/v1/relying-parties/${encodeURIComponent(party.id)}`)
      .json({
        ...(await view(party, [key], webhook?.url ?? null)),
        apiKey: { id: key.id, key: key.key, label: key.label, createdAt: key.createdAt },
        ...(webhook ? { webhook } : {}),
      })
  })

  router.get('/v1/relying-parties', async (req, res) => {
    parseQuery(req.query, NO_QUERY)
    const listed = []
    for (const { keys, webhookUrl, ...party } of await parties.list()) listed.push(await view(party, keys, webhookUrl))
    noStore(res).json({ relyingParties: listed })
  })

  router.get('/v1/relying-parties/:id', async (req, res) => {
    const party = await partyAt(req)
    noStore(res).json(await view(party, await parties.keysOf(party.id), await webhookUrlOf(party.id)))
  })

  router.post('/v1/relying-parties/:id/keys', async (req, res) => {
    const party = await partyAt(req)
    const { label } = parseKeyBody(req.body)
    const key = await parties.createKey(party.id, label ?? `created over the API by ${operatorOf(req).actor}`)
    audit(req, 'relying-party key created', { relyingPartyId: party.id, apiKeyId: key.id })
    noStore(res).status(201).json(key)
  })

  router.delete('/v1/relying-parties/:id/keys/:keyId', async (req, res) => {
    const party = await partyAt(req)
    const { keyId } = req.params
    if (!UUID.test(keyId) || !(await parties.revokeKey(keyId, party.id))) {
      throw new NotFoundError('ERR_RELYING_PARTY_KEY_NOT_FOUND', `relying party ${party.id} has no active API key ${keyId.slice(0, 100)}`)
    }
    audit(req, 'relying-party key revoked', { relyingPartyId: party.id, apiKeyId: keyId })
    noStore(res).json({ id: keyId, relyingPartyId: party.id, revoked: true })
  })

  router.put('/v1/relying-parties/:id/webhook', async (req, res) => {
    const party = await partyAt(req)
    const url = parseWebhookBody(req.body, deps.allowLoopbackWebhooks)
    const webhook = await newWebhook(party.id, url)
    audit(req, 'relying-party webhook set', { relyingPartyId: party.id, webhookUrl: url })
    noStore(res).json({ id: party.id, webhook })
  })

  router.delete('/v1/relying-parties/:id/webhook', async (req, res) => {
    const party = await partyAt(req)
    await parties.setWebhook(party.id, null)
    audit(req, 'relying-party webhook removed', { relyingPartyId: party.id })
    noStore(res).json({ id: party.id, webhook: null })
  })

  // Self-service: the relying party behind the key, and nothing of another party. An officer's portal session
  // may read who its bank is, but the webhook (and its secret) is changed with the bank's API key only.
  const caller = async (req: Request): Promise<RelyingParty> => {
    parseQuery(req.query, NO_QUERY)
    const party = await relyingPartyOf(req, parties, { sessions: req.method === 'GET' })
    if (!party) throw new UnauthorizedError('ERR_AUTH_REQUIRED', 'send your relying-party key as "Authorization: Bearer <key>"')
    return party
  }

  router.get('/v1/relying-party', async (req, res) => {
    const party = await caller(req)
    const { keys: _keys, ...self } = await view(party, [], await webhookUrlOf(party.id))
    noStore(res).json(self)
  })

  router.put('/v1/relying-party/webhook', async (req, res) => {
    const party = await caller(req)
    const url = parseWebhookBody(req.body, deps.allowLoopbackWebhooks)
    const webhook = await newWebhook(party.id, url)
    logger.info('relying-party webhook set', { actor: `relying-party:${party.id}`, relyingPartyId: party.id, webhookUrl: url })
    noStore(res).json({ id: party.id, webhook })
  })

  router.delete('/v1/relying-party/webhook', async (req, res) => {
    const party = await caller(req)
    await parties.setWebhook(party.id, null)
    logger.info('relying-party webhook removed', { actor: `relying-party:${party.id}`, relyingPartyId: party.id })
    noStore(res).json({ id: party.id, webhook: null })
  })
  return router
}

/** 400 ERR_INVALID_REQUEST listing every problem (field, code, message) in `details`. */
function refuse(problems: FieldProblem[]): never {
  throw new BadRequestError('ERR_INVALID_REQUEST', problems.map((p) => `${p.field}: ${p.message}`).join('; '), { details: problems })
}

/** The body as an object whose fields are all in `allowed`; an absent body is `{}` when `optional`. */
function objectBody(body: unknown, allowed: readonly string[], optional = false): Record<string, unknown> {
  if (body === undefined && optional) return {}
  if (!body || typeof body !== 'object' || Array.isArray(body))
    refuse([{ field: '', code: 'ERR_FIELD_TYPE', message: 'the body must be a JSON object' }])
  const input = body as Record<string, unknown>
  const unknown = Object.keys(input).filter((key) => !allowed.includes(key))
  if (unknown.length > 0)
    refuse(
      unknown.map((key) => ({
        field: `/${key}`,
        code: 'ERR_FIELD_UNKNOWN',
        message: `not a field (the body takes ${allowed.join(', ')})`,
      })),
    )
  return input
}

/** A webhook URL as checkWebhookUrl accepts it (SSRF rules), or its problem at `field`. */
function webhookProblem(url: unknown, field: string, allowLoopback: boolean): FieldProblem | string {
  if (typeof url !== 'string') return { field, code: 'ERR_FIELD_TYPE', message: 'an absolute https URL (text)' }
  try {
    return checkWebhookUrl(url, { allowLoopback })
  } catch (error) {
    if (isAppError(error)) return { field, code: 'ERR_FIELD_INVALID', message: error.message }
    throw error
  }
}

/** POST /v1/relying-parties: `{id, name: {'zh-CN', en}, domain?, webhookUrl?}`, every problem at once. */
function parseCreateBody(
  body: unknown,
  allowLoopback: boolean,
): { id: string; nameZh: string; nameEn: string; domain?: string; webhookUrl?: string } {
  const input = objectBody(body, CREATE_FIELDS)
  const problems: FieldProblem[] = []
  if (input.id === undefined) problems.push({ field: '/id', code: 'ERR_FIELD_REQUIRED', message: 'required' })
  else {
    const problem = relyingPartyIdProblem(input.id)
    if (problem) problems.push({ field: '/id', code: 'ERR_FIELD_PATTERN', message: problem })
  }
  const names: Partial<Record<(typeof LANGUAGES)[number], string>> = {}
  const name = input.name
  if (name === undefined) problems.push({ field: '/name', code: 'ERR_FIELD_REQUIRED', message: "required: {'zh-CN': …, 'en': …}" })
  else if (!name || typeof name !== 'object' || Array.isArray(name))
    problems.push({ field: '/name', code: 'ERR_FIELD_TYPE', message: "an object of the display names {'zh-CN': …, 'en': …}" })
  else {
    for (const key of Object.keys(name).filter((k) => !(LANGUAGES as readonly string[]).includes(k)))
      problems.push({ field: `/name/${key}`, code: 'ERR_FIELD_UNKNOWN', message: 'the names are zh-CN and en' })
    for (const language of LANGUAGES) {
      const value = (name as Record<string, unknown>)[language]
      const field = `/name/${language}`
      if (value === undefined) problems.push({ field, code: 'ERR_FIELD_REQUIRED', message: 'required: a display name in both languages' })
      else if (typeof value !== 'string') problems.push({ field, code: 'ERR_FIELD_TYPE', message: 'text' })
      else {
        const trimmed = value.trim()
        const problem = relyingPartyNameProblem(trimmed)
        const length = trimmed.length === 0 || trimmed.length > RELYING_PARTY_NAME_MAX
        if (problem) problems.push({ field, code: length ? 'ERR_FIELD_LENGTH' : 'ERR_FIELD_INVALID', message: problem })
        else names[language] = trimmed
      }
    }
  }
  if (input.domain !== undefined) {
    const problem = relyingPartyDomainProblem(input.domain)
    if (problem) problems.push({ field: '/domain', code: 'ERR_FIELD_FORMAT', message: problem })
  }
  let webhookUrl: string | undefined
  if (input.webhookUrl !== undefined) {
    const checked = webhookProblem(input.webhookUrl, '/webhookUrl', allowLoopback)
    if (typeof checked === 'string') webhookUrl = checked
    else problems.push(checked)
  }
  if (problems.length > 0) refuse(problems)
  return {
    id: input.id as string,
    nameZh: names['zh-CN']!,
    nameEn: names.en!,
    ...(input.domain !== undefined ? { domain: input.domain as string } : {}),
    ...(webhookUrl !== undefined ? { webhookUrl } : {}),
  }
}

/** POST …/keys: an optional `{label}` (1 to 200 characters). */
function parseKeyBody(body: unknown): { label?: string } {
  const input = objectBody(body, ['label'], true)
  if (input.label === undefined) return {}
  const label = typeof input.label === 'string' ? input.label.trim() : undefined
  const problem = relyingPartyNameProblem(label)
  if (problem) refuse([{ field: '/label', code: 'ERR_FIELD_INVALID', message: problem.replace('a display name', 'a label') }])
  return { label }
}

/** PUT …/webhook: `{url}`, checked as webhooks are (https to a public host; loopback only where allowed). */
function parseWebhookBody(body: unknown, allowLoopback: boolean): string {
  const input = objectBody(body, ['url'])
  if (input.url === undefined)
    refuse([{ field: '/url', code: 'ERR_FIELD_REQUIRED', message: 'required: the https URL to announce results to' }])
  const checked = webhookProblem(input.url, '/url', allowLoopback)
  if (typeof checked !== 'string') refuse([checked])
  return checked
}
