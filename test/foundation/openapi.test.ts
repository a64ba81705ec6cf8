import { readFileSync, readdirSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import Ajv2020Module from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadAllSchemas, schemasDir } from '../../src/catalog/schemas/load-schemas.js'
import { createApp } from '../../src/http/create-app.js'
import { healthProbes } from '../../src/app/health-probes.js'
import { openApiDocument } from '../../src/http/openapi/openapi-document.js'
import { Openid4vpVerifier } from '../../src/verifying/openid4vp/openid4vp-verifier.js'
import { silentLogger } from '../../src/shared/logger.js'
import { PortalAccounts } from '../../src/accounts/portal-accounts.js'
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/config/account-settings.js'
import { relyingPartyApiDeps } from '../../src/app/relying-party-api-services.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { ALL_PRESENTATION_CHECKS, readDemo } from '../verification/verification-helpers.js'

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

type Json = any
type Call = (
  method: string,
  path: string,
  init?: { body?: unknown; form?: Record<string, string>; headers?: Record<string, string> },
) => Promise<{ status: number; body: Json; contentType: string }>

/** The routes of src/http/routes/*.ts served in both modes (and this document's own). */
const SHARED_ROUTES = [
  'GET /healthz',
  'GET /openapi.json',
  'GET /v1/network',
  'POST /v1/chain/rpc',
  'GET /v1/issuers',
  'GET /v1/issuers/{did}',
  'GET /1.0/identifiers/{did}',
  'POST /v1/presentation-requests',
  'GET /v1/presentation-requests/{id}',
  'GET /v1/presentation-requests/{id}/result',
  'POST /v1/presentations/verify',
  'POST /presentations/verify',
  'POST /credentials/verify',
  'GET /oid4vp/requests/{id}',
  'POST /oid4vp/responses/{id}',
  'GET /v1/schemas',
  'POST /v1/session',
  'GET /v1/session',
  'DELETE /v1/session',
  'POST /v1/session/password',
  'POST /v1/relying-parties',
  'GET /v1/relying-parties',
  'GET /v1/relying-parties/{id}',
  'POST /v1/relying-parties/{id}/keys',
  'DELETE /v1/relying-parties/{id}/keys/{keyId}',
  'PUT /v1/relying-parties/{id}/webhook',
  'DELETE /v1/relying-parties/{id}/webhook',
  'GET /v1/relying-party',
  'PUT /v1/relying-party/webhook',
  'DELETE /v1/relying-party/webhook',
]
/** The routes of the issuing side (full mode only). */
const ISSUER_ROUTES = [
  'POST /v1/credentials',
  'GET /v1/credentials',
  'GET /v1/credentials/{id}',
  'GET /v1/credentials/{id}/status',
  'POST /v1/credentials/{id}/revoke',
  'POST /v1/credentials/{id}/suspend',
  'POST /v1/credentials/{id}/reinstate',
  'POST /credentials/issue',
  'POST /v1/property/transfers',
  'POST /v1/property/units/{unitNumber}/current',
  'GET /v1/property/units/{unitNumber}/current',
  'GET /v1/audit',
  'GET /v1/audit/verify',
  'GET /status-lists/{departmentId}',
  'GET /vct/{type}',
  'GET /.well-known/openid-credential-issuer/oid4vci/{departmentId}',
  'GET /.well-known/oauth-authorization-server/oid4vci/{departmentId}',
  'GET /oid4vci/{departmentId}/jwks',
  'GET /oid4vci/{departmentId}/offers/{reference}',
  'POST /oid4vci/{departmentId}/token',
  'POST /oid4vci/{departmentId}/nonce',
  'POST /oid4vci/{departmentId}/credential',
  'POST /v1/credential-offers',
  'GET /v1/credential-offers/{id}',
  'GET /v1/credentials/stats',
  'POST /v1/feedback',
  'GET /v1/feedback',
  'POST /v1/onestop/rules',
  'GET /v1/onestop/rules',
  'GET /v1/onestop/rules/{id}/{version}',
  'POST /v1/onestop/rules/{id}/{version}/test',
  'POST /v1/onestop/rules/{id}/{version}/publish',
  'POST /v1/onestop/rules/{id}/{version}/retire',
  'GET /v1/onestop/bundles',
  'POST /v1/onestop/cases',
  'GET /v1/onestop/cases/{id}',
  'GET /v1/onestop/reviews',
  'POST /v1/onestop/reviews/{id}/approve',
  'POST /v1/onestop/reviews/{id}/refuse',
]
/** The issuing-side routes anyone may call (no department key). */
const PUBLIC_ISSUER_ROUTES = [
  'POST /v1/feedback',
  'GET /v1/onestop/rules',
  'GET /v1/onestop/rules/{id}/{version}',
  'GET /v1/onestop/bundles',
  'POST /v1/onestop/cases',
  // The case's own access token, not a department's.
  'GET /v1/onestop/cases/{id}',
  // Operators', not departments'.
  'GET /v1/feedback',
  'POST /v1/property/units/{unitNumber}/current',
  'GET /v1/property/units/{unitNumber}/current',
  'GET /status-lists/{departmentId}',
  'GET /vct/{type}',
  'GET /.well-known/openid-credential-issuer/oid4vci/{departmentId}',
  'GET /.well-known/oauth-authorization-server/oid4vci/{departmentId}',
  'GET /oid4vci/{departmentId}/jwks',
  'GET /oid4vci/{departmentId}/offers/{reference}',
  'POST /oid4vci/{departmentId}/token',
  'POST /oid4vci/{departmentId}/nonce',
  'POST /oid4vci/{departmentId}/credential',
]
/** The OpenID4VCI endpoints answering refusals in the OAuth shape ({"error": "<code>", "error_description", "govcred_code"}). */
const OAUTH_ROUTES = [
  'POST /oid4vci/{departmentId}/token',
  'POST /oid4vci/{departmentId}/nonce',
  'POST /oid4vci/{departmentId}/credential',
  'GET /oid4vp/requests/{id}',
  'POST /oid4vp/responses/{id}',
]
const FORM = 'application/x-www-form-urlencoded'
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']
const DUMMY: Record<string, string> = {
  did: 'did:ethr:govcred:0x0000000000000000000000000000000000000001',
  id: 'urn:uuid:00000000-0000-4000-8000-000000000000',
  unitNumber: 'dummy',
  // A real department, so that the OpenID4VCI routes answer past their department check.
  departmentId: 'market-supervision',
}

