// Issue 12, item 1 ("registered (CLI and API)"): relying parties over HTTP. The platform operator (an operator
// key, `govcred operator key-create`) registers banks, lists them, makes and revokes their keys and sets their
// webhooks; a bank reads who it is registered as and sets its own webhook, and nothing of another bank. Real
// service (Anvil, SQLite, HTTP on loopback), the real CLI, and a verifier-only node beside it.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Ajv2020Module from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { relyingPartyApiDeps } from '../../src/app/relying-party-api-services.js'
import { healthProbes } from '../../src/app/health-probes.js'
import { startVerifier, type RunningVerifier } from '../../src/app/start-verifier.js'
import { loadAllSchemas } from '../../src/catalog/schemas/load-schemas.js'
import { loadVerifierConfig } from '../../src/config/verifier-config.js'
import { createApp } from '../../src/http/create-app.js'
import { silentLogger, type Logger } from '../../src/shared/logger.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer } from './verification-helpers.js'

const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default
const PROJECT_ROOT = new URL('../..', import.meta.url).pathname

type Json = any
type Call = (
  path: string,
  init?: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> },
) => Promise<{
  status: number
  body: Json
  headers: Headers
}>

/** fetch against `base`, JSON in and out, with `key` as the bearer. */
const caller =
  (base: () => string): Call =>
  async (path, init = {}) => {
    const headers: Record<string, string> = { ...(init.key ? bearer(init.key) : {}), ...init.headers }
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`${base()}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers }
  }

/** The real CLI (`govcred …`) with only the given GOVCRED_ variables: exit code, JSON out (when 0), stderr. */
function cli(args: string[], govcredEnv: Record<string, string>): Promise<{ code: number | null; out: Json; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, GOVCRED_LOG_LEVEL: 'silent', ...govcredEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('exit', (code) => resolve({ code, out: code === 0 ? JSON.parse(stdout) : undefined, stderr }))
  })
}

/** The 400's field details as [field, code] pairs. */
const fieldsOf = (body: Json): [string, string][] => (body?.error?.details ?? []).map((d: Json) => [d.field, d.code])

const NAMES = { 'zh-CN': '测试银行（接口）', en: 'API Test Bank' }
const LOAN_CHECK = {
  protocol: 'openid4vp',
  credentials: [{ id: 'licence', type: 'BusinessLicenseCredential', claims: ['enterpriseName', 'unifiedSocialCreditCode'] }],
  purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
}

let service: TestService
let api: Call
let operatorKey: string
let departmentKey: string
let demoBankKey: string

beforeAll(async () => {
  // Loopback webhooks refused, as on a production node: the SSRF rules are what is tested.
  service = await startTestService({ env: { GOVCRED_WEBHOOK_ALLOW_LOOPBACK: 'false' } })
  api = caller(() => service.url)
  const demo = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8'))
  operatorKey = demo.operator.apiKey
  departmentKey = demo.departments[0].apiKey
  demoBankKey = demo.relyingParties[0].apiKey
}, 120_000)
afterAll(async () => service?.dispose())

/** Registers a party as the operator; throws unless 201. */
async function register(id: string, extra: Record<string, unknown> = {}) {
  const created = await api('/v1/relying-parties', { key: operatorKey, body: { id, name: NAMES, ...extra } })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  return created
}

describe('who may call the operator routes', () => {
  it('demo.json holds an operator key (0600), kept across the bootstrap', () => {
    expect(operatorKey).toMatch(/^gop_[A-Za-z0-9_-]{43}$/)
    expect(statSync(join(service.dataDir, 'demo.json')).mode & 0o077).toBe(0)
  })

  it('anonymous → 401 ERR_AUTH_REQUIRED; a department key, a relying-party key or garbage → 401 ERR_AUTH_INVALID', async () => {
    const routes: [string, string, unknown?][] = [
      ['POST', '/v1/relying-parties', { id: 'nobody-bank', name: NAMES }],
      ['GET', '/v1/relying-parties'],
      ['GET', '/v1/relying-parties/demo-bank-of-nanjing'],
      ['POST', '/v1/relying-parties/demo-bank-of-nanjing/keys', {}],
      ['PUT', '/v1/relying-parties/demo-bank-of-nanjing/webhook', { url: 'https://evil.example/hook' }],
      ['DELETE', '/v1/relying-parties/demo-bank-of-nanjing/webhook'],
    ]
    for (const [method, path, body] of routes) {
      const anonymous = await api(path, { method, body })
      expect([anonymous.status, anonymous.body.error.code], `${method} ${path}`).toEqual([401, 'ERR_AUTH_REQUIRED'])
      for (const headers of [bearer(departmentKey), bearer(demoBankKey), { authorization: 'Basic b3A6b3A=' }, bearer('gop_forged')]) {
        const refused = await api(path, { method, body, headers })
        expect([refused.status, refused.body.error.code], `${method} ${path} ${headers.authorization.slice(0, 10)}`).toEqual([
          401,
          'ERR_AUTH_INVALID',
        ])
      }
    }
    // Nothing was registered and the demo bank has no webhook.
    expect((await api('/v1/relying-parties/nobody-bank', { key: operatorKey })).status).toBe(404)
    expect((await api('/v1/relying-party', { key: demoBankKey })).body.webhookUrl).toBeNull()
  })
})

describe('the operator registers a relying party', () => {
  let partyKey: string

  it('creates it with its key and webhook secret shown once, and a request signed for its domain', async () => {
    const created = await register('api-bank-a', { domain: 'Bank-A.example', webhookUrl: 'https://hooks.bank-a.example/govcred' })
    expect(created.headers.get('cache-control')).toBe('no-store')
    expect(created.headers.get('location')).toBe('/v1/relying-parties/api-bank-a')
    expect(created.body).toMatchObject({
      id: 'api-bank-a',
      name: NAMES,
      domain: 'bank-a.example',
      clientId: 'x509_san_dns:bank-a.example',
      webhookUrl: 'https://hooks.bank-a.example/govcred',
      verifierCertificate: null,
      apiKey: { id: expect.any(String), key: expect.stringMatching(/^grp_[A-Za-z0-9_-]{43}$/) },
      webhook: { url: 'https://hooks.bank-a.example/govcred', secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/) },
    })
    expect(created.body.keys).toEqual([
      { id: created.body.apiKey.id, label: expect.any(String), createdAt: expect.any(String), revokedAt: null },
    ])
    partyKey = created.body.apiKey.key

    // The new party's key makes an OpenID4VP request, signed under its own client identifier.
    const request = await api('/v1/presentation-requests', { key: partyKey, body: LOAN_CHECK })
    expect(request.status, JSON.stringify(request.body)).toBe(201)
    expect(request.body.verifier).toEqual({ id: 'api-bank-a', name: NAMES })
    const jwt = await (await fetch(request.body.requestUri)).text()
    expect(JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).client_id).toBe('x509_san_dns:bank-a.example')

    // Its verifier certificate now exists and is listed by fingerprint.
    const party = await api('/v1/relying-parties/api-bank-a', { key: operatorKey })
    expect(party.status).toBe(200)
    expect(party.body.verifierCertificate).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), notAfter: expect.any(String) })
  })

  it('lists every party with client ids, fingerprints, key ids and webhook URLs, never a secret or a hash', async () => {
    const listed = await api('/v1/relying-parties', { key: operatorKey })
    expect(listed.status).toBe(200)
    const ids = listed.body.relyingParties.map((p: Json) => p.id)
    expect(ids).toEqual(expect.arrayContaining(['demo-bank-of-nanjing', 'api-bank-a']))
    const demoBank = listed.body.relyingParties.find((p: Json) => p.id === 'demo-bank-of-nanjing')
    expect(demoBank.clientId).toMatch(/^x509_san_dns:/)
    expect(demoBank.verifierCertificate.sha256).toMatch(/^[0-9a-f]{64}$/)
    const text = JSON.stringify(listed.body)
    for (const secret of ['grp_', 'whsec_', 'keyHash', 'webhookSecret', partyKey]) expect(text).not.toContain(secret)
    expect(listed.body.relyingParties.find((p: Json) => p.id === 'api-bank-a').webhookUrl).toBe('https://hooks.bank-a.example/govcred')
  })

  it('makes and revokes keys: a revoked key is refused at once; another party cannot revoke it', async () => {
    const made = await api('/v1/relying-parties/api-bank-a/keys', { key: operatorKey, body: { label: 'loan desk' } })
    expect(made.status).toBe(201)
    expect(made.body).toMatchObject({
      relyingPartyId: 'api-bank-a',
      label: 'loan desk',
      revokedAt: null,
      key: expect.stringMatching(/^grp_/),
    })
    expect((await api('/v1/relying-party', { key: made.body.key })).body.id).toBe('api-bank-a')

    // A key of api-bank-a named under the demo bank: unknown there, and still working.
    const elsewhere = await api(`/v1/relying-parties/demo-bank-of-nanjing/keys/${made.body.id}`, { method: 'DELETE', key: operatorKey })
    expect([elsewhere.status, elsewhere.body.error.code]).toEqual([404, 'ERR_RELYING_PARTY_KEY_NOT_FOUND'])
    expect((await api('/v1/relying-party', { key: made.body.key })).status).toBe(200)

    const revoked = await api(`/v1/relying-parties/api-bank-a/keys/${made.body.id}`, { method: 'DELETE', key: operatorKey })
    expect([revoked.status, revoked.body]).toEqual([200, { id: made.body.id, relyingPartyId: 'api-bank-a', revoked: true }])
    const refused = await api('/v1/relying-party', { key: made.body.key })
    expect([refused.status, refused.body.error.code]).toEqual([401, 'ERR_AUTH_INVALID'])
    const again = await api(`/v1/relying-parties/api-bank-a/keys/${made.body.id}`, { method: 'DELETE', key: operatorKey })
    expect([again.status, again.body.error.code]).toEqual([404, 'ERR_RELYING_PARTY_KEY_NOT_FOUND'])
    const listedKeys = (await api('/v1/relying-parties/api-bank-a', { key: operatorKey })).body.keys
    expect(listedKeys.find((k: Json) => k.id === made.body.id).revokedAt).toEqual(expect.any(String))
    // The first key still works.
    expect((await api('/v1/relying-party', { key: partyKey })).status).toBe(200)

    for (const path of ['/v1/relying-parties/no-such-bank/keys', '/v1/relying-parties/..%2f..%2fetc/keys']) {
      const unknown = await api(path, { key: operatorKey, body: {} })
      expect([unknown.status, unknown.body.error.code], path).toEqual([404, 'ERR_RELYING_PARTY_NOT_FOUND'])
    }
    const badLabel = await api('/v1/relying-parties/api-bank-a/keys', { key: operatorKey, body: { label: 'a\nb', scopes: ['*'] } })
    expect(badLabel.status).toBe(400)
    expect(fieldsOf(badLabel.body)).toEqual([['/scopes', 'ERR_FIELD_UNKNOWN']])
  })

  it('sets, replaces and removes its webhook (a new secret each time)', async () => {
    const first = await api('/v1/relying-parties/api-bank-a/webhook', {
      method: 'PUT',
      key: operatorKey,
      body: { url: 'https://hooks.bank-a.example/v2' },
    })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({
      id: 'api-bank-a',
      webhook: { url: 'https://hooks.bank-a.example/v2', secret: expect.stringMatching(/^whsec_/) },
    })
    const second = await api('/v1/relying-parties/api-bank-a/webhook', {
      method: 'PUT',
      key: operatorKey,
      body: { url: 'https://hooks.bank-a.example/v2' },
    })
    expect(second.body.webhook.secret).not.toBe(first.body.webhook.secret)
    expect((await api('/v1/relying-parties/api-bank-a', { key: operatorKey })).body.webhookUrl).toBe('https://hooks.bank-a.example/v2')
    const removed = await api('/v1/relying-parties/api-bank-a/webhook', { method: 'DELETE', key: operatorKey })
    expect([removed.status, removed.body]).toEqual([200, { id: 'api-bank-a', webhook: null }])
    expect((await api('/v1/relying-parties/api-bank-a', { key: operatorKey })).body.webhookUrl).toBeNull()
  })

  it('refuses a duplicate id with 409, leaving the first party as it was', async () => {
    const duplicate = await api('/v1/relying-parties', {
      key: operatorKey,
      body: { id: 'api-bank-a', name: { 'zh-CN': '冒名', en: 'Impostor' } },
    })
    expect([duplicate.status, duplicate.body.error.code]).toEqual([409, 'ERR_RELYING_PARTY_EXISTS'])
    expect((await api('/v1/relying-parties/api-bank-a', { key: operatorKey })).body.name).toEqual(NAMES)
  })
})

describe('bad input → 400 with field details, nothing registered', () => {
  const cases: [string, Record<string, unknown>, [string, string][]][] = [
    ['an id that is not a slug', { id: 'Bad_ID', name: NAMES }, [['/id', 'ERR_FIELD_PATTERN']]],
    ['a one-letter id', { id: 'a', name: NAMES }, [['/id', 'ERR_FIELD_PATTERN']]],
    [
      'no id, no names',
      {},
      [
        ['/id', 'ERR_FIELD_REQUIRED'],
        ['/name', 'ERR_FIELD_REQUIRED'],
      ],
    ],
    ['the English name missing', { id: 'bad-bank', name: { 'zh-CN': '银行' } }, [['/name/en', 'ERR_FIELD_REQUIRED']]],
    [
      'a name of blanks and an extra language',
      { id: 'bad-bank', name: { ...NAMES, en: '  ', fr: 'Banque' } },
      [
        ['/name/fr', 'ERR_FIELD_UNKNOWN'],
        ['/name/en', 'ERR_FIELD_LENGTH'],
      ],
    ],
    ['a name too long', { id: 'bad-bank', name: { ...NAMES, 'zh-CN': '银'.repeat(201) } }, [['/name/zh-CN', 'ERR_FIELD_LENGTH']]],
    ['a name with a line break', { id: 'bad-bank', name: { ...NAMES, en: 'Bank\nof lies' } }, [['/name/en', 'ERR_FIELD_INVALID']]],
    ['names as a string', { id: 'bad-bank', name: 'Bank' }, [['/name', 'ERR_FIELD_TYPE']]],
    ['a domain that is no DNS name', { id: 'bad-bank', name: NAMES, domain: 'bank example' }, [['/domain', 'ERR_FIELD_FORMAT']]],
    ['a domain of numbers that is no IPv4', { id: 'bad-bank', name: NAMES, domain: '300.1.1.1' }, [['/domain', 'ERR_FIELD_FORMAT']]],
    [
      'a loopback webhook (not allowed on this node)',
      { id: 'bad-bank', name: NAMES, webhookUrl: 'http://127.0.0.1:8080/hook' },
      [['/webhookUrl', 'ERR_FIELD_INVALID']],
    ],
    [
      'the cloud metadata address',
      { id: 'bad-bank', name: NAMES, webhookUrl: 'http://169.254.169.254/latest/meta-data' },
      [['/webhookUrl', 'ERR_FIELD_INVALID']],
    ],
    [
      'https to a link-local address',
      { id: 'bad-bank', name: NAMES, webhookUrl: 'https://169.254.169.254/' },
      [['/webhookUrl', 'ERR_FIELD_INVALID']],
    ],
    [
      'a private address in IPv6 form',
      { id: 'bad-bank', name: NAMES, webhookUrl: 'https://[::ffff:10.0.0.1]/hook' },
      [['/webhookUrl', 'ERR_FIELD_INVALID']],
    ],
    ['an unknown field', { id: 'bad-bank', name: NAMES, apiKey: 'grp_mine' }, [['/apiKey', 'ERR_FIELD_UNKNOWN']]],
    [
      'every problem at once',
      { id: '-', name: { en: 'x'.repeat(300) }, domain: '', webhookUrl: 42 },
      [
        ['/id', 'ERR_FIELD_PATTERN'],
        ['/name/zh-CN', 'ERR_FIELD_REQUIRED'],
        ['/name/en', 'ERR_FIELD_LENGTH'],
        ['/domain', 'ERR_FIELD_FORMAT'],
        ['/webhookUrl', 'ERR_FIELD_TYPE'],
      ],
    ],
  ]
  for (const [name, body, fields] of cases) {
    it(name, async () => {
      const refused = await api('/v1/relying-parties', { key: operatorKey, body })
      expect([refused.status, refused.body.error.code], JSON.stringify(refused.body)).toEqual([400, 'ERR_INVALID_REQUEST'])
      expect(fieldsOf(refused.body)).toEqual(fields)
    })
  }

  it('a body that is not an object, a query string, and a bad webhook on PUT', async () => {
    const array = await api('/v1/relying-parties', { key: operatorKey, body: [] })
    expect([array.status, fieldsOf(array.body)]).toEqual([400, [['', 'ERR_FIELD_TYPE']]])
    // JSON that is not an object or an array is refused by the strict body parser.
    for (const body of ['bank', null, 1]) {
      const refused = await api('/v1/relying-parties', { key: operatorKey, body })
      expect([refused.status, refused.body.error.code], JSON.stringify(body)).toEqual([400, 'ERR_MALFORMED_JSON'])
    }
    const query = await api('/v1/relying-parties?id=demo-bank-of-nanjing', { key: operatorKey })
    expect([query.status, query.body.error.code]).toEqual([400, 'ERR_INVALID_QUERY'])
    for (const url of [
      undefined,
      'http://169.254.169.254/',
      'https://user:pw@bank.example/',
      'https://intranet/hook',
      'ftp://bank.example/',
    ]) {
      const refused = await api('/v1/relying-parties/demo-bank-of-nanjing/webhook', { method: 'PUT', key: operatorKey, body: { url } })
      expect(refused.status, String(url)).toBe(400)
      expect(fieldsOf(refused.body).map(([field]) => field)).toEqual(['/url'])
    }
    expect((await api('/v1/relying-parties/bad-bank', { key: operatorKey })).status).toBe(404)
    expect((await api('/v1/relying-party', { key: demoBankKey })).body.webhookUrl).toBeNull()
  })
})

describe("a relying party's own view and webhook", () => {
  let keyA: string
  let keyB: string

  beforeAll(async () => {
    keyA = (await register('self-bank-a', { domain: 'self-a.example' })).body.apiKey.key
    keyB = (await register('self-bank-b')).body.apiKey.key
  })

  it('reads who it is, with no key list and nothing of another party', async () => {
    const self = await api('/v1/relying-party', { key: keyA })
    expect(self.status).toBe(200)
    expect(self.body).toEqual({
      id: 'self-bank-a',
      name: NAMES,
      domain: 'self-a.example',
      clientId: 'x509_san_dns:self-a.example',
      createdAt: expect.any(String),
      webhookUrl: null,
      verifierCertificate: null,
    })
    expect((await api('/v1/relying-party', { key: keyB })).body.id).toBe('self-bank-b')
  })

  it('sets and removes its own webhook; another party is not touched', async () => {
    const set = await api('/v1/relying-party/webhook', { method: 'PUT', key: keyA, body: { url: 'https://hooks.self-a.example/in' } })
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({
      id: 'self-bank-a',
      webhook: { url: 'https://hooks.self-a.example/in', secret: expect.stringMatching(/^whsec_/) },
    })
    expect((await api('/v1/relying-party', { key: keyA })).body.webhookUrl).toBe('https://hooks.self-a.example/in')
    expect((await api('/v1/relying-party', { key: keyB })).body.webhookUrl).toBeNull()

    const ssrf = await api('/v1/relying-party/webhook', { method: 'PUT', key: keyB, body: { url: 'http://169.254.169.254/' } })
    expect([ssrf.status, fieldsOf(ssrf.body)]).toEqual([400, [['/url', 'ERR_FIELD_INVALID']]])
    const removedB = await api('/v1/relying-party/webhook', { method: 'DELETE', key: keyB })
    expect([removedB.status, removedB.body]).toEqual([200, { id: 'self-bank-b', webhook: null }])
    expect((await api('/v1/relying-party', { key: keyA })).body.webhookUrl).toBe('https://hooks.self-a.example/in')

    const removedA = await api('/v1/relying-party/webhook', { method: 'DELETE', key: keyA })
    expect(removedA.body).toEqual({ id: 'self-bank-a', webhook: null })
    expect((await api('/v1/relying-parties/self-bank-a', { key: operatorKey })).body.webhookUrl).toBeNull()
  })

  it('needs its own key: anonymous 401 ERR_AUTH_REQUIRED; an operator or department key 401 ERR_AUTH_INVALID', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/relying-party', undefined],
      ['PUT', '/v1/relying-party/webhook', { url: 'https://hooks.self-a.example/in' }],
      ['DELETE', '/v1/relying-party/webhook', undefined],
    ] as const) {
      const anonymous = await api(path, { method, body })
      expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'ERR_AUTH_REQUIRED'])
      for (const key of [operatorKey, departmentKey]) {
        const refused = await api(path, { method, body, key })
        expect([refused.status, refused.body.error.code]).toEqual([401, 'ERR_AUTH_INVALID'])
      }
    }
  })

  it("a party's key on the operator routes cannot list, read or change another party", async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/relying-parties', undefined],
      ['GET', '/v1/relying-parties/self-bank-b', undefined],
      ['PUT', '/v1/relying-parties/self-bank-b/webhook', { url: 'https://evil.example/' }],
      ['POST', '/v1/relying-parties/self-bank-b/keys', {}],
    ] as const) {
      const refused = await api(path, { method, body, key: keyA })
      expect([refused.status, refused.body.error.code], `${method} ${path}`).toEqual([401, 'ERR_AUTH_INVALID'])
    }
    expect((await api('/v1/relying-parties/self-bank-b', { key: operatorKey })).body.keys).toHaveLength(1)
  })
})

describe('what the OpenAPI document says of these answers', () => {
  it('the answers match their documented schemas', async () => {
    const doc = (await api('/openapi.json')).body
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
    addFormats(ajv, ['date', 'date-time'])
    ajv.addFormat('uscc', true)
    ajv.addFormat('property-unit-number', true)
    ajv.addKeyword({ keyword: 'x-govcred', schemaType: 'object' })
    for (const loaded of loadAllSchemas()) ajv.addSchema(loaded.schema as object)
    const rewrite = (node: unknown) => JSON.parse(JSON.stringify(node).replaceAll('"#/components/schemas/', '"urn:govcred:openapi#/$defs/'))
    ajv.addSchema({ $id: 'urn:govcred:openapi', $defs: rewrite(doc.components.schemas) })
    const check = (path: string, method: string, status: number, body: Json) => {
      const validate = ajv.compile(rewrite(doc.paths[path][method].responses[status].content['application/json'].schema))
      expect(validate(body), `${method} ${path} ${status}: ${JSON.stringify(validate.errors)}`).toBe(true)
    }
    const created = await register('doc-bank', { webhookUrl: 'https://hooks.doc-bank.example/' })
    check('/v1/relying-parties', 'post', 201, created.body)
    check('/v1/relying-parties', 'get', 200, (await api('/v1/relying-parties', { key: operatorKey })).body)
    check('/v1/relying-parties/{id}', 'get', 200, (await api('/v1/relying-parties/demo-bank-of-nanjing', { key: operatorKey })).body)
    const key = await api('/v1/relying-parties/doc-bank/keys', { method: 'POST', key: operatorKey })
    check('/v1/relying-parties/{id}/keys', 'post', 201, key.body)
    const revoked = await api(`/v1/relying-parties/doc-bank/keys/${key.body.id}`, { method: 'DELETE', key: operatorKey })
    check('/v1/relying-parties/{id}/keys/{keyId}', 'delete', 200, revoked.body)
    check('/v1/relying-party', 'get', 200, (await api('/v1/relying-party', { key: created.body.apiKey.key })).body)
    const removed = await api('/v1/relying-party/webhook', { method: 'DELETE', key: created.body.apiKey.key })
    check('/v1/relying-party/webhook', 'delete', 200, removed.body)
    const refused = await api('/v1/relying-parties', { key: operatorKey, body: { id: 'Bad' } })
    check('/v1/relying-parties', 'post', 400, refused.body)
    expect(doc.paths['/v1/relying-parties'].post.security).toEqual([{ operatorAuth: [] }, { portalSession: [] }])
    expect(doc.paths['/v1/relying-party'].get.security).toEqual([{ relyingPartyAuth: [] }])
  })
})

describe('the audit of changes over HTTP', () => {
  let server: Server | undefined
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

  it('logs each change with the operator actor, and never a key or a secret', async () => {
    const lines: { message: string; fields: Record<string, unknown> }[] = []
    const logger: Logger = { info: (message, fields = {}) => lines.push({ message, fields }), warn() {}, error() {} }
    const { ctx, verifier } = service
    const app = createApp({
      deployments: ctx.deployments,
      publicRpcUrl: ctx.rpcUrl,
      logger,
      health: healthProbes(ctx.provider, ctx.db),
      verifier,
      ...relyingPartyApiDeps(ctx.db, verifier.relyingParties, ctx.kmsSecret.secret, { allowLoopback: false }),
    })
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    const local = caller(() => `http://127.0.0.1:${(server!.address() as AddressInfo).port}`)
    const operatorKeyId = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).operator.keyId
    const created = await local('/v1/relying-parties', {
      key: operatorKey,
      body: { id: 'audited-bank', name: NAMES, webhookUrl: 'https://hooks.audited.example/' },
    })
    expect(created.status).toBe(201)
    const key = await local('/v1/relying-parties/audited-bank/keys', { key: operatorKey, body: { label: 'teller' } })
    await local(`/v1/relying-parties/audited-bank/keys/${key.body.id}`, { method: 'DELETE', key: operatorKey })
    await local('/v1/relying-parties/audited-bank/webhook', { method: 'DELETE', key: operatorKey })
    await local('/v1/relying-party/webhook', {
      method: 'PUT',
      key: created.body.apiKey.key,
      body: { url: 'https://hooks.audited.example/2' },
    })

    expect(lines.map((l) => [l.message, l.fields.actor, l.fields.relyingPartyId])).toEqual([
      ['relying party registered', `operator-key:${operatorKeyId}`, 'audited-bank'],
      ['relying-party key created', `operator-key:${operatorKeyId}`, 'audited-bank'],
      ['relying-party key revoked', `operator-key:${operatorKeyId}`, 'audited-bank'],
      ['relying-party webhook removed', `operator-key:${operatorKeyId}`, 'audited-bank'],
      ['relying-party webhook set', 'relying-party:audited-bank', 'audited-bank'],
    ])
    expect(lines[0]!.fields).toMatchObject({ apiKeyId: created.body.apiKey.id, webhookUrl: 'https://hooks.audited.example/' })
    const logged = JSON.stringify(lines)
    for (const secret of [operatorKey, created.body.apiKey.key, key.body.key, created.body.webhook.secret, 'grp_', 'gop_', 'whsec_'])
      expect(logged).not.toContain(secret)
  })
})

