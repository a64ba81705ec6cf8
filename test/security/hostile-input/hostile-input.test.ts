// Issue 10, item 4: the hostile-input suite. A seeded property-based fuzz (fast-check) over every operation
// of the running service's /openapi.json and over the verifiers' token parsers, through a raw HTTP client
// on loopback, against a real service (Anvil, SQLite). It asserts: no 5xx (a 503 only with the deliberate
// ERR_CHAIN_UNAVAILABLE / ERR_BUSY), every 4xx in the error shape (or a verification result on the verify
// routes, a DID-resolution result on the resolver), no forged token ever verified, and the service alive
// afterwards.
//
// Bounded by default (seed.json's run counts, a few seconds); longer with GOVCRED_FUZZ_RUNS=5000 (routes
// and tokens each). A failure prints fast-check's seed and path, the case, and a curl line; replay it with
// GOVCRED_FUZZ_SEED=<seed> GOVCRED_FUZZ_PATH=<path> npx vitest run test/security/hostile-input
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import type { CredentialPayload } from '@veramo/core-types'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isApiErrorCode } from '../../../src/shared/errors/error-codes.js'
import { startTestService, type TestService } from '../../helpers/service.js'
import { THREE_TYPES, bearer, claimsOf, issueOverHttp, readDemo, type Demo, type Issued } from '../../verification/verification-helpers.js'
import { curlLine, jsonBytes, sendRaw, type HostileRequest, type RawAnswer } from './raw-http.js'
import { mutate, operationsOf, requestFor, type FuzzContext, type Operation } from './request-arbitraries.js'
import {
  TOKEN_TARGETS,
  buildToken,
  didKeySigner,
  holderPresentation,
  mustNotVerify,
  tokenCase,
  type TokenEnv,
  type TokenRecipe,
} from './token-arbitraries.js'

const committed = JSON.parse(readFileSync(join(import.meta.dirname, 'seed.json'), 'utf8')) as {
  seed: number
  routeRuns: number
  tokenRuns: number
}
const SEED = Number(process.env.GOVCRED_FUZZ_SEED ?? committed.seed)
const RUNS = process.env.GOVCRED_FUZZ_RUNS ? Number(process.env.GOVCRED_FUZZ_RUNS) : undefined
const PATH = process.env.GOVCRED_FUZZ_PATH
/** The public routes' per-client budget in this file; the fuzz spreads its requests over 200 loopback addresses. */
const PER_MINUTE = 300
const LONG = RUNS !== undefined && RUNS > 1000
/** A long run gets the time it needs (about 10 ms a case here); the bounded one stays under the default 60 s. */
const FUZZ_TIMEOUT = LONG ? 60_000 + RUNS! * 25 : 60_000
/** GOVCRED_FUZZ_ALL=1: log every failing case and go on (to survey a long run), failing at the end; no shrinking. */
const ALL = process.env.GOVCRED_FUZZ_ALL === '1'
const surveyed: string[] = []

let service: TestService
let server: { host: string; port: number }
let demo: Demo
let relyingPartyKey: string
let operatorKey: string
let operations: Operation[]
let context: FuzzContext
let issued: Issued[]
let presented: Issued[]
/**
 * The holder of what the route fuzz issues: not the token fuzz's holder, whose social-security status a new one
 * for the same person would supersede (revoke) mid-run.
 */
const ROUTE_FUZZ_HOLDER = 'did:example:route-fuzz-holder'
const holder = didKeySigner('0x' + '1'.repeat(63) + '7')
const attacker = didKeySigner('0x' + '2'.repeat(63) + '9')
let nextAddress = 0
/** Every answer of the fuzz, by status, to print at the end. */
const statuses = new Map<number, number>()