interface Operation {
  method: string
  template: string
  op: Json
}

function operations(doc: Json): Operation[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([template, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((method) => ({ method: method.toUpperCase(), template, op: item[method] })),
  )
}
const routeNames = (doc: Json) => operations(doc).map(({ method, template }) => `${method} ${template}`)
const fill = (template: string) => template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(DUMMY[name] ?? 'dummy'))

function caller(base: string): Call {
  return async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers }
    let body: string | undefined
    if (init.form !== undefined) {
      headers['content-type'] = FORM
      body = new URLSearchParams(init.form).toString()
    } else if (init.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(init.body)
    }
    const res = await fetch(`${base}${path}`, { method, headers, body })
    const text = await res.text()
    let answer: Json = text
    try {
      answer = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON
    }
    return { status: res.status, body: answer, contentType: res.headers.get('content-type') ?? '' }
  }
}

/** An ajv holding the document's component schemas (refs rewritten to $defs) and the claim schemas by $id. */
function documentAjv(doc: Json) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats(ajv, ['date', 'date-time'])
  ajv.addFormat('uscc', true)
  ajv.addFormat('property-unit-number', true)
  ajv.addKeyword({ keyword: 'x-govcred', schemaType: 'object' })
  for (const loaded of loadAllSchemas()) ajv.addSchema(loaded.schema as object)
  const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('"#/components/schemas/', '"urn:govcred:openapi#/$defs/'))
  ajv.addSchema({ $id: 'urn:govcred:openapi', $defs: defs })
  return {
    ajv,
    validatorFor: (schema: Json) =>
      ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"urn:govcred:openapi#/$defs/'))),
  }
}

/** The stable ERR_ code of an error answer: `error.code`, or `govcred_code` of an OAuth error (`error` a string). */
const codeOf = (body: Json): string | undefined => (typeof body?.error === 'string' ? body.govcred_code : body?.error?.code)

/** An empty body of the operation's media type: `{}`, or an empty form. */
const emptyBody = (op: Json) => (!op.requestBody ? {} : op.requestBody.content[FORM] ? { form: {} } : { body: {} })

/**
 * Calls every documented operation (dummy path values, an empty body of its media type) and checks it is
 * routed (not the notFoundHandler's ERR_NOT_FOUND), never a 5xx, answers with a documented status and ERR_
 * code (and OAuth error code), and with a body that matches the documented schema.
 */