describe('govcred operator (the real CLI)', () => {
  it('key-create prints the key once; the key works until key-revoke; key-list shows no secret', async () => {
    const env = { GOVCRED_DATA_DIR: service.dataDir }
    const created = await cli(['operator', 'key-create', '--label', 'platform desk'], env)
    expect(created.code, created.stderr).toBe(0)
    expect(created.out).toMatchObject({
      id: expect.any(String),
      label: 'platform desk',
      revokedAt: null,
      key: expect.stringMatching(/^gop_/),
    })
    expect(created.stderr).toMatch(/shown once/)

    const registered = await api('/v1/relying-parties', { key: created.out.key, body: { id: 'cli-key-bank', name: NAMES } })
    expect(registered.status).toBe(201)

    const listed = await cli(['operator', 'key-list'], env)
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.out.map((k: Json) => k.id)).toEqual(expect.arrayContaining([created.out.id]))
    expect(JSON.stringify(listed.out)).not.toMatch(/gop_|keyHash/)

    const revoked = await cli(['operator', 'key-revoke', created.out.id], env)
    expect([revoked.code, revoked.out]).toEqual([0, { id: created.out.id, revoked: true }])
    const refused = await api('/v1/relying-parties', { key: created.out.key })
    expect([refused.status, refused.body.error.code]).toEqual([401, 'ERR_AUTH_INVALID'])
    expect((await cli(['operator', 'key-list'], env)).out.find((k: Json) => k.id === created.out.id).revokedAt).toEqual(expect.any(String))
    // The demo operator key is another key: it still works.
    expect((await api('/v1/relying-parties', { key: operatorKey })).status).toBe(200)

    const again = await cli(['operator', 'key-revoke', created.out.id], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/no active operator key/)
    const unknown = await cli(['operator', 'rotate'], env)
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringMatching(/unknown operator command "rotate"/)])
  }, 60_000)
})