beforeAll(async () => {
  service = await startTestService({
    env: {
      GOVCRED_RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
      GOVCRED_RATE_LIMIT_HEALTH_PER_MINUTE: String(PER_MINUTE),
      GOVCRED_PUBLIC_CONCURRENCY: '100000',
      GOVCRED_ANONYMOUS_REQUESTS_MAX: '1000000',
    },
  })
  const url = new URL(service.url)
  server = { host: url.hostname, port: Number(url.port) }
  demo = readDemo(service)
  relyingPartyKey = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).relyingParties[0].apiKey
  operatorKey = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).operator.apiKey
  // A party of the route fuzz's own (its keys may be revoked, its webhook changed), never the demo bank.
  const fuzzParty = await service.api('/v1/relying-parties', {
    headers: bearer(operatorKey),
    body: { id: 'fuzz-bank', name: { 'zh-CN': '模糊测试银行', en: 'Fuzz Bank' } },
  })
  expect(fuzzParty.status).toBe(201)
  const fuzzKeys = [fuzzParty.body.apiKey.id]
  for (let i = 0; i < 3; i++)
    fuzzKeys.push((await service.api('/v1/relying-parties/fuzz-bank/keys', { headers: bearer(operatorKey), body: {} })).body.id)
  issued = await Promise.all(THREE_TYPES.map((type) => issueOverHttp(service, demo, type, holder.did)))
  // The token fuzz presents credentials of its own: the route fuzz may revoke, suspend or transfer the first three.
  presented = await Promise.all(THREE_TYPES.map((type) => issueOverHttp(service, demo, type, holder.did)))
  const property = issued.find((c) => c.type === 'PropertyCertificateCredential')!
  const unit = property.credential.credentialSubject.propertyUnitNumber as string
  const request = await service.api('/v1/presentation-requests', {
    headers: bearer(relyingPartyKey),
    body: { credentialTypes: THREE_TYPES, purpose: 'fuzz' },
  })
  expect(request.status).toBe(201)
  const departments = Object.values(demo)
  const document = await sendRaw(server, { label: 'openapi', method: 'GET', target: '/openapi.json', headers: [] })
  operations = operationsOf(document.json)
  const vcApiCredential = {
    '@context': ['https://www.w3.org/2018/credentials/v1'],
    type: ['VerifiableCredential', 'BusinessLicenseCredential'],
    issuer: demo.BusinessLicenseCredential.did,
    credentialSubject: { id: ROUTE_FUZZ_HOLDER, ...claimsOf('BusinessLicenseCredential') },
  }
  context = {
    departmentKeys: departments.map((d) => d.apiKey),
    relyingPartyKey,
    operatorKey,
    pathValues: {
      did: [...departments.map((d) => d.did), holder.did, `did:ethr:govcred:${departments[0]!.account}`],
      id: [...issued.map((c) => c.id), request.body.id, 'fuzz-bank'],
      unitNumber: [unit],
      keyId: fuzzKeys,
    },
    bodies: {
      'POST /v1/credentials': THREE_TYPES.map((type) => ({ type, holder: ROUTE_FUZZ_HOLDER, claims: claimsOf(type) })),
      'POST /credentials/issue': [{ credential: vcApiCredential }, { credential: vcApiCredential, options: {} }],
      'POST /v1/property/transfers': [
        {
          sellerCredentialId: property.id,
          buyer: attacker.did,
          claims: { ...claimsOf('PropertyCertificateCredential'), propertyUnitNumber: unit },
        },
      ],
      'POST /v1/property/units/{unitNumber}/current': [{ certificate: property.jwt }],
      'POST /v1/presentation-requests': [{ credentialTypes: [...THREE_TYPES], purpose: '贷款审核 loan check' }],
      'POST /v1/relying-parties': [
        { id: 'fuzz-bank-2', name: { 'zh-CN': '模糊测试银行', en: 'Fuzz Bank' }, domain: 'fuzz.example' },
        { id: 'fuzz-bank-3', name: { 'zh-CN': '模糊', en: 'Fuzz' }, webhookUrl: 'http://127.0.0.1:9/fuzz' },
      ],
      'POST /v1/relying-parties/{id}/keys': [{ label: 'fuzz' }],
      // Loopback port 9 (discard): a delivery there is refused at once and given up within its bound.
      'PUT /v1/relying-parties/{id}/webhook': [{ url: 'http://127.0.0.1:9/fuzz' }],
      'PUT /v1/relying-party/webhook': [{ url: 'http://127.0.0.1:9/fuzz' }],
      'POST /v1/presentations/verify': [{ presentation: issued[0]!.jwt, requestId: request.body.id }],
      'POST /presentations/verify': [
        { verifiablePresentation: issued[0]!.jwt, options: { challenge: 'challenge-0001', domain: 'bank.example' } },
      ],
      'POST /credentials/verify': issued.map((c) => ({ verifiableCredential: c.jwt })),
      'POST /v1/chain/rpc': [
        { jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] },
        { jsonrpc: '2.0', id: 2, method: 'eth_getLogs', params: [{ fromBlock: '0x0', toBlock: 'latest' }] },
        { jsonrpc: '2.0', id: 3, method: 'eth_sendRawTransaction', params: ['0x00'] },
        [{ jsonrpc: '2.0', id: 4, method: 'eth_chainId' }],
      ],
    },
  }
})