async function exerciseEveryOperation(doc: Json, call: Call, auth: Record<string, string>): Promise<void> {
  const { validatorFor } = documentAjv(doc)
  for (const { method, template, op } of operations(doc)) {
    const attempts = op.security ? [{}, auth] : [{}]
    for (const headers of attempts) {
      const label = `${method} ${template}${headers === auth ? ' (with a key)' : ''}`
      const { status, body, contentType } = await call(method, fill(template), { ...emptyBody(op), headers })
      expect(status === 404 && body?.error?.code === 'ERR_NOT_FOUND', `${label} is routed`).toBe(false)
      expect(status, `${label}: ${JSON.stringify(body)}`).toBeLessThan(500)
      const response = op.responses[String(status)]
      expect(response, `${label} answered ${status}, which is documented`).toBeDefined()
      if (body?.error) expect(response['x-error-codes'], `${label} documents ${codeOf(body)}`).toContain(codeOf(body))
      if (typeof body?.error === 'string') {
        expect(OAUTH_ROUTES, `${label} answers the OAuth error shape`).toContain(`${method} ${template}`)
        expect(response['x-oauth-error-codes'], `${label} documents ${body.error}`).toContain(body.error)
      }
      const [, media] = Object.entries(response.content ?? {}).find(([type]) => contentType.startsWith(type.split(';')[0])) ?? []
      expect(media, `${label} answers ${contentType}, which is documented`).toBeDefined()
      const validate = validatorFor((media as Json).schema)
      expect(validate(body), `${label}: ${JSON.stringify(validate.errors)}`).toBe(true)
    }
    // Without a key, exactly the documented department routes refuse.
    const anonymous = await call(method, fill(template), emptyBody(op))
    // A security list with an empty alternative ({}) makes the key optional (relying parties on the verifier routes).
    const keyRequired = op.security && !op.security.some((alternative: Json) => Object.keys(alternative).length === 0)
    if (keyRequired) expect(codeOf(anonymous.body), `${method} ${template} needs a key`).toBe('ERR_AUTH_REQUIRED')
    else expect(anonymous.status, `${method} ${template} needs no key`).not.toBe(401)
  }
}

/** Every `$ref` in `node`, with where it sits. */
function* refs(node: Json, at = '#'): Generator<[string, string]> {
  if (Array.isArray(node)) for (const [i, child] of node.entries()) yield* refs(child, `${at}/${i}`)
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') yield [at, value]
      else yield* refs(value, `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`)
    }
  }
}

function resolvePointer(doc: Json, pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<Json>((node, segment) => (node && typeof node === 'object' ? node[segment] : undefined), doc)
}

/** Every `'ERR_…'` literal in src/. */
function errorCodesInSource(): Set<string> {
  const codes = new Set<string>()
  for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    for (const match of readFileSync(join('src', file), 'utf8').matchAll(/'(ERR_[A-Z0-9_]+)'/g)) codes.add(match[1])
  }
  return codes
}

let service: TestService
let doc: Json
let verifierApp: { server: Server; url: string } | undefined