describe('a verifier-only node serves the same API', () => {
  let verifierDir: string
  let node: RunningVerifier | undefined

  beforeAll(async () => {
    verifierDir = mkdtempSync(join(tmpdir(), 'govcred-rp-api-verifier-'))
    node = await startVerifier(
      loadVerifierConfig({
        GOVCRED_RPC_URL: service.ctx.rpcUrl,
        GOVCRED_DEPLOYMENTS_FILE: service.config.chain.deploymentsFile,
        GOVCRED_DATA_DIR: verifierDir,
        PORT: '0',
      }),
      silentLogger,
    )
  }, 60_000)
  afterAll(async () => {
    await node?.stop()
    if (verifierDir) rmSync(verifierDir, { recursive: true, force: true })
  })

  it('an operator key made with key-create --verifier registers a bank there, with its webhook secret sealed locally', async () => {
    const made = await cli(['operator', 'key-create', '--verifier'], { GOVCRED_DATA_DIR: verifierDir })
    expect(made.code, made.stderr).toBe(0)
    const remote = caller(() => node!.url)
    // The full node's operator key is not this node's.
    const foreign = await remote('/v1/relying-parties', { key: operatorKey })
    expect([foreign.status, foreign.body.error.code]).toEqual([401, 'ERR_AUTH_INVALID'])

    const created = await remote('/v1/relying-parties', {
      key: made.out.key,
      body: { id: 'verifier-bank', name: NAMES, domain: 'verifier-bank.example', webhookUrl: 'https://hooks.verifier-bank.example/' },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body.webhook.secret).toMatch(/^whsec_/)
    expect(statSync(join(verifierDir, 'kms-secret')).mode & 0o077).toBe(0)
    expect((await remote('/v1/relying-party', { key: created.body.apiKey.key })).body.clientId).toBe('x509_san_dns:verifier-bank.example')
    // Loopback webhooks are refused on a verifier-only node by default.
    const loopback = await remote('/v1/relying-party/webhook', {
      method: 'PUT',
      key: created.body.apiKey.key,
      body: { url: 'http://127.0.0.1:9/hook' },
    })
    expect([loopback.status, fieldsOf(loopback.body)]).toEqual([400, [['/url', 'ERR_FIELD_INVALID']]])
    // The party exists on the verifier node only.
    expect((await api('/v1/relying-parties/verifier-bank', { key: operatorKey })).status).toBe(404)
  })
})