afterAll(async () => {
  if (surveyed.length) console.info(`hostile-input: ${surveyed.length} failing cases\n${surveyed.join('\n')}`)
  if (statuses.size) console.info(`hostile-input answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`)
  await service?.dispose()
})

const VERIFY_ROUTES = ['POST /v1/presentations/verify', 'POST /presentations/verify', 'POST /credentials/verify']
const DELIBERATE_503 = ['ERR_CHAIN_UNAVAILABLE', 'ERR_BUSY']
/**
 * The DID-resolution HTTP binding answers 501 for a DID method the resolver does not serve, or a feature it
 * does not offer (DID URL dereferencing) (issue 10, item 2); every other resolver error is a 4xx.
 */
const NOT_IMPLEMENTED_501 = ['methodNotSupported', 'unsupportedDidMethod', 'featureNotSupported']

/** The OpenID4VCI endpoints that answer refusals as OAuth does: `{"error": "<code>", "error_description", "govcred_code"}`. */
/** The OpenID4VCI and OpenID4VP protocol endpoints, which answer refusals in the OAuth shape (with govcred_code). */
const OAUTH_ROUTES = [
  'POST /oid4vci/{departmentId}/token',
  'POST /oid4vci/{departmentId}/nonce',
  'POST /oid4vci/{departmentId}/credential',
  'GET /oid4vp/requests/{id}',
  'POST /oid4vp/responses/{id}',
]
const isOAuthErrorShape = (body: any) =>
  body &&
  typeof body === 'object' &&
  typeof body.error === 'string' &&
  /^[a-z_]+$/.test(body.error) &&
  typeof body.error_description === 'string' &&
  isApiErrorCode(body.govcred_code)
/** The house error shape; on the OAuth endpoints (`label`), the OAuth one too. */
const isErrorShape = (body: any, label?: string) =>
  (body && typeof body === 'object' && body.error && isApiErrorCode(body.error.code) && typeof body.error.message === 'string') ||
  (label !== undefined && OAUTH_ROUTES.includes(label) && isOAuthErrorShape(body))
const isVerificationResult = (body: any) => body && typeof body.verified === 'boolean' && Array.isArray(body.checks)
const isResolutionResult = (body: any) =>
  body && typeof body === 'object' && body.didResolutionMetadata && typeof body.didResolutionMetadata === 'object'

/** What is wrong with an answer, or undefined when it is acceptable. */
function judge(request: HostileRequest, answer: RawAnswer): string | undefined {
  const body = answer.json as any
  const resolver = request.label === 'GET /1.0/identifiers/{did}'
  if (answer.status === 501 && resolver && isResolutionResult(body) && NOT_IMPLEMENTED_501.includes(body.didResolutionMetadata.error))
    return undefined
  if (answer.status >= 500 && !(answer.status === 503 && DELIBERATE_503.includes(body?.error?.code))) return `answered ${answer.status}`
  if (answer.status >= 400 && request.method !== 'HEAD') {
    if (isErrorShape(body, request.label)) return undefined
    if (VERIFY_ROUTES.includes(request.label) && isVerificationResult(body)) return undefined
    if (resolver && isResolutionResult(body)) return undefined
    return `answered ${answer.status} without the {"error":{"code","message"}} shape (a code of API_ERROR_CODES)`
  }
  return undefined
}

/** Sends a case and throws a report (the case, the answer, a curl line) when the answer is wrong. */
async function check(request: HostileRequest, extra?: (answer: RawAnswer) => string | undefined): Promise<RawAnswer> {
  let answer: RawAnswer
  try {
    answer = await sendRaw(server, request, { localAddress: `127.0.0.${2 + (nextAddress++ % 200)}`, timeoutMs: 20_000 })
  } catch (error) {
    const report = `${request.label}: ${(error as Error).message}\n  replay: ${curlLine(request, service.url)}`
    if (!ALL) throw new Error(report)
    surveyed.push(report)
    return { status: 0, headers: {}, text: '', json: undefined }
  }
  statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
  const problem = judge(request, answer) ?? extra?.(answer)
  if (problem) {
    const report = `${request.label} ${problem}: ${answer.text.slice(0, 400)}\n  replay (against the test service, or set GOVCRED_URL): ${curlLine(request, service.url)}`
    if (!ALL) throw new Error(report)
    surveyed.push(report)
  }
  return answer
}