beforeAll(async () => {
  service = await startTestService()
  doc = (await service.api('/openapi.json')).body
})
afterAll(async () => {
  const server = verifierApp?.server
  if (server) {
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
  await service?.dispose()
})

describe('GET /openapi.json (full mode)', () => {
  it('is an OpenAPI 3.1 document of this version, for the server the caller reached', async () => {
    const { status, headers } = await service.api('/openapi.json')
    expect(status).toBe(200)
    expect(headers.get('content-type')).toMatch(/^application\/json/)
    expect(doc.openapi).toMatch(/^3\.1\./)
    expect(doc.info).toMatchObject({ title: 'govcred', version: JSON.parse(readFileSync('package.json', 'utf8')).version })
    expect(doc.info.description).toMatch(/[\u4e00-\u9fff]/)
    expect(doc.servers).toEqual([expect.objectContaining({ url: service.url })])
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
  })

  it('documents every route of the route files, and nothing else', () => {
    expect(routeNames(doc).sort()).toEqual([...SHARED_ROUTES, ...ISSUER_ROUTES].sort())
  })

  it('routes every documented operation, without a 5xx, with documented statuses, codes and bodies', async () => {
    const demo = readDemo(service)
    await exerciseEveryOperation(doc, caller(service.url), { authorization: `Bearer ${demo.PropertyCertificateCredential.apiKey}` })
  })

  it('applies bearerAuth to the department routes only', () => {
    const secured = operations(doc)
      .filter(({ op }) => op.security?.some((alternative: Json) => 'bearerAuth' in alternative))
      .map(({ method, template }) => `${method} ${template}`)
    expect(secured.sort()).toEqual(ISSUER_ROUTES.filter((r) => !PUBLIC_ISSUER_ROUTES.includes(r)).sort())
    expect(secured).toEqual(expect.arrayContaining(['POST /v1/credential-offers', 'GET /v1/credential-offers/{id}']))
    // A department's key, or a clerk's portal session.
    for (const { op } of operations(doc).filter(({ op }) => op.security?.some((alternative: Json) => 'bearerAuth' in alternative)))
      expect(op.security).toEqual([{ bearerAuth: [] }, { portalSession: [] }])
    // The credential endpoint takes the access token of the token endpoint, not a department key.
    const accessToken = operations(doc)
      .filter(({ op }) => op.security?.some((alternative: Json) => 'oid4vciAccessToken' in alternative))
      .map(({ method, template, op }) => [`${method} ${template}`, op.security])
    expect(accessToken).toEqual([['POST /oid4vci/{departmentId}/credential', [{ oid4vciAccessToken: [] }]]])
    expect(doc.components.securitySchemes.oid4vciAccessToken).toMatchObject({ type: 'http', scheme: 'bearer' })
    const relyingParty = operations(doc)
      .filter(({ op }) => op.security?.some((alternative: Json) => 'relyingPartyAuth' in alternative))
      .map(({ method, template }) => `${method} ${template}`)
    expect(relyingParty.sort()).toEqual(
      [
        'POST /v1/presentation-requests',
        'GET /v1/presentation-requests/{id}',
        'GET /v1/presentation-requests/{id}/result',
        'POST /v1/presentations/verify',
        'GET /v1/relying-party',
        'PUT /v1/relying-party/webhook',
        'DELETE /v1/relying-party/webhook',
      ].sort(),
    )
  })
})

describe('the document, structurally', () => {
  it('has the named component schemas, and every $ref resolves (claim schemas by their $id)', () => {
    for (const name of [
      'Error',
      'VerificationResult',
      'Check',
      'IssueRequest',
      'IssuedCredential',
      'StatusChangeResult',
      'PresentationRequest',
      'AuditEntry',
      'Network',
      'Issuer',
    ]) {
      expect(doc.components.schemas[name], name).toBeDefined()
    }
    const claimIds = new Set(readdirSync(schemasDir()).map((f) => JSON.parse(readFileSync(join(schemasDir(), f), 'utf8')).$id))
    const external = new Set<string>()
    for (const [at, target] of refs(doc)) {
      if (target.startsWith('#/')) expect(resolvePointer(doc, target), `${at} → ${target}`).toBeDefined()
      else {
        expect(claimIds, `${at} → ${target}`).toContain(target)
        external.add(target)
      }
    }
    expect([...external].sort()).toEqual([...claimIds].sort())
  })

  it('compiles every component schema as JSON Schema 2020-12 (strict)', () => {
    const { validatorFor } = documentAjv(doc)
    for (const name of Object.keys(doc.components.schemas))
      expect(() => validatorFor({ $ref: `#/components/schemas/${name}` }), name).not.toThrow()
  })

  it('has unique operation ids, declared path parameters and error responses listing codes that exist', () => {
    const ids = operations(doc).map(({ op }) => op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    const known = errorCodesInSource()
    for (const { method, template, op } of operations(doc)) {
      const inTemplate = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
      const declared = (op.parameters ?? [])
        .filter((p: Json) => p.in === 'path')
        .map((p: Json) => p.name)
        .sort()
      expect(declared, `${method} ${template}`).toEqual(inTemplate)
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        expect(response.description, `${method} ${template} ${status}`).toBeTruthy()
        if (Number(status) >= 400 && response['x-error-codes']) {
          for (const code of response['x-error-codes']) {
            expect(known, `${method} ${template} ${status}: ${code} is thrown somewhere in src/`).toContain(code)
            expect(response.description).toContain(code)
          }
        }
      }
    }
  })

  it('documents the OAuth error shape on the OpenID4VCI endpoints only, and the token request as a form', () => {
    for (const { method, template, op } of operations(doc)) {
      const oauth = Object.entries(op.responses as Record<string, Json>).filter(([, r]) => r['x-oauth-error-codes'])
      if (!OAUTH_ROUTES.includes(`${method} ${template}`)) {
        expect(oauth, `${method} ${template}`).toEqual([])
        expect(JSON.stringify(op), `${method} ${template}`).not.toContain('OAuthError')
        continue
      }
      expect(oauth.length, `${method} ${template}`).toBeGreaterThan(0)
      for (const [status, response] of oauth) {
        expect(JSON.stringify(response.content), `${method} ${template} ${status}`).toContain('#/components/schemas/OAuthError')
        for (const code of response['x-oauth-error-codes']) expect(response.description).toContain(code)
      }
      // The rate limiter answers before the route, in the house shape.
      expect(op.responses['429']['x-error-codes']).toEqual(['ERR_RATE_LIMITED'])
      expect(op.responses['429'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' })
    }
    const token = doc.paths['/oid4vci/{departmentId}/token'].post
    expect(Object.keys(token.requestBody.content)).toEqual([FORM])
    expect(token.responses['400']['x-oauth-error-codes']).toEqual(
      expect.arrayContaining(['invalid_request', 'invalid_grant', 'unsupported_grant_type']),
    )
    expect(token.responses['400']['x-error-codes']).toEqual(expect.arrayContaining(['ERR_TX_CODE_INVALID', 'ERR_OFFER_VOIDED']))
    const credential = doc.paths['/oid4vci/{departmentId}/credential'].post
    expect(credential.responses['400']['x-oauth-error-codes']).toEqual(expect.arrayContaining(['invalid_proof', 'invalid_nonce']))
    expect(credential.responses['401']['x-oauth-error-codes']).toContain('invalid_token')
  })

  it("names every check a verification runs: a VP-JWT presentation's, and those of SD-JWT VCs over OpenID4VP", () => {
    const sdJwtChecks = ['disclosures', 'keyBinding', 'requestedClaims']
    expect([...doc.components.schemas.Check.properties.check.enum].sort()).toEqual([...ALL_PRESENTATION_CHECKS, ...sdJwtChecks].sort())
  })
})

describe('GET /openapi.json (verifier mode)', () => {
  let vdoc: Json
  let call: Call

  beforeAll(async () => {
    const { ctx, verifier } = service
    const app = createApp({
      health: healthProbes(ctx.provider, ctx.db),
      resolveDid: (did) => verifier.deps.cache.resolveDid(did),
      deployments: ctx.deployments,
      publicRpcUrl: ctx.rpcUrl,
      chainRpc: { upstreamUrl: ctx.rpcUrl },
      logger: silentLogger,
      verifier,
      // Verifier-only mode serves OpenID4VP too (with the certificates installed there).
      openid4vp: new Openid4vpVerifier({
        requests: verifier.deps.requests,
        parties: verifier.relyingParties,
        identities: service.relyingPartyIdentities,
        ctx: verifier.deps,
        ensureFresh: () => verifier.watcher.ensureFresh(),
        publicUrl: () => verifierApp?.url ?? service.url,
      }),
      trustRegistry: ctx.agent,
      schemaRegistry: ctx.registries.schemas,
      accounts: { portal: new PortalAccounts(ctx.db, DEFAULT_ACCOUNT_SETTINGS), publicUrl: () => service.url },
      ...relyingPartyApiDeps(ctx.db, verifier.relyingParties, ctx.kmsSecret.secret, { allowLoopback: false }),
      mode: 'verifier',
    })
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    verifierApp = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
    call = caller(verifierApp.url)
    vdoc = (await call('GET', '/openapi.json')).body
  })

  it("documents the verifier routes only, with the relying parties', operators' and portal sessions' security schemes and no issuer-side schema", () => {
    expect(vdoc).toEqual(openApiDocument({ mode: 'verifier', serverUrl: verifierApp!.url }))
    expect(routeNames(vdoc).sort()).toEqual([...SHARED_ROUTES].sort())
    expect(Object.keys(vdoc.components.securitySchemes)).toEqual(['relyingPartyAuth', 'operatorAuth', 'portalSession'])
    expect(vdoc.components.schemas.IssueRequest).toBeUndefined()
    // OpenID4VP's refusals (the request and response endpoints) are in the OAuth shape.
    expect(vdoc.components.schemas.OAuthError).toBeDefined()
    expect(vdoc.tags.map((t: Json) => t.name)).not.toContain('oid4vci')
    expect(vdoc.components.schemas.VerificationResult).toBeDefined()
  })

  it('routes every documented operation, and none of the department routes', async () => {
    await exerciseEveryOperation(vdoc, call, {})
    for (const route of ISSUER_ROUTES) {
      const [method, template] = route.split(' ')
      const { status, body } = await call(method, fill(template), { body: method === 'POST' ? {} : undefined })
      expect([status, body?.error?.code], route).toEqual([404, 'ERR_NOT_FOUND'])
    }
  })
})