/** fc.assert with the committed seed; a failure's message starts with how to replay it. */
async function fuzz<T>(property: fc.IAsyncPropertyWithHooks<[T]>, numRuns: number): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns, ...(PATH ? { path: PATH } : {}), interruptAfterTimeLimit: LONG ? undefined : 50_000 })
  } catch (error) {
    // fast-check keeps the property's own error (the case's report and curl line) as the cause.
    const cause = (error as Error).cause
    const message = `${(error as Error).message}${cause ? `\n${(cause as Error).message ?? String(cause)}` : ''}`
    const seed = /seed: (-?\d+)/.exec(message)?.[1]
    const path = /path: "([^"]+)"/.exec(message)?.[1]
    throw new Error(`replay: GOVCRED_FUZZ_SEED=${seed} GOVCRED_FUZZ_PATH=${path} npx vitest run test/security/hostile-input\n${message}`)
  }
}

describe('answers of the HTTP layer itself (before express)', () => {
  // Node's server answered these with an empty body; src/http/protocol-errors.ts gives them the error shape.
  const cases: [string, HostileRequest, number][] = [
    [
      'an Expect header other than 100-continue',
      { label: 'GET /v1/network', method: 'GET', target: '/v1/network', headers: [['Expect', 'nothing']] },
      417,
    ],
    [
      'raw bytes above 0x7f in the path',
      { label: 'GET /v1/issuers/{did}', method: 'GET', target: '/v1/issuers/\xff\xfe', headers: [] },
      400,
    ],
    [
      'a control character in a header',
      { label: 'GET /v1/network', method: 'GET', target: '/v1/network', headers: [['X-A', 'a\x01b']] },
      400,
    ],
    [
      'a request line larger than the header limit',
      { label: 'GET /v1/issuers/{did}', method: 'GET', target: `/v1/issuers/${'x'.repeat(20_000)}`, headers: [] },
      431,
    ],
  ]
  for (const [name, request, status] of cases) {
    it(`${name}: ${status} ERR_BAD_REQUEST`, async () => {
      const answer = await check(request)
      expect(answer.status).toBe(status)
      expect(answer.json).toEqual({ error: { code: 'ERR_BAD_REQUEST', message: expect.any(String) } })
    })
  }
})

describe('hostile requests to every route of /openapi.json', () => {
  it('the document lists the routes, and each operation gets requests', () => {
    expect(operations.length).toBeGreaterThanOrEqual(20)
    for (const route of ['POST /v1/credentials', 'GET /1.0/identifiers/{did}', 'POST /v1/presentations/verify', 'GET /v1/audit'])
      expect(operations.map((o) => `${o.method} ${o.path}`)).toContain(route)
  })

  it(
    'answer no 5xx, and every 4xx in the error shape',
    async () => {
      const anyRequest = fc.oneof(...operations.map((operation) => requestFor(operation, context)))
      await fuzz(
        fc.asyncProperty(anyRequest, async (request) => {
          await check(request)
        }),
        RUNS ?? committed.routeRuns,
      )
    },
    FUZZ_TIMEOUT,
  )
})

describe('hostile tokens to the token parsers', () => {
  /** A fresh presentation request for /v1 cases (a holder-signed one uses up its challenge); a caller challenge for VC-API. */
  async function environment(target: keyof typeof TOKEN_TARGETS, n: number): Promise<TokenEnv> {
    const base = { credentials: presented.map((c) => c.jwt), issuerDids: Object.values(demo).map((d) => d.did), holder, attacker }
    if (target !== 'POST /v1/presentations/verify')
      return { ...base, challenge: `fuzz-challenge-${SEED}-${n}-${Date.now()}`, domain: 'bank.example', requestId: 'none' }
    const created = await check({
      label: 'POST /v1/presentation-requests',
      method: 'POST',
      target: '/v1/presentation-requests',
      headers: [
        ['Content-Type', 'application/json'],
        ['Authorization', `Bearer ${relyingPartyKey}`],
      ],
      body: jsonBytes({ credentialTypes: THREE_TYPES, purpose: 'fuzz' }),
    })
    const body = created.json as any
    if (created.status !== 201) throw new Error(`creating a presentation request answered ${created.status}`)
    return { ...base, challenge: body.challenge, domain: body.domain, requestId: body.id }
  }

  /**
   * A credential signed with the department's real key through the service's agent, with hostile content (a
   * status entry, schema, subject or dates of the wrong shape), so the checks after the signature run on it;
   * inside a holder-signed presentation for the presentation routes. Undefined when the agent refuses to sign.
   */
  async function departmentSigned(recipe: Extract<TokenRecipe, { kind: 'department-signed' }>, env: TokenEnv, target: string) {
    const template = presented[recipe.template % presented.length]!
    const { proof: _proof, sub: _sub, jti: _jti, nbf: _nbf, exp: _exp, iss: _iss, iat: _iat, ...base } = template.credential
    let jwt: string
    try {
      const credential = recipe.mutations.reduce(mutate, base)
      const signed = await service.ctx.agent.createVerifiableCredential({
        credential: credential as CredentialPayload,
        proofFormat: 'jwt',
        removeOriginalFields: false,
      })
      jwt = (signed.proof as { jwt: string }).jwt
    } catch {
      return undefined
    }
    return target.includes('presentations') ? holderPresentation(env, [jwt]) : jwt
  }

  function tokenRequest(target: keyof typeof TOKEN_TARGETS, token: unknown, env: TokenEnv): HostileRequest {
    const unit = context.pathValues.unitNumber![0]!
    const [method, path] = target.split(' ') as [string, string]
    return {
      label: target,
      method,
      target: path.replace('{unitNumber}', unit),
      headers: [
        ['Content-Type', 'application/json'],
        ...(target === 'POST /v1/presentations/verify' ? [['Authorization', `Bearer ${relyingPartyKey}`] as [string, string]] : []),
      ],
      body: jsonBytes(TOKEN_TARGETS[target](token, env)),
    }
  }

  it('a validly signed presentation of the real credentials verifies (the fuzz starts from what gets through)', async () => {
    const env = await environment('POST /v1/presentations/verify', -1)
    const answer = await check(
      tokenRequest(
        'POST /v1/presentations/verify',
        buildToken({ kind: 'holder-vp', credentials: 'real', mutations: [], raw: '1' }, env),
        env,
      ),
    )
    expect(answer.status, JSON.stringify(answer.json)).toBe(200)
    expect((answer.json as any).verified).toBe(true)
  })

  it(
    'are refused without a 5xx; nothing forged ever verifies',
    async () => {
      let n = 0
      await fuzz(
        fc.asyncProperty(tokenCase, async ({ target, recipe, asObject }) => {
          const env = await environment(target, n++)
          const jwt = recipe.kind === 'department-signed' ? await departmentSigned(recipe, env, target) : buildToken(recipe, env)
          if (jwt === undefined) return
          const kind =
            target === 'POST /credentials/verify' || target.includes('property') ? 'VerifiableCredential' : 'VerifiablePresentation'
          const token = asObject
            ? { '@context': ['https://www.w3.org/2018/credentials/v1'], type: [kind], proof: { type: 'JwtProof2020', jwt } }
            : jwt
          await check(tokenRequest(target, token, env), (answer) =>
            mustNotVerify(recipe) && (answer.json as any)?.verified === true ? `verified a ${recipe.kind} token` : undefined,
          )
        }),
        RUNS ?? committed.tokenRuns,
      )
    },
    FUZZ_TIMEOUT,
  )
})

describe('after the fuzz', () => {
  it('over its per-client budget a client gets 429 ERR_RATE_LIMITED, not a 5xx', async () => {
    const network: HostileRequest = { label: 'GET /v1/network', method: 'GET', target: '/v1/network', headers: [] }
    let answer: RawAnswer | undefined
    for (let i = 0; i <= PER_MINUTE && answer?.status !== 429; i += 20) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => sendRaw(server, network, { localAddress: '127.0.0.1' })))
      answer = answers.find((a) => a.status !== 200) ?? answers[0]
    }
    expect(answer!.status).toBe(429)
    expect(answer!.json).toEqual({ error: { code: 'ERR_RATE_LIMITED', message: expect.any(String) } })
  })

  it('the service is alive and healthy', async () => {
    expect(surveyed, 'failing cases of GOVCRED_FUZZ_ALL=1 (printed above)').toEqual([])
    const health = await sendRaw(
      server,
      { label: 'GET /healthz', method: 'GET', target: '/healthz', headers: [] },
      { localAddress: '127.0.0.250' },
    )
    expect(health.status).toBe(200)
  })
})
